"""The README's promises stay true."""

import re
from pathlib import Path

from tui.config import load_config

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_the_readme_opens_with_the_install_and_test_lines():
    start, test = readme_commands()[:2]
    assert start.endswith(".venv/bin/tandem")
    assert test.endswith("-m pytest")


def test_ci_runs_the_readmes_test_command():
    test_command = readme_commands()[1]
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_the_complete_example_config_is_valid():
    config = load_config(ROOT / "config" / "example.toml")
    assert {s.pagination.style for s in config.sources} == {
        "page",
        "next_url",
        "offset",
        "link_header",
    }
