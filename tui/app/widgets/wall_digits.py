"""Digits five rows tall, for a wall screen read from across the room.

Textual's `Digits` are three rows of box-drawing lines: thin strokes that vanish at
five metres. These are solid blocks on a 3×5 grid, each grid cell two characters
wide so the strokes are as wide as they are tall. Only what a metric's value can
hold is drawn (digits, sign, point, comma, percent, space); anything else returns
None and the caller keeps the smaller digits.
"""

from __future__ import annotations

import functools

HEIGHT = 5

_GLYPHS = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    "-": ("...", "...", "###", "...", "..."),
    "−": ("...", "...", "###", "...", "..."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    ".": (".", ".", ".", ".", "#"),
    ",": (".", ".", ".", "#", "#"),
    "%": ("#.#", "..#", ".#.", "#..", "#.#"),
    " ": (".", ".", ".", ".", "."),
}


@functools.lru_cache(maxsize=256)
def wall_digits(text: str) -> tuple[str, ...] | None:
    """`text` as HEIGHT lines of blocks, one column between characters; None if a
    character has no glyph."""
    if not text or any(character not in _GLYPHS for character in text):
        return None
    rows = []
    for row in range(HEIGHT):
        cells = [_GLYPHS[character][row] for character in text]
        line = " ".join(cell.replace("#", "██").replace(".", "  ") for cell in cells)
        rows.append(line.rstrip())
    width = max(len(row) for row in rows)
    return tuple(row.ljust(width) for row in rows)
