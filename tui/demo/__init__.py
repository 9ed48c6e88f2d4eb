"""The built-in demo: made-up data served over real HTTP on 127.0.0.1, labelled DEMO DATA."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from tui.config import DEMO_PLACEHOLDER, Config


def bundled_demo_config() -> Path:
    """config/demo.toml: a copy inside the installed package, or the checkout's own."""
    packaged = Path(__file__).with_name("demo.toml")
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "config" / "demo.toml"


def with_demo_url(config: Config, url: str) -> Config:
    """The config with `{demo}` in each source's base_url replaced by the demo API's address."""
    sources = []
    for source in config.sources:
        base_url = getattr(source, "base_url", None)
        if base_url:
            source = source.model_copy(update={"base_url": base_url.replace(DEMO_PLACEHOLDER, url)})
        sources.append(source)
    return config.model_copy(update={"sources": sources})


@contextmanager
def serving_demo(config: Config, today: date | None = None) -> Iterator[Config]:
    """Start the demo API while the block runs if the config asks for it; yield the live config."""
    if not config.dashboard.demo:
        yield config
        return
    from tui.demo.server import DemoServer

    with DemoServer(today) as server:
        yield with_demo_url(config, server.url)
