"""Sources: fetch plain records from the tools an organisation already uses.

Every source kind is one module with an async `fetch_records(source, client)`
that takes its config and the shared `httpx.AsyncClient` and returns a
`FetchResult`, or raises `SourceError` with a message a person can act on.
"""

from tui.sources.base import FetchResult, SourceError
from tui.sources.http import make_client
from tui.sources.registry import fetch_records

__all__ = ["FetchResult", "SourceError", "fetch_records", "make_client"]
