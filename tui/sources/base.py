"""What every source kind returns, and the one error type it raises."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from httpx import URL

Record = dict[str, Any]


@dataclass
class FetchResult:
    """The records one source returned in one refresh."""

    source_id: str
    records: list[Record]
    pages: int = 0
    seconds: float = 0.0
    # Items the source could not turn into records, by reason.
    skipped: Counter[str] = field(default_factory=Counter)


class SourceError(Exception):
    """A fetch that failed, in one line fit for a status bar.

    The message never holds a secret: it is built from the source id, the
    environment variable's *name*, the status code and a URL without its query.
    """


def display_url(url: URL | str) -> str:
    """A URL as shown to people: scheme, host, port and path, never the query."""
    from httpx import URL

    url = URL(str(url))
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))
