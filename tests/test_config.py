"""A wrong config says which file, which field and what was expected."""

import subprocess
import sys
import textwrap

import pytest

from tui.config import ConfigError, load_config, parse_config
from tui.demo import bundled_demo_config

VALID = """
[[sources]]
id = "survey"
kind = "json"
base_url = "https://api.example.com"

[[metrics]]
id = "enps"
label = "eNPS"
side = "employee"
source = "survey"
kind = "nps"

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "survey"
kind = "nps"

[[pairs]]
employee = "enps"
customer = "nps"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(textwrap.dedent(text), "team.toml")
    return [str(p) for p in caught.value.problems]


def test_the_demo_config_is_valid():
    config = load_config(bundled_demo_config())
    assert config.dashboard.demo
    assert [(p.employee, p.customer) for p in config.pairs] == [
        ("enps", "nps"),
        ("engagement", "csat"),
        ("turnover", "churn"),
    ]


def test_a_minimal_config_gets_defaults():
    config = parse_config(VALID)
    assert config.dashboard.period == "month"
    assert config.sources[0].timeout_seconds == 10


def test_a_wrong_type_names_the_key_path_and_what_was_expected():
    text = VALID.replace(
        'kind = "nps"\n\n[[pairs]]',
        'kind = "nps"\nthresholds = { warn = "high", bad = 0 }\n\n[[pairs]]',
    )
    assert problems(text) == ['metrics[1].thresholds.warn: expected a number, got "high"']


def test_unknown_keys_suggest_the_close_one():
    text = VALID.replace(
        'base_url = "https://api.example.com"',
        'base_url = "https://api.example.com"\ntimout_seconds = 5',
    )
    assert problems(text) == [
        'sources[0].timout_seconds: unknown key (did you mean "timeout_seconds"?)'
    ]


def test_unknown_keys_without_a_close_one_list_the_known_keys():
    assert problems("[dashboard]\ncolour = 1\n" + VALID) == [
        "dashboard.colour: unknown key; known keys: anonymity_threshold, brand, ca_bundle, demo, "
        "history_periods, kiosk, kiosk_seconds, organisation, period, refresh_seconds, "
        "screenshot_folder, theme, title"
    ]


def test_a_literal_secret_is_refused_with_the_way_to_do_it():
    text = VALID.replace(
        'base_url = "https://api.example.com"',
        'base_url = "https://api.example.com"\n'
        'auth = { kind = "bearer", token_env = "T", token = "s3cr3t" }',
    )
    [message] = problems(text)
    assert message.startswith("sources[0].auth.token: secrets are never read from config files")
    assert "s3cr3t" not in message


def test_credentials_in_a_url_are_refused_without_echoing_them():
    [message] = problems(VALID.replace("https://api", "https://me:pw@api"))
    assert message.startswith("sources[0].base_url: credentials do not belong in a URL")
    assert "pw" not in message


def test_an_unknown_kind_lists_the_kinds():
    [message] = problems(VALID.replace('kind = "nps"', 'kind = "npx"', 1))
    assert message.startswith("metrics[0].kind: expected one of 'nps', 'csat'")
    assert message.endswith('got "npx"')


def test_references_between_tables_are_checked():
    text = VALID.replace('source = "survey"', 'source = "survy"', 1).replace(
        'customer = "nps"', 'customer = "enps"'
    )
    assert problems(text) == [
        'metrics[0].source: no source has id "survy" (did you mean "survey"?)',
        'pairs[0].customer: metric "enps" is on the employee side, not the customer side',
    ]


def test_thresholds_must_follow_the_direction():
    text = VALID.replace(
        'kind = "nps"\n\n[[pairs]]',
        'kind = "nps"\ndirection = "lower_is_better"\n'
        "thresholds = { warn = 5, bad = 2 }\n\n[[pairs]]",
    )
    [message] = problems(text)
    assert message == (
        "metrics[1]: thresholds.bad (2) must be at or above thresholds.warn (5) "
        "when lower is better"
    )


def test_every_problem_is_reported_at_once():
    text = VALID.replace('side = "employee"', 'side = "staff"').replace(
        'base_url = "https://api.example.com"', 'base_url = "ftp://x"'
    )
    assert len(problems(text)) == 2


def test_toml_syntax_errors_give_the_line():
    assert problems('[dashboard]\ntitle = "x\n') == [
        "not valid TOML: Illegal character '\\n' (at line 2, column 11)"
    ]


def test_a_missing_file_is_named():
    with pytest.raises(ConfigError) as caught:
        load_config("/nonexistent/tandem.toml")
    assert str(caught.value) == (
        "/nonexistent/tandem.toml: 1 problem in the config\n  • file not found"
    )


def test_the_command_line_prints_the_problems_without_a_traceback(tmp_path):
    path = tmp_path / "tandem.toml"
    path.write_text(VALID.replace('period = "month"', "") + '\n[dashboard]\ntheme = "neon"\n')
    result = subprocess.run(
        [sys.executable, "-m", "tui", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"tandem: {path}: 1 problem in the config\n")
    assert "dashboard.theme: unknown theme; expected one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_tls_verification_cannot_be_turned_off():
    text = VALID.replace(
        'base_url = "https://api.example.com"',
        'base_url = "https://api.example.com"\nverify = false',
    )
    [message] = problems(text)
    assert message.startswith("sources[0].verify: TLS verification is always on")
    assert "ca_bundle" in message


def test_a_ca_bundle_must_be_a_file():
    [message] = problems('[dashboard]\nca_bundle = "/nonexistent/ca.pem"\n' + VALID)
    assert message == (
        "dashboard.ca_bundle: expected a PEM file of CA certificates; "
        "/nonexistent/ca.pem is not a file"
    )


def test_a_ca_bundle_that_is_not_pem_is_refused_when_the_config_loads(tmp_path):
    import certifi

    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("this is not a certificate\n")
    [message] = problems(f'[dashboard]\nca_bundle = "{not_pem}"\n' + VALID)
    assert message == (
        f"dashboard.ca_bundle: expected a PEM file of CA certificates; {not_pem} holds none"
    )
    # A real bundle (certifi's, installed with httpx) is accepted.
    config = parse_config(f'[dashboard]\nca_bundle = "{certifi.where()}"\n' + VALID)
    assert config.dashboard.ca_bundle == certifi.where()


def test_the_anonymity_threshold_cannot_go_below_3():
    [message] = problems("[dashboard]\nanonymity_threshold = 2\n" + VALID)
    assert message.startswith("dashboard.anonymity_threshold: expected a value greater than or")


def test_linkage_settings_are_checked_by_name():
    text = '[linkage]\ntransform = "diff"\nmin_overlap = 2\nmax_lags = 3\n' + VALID
    assert sorted(problems(text)) == [
        'linkage.max_lags: unknown key (did you mean "max_lag"?)',
        "linkage.min_overlap: expected a value greater than or equal to 4, got 2",
        "linkage.transform: expected 'difference', 'detrend' or 'none', got \"diff\"",
    ]


def test_vendor_kinds_name_what_is_wrong_and_what_was_expected():
    text = """
