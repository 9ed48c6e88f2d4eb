"""A field read by FieldPath is what jmespath.search reads, for every kind of record."""

from __future__ import annotations

import jmespath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sources.paths import FieldPath

# Dotted paths take the dict-lookup road; the rest go through the shared interpreter.
EXPRESSIONS = [
    "id",
    "answers.nps",
    "a.b.c",
    "_private.x_1",
    "answers[0]",
    "answers[0].value",
    "tags[?k=='team'].v | [0]",
    '"hyphen-key".value',
    "a.b || c",
    "length(answers)",
    "answers[*].value",
]

KEYS = st.sampled_from(["id", "answers", "nps", "a", "b", "c", "value", "hyphen-key", "_private"])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 12), st.floats(allow_nan=False), st.text(max_size=4)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(KEYS | st.just("x_1"), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.mark.parametrize("expression", EXPRESSIONS)
@settings(max_examples=300, deadline=None)
@given(record=JSON)
def test_a_field_path_reads_what_jmespath_reads(expression, record):
    path = FieldPath(expression)
    try:
        expected = jmespath.search(expression, record)
    except jmespath.exceptions.JMESPathError as error:
        # A function given the wrong type (length(42)) fails alike.
        with pytest.raises(type(error)):
            path.search(record)
        return
    assert path.search(record) == expected


def test_the_awkward_records_by_hand():
    nps = FieldPath("answers.nps")
    assert nps.search({"answers": {"nps": 9}}) == 9
    assert nps.search({"answers": {"nps": 0}}) == 0  # a falsy score is still a score
    assert nps.search({"answers": {}}) is None
    assert nps.search({"answers": [{"nps": 9}]}) is None  # a list has no fields
    assert nps.search({"answers": "9"}) is None
    assert nps.search({}) is None
    assert nps.search(None) is None
    assert FieldPath("answers[0].value").search({"answers": [{"value": 3}]}) == 3


def test_a_bad_expression_fails_when_compiled():
    with pytest.raises(jmespath.exceptions.ParseError):
        FieldPath("answers[")
