"""A browser viewer of `tandem serve` is read-only and bounded (issue 14, item 4).

The probe found a viewer could fetch with the vendor secrets it inherited (`r`),
write SVG files into the server's folder (`s`), and take ~1 GB by asking for a
4000×4000 terminal. Each is tried here against a real `tandem serve` over a real
websocket, and the viewer's process is inspected through /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import DEMO_NOW
from tests.test_serve import ROOT, free_port, receive_until, wait_for_http
from tui.app import TandemApp
from tui.app.serve import viewer_environment
from tui.store import Store

SECRET = "sk_live_viewer_must_never_see_this"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, Path]]:
    """A `tandem serve` with two viewer places, 100×30 at most, a vendor secret in its
    environment, and an empty working folder to catch anything written there."""
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    log = folder / "serve.log"
    environment = {
        **os.environ,
        "PULSE_API_TOKEN": SECRET,
        "ANY_OTHER_SECRET": SECRET,
        "PYTHONPATH": str(ROOT),
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui",
                "serve",
                "--config",
                str(ROOT / "config" / "demo.toml"),
                "--store",
                str(folder / "s.db"),
                "--port",
                str(port),
                "--max-viewers",
                "2",
                "--max-size",
                "100x30",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env=environment,
            start_new_session=True,
        )
    try:
        yield port, folder, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@contextlib.asynccontextmanager
async def viewer(
    session: aiohttp.ClientSession, port: int, query: str = "width=80&height=24"
) -> AsyncIterator[tuple[aiohttp.ClientWebSocketResponse, list[str]]]:
    """A websocket viewer, once its app has drawn; yields it and the text messages seen."""
    async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?{query}") as ws:
        texts: list[str] = []
        await receive_until(ws, texts, lambda received: len(received) > 2000)
        yield ws, texts


def viewer_processes(folder: Path) -> list[int]:
    """The pids of `tandem --viewer` processes started for this server's store."""
    store = str(folder / "s.db").encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--viewer" in command and store in command:
            pids.append(int(entry.name))
    return pids


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {name.decode(): value.decode("utf-8", "replace") for name, value in pairs}


async def test_a_viewer_has_no_secret_and_is_no_larger_than_the_cap(served):
    port, folder, _ = served
    async with aiohttp.ClientSession() as session:
        await wait_for_http(session, f"http://127.0.0.1:{port}/")
        async with viewer(session, port, "width=4000&height=4000"):
            pids = viewer_processes(folder)
            assert len(pids) == 1
            environment = environment_of(pids[0])
            assert SECRET not in "".join(f"{k}={v}" for k, v in environment.items())
            assert "PULSE_API_TOKEN" not in environment
            # The page asked for 4000×4000; the process was started at the cap.
            assert (environment["COLUMNS"], environment["ROWS"]) == ("100", "30")


async def test_a_resize_past_the_cap_and_junk_messages_are_held_or_dropped(served):
    port, _, _ = served
    async with aiohttp.ClientSession() as session:
        await wait_for_http(session, f"http://127.0.0.1:{port}/")
        async with viewer(session, port) as (ws, texts):
            await ws.send_str("not json")
            await ws.send_str('["resize"]')
            await ws.send_str('["resize", {"width": 4000, "height": 4000}]')
            # Still alive: a ping is answered after the junk.
            await ws.send_str('["ping", "still-there"]')
            await receive_until(ws, texts, lambda _: any("still-there" in t for t in texts), 10)
            assert any("still-there" in text for text in texts)
            # Redrawn at the cap: no cursor position beyond row 30 or column 100.
            await ws.send_str('["stdin", "p"]')
            received = await receive_until(ws, texts, lambda r: len(r) > 4000, 5)
            rows = [int(m) for m in __import__("re").findall(rb"\x1b\[(\d+);\d+H", received)]
            assert rows and max(rows) <= 30


async def test_a_viewer_screenshot_goes_to_the_browser_not_the_servers_disk(served):
    port, folder, _ = served
    async with aiohttp.ClientSession() as session:
        await wait_for_http(session, f"http://127.0.0.1:{port}/")
        async with viewer(session, port) as (ws, texts):
            for _ in range(3):
                await ws.send_str('["stdin", "s"]')
            await receive_until(
                ws, texts, lambda _: sum("deliver_file_start" in t for t in texts) >= 3, 15
            )
    assert sum("deliver_file_start" in text for text in texts) >= 3
    assert not list(folder.glob("*.svg"))


async def test_viewers_past_the_cap_are_refused_and_the_page_says_why(served):
    port, _, _ = served
    url = f"http://127.0.0.1:{port}/"
    async with aiohttp.ClientSession() as session:
        await wait_for_http(session, url)
        async with session.get(url) as page:
            assert "up to 2 viewers at once, each at most 100×30" in await page.text()
        async with viewer(session, port), viewer(session, port):
            async with session.get(url) as page:
                text = await page.text()
            assert "is full" in text and "up to 2 viewers" in text
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24")
            assert refused.value.status == 503
        # Both left: a place is free again.
        for _ in range(50):
            async with session.get(url) as page:
                if "is full" not in await page.text():
                    break
            await asyncio.sleep(0.1)
        async with viewer(session, port):
            pass


async def test_serve_logs_no_request_lines_or_query_strings(served):
    port, _, log = served
    async with aiohttp.ClientSession() as session:
        await wait_for_http(session, f"http://127.0.0.1:{port}/")
        for _ in range(5):
            async with session.get(f"http://127.0.0.1:{port}/?api_key={SECRET}") as page:
                assert page.status == 200
            async with session.get(f"http://127.0.0.1:{port}/nowhere?token={SECRET}"):
                pass
    await asyncio.sleep(0.5)
    written = log.read_text(errors="replace")
    assert SECRET not in written and "GET /" not in written, written[-1000:]


async def test_r_on_a_viewer_reads_the_store_and_never_fetches(demo_config, tmp_path):
    requests: list[object] = []

    import httpx

    def count(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(500)

    client = httpx.AsyncClient(transport=httpx.MockTransport(count))
    app = TandemApp(
        demo_config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW, viewer=True, client=client
    )
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await pilot.press("r")
            await pilot.pause(0.2)
        assert app.scheduler is None
    assert requests == []
    await client.aclose()


def test_the_viewer_environment_keeps_only_what_python_and_a_terminal_need():
    kept = viewer_environment(
        {
            "PATH": "/usr/bin",
            "HOME": "/root",
            "LC_ALL": "C.UTF-8",
            "PYTHONPATH": "/app",
            "QUALTRICS_API_TOKEN": SECRET,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "TANDEM_CONFIG": "/etc/tandem.toml",
        }
    )
    assert kept == {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": "/app",
    }
