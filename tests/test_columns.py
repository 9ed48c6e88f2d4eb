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
    assert list(at) == [f"2026-05-0{day}" for day in range(1, 7)]
    with pytest.raises(ValueError):
        builder.add_columns({"team": ["Sales"]})


def test_packed_texts_read_as_the_list_they_hold():
    from tui.sources.base import PackedTexts

    # More than one chunk of decoding (4,096 texts), so iteration crosses a boundary.
    texts = [f"2026-05-{day % 28 + 1:02}T{day % 24:02}:00:00Z" for day in range(9_000)]
    packed = PackedTexts(bytearray("".join(texts).encode("ascii")), 20)
    assert len(packed) == 9_000 and list(packed) == texts
    assert packed[0] == texts[0] and packed[-1] == texts[-1] and packed[4096] == texts[4096]
    with pytest.raises(IndexError):
        packed[9_000]
    with pytest.raises(IndexError):
        packed[-9_001]
    assert list(packed[10:20]) == texts[10:20] and isinstance(packed[10:20], PackedTexts)
    assert list(packed[20:10]) == [] and list(packed[-5:]) == texts[-5:]
    assert packed[::1000] == texts[::1000] and packed[5:1:-2] == texts[5:1:-2]
    assert list(packed.taken([3, 1, 3])) == [texts[3], texts[1], texts[3]]
    assert list(packed.taken([])) == []
    with pytest.raises(ValueError):
        PackedTexts(b"abc", 2)


def test_only_ascii_texts_of_one_length_can_be_packed():
    from tui.sources.base import PackedTexts

    assert PackedTexts.pack(["ab", "cd"]) == (b"abcd", 2)
    assert PackedTexts.pack(["ab", "cd"], 2) == (b"abcd", 2)
    assert PackedTexts.pack(["abc"]) == (b"abc", 3)
    assert PackedTexts.pack(["ab", "cd"], 3) is None
    # Lengths that differ, even where they add up as those of one length would.
    assert PackedTexts.pack(["a", "bcd", "ef"]) is None
    assert PackedTexts.pack(["a", "bcdef", "gh"]) is None
    assert PackedTexts.pack(["ab", "c\0", "\0d"]) is None  # NULs, where a join puts them
    assert PackedTexts.pack(["ab", "é!"]) is None  # not ASCII: not one byte a character
    assert PackedTexts.pack(["", ""]) is None
    assert PackedTexts.pack([]) is None
    assert PackedTexts.pack(["12", 12]) is None
    assert PackedTexts.pack(["ab", None]) is None


def test_a_builder_packs_a_column_of_many_distinct_texts_until_one_does_not_fit():
    from tui.sources.base import ColumnsBuilder, PackedTexts

    builder = ColumnsBuilder(["at", "team", "id"])
    builder.SHARED_AT_MOST = 3  # type: ignore[misc]
    stamps = [f"2026-05-{day:02}T10:00:00Z" for day in range(1, 11)]
    builder.add_columns(
        {"at": stamps[:5], "team": ["Ops"] * 5, "id": ["a1", "b2", "c3", "d4", "e5"]}
    )
    builder.add_columns(
        {"at": stamps[5:], "team": ["Ops"] * 5, "id": ["f6", "g7", "h", "i9", "j0"]}
    )
    builder.add_columns({"at": [], "team": [], "id": []})  # an empty page changes nothing
    columns = builder.build()
    at, team, ids = columns.column("at"), columns.column("team"), columns.column("id")
    # Many distinct stamps of one length: packed. Few teams: shared, a list.
    assert isinstance(at, PackedTexts) and list(at) == stamps
    assert isinstance(team, list) and all(value is team[0] for value in team)
    # An id of another length came: a list again, with nothing lost or reordered.
    assert isinstance(ids, list)
    assert ids == ["a1", "b2", "c3", "d4", "e5", "f6", "g7", "h", "i9", "j0"]
    assert columns[7] == {"at": stamps[7], "team": "Ops", "id": "h"}
    assert list(columns.taken([9, 0])) == [columns[9], columns[0]]
    # Once a list again, it stays one.
    builder.add_columns({"at": [None], "team": ["Ops"], "id": ["k1"]})
    builder.add_columns({"at": ["2026-06-01T10:00:00Z"], "team": ["Ops"], "id": ["l2"]})
    again = builder.build()
    assert isinstance(again.column("at"), list) and isinstance(again.column("id"), list)
    assert list(again.column("at")) == [*stamps, None, "2026-06-01T10:00:00Z"]


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
