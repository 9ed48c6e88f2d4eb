"""JSON bodies decoded within a memory budget.

Python's objects are far larger than the JSON that spells them: `{}` is two bytes
on the wire and 64 in memory, so a 49 MB body of empty objects took 1.35 GB to
decode. A body over a megabyte is measured before it is decoded, with C-speed
counts of what becomes an object (objects, lists, strings, separators: ~15 ms for
49 MB), and its cost estimated from CPython's sizes; a body whose estimate exceeds
`MEMORY_MULTIPLE` times its own size is refused with a message, never decoded.
Vendor-shaped pages measure 3–7 times their size, so they pass with room to
spare; what is refused is a body built of tiny containers (empty objects, `{"a":1}`
by the million), which no vendor sends.
"""

from __future__ import annotations

import json
from typing import Any

from tui.sources.base import SourceError

MEMORY_MULTIPLE = 16
# Below this a body is decoded whatever its shape: its cost cannot matter.
SMALL_BODY = 1_000_000

# Bytes a decoded value costs in CPython 3.11 (64-bit), slot in its container included:
# a dict with a few keys is 184 bytes, an empty one 64; a list 56; a short str ~50,
# less where json memoises a repeated key. Numbers, null and characters are
# covered by twice the body's own size. Fitted to measured json.loads costs of
# vendor-shaped pages and of hostile ones (tests/test_decode.py).
_OBJECT = 180
_EMPTY_OBJECT_SAVES = 116
_LIST = 64
_STRING = 40
_SEPARATOR = 8


def decoded_cost(body: bytes) -> int:
    """An estimate, in bytes, of the memory json.loads takes for `body`."""
    return (
        _OBJECT * body.count(b"{")
        - _EMPTY_OBJECT_SAVES * body.count(b"{}")
        + _LIST * body.count(b"[")
        + _STRING * (body.count(b'"') // 2)
        + _SEPARATOR * body.count(b",")
        + 2 * len(body)
    )


def decode_json(body: bytes | str, source_id: str, what: str) -> Any:
    """`body` decoded, or a SourceError saying it is not JSON or too costly to decode."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > SMALL_BODY:
        cost = decoded_cost(raw)
        if cost > MEMORY_MULTIPLE * len(raw):
            containers = raw.count(b"{") + raw.count(b"[")
            raise SourceError(
                f"{source_id}: {what} of {len(raw) / 1e6:.1f} MB would take about "
                f"{cost / 1e6:,.0f} MB to read ({containers:,} objects and lists); "
                "refused — ask for smaller pages"
            )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise SourceError(f"{source_id}: {what} is not valid JSON") from None
