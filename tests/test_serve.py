"""`tandem serve`: one fetcher, viewers that read the store, a page that reconnects."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import DEMO_NOW
from tui.app import TandemApp
from tui.app.serve import PAGE_FOLDER, viewer_command
from tui.config.base import is_loopback
from tui.store import Store

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_only_loopback_without_expose(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "serve",
            "--host",
            "0.0.0.0",
            "--store",
            str(tmp_path / "s.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "anyone who can reach that address" in result.stderr and "--expose" in result.stderr


def test_each_viewer_only_reads_the_store():
    command = viewer_command(Path("/etc/tandem.toml"), Path("/var/lib/tandem.db"))
    assert command.startswith("exec ") and " --viewer " in command
    assert "--store /var/lib/tandem.db" in command


def test_the_page_loads_nothing_from_outside_and_reconnects_by_itself():
    page = (PAGE_FOLDER / "app_index.html").read_text()
    assert not re.search(r"(src|href)=\"https?://", page)
    assert "-closed" in page and "window.location.reload()" in page and "MAX_RELOADS" in page
    # No icon to fetch: every page load asked for /favicon.ico and got a 404.
    assert '<link rel="icon" href="data:," />' in page


async def test_a_viewer_repaints_when_another_process_writes_the_store(demo_config, tmp_path):
    from tui.metrics.compute import Observation
    from tui.periods import period_of

    store_path = tmp_path / "s.db"
    Store(store_path).close()
    app = TandemApp(demo_config, Store(store_path), clock=lambda: DEMO_NOW, viewer=True)
    assert not app.fetch_automatically
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.dashboard.rows[0].employee
        assert panel._shown is not None and panel._shown.value is None  # an empty store
        writer = Store(store_path)  # the fetcher, on its own connection
        june = period_of(DEMO_NOW.date(), "month")
        writer.write_refresh(
            "pulse", [Observation("enps", "", june, 21.0, 40)], DEMO_NOW, 1, 1, 0.1
        )
        writer.close()
        for _ in range(60):  # the viewer looks every 2 s
            await pilot.pause(0.1)
            if panel._shown is not None and panel._shown.value == 21.0:
                break
        assert panel._shown is not None and panel._shown.value == 21.0
        assert app.scheduler is None  # and it never fetched


async def test_a_write_between_a_viewers_first_read_and_its_first_poll_is_shown(
    demo_config, tmp_path
):
    """The fetcher can land a source while a viewer builds its first frame. Its write
    must change what the viewer's polls compare with, or the panels wait for the next
    write (five minutes on) with every source already "ok" in the strip: CI's headless
    Chromium once saw exactly that."""
    from tui.metrics.compute import Observation
    from tui.periods import period_of

    store_path = tmp_path / "s.db"
    Store(store_path).close()
    app = TandemApp(demo_config, Store(store_path), clock=lambda: DEMO_NOW, viewer=True)
    first_read = app._read_store

    def read_then_land(statuses):  # type: ignore[no-untyped-def]
        data = first_read(statuses)
        app._read_store = first_read  # once: the first frame's read
        writer = Store(store_path)  # the fetcher, on its own connection
        june = period_of(DEMO_NOW.date(), "month")
        writer.write_refresh(
            "pulse", [Observation("enps", "", june, 21.0, 40)], DEMO_NOW, 1, 1, 0.1
        )
        writer.close()
        return data

    app._read_store = read_then_land  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.dashboard.rows[0].employee
        assert panel._shown is not None and panel._shown.value is None  # read before it
        app._read_store_if_written()  # what the half-second poll calls
        await pilot.pause()
        assert panel._shown is not None and panel._shown.value == 21.0


async def test_serve_shows_both_panels_of_a_pair_to_a_websocket_client(tmp_path):
    port = free_port()
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "serve",
            "--port",
            str(port),
            "--store",
            str(tmp_path / "s.db"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                try:
                    async with session.get(url) as page:
                        if page.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)

            def screen(received: bytes) -> str:
                plain = re.sub(rb"\x1b\[[0-9;?]*[ -/]*[@-~]", b"", received)
                return plain.decode("utf-8", "replace")

            def both_panels_with_values(received: bytes) -> bool:
                text = screen(received)
                return (
                    "eNPS" in text
                    and "─ NPS ─" in text
                    and re.search(r"target 30 · n \d+", text) is not None
                )

            async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=160&height=45") as ws:
                received = await receive_until(ws, [], both_panels_with_values)
        text = screen(received)
        assert "eNPS" in text and "─ NPS ─" in text, text[-2000:]
        assert re.search(r"target 30 · n \d+", text), "the viewer showed no values"
    finally:
        started = time.monotonic()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    assert time.monotonic() - started < 10  # open websockets do not hold the shutdown


# ── In a real browser ────────────────────────────────────────────────────


async def receive_until(ws, texts: list[str], done, seconds: float = 30) -> bytes:
    """What a viewer's websocket sends until `done(output so far)` or `seconds`: the app's
    output (binary) returned, textual-serve's messages (text) appended to `texts`."""
    received = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not done(received):
        try:
            message = await ws.receive(timeout=deadline - time.monotonic())
        except asyncio.TimeoutError:
            break
        if message.type == aiohttp.WSMsgType.BINARY:
            received += message.data
        elif message.type == aiohttp.WSMsgType.TEXT:
            texts.append(message.data)
        else:
            break
    return received


