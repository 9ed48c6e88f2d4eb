from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tui.config import Config, load_config
from tui.demo import bundled_demo_config

# pytest-xdist's workers: no COLUMNS or LINES, and tests marked `alone` run alone.
pytest_plugins = ("tests.workers",)

# Tests run the demo on a fixed day so its records, and every number, repeat.
DEMO_TODAY = date(2026, 6, 17)
DEMO_NOW = datetime(2026, 6, 17, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo_config() -> Config:
    return load_config(bundled_demo_config())


@pytest.fixture(autouse=True)
def _no_user_files(tmp_path_factory, monkeypatch):
    # Never read or write a developer's own config or store from a test.
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("TANDEM_CONFIG", raising=False)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session (tests/postgres_server.py)."""
    from tests.postgres_server import running

    with running() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A new, empty database on the session's server."""
    return postgres_server.url(postgres_server.new_database())


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory):
    """The demo fetched once through its HTTP API into a store; each test copies it."""
    import asyncio

    from tui.collect.refresh import refresh_sources
    from tui.demo import serving_demo
    from tui.sources import make_client
    from tui.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    config = load_config(bundled_demo_config())
    store = Store(path)

    async def fill(live):
        async with make_client() as client:
            await refresh_sources(live, live.sources, client, store, lambda: DEMO_NOW)

    with serving_demo(config, DEMO_TODAY) as live:
        asyncio.run(fill(live))
    store.close()
    return path
