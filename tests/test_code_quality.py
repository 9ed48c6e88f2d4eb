"""The codebase keeps its shape: layers, types and lint."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tui"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_app_layer_imports_textual():
    # config, sources, metrics, store and view stay usable without the TUI.
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "app" not in path.relative_to(PACKAGE).parts[:1]
        and path.name != "cli.py"
        and any(
            name.split(".")[0] in ("textual", "textual_plotext") for name in imported_modules(path)
        )
    ]
    assert offenders == []


def test_metrics_do_no_io():
    for path in (PACKAGE / "metrics").glob("*.py"):
        roots = {name.split(".")[0] for name in imported_modules(path)}
        assert not roots & {"httpx", "sqlite3", "os", "socket", "time"}, path.name


def test_mypy_strict_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "tui"],
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
