"""The codebase keeps its shape: layers, types and lint."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold():
    # pyproject.toml's [tool.importlinter]: the layers top to bottom, only the app
    # imports Textual, the computations do no I/O. Each exception is commented there.
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert f"Contracts: {len(contracts['contracts'])} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "store/base.py",
            "from tui.analysis.insights import Insights",
            "tui.store.base -> tui.analysis.insights",
        ),
        # The analysis says what the data means; what a panel says builds on it, never under.
        (
            "analysis/insights.py",
            "from tui.views.panels import panel_view",
            "tui.analysis.insights -> tui.views.panels",
        ),
        ("views/panels.py", "import sqlite3", "tui.views.panels -> sqlite3"),
    ],
)
def test_a_broken_layer_is_caught(tmp_path, module, line, broken):
    """The contracts can fail: a module importing upwards, or doing I/O, breaks them."""
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(ROOT / "tui", copy / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "tui" / module
    target.write_text(target.read_text() + f"\n{line}  # breaks a contract\n")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(copy)},
    )
    assert result.returncode != 0
    assert broken in result.stdout


def test_mypy_strict_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "tui"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout


def test_the_benchmarks_type_check():
    # No test runs a whole benchmark (they take minutes); a change elsewhere that a
    # benchmark still calls the old way shows here (a run of `--only rss` once failed so).
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "tests/bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_a_screen_that_only_reads_imports_no_collector_code(tmp_path):
    # What a screen imports it holds for as long as it runs, on every laptop and wall
    # screen: the fetching (httpx, the sources' requests) and the counting as arrays
    # (numpy) belong to the collector's process. The screen runs, painted and read.
    script = (
        "import asyncio, sys\n"
        "from tui.app import TandemApp\n"
        "from tui.config import load_config\n"
        "from tui.demo import bundled_demo_config\n"
        "from tui.store import Store\n"
        "async def main():\n"
        "    config = load_config(bundled_demo_config())\n"
        f"    app = TandemApp(config, Store({str(tmp_path / 's.db')!r}), viewer=True)\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.pause()\n"
        "        app.show_from_store()\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in ('httpx', 'numpy', 'tui.collect.refresh') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
