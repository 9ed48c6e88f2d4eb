"""`tandem serve`: the dashboard in a browser, through textual-serve.

textual-serve starts one app process per browser, so no viewer fetches: this
process runs the one scheduler that fetches every source and writes the store,
and every viewer is `tandem --viewer`, which only reads the store (and repaints
when another process writes it). The page reconnects by itself when the session
ends. There is no authentication: by default it listens on 127.0.0.1 only.

A viewer is read-only and bounded: its process gets an environment with no vendor
secret in it (only what Python and a terminal need), its screenshots download to
the browser instead of landing on the server's disk, its terminal is at most
`max_columns` × `max_rows` cells whatever the page asks for, and at most
`max_viewers` are served at once. The page says so.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import sys
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from tui.config import Config

PAGE_FOLDER = Path(__file__).with_name("serve_page")

# What a viewer's process may inherit: enough to run Python in this install and to
# draw a terminal. Everything else, every vendor secret among it, stays behind.
VIEWER_VARIABLES = frozenset(
    {"HOME", "LANG", "LANGUAGE", "PATH", "TMPDIR", "TZ", "VIRTUAL_ENV", "SYSTEMROOT"}
)
VIEWER_PREFIXES = ("LC_", "PYTHON")


def viewer_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment a viewer runs with: the allowed variables of `environ`."""
    return {
        name: value
        for name, value in environ.items()
        if name in VIEWER_VARIABLES or name.startswith(VIEWER_PREFIXES)
    }


class ViewerService(AppService):
    """One viewer's app process: started without secrets, and never larger than the cap."""

    def __init__(self, *args: Any, max_columns: int, max_rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_columns = max_columns
        self.max_rows = max_rows

    def clamp(self, width: Any, height: Any) -> tuple[int, int]:
        return (
            min(max(_int(width, 80), 20), self.max_columns),
            min(max(_int(height, 24), 5), self.max_rows),
        )

    async def start(self, width: Any, height: Any) -> None:
        # Whatever the page asked for (a query string: anything), within the cap.
        await super().start(*self.clamp(width, height))

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        # textual-serve's own variables (driver, size, colours) on top of the allowed few.
        served = {
            name: value
            for name, value in environment.items()
            if name.startswith(("TEXTUAL", "TERM_PROGRAM")) or name in ("COLUMNS", "ROWS")
        }
        return {**viewer_environment(os.environ), **served}

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*self.clamp(width, height))


def viewer_command(config_path: Path, store_path: str) -> str:
    """What each browser runs: a dashboard that reads the store and never fetches."""
    return (
        f"exec {shlex.quote(sys.executable)} -m tui --viewer "
        f"--config {shlex.quote(str(config_path))} --store {shlex.quote(str(store_path))}"
    )


class TandemServer(Server):
    """textual-serve's server, plus the one fetcher, a reconnecting page, and websockets
    closed on shutdown (left open, aiohttp waits ~20 s for them)."""

    def __init__(
        self,
        config: Config,
        config_path: Path,
        store_path: str,
        host: str,
        port: int,
        public_url: str | None = None,
        *,
        max_viewers: int = 10,
        max_columns: int = 320,
        max_rows: int = 120,
    ) -> None:
        super().__init__(
            viewer_command(config_path, store_path),
            host=host,
            port=port,
            title=config.dashboard.organisation or config.dashboard.title,
            public_url=public_url,
            templates_path=PAGE_FOLDER,
        )
        self.config = config
        self.store_path = store_path
        self.max_viewers = max_viewers
        self.max_columns = max_columns
        self.max_rows = max_rows
        self._fetcher: asyncio.Task[None] | None = None
        self._sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    def initialize_logging(self) -> None:
        """Warnings only, and never a request line: a query string may carry anything
        a browser was told to send, a key among them."""
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
        logging.getLogger("aiohttp.access").disabled = True

    @property
    def limits(self) -> str:
        """The caps, in the words the page shows."""
        viewers = "viewer" if self.max_viewers == 1 else "viewers"
        return (
            f"up to {self.max_viewers} {viewers} at once, "
            f"each at most {self.max_columns}×{self.max_rows} characters"
        )

    @property
    def full(self) -> bool:
        return len(self._sockets) >= self.max_viewers

    async def handle_index(self, request: web.Request) -> Any:
        # textual-serve's page data, plus the caps and whether a viewer fits now.
        index = Server.handle_index.__wrapped__  # type: ignore[attr-defined]
        context: dict[str, Any] = await index(self, request)
        context["limits"] = self.limits
        context["full"] = self.full
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def on_startup(self, app: web.Application) -> None:
        from tui.collect.scheduler import Scheduler
        from tui.sources import client_for
        from tui.store import is_store_url, open_store

        if is_store_url(self.store_path):
            # A shared store: `tandem collect` fetches into it, wherever the secrets are.
            self.console.print(
                f"Tandem is serving {self.public_url} (reading {self.store_path}, which "
                "`tandem collect` writes; nothing is fetched here)"
            )
            return
        store = open_store(self.store_path)
        client = client_for(self.config)
        scheduler = Scheduler(
            self.config, client, store, on_start=lambda _: None, on_outcome=lambda _: None
        )

        async def fetch() -> None:
            try:
                await scheduler.run()
            finally:
                await client.aclose()
                store.close()

        self._fetcher = asyncio.create_task(fetch())
        self.console.print(f"Tandem is serving {self.public_url} (fetching every source here)")

    async def on_shutdown(self, app: web.Application) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._fetcher is not None:
            self._fetcher.cancel()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One viewer: its own app process, fed through the websocket."""
        if self.full:
            # Checked again here: a client need not load the page first.
            raise web.HTTPServiceUnavailable(text=f"Tandem is full: {self.limits}")
        websocket = web.WebSocketResponse(heartbeat=15)
        service: ViewerService | None = None
        try:
            await websocket.prepare(request)
            self._sockets.add(websocket)

            async def close() -> None:
                await websocket.close()

            service = ViewerService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
                max_columns=self.max_columns,
                max_rows=self.max_rows,
            )
            await service.start(request.query.get("width"), request.query.get("height"))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            self._sockets.discard(websocket)
            if service is not None:
                await service.stop()
        return websocket

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """What the page sends: keys, resizes, pings and focus. A message of any other
        shape is dropped (textual-serve's own loop stops on it with a traceback)."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope: list[Any] = message.json()
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else {}
                if kind == "stdin" and isinstance(data, str):
                    await app_service.send_bytes(data.encode("utf-8"))
                elif kind == "resize":
                    await app_service.set_terminal_size(data["width"], data["height"])
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await app_service.blur()
                elif kind == "focus":
                    await app_service.focus()
            except (ValueError, TypeError, KeyError, IndexError):
                continue


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
