"""A real HTTP server on 127.0.0.1 and a free port, answering from Python functions.

Tests describe an API as routes: path -> function(request) -> Reply. Every
request is recorded so a test can check what Tandem actually sent.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""
    # The client's port: requests on one connection share it.
    client_port: int = 0


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    delay: float = 0.0
    # Hang up after writing: with a Content-Length larger than the body, the
    # client sees a dropped connection.
    close: bool = False


Route = Callable[[Request], Reply]


class LocalServer:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[Request] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    parts.path,
                    query,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.command,
                    self.rfile.read(length) if length else b"",
                    self.client_address[1],
                )
                outer.requests.append(request)
                route = outer.routes.get(parts.path)
                reply = route(request) if route else Reply(404, {"error": "not found"})
                if reply.delay:
                    threading.Event().wait(reply.delay)
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    if "Content-Length" not in reply.headers:
                        self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    if reply.close:
                        self.wfile.flush()
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def refusing_url() -> Iterator[str]:
    """A loopback URL where nothing listens: connecting is refused at once.

    The port stays bound (not listening) until the block ends, so no server
    started meanwhile can be given it: a closed probe's port is free for the
    next bind to port 0, which is how a "dead" port once answered 404.
    """
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"
