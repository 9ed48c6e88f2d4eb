"""What every source kind returns, and the one error type it raises."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
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
    # Every page asked for so far (URL and query), to stop a pagination that loops.
    visited: set[str] = field(default_factory=set, repr=False)

    def unread_page(self, url: object, params: Mapping[str, Any] | None, number: int) -> str:
        """The key of the page about to be asked for; SourceError if it was read before.

        A next link or cursor that points back at a page already read would otherwise
        be followed until max_pages (a thousand requests), counting its records again.
        Add the key to `visited` once the page is read (a retry after a refused token
        asks for the same page again, rightly).
        """
        key = f"{url}?{sorted((params or {}).items())}"
        if key in self.visited:
            raise SourceError(
                f"{self.source_id}: page {number} is a page already read: the API's next "
                "link or cursor loops; stopped"
            )
        return key


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
