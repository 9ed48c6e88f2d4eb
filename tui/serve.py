"""`tandem serve`: the dashboard in a browser, through textual-serve.

textual-serve starts one app process per browser, so no viewer fetches: this
process runs the one scheduler that fetches every source and writes the store,
and every viewer is `tandem --viewer`, which only reads the store (and repaints
when another process writes it). The page reconnects by itself when the session
ends. There is no authentication: by default it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import weakref
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from tui.config import Config

PAGE_FOLDER = Path(__file__).with_name("serve_page")


def viewer_command(config_path: Path, store_path: Path) -> str:
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
        store_path: Path,
        host: str,
        port: int,
        public_url: str | None = None,
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
        self._fetcher: asyncio.Task[None] | None = None
        self._sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    async def on_startup(self, app: web.Application) -> None:
        from tui.scheduler import Scheduler
        from tui.sources import make_client
        from tui.store import Store

        store = Store(self.store_path)
        client = make_client(self.config.dashboard.ca_bundle)
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
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        service: AppService | None = None
        try:
            await websocket.prepare(request)
            self._sockets.add(websocket)

            async def close() -> None:
                await websocket.close()

            service = AppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            if service is not None:
                await service.stop()
        return websocket


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