def _browser_tools() -> list[str]:
    return [tool for tool in ("chromium", "tesseract") if not shutil.which(tool)]


@pytest.fixture
def browser_tools():
    missing = _browser_tools()
    if missing:
        # .ci/run installs them and sets TANDEM_REQUIRE_BROWSER: there, a missing
        # browser is a failure, never a quiet skip.
        if os.environ.get("TANDEM_REQUIRE_BROWSER"):
            pytest.fail(
                f"{', '.join(missing)} not installed (apt-get install chromium tesseract-ocr)"
            )
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install chromium tesseract-ocr)")


def start_serve(port: int, store: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", str(port), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        start_new_session=True,
    )


def start_chromium(devtools_port: int, profile: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={devtools_port}",
            "--window-size=1400,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Page:
    """One Chromium tab, driven over the DevTools protocol."""

    def __init__(self, session: aiohttp.ClientSession, devtools_port: int) -> None:
        self.session = session
        self.port = devtools_port
        self.ids = itertools.count(1)
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def open(self) -> None:
        for _ in range(100):
            try:
                async with self.session.get(f"http://127.0.0.1:{self.port}/json/list") as answer:
                    pages = [t for t in await answer.json() if t.get("type") == "page"]
                    if pages:
                        self.ws = await self.session.ws_connect(
                            pages[0]["webSocketDebuggerUrl"], max_msg_size=0
                        )
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError("Chromium's DevTools did not answer")

    async def call(self, method: str, **params):
        assert self.ws is not None
        message_id = next(self.ids)
        await self.ws.send_json({"id": message_id, "method": method, "params": params})
        async for message in self.ws:
            reply = message.json()
            if reply.get("id") == message_id:
                return reply.get("result", {})
        raise AssertionError("DevTools closed")

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression)
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if await self.evaluate(expression) is True:
                return True
            await asyncio.sleep(0.2)
        return False


async def wait_for_http(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(150):
        try:
            async with session.get(url) as page:
                if page.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def ocr(image: Path) -> str:
    return subprocess.run(
        ["tesseract", str(image), "stdout"],
        capture_output=True,
        text=True,
        timeout=60,
        # One thread: tesseract's OpenMP threads fight over two busy cores, and one page
        # took 16.7 s (10 s of it in the kernel) against 1.5 s on one thread.
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    ).stdout


FIRST_BYTE = "document.body.classList.contains('-first-byte')"


async def test_a_headless_chromium_shows_both_panels_of_a_pair(tmp_path, browser_tools):
    serve_port, devtools_port = free_port(), free_port()
    server = start_serve(serve_port, tmp_path / "s.db")
    browser = start_chromium(devtools_port, tmp_path / "chromium")
    try:
        async with aiohttp.ClientSession() as session:
            page = Page(session, devtools_port)
            await page.open()
            await wait_for_http(session, f"http://127.0.0.1:{serve_port}/")
            await page.call("Page.navigate", url=f"http://127.0.0.1:{serve_port}/?fontsize=18")
            assert await page.wait_for(FIRST_BYTE, 30), "the app never drew in the page"
            text, deadline = "", time.monotonic() + 30
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)  # the first fetch lands, the panels fill
                shot = await page.call("Page.captureScreenshot", format="png")
                image = tmp_path / "serve.png"
                image.write_bytes(base64.b64decode(shot["data"]))
                text = ocr(image)
                # Both panels of the pair, filled: no source still waiting, no empty panel.
                filled = "waiting for data" not in text and "no data yet" not in text
                if "eNPS" in text and re.search(r"\bNPS\b", text.replace("eNPS", "")) and filled:
                    break
        assert "eNPS" in text, text
        assert re.search(r"\bNPS\b", text.replace("eNPS", "")), text  # the customer panel too
        assert "waiting for data" not in text and "no data yet" not in text, text  # values
    finally:
        stop(browser, server)


async def test_the_page_reconnects_by_itself_after_the_server_restarts(tmp_path, browser_tools):
    serve_port, devtools_port = free_port(), free_port()
    server = start_serve(serve_port, tmp_path / "s.db")
    browser = start_chromium(devtools_port, tmp_path / "chromium")
    try:
        async with aiohttp.ClientSession() as session:
            page = Page(session, devtools_port)
            await page.open()
            url = f"http://127.0.0.1:{serve_port}/"
            await wait_for_http(session, url)
            await page.call("Page.navigate", url=url)
            assert await page.wait_for(FIRST_BYTE, 30)
            await page.evaluate("window.beforeRestart = true")
            stop(server)  # the server goes away: the session ends
            assert await page.wait_for("document.body.classList.contains('-closed')", 15)
            server = start_serve(serve_port, tmp_path / "s.db")  # and comes back
            # Nobody clicks: the page reloads itself (a fresh window) and draws again.
            reloaded = "window.beforeRestart === undefined && " + FIRST_BYTE
            assert await page.wait_for(reloaded, 40), "the page did not reconnect"
    finally:
        stop(browser, server)
