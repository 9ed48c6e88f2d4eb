"""A survey API for benchmarks, in its own process so it never competes with Tandem for the GIL.

`python -m tests.bench.page_server --records 100000 --page-size 1000` prints its port on
the first line of stdout, then serves until its stdin closes:

- GET /responses?page=N&per_page=M: numbered pages of survey responses, encoded once;
- GET /slow/<name>?page=N: one small page after --delay seconds (a distinct source each);
- GET /varying/<name>: one small page whose answers change with every request;
- GET /hang/<name>: never answers (until the client gives up).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TEAMS = ("Support", "Success", "Sales", "Field Ops", "Legal", "Ops")


def responses(count: int, seed: int = 7) -> list[dict[str, object]]:
    """Survey responses over the 24 months before 2026-06-17, as a vendor would send them."""
    rng = random.Random(seed)
    start = datetime(2024, 7, 1, tzinfo=timezone.utc)
    span = int((datetime(2026, 6, 17, tzinfo=timezone.utc) - start).total_seconds())
    return [
        {
            "id": f"R{i:07d}",
            "submitted_at": (start + timedelta(seconds=rng.randrange(span)))
            .isoformat()
            .replace("+00:00", "Z"),
            "team": rng.choice(TEAMS),
            "answers": {"nps": rng.randrange(11), "comment": None},
        }
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.3)
    options = parser.parse_args()
    records = responses(options.records)
    size = options.page_size
    total_pages = max(1, -(-len(records) // size))
    pages = [
        json.dumps(
            {"data": records[i * size : (i + 1) * size], "page": i + 1, "total_pages": total_pages}
        ).encode()
        for i in range(total_pages)
    ]
    few = responses(20, seed=1)
    small = json.dumps({"data": few, "page": 1, "total_pages": 1}).encode()
    counter, lock = [0], threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path.startswith("/hang/"):
                time.sleep(3600)
                return
            if parts.path.startswith("/varying/"):
                # Each answer a little different from the last: every refresh changes
                # the numbers, so every refresh repaints.
                with lock:
                    counter[0] += 1
                    turn = counter[0]
                page = [dict(r, answers={"nps": (i + turn) % 11}) for i, r in enumerate(few)]
                return self._send(json.dumps({"data": page}).encode())
            if parts.path.startswith("/slow/"):
                time.sleep(options.delay)
                return self._send(small)
            if parts.path == "/responses":
                number = int(parse_qs(parts.query).get("page", ["1"])[0])
                return self._send(pages[number - 1] if 1 <= number <= total_pages else b"[]")
            self.send_error(404)

        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        # 30 sources connect at once: the default backlog of 5 drops SYNs, and
        # the kernel retries them a second later.
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # the benchmark closes stdin, or exits, to stop the server


if __name__ == "__main__":
    main()
