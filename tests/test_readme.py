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


def test_the_configuration_reference_names_every_field():
    """Every field a config table takes is in the README's configuration reference: a
    new field gets documented, and the reference cannot go missing unnoticed."""
    from tui.config import Dashboard, HttpSourceBase, LinkageSettings, MetricBase, Pair
    from tui.config.balance import BalanceSettings
    from tui.config.internal import InternalFunction, InternalSettings

    readme = (ROOT / "README.md").read_text()
    reference = readme[readme.index("## Configuration reference") : readme.index("## Reliability")]
    models = (
        Dashboard,
        HttpSourceBase,
        MetricBase,
        Pair,
        LinkageSettings,
        BalanceSettings,
        InternalSettings,
        InternalFunction,
    )
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        # A field is named in a table (`name`), or shown in a TOML example (name =, [x.name]).
        if not any(form in reference for form in (f"`{name}`", f"{name} =", f".{name}]"))
    ]
    assert not missing, missing
