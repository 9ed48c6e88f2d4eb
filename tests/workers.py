"""A pytest plugin for running the suite in pytest-xdist's workers (pyproject's addopts).

- A worker's environment says COLUMNS=80 and LINES=24 (execnet sets them), and every
  `tandem` a test starts in a pseudo-terminal would take them over the terminal's
  own size: they are removed, as a serial run has none.
- A test marked `alone` runs while no other test does. Such a test starts a real
  `tandem`, whose collector runs at idle priority (tui.collect.process.give_way): on
  a machine the other workers keep busy it is starved, by design, and the test's
  deadlines pass; or it measures how processes share out a processor, which other
  tests' processes would blur. The lock is a readers-writer lock over two files the workers of a
  run share: every test holds "running" shared and an `alone` one holds it exclusive,
  while "gate" lets a waiting `alone` test in before new tests start, so that it is
  not starved in turn.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "alone: runs while no other test does (tests/workers.py), under pytest-xdist"
    )
    if "PYTEST_XDIST_WORKER" in os.environ:
        for name in ("COLUMNS", "LINES"):
            os.environ.pop(name, None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # First, and one after another: the other workers wait for them once, at the start,
    # rather than each time one comes up in the middle of their long tests.
    items.sort(key=lambda item: not _alone(item))


def _alone(item: pytest.Item) -> bool:
    return item.get_closest_marker("alone") is not None


# This worker's hold on the run's locks while a test runs; kept from one `alone` test
# to the next.
_held: contextlib.ExitStack | None = None
_held_alone = False


@pytest.fixture(autouse=True)
def _take_turn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    global _held, _held_alone
    if "PYTEST_XDIST_WORKER" not in os.environ or _held is not None:
        return  # one process; or the `alone` test before this one kept the run
    import fcntl

    alone = _alone(request.node)
    folder = tmp_path_factory.getbasetemp().parent  # one a run, shared by its workers
    # Held past this function: closed after the test, in pytest_runtest_protocol.
    held = contextlib.ExitStack()
    gate = held.enter_context(open(folder / "tandem-gate.lock", "w"))  # noqa: SIM115
    running = held.enter_context(open(folder / "tandem-running.lock", "w"))  # noqa: SIM115
    fcntl.flock(gate, fcntl.LOCK_EX)
    fcntl.flock(running, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
    if not alone:
        fcntl.flock(gate, fcntl.LOCK_UN)
    _held, _held_alone = held, alone


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    global _held
    try:
        return (yield)
    finally:
        if _held is not None and not (_held_alone and nextitem is not None and _alone(nextitem)):
            _held.close()  # closing the files lets go of their locks
            _held = None
