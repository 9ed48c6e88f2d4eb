"""A misbehaving API on 127.0.0.1: clean paginated data, with faults mixed in by a seeded RNG.

Faults, per request: 500s, 429s, hangs past the client's timeout, dropped
connections, slow bodies, bodies that are not JSON or are cut short, a list
where an object should be, and pages padded with junk and duplicate records
(which a correct client skips, so its numbers equal the clean ones).
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAGE_SIZE = 50

# Kind of reply -> weight. "ok" and "slow_body" are clean answers.
FAULT_WEIGHTS = {
    "ok": 52,
    "slow_body": 6,
    "status_500": 8,
    "status_429": 6,
    "hang": 2,
    "dropped_connection": 6,
    "not_json": 5,
    "truncated_json": 5,
    "wrong_type": 4,
    "junk_records": 6,
}
CLEAN_KINDS = {"ok", "slow_body"}


class ChaosServer:
    def __init__(self, datasets: dict[str, list[dict[str, Any]]], seed: int, hang_seconds: float):
        self.datasets = datasets
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.faults: Counter[str] = Counter()
        self.hang_seconds = hang_seconds
        self.chaos = True
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                records = outer.datasets.get(parts.path)
                if records is None:
                    return self._reply(404, b'{"error": "not found"}')
                page = int(parse_qs(parts.query).get("page", ["1"])[0])
                clean = records[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
                kind = outer.pick()
                body = {"data": clean, "page": page}
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._misbehave(kind, body, clean)

            def _misbehave(self, kind: str, body: dict[str, Any], clean: list[Any]) -> None:
                if kind == "status_500":
                    return self._reply(500, b'{"error": "internal"}')
                if kind == "status_429":
                    return self._reply(429, b'{"error": "slow down"}', {"Retry-After": "0"})
                if kind == "hang":
                    time.sleep(outer.hang_seconds)
                    return self._reply(200, json.dumps(body).encode())
                if kind == "dropped_connection":
                    payload = json.dumps(body).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload) + 500))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                if kind == "slow_body":
                    payload = json.dumps(body).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    for start in range(0, len(payload), 400):
                        self.wfile.write(payload[start : start + 400])
                        self.wfile.flush()
                        time.sleep(0.005)
                    return None
                if kind == "not_json":
                    return self._reply(200, b"<html><body>502 Bad Gateway</body></html>")
                if kind == "truncated_json":
                    return self._reply(200, json.dumps(body).encode()[:-7])
                if kind == "wrong_type":
                    return self._reply(200, json.dumps({"data": {"oops": clean[:1]}}).encode())
                if kind == "junk_records":
                    junk = [
                        {"id": "junk-1", "date": "2026-03-02", "score": 11},
                        {"id": "junk-2", "date": "2026-03-02", "score": -3},
                        {"id": "junk-3", "date": "2026-03-02", "score": "N/A"},
                        {"id": "junk-4", "date": "not a date", "score": 9},
                        {"id": "junk-5", "date": "2026-03-02"},
                        "not an object",
                        *clean[:3],  # duplicates of real records
                    ]
                    return self._reply(200, json.dumps({**body, "data": clean + junk}).encode())
                return self._reply(200, json.dumps(body).encode())

            def _reply(self, status: int, payload: bytes, headers: dict[str, str] | None = None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients hanging up on a chaos server is the point, not news

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def pick(self) -> str:
        with self.lock:
            if not self.chaos:
                return "ok"
            kinds, weights = zip(*FAULT_WEIGHTS.items(), strict=True)
            kind = self.rng.choices(kinds, weights)[0]
            self.faults[kind] += 1
            return kind

    def __enter__(self) -> ChaosServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
