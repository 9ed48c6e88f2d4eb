"""Records held as columns (a CSV file's): a sequence of records like a list of dicts."""

from __future__ import annotations

import pytest

from tui.sources.base import Columns, FetchResult


def test_columns_read_as_the_list_of_dicts_they_hold():
    records = [{"at": "2026-05-01", "team": "Support"}, {"at": "2026-05-02", "team": None}]
    columns = Columns({"at": ["2026-05-01", "2026-05-02"], "team": ["Support", None]}, 2)
    assert list(columns) == records and len(columns) == 2
    assert columns[0] == records[0] and columns[-1] == records[-1]
    assert list(columns[1:]) == records[1:] and list(columns.taken([1, 0])) == records[::-1]
    with pytest.raises(IndexError):
        columns[2]
    # A record read is a new dict: changing it changes nothing held.
    columns[0]["team"] = "Sales"
    assert columns[0]["team"] == "Support"
    assert list(Columns({}, 2)) == [{}, {}]


def test_a_missing_field_is_one_list_of_nones_and_a_new_column_forgets_the_memo():
    columns = Columns({"at": ["2026-05-01", "2026-05-02"]}, 2)
    assert columns.column("team") == [None, None]
    # The same list each time: what is remembered of it is keyed by its identity.
    assert columns.column("team") is columns.column("team")
    columns.memo["read"] = "something"
    columns.replace_column("at", ["2026-06-01", "2026-06-02"])
    assert columns.memo == {} and columns[0] == {"at": "2026-06-01"}
    with pytest.raises(ValueError):
        columns.replace_column("at", ["2026-06-01"])
    with pytest.raises(ValueError):
        Columns({"at": ["2026-05-01"], "team": []}, 1)


def test_a_fetch_result_receives_records_either_way():
    listed = FetchResult("s", [{"n": 1}])
    assert list(listed.received) == [{"n": 1}]
    by_columns = FetchResult("s", [], columns=Columns({"n": [1, 2]}, 2))
    assert list(by_columns.received) == [{"n": 1}, {"n": 2}] and len(by_columns.received) == 2
    assert not FetchResult("s", [], columns=Columns({"n": []}, 0)).received


def test_a_builder_shares_repeated_values_until_a_column_has_too_many():
    from tui.sources.base import ColumnsBuilder

    builder = ColumnsBuilder(["team", "at"])
    builder.SHARED_AT_MOST = 3  # type: ignore[misc]
    # Text built at run time, as a parser makes it: equal strings, distinct objects.
    teams = ["".join(["Sup", "port"]) for _ in range(4)]
    builder.add([(team, f"2026-05-0{day}") for day, team in enumerate(teams, start=1)])
    builder.add_columns({"team": [["not", "a", "key"]], "at": ["2026-05-05"]})
    builder.add_columns({"team": ["".join(["Sup", "port"])], "at": ["2026-05-06"]})
    columns = builder.build()
    team, at = columns.column("team"), columns.column("at")
    assert len(columns) == 6 and team[4] == ["not", "a", "key"] and at[5] == "2026-05-06"
    # The four equal teams are one object; after an unhashable value, no more sharing.
    assert all(value is team[0] for value in team[:4]) and team[5] is not team[0]
    # More distinct stamps than allowed: the column stopped sharing, and lost nothing.
    assert at == [f"2026-05-0{day}" for day in range(1, 7)]
    with pytest.raises(ValueError):
        builder.add_columns({"team": ["Sales"]})


def test_a_builder_keeps_equal_values_of_different_types_apart():
    from tui.sources.base import ColumnsBuilder

    # 1, 1.0 and True are one dict key: shared, a true where a score is due would come
    # back as the 1 before it and be counted.
    builder = ColumnsBuilder(["score"])
    builder.add_columns({"score": ["1", None]})
    builder.add_columns({"score": [1, True, 1.0, 0, False]})
    values = builder.build().column("score")
    assert [(type(v), v) for v in values] == [
        (str, "1"),
        (type(None), None),
        (int, 1),
        (bool, True),
        (float, 1.0),
        (int, 0),
        (bool, False),
    ]
