"""Property-based: whatever a config file holds, the loader gives a config or a clear error."""

from __future__ import annotations

import copy
import sys
from datetime import date, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.config import Config, ConfigError, parse_config, validate_config
from tui.demo import bundled_demo_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEMO = tomllib.loads(bundled_demo_config().read_text())

# Every kind of value TOML can hold.
toml_scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(timezones=st.sampled_from([None, timezone.utc])),
    st.times(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(value, prefix=()):
    """Every key path inside nested tables and lists."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths(inner, (*prefix, index))


ALL_PATHS = [p for p in paths(DEMO) if p]


def check(result_or_error) -> None:
    if isinstance(result_or_error, ConfigError):
        assert result_or_error.problems, "an error must say what is wrong"
        text = str(result_or_error)
        assert text.startswith("fuzz.toml: ") and "Traceback" not in text
    else:
        assert isinstance(result_or_error, Config)


def load(action):
    try:
        return action()
    except ConfigError as error:
        return error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_gives_a_config_or_a_clear_error(text):
    check(load(lambda: parse_config(text, "fuzz.toml")))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ALL_PATHS),
            st.sampled_from(["set", "delete", "add"]),
            toml_values,
            st.text(min_size=1, max_size=12),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_value_anywhere_gives_a_config_or_a_clear_error(mutations):
    data = copy.deepcopy(DEMO)
    for path, action, value, new_key in mutations:
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            last = path[-1]
            if action == "set":
                parent[last] = value
            elif action == "delete":
                del parent[last]
            elif isinstance(parent, dict):
                parent[new_key] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    check(load(lambda: validate_config(data, "fuzz.toml")))
