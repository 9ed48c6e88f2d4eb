"""Wall digits: five rows of blocks, for a value read from across a room."""

from tui.app.widgets.wall_digits import HEIGHT, wall_digits


def test_a_value_is_five_rows_of_blocks_two_cells_a_pixel():
    # "1", ".", "6" and "%" on a 3x5 grid (the point is one pixel wide), one column apart.
    assert wall_digits("1.6%") == (
        "  ██      ██████ ██  ██",
        "████      ██         ██",
        "  ██      ██████   ██  ",
        "  ██      ██  ██ ██    ",
        "██████ ██ ██████ ██  ██",
    )


def test_every_row_is_as_wide_and_a_negative_value_keeps_its_sign():
    rows = wall_digits("-12")
    assert rows is not None and len(rows) == HEIGHT
    assert len({len(row) for row in rows}) == 1
    assert rows[2].startswith("██████")  # the minus sign, on the middle row


def test_a_character_without_a_glyph_keeps_the_smaller_digits():
    assert wall_digits("4.2 d") is None
    assert wall_digits("") is None
