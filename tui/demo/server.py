"""DEMO DATA served over real HTTP, so the demo runs Tandem's production path.

Three small APIs on one loopback port, each paginated the way real ones are:
- survey: GET /survey/v2/surveys/{pulse|customer|internal}/responses?page=&per_page=
  → {"data": [...], "page", "per_page", "total", "total_pages"}  (page numbers)
- HR:     GET /hr/v1/employees?limit=&cursor=
  → {"employees": [...], "next_cursor": "..." | null}             (a cursor)
- CRM:    GET /crm/v1/accounts?page=&per_page=
  → [...] with an RFC 8288 `Link: <…>; rel="next"` header          (Link header)
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tui.demo.data import DemoData, generate

MAX_PAGE_SIZE = 500


def _int_param(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(query.get(name, [str(default)])[0])
    except ValueError:
        raise _BadRequest(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise _BadRequest(f"{name} must be between {low} and {high}")
    return value


class _BadRequest(Exception):
    pass


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        return int(text.removeprefix("offset:"))
    except ValueError:
        raise _BadRequest("cursor is not valid") from None


class _DemoHandler(BaseHTTPRequestHandler):
    server: _DemoHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write: without this, Nagle's algorithm and
    # delayed ACKs add ~40 ms to every page on loopback.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def log_message(self, format: str, *args: Any) -> None:
        # The demo API must not write over the dashboard in the terminal.
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        segments = [s for s in parts.path.split("/") if s]
        data = self.server.data
        try:
            if (
                segments[:3] == ["survey", "v2", "surveys"]
                and len(segments) == 5
                and segments[4] == "responses"
            ):
                records = {
                    "pulse": data.pulse_responses,
                    "customer": data.customer_responses,
                    "internal": data.internal_responses,
                }
                if segments[3] not in records:
                    return self._send(404, {"error": f"no survey {segments[3]!r}"})
                return self._page_numbers(records[segments[3]], query)
            if segments == ["hr", "v1", "employees"]:
                return self._cursor_page(data.employees, query)
            if segments == ["crm", "v1", "accounts"]:
                return self._link_header_page(data.accounts, query, parts.path)
        except _BadRequest as error:
            return self._send(400, {"error": str(error)})
        self._send(404, {"error": f"no endpoint {parts.path}"})

    def _page_numbers(self, records: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        per_page = _int_param(query, "per_page", 50, 1, MAX_PAGE_SIZE)
        total_pages = max(1, -(-len(records) // per_page))
        page = _int_param(query, "page", 1, 1, 1_000_000)
        start = (page - 1) * per_page
        self._send(
            200,
            {
                "data": records[start : start + per_page],
                "page": page,
                "per_page": per_page,
                "total": len(records),
                "total_pages": total_pages,
            },
        )

    def _cursor_page(self, records: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        limit = _int_param(query, "limit", 50, 1, MAX_PAGE_SIZE)
        offset = _decode_cursor(query["cursor"][0]) if "cursor" in query else 0
        end = offset + limit
        next_cursor = _encode_cursor(end) if end < len(records) else None
        self._send(200, {"employees": records[offset:end], "next_cursor": next_cursor})

    def _link_header_page(
        self, records: list[dict[str, Any]], query: dict[str, list[str]], path: str
    ) -> None:
        per_page = _int_param(query, "per_page", 50, 1, MAX_PAGE_SIZE)
        page = _int_param(query, "page", 1, 1, 1_000_000)
        start = (page - 1) * per_page
        headers = {}
        if start + per_page < len(records):
            next_query = urlencode({"page": page + 1, "per_page": per_page})
            headers["Link"] = f'<{self.server.url}{path}?{next_query}>; rel="next"'
        self._send(200, records[start : start + per_page], headers)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    url: str

    def __init__(self, today: date) -> None:
        super().__init__(("127.0.0.1", 0), _DemoHandler)
        self.today = today
        self._data: DemoData | None = None
        self._generating = threading.Lock()

    @property
    def data(self) -> DemoData:
        """The records, generated on the first request: starting the server costs nothing,
        so the dashboard paints before the demo's 24 months are made up."""
        with self._generating:
            if self._data is None:
                self._data = generate(self.today)
            return self._data

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-request (the collector stopped) is no error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class DemoServer:
    """The demo APIs on 127.0.0.1 and a free port, in a background thread.

    Use as a context manager, or call `start()` and `stop()`.
    """

    def __init__(self, today: date | None = None) -> None:
        self.today = today or datetime.now(timezone.utc).date()
        self._server: _DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo server is not running")
        return self._server.url

    def start(self) -> str:
        server = _DemoHTTPServer(self.today)
        server.url = f"http://127.0.0.1:{server.server_address[1]}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() returns within 50 ms
            name="tandem-demo-api",
            daemon=True,
        )
        self._thread.start()
        return server.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