[[sources]]
id = "z"
kind = "zendesk"
subdomain = "Acme.zendesk.com"
email_env = "ZENDESK_EMAIL"
token_env = "ZENDESK_API_TOKEN"

[[sources]]
id = "b"
kind = "bamboohr"

[[sources]]
id = "s"
kind = "surveymonky"

[[metrics]]
id = "m"
label = "M"
side = "employee"
source = "b"
kind = "count"

[[metrics]]
id = "n"
label = "N"
side = "customer"
source = "z"
kind = "count"

[[pairs]]
employee = "m"
customer = "n"
"""
    found = problems(text)
    expected = "expected the subdomain alone, such as acme for acme.zendesk.com"
    assert f"sources[0].subdomain: {expected}" in found
    assert "sources[1]: set either company_domain (acme for acme.bamboohr.com) or base_url" in found
    assert any(p.startswith("sources[2].kind: ") and "surveymonkey" in p for p in found)


def test_brand_colours_must_be_hex(tmp_path):
    found = problems('[dashboard]\ntheme = "brand"\n[dashboard.brand]\nprimary = "blue"\n' + VALID)
    assert found == ["dashboard.brand.primary: expected a colour as #RRGGBB, such as #0B5FFF"]


def test_a_suggestion_needs_more_than_a_shared_ending():
    message = problems(VALID.replace('kind = "json"', 'kind = "json"\ntimout_seconds = 3', 1))
    assert any('did you mean "timeout_seconds"' in m for m in message), message
    from tui.config.loading import _did_you_mean

    assert _did_you_mean("timout_seconds", ["circuit_open_seconds", "refresh_seconds"]) == ""


def test_a_table_missing_its_kind_still_has_its_other_mistakes_reported():
    text = VALID.replace('side = "employee"', 'sied = "employee"', 1)
    text = "\n".join(line for line in text.splitlines() if line != 'kind = "nps"')
    found = problems(text)
    assert any(m.endswith(".kind: required, but missing") for m in found), found
    assert any('.sied: unknown key (did you mean "side"?)' in m for m in found), found


def test_the_default_theme_is_one_of_textuals_and_what_a_config_gets_by_default():
    # The command line checks a theme against Textual's only when it is not this one,
    # so that commands that draw nothing need not import Textual.
    from textual.theme import BUILTIN_THEMES

    from tui.cli import DEFAULT_THEME
    from tui.config import parse_config

    assert DEFAULT_THEME in BUILTIN_THEMES
    assert parse_config(VALID).dashboard.theme == DEFAULT_THEME
