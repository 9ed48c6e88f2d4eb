"""A source kind is one module: its config model and its fetch, listed once in kinds.py."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import typing
from pathlib import Path

from tui.config.sources import SourceBase
from tui.sources.kinds import KINDS

SOURCES = Path(__file__).resolve().parents[1] / "tui" / "sources"


def _kind_of(model: type[SourceBase]) -> str:
    (name,) = typing.get_args(model.model_fields["kind"].annotation)
    return name


def test_every_kind_is_one_module_listed_once():
    modules = [kind.fetch.__module__ for kind in KINDS.values()]
    assert len(set(modules)) == len(modules)  # no module serves two kinds
    for name, kind in KINDS.items():
        assert _kind_of(kind.model) == name  # the line's key is the model's `kind`
        assert kind.model.__module__ == kind.fetch.__module__  # model and fetch together


def test_every_module_with_a_source_model_is_listed():
    listed = {kind.model for kind in KINDS.values()}
    for path in SOURCES.glob("*.py"):
        module = importlib.import_module(f"tui.sources.{path.stem}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, SourceBase)
                and value.__module__ == module.__name__
                and "kind" in value.model_fields
                and typing.get_args(value.model_fields["kind"].annotation)
            ):
                assert value in listed, f"{value.__name__} in {path.name} is not in KINDS"


def test_http_needs_no_vendor_module():
    tree = ast.parse((SOURCES / "http.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {name for name in imported if name.startswith("tui.sources.")} - {
        "tui.sources.auth",
        "tui.sources.base",
        "tui.sources.decode",
    }


def test_reading_a_config_loads_no_http_client():
    # Every kind's module is imported for its model before the first frame: httpx
    # must wait for the first fetch.
    code = (
        "import sys; from tui.config import load_config; load_config('config/demo.toml'); "
        "print('httpx' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=SOURCES.parents[1]
    )
    assert result.stdout.strip() == "False", result.stderr
