"""Sources: fetch plain records from the tools an organisation already uses.

Every source kind is one module (listed in kinds.py) with its config model and an
async `fetch_records(source, client, environ, since)` that takes the shared
`httpx.AsyncClient` and returns a `FetchResult`, or raises `SourceError` with a
message a person can act on.

Reading a config imports the module of each kind it uses, for its model, before the
first frame: so nothing here loads httpx until a fetch or a client needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sources.base import FetchResult, SourceError

if TYPE_CHECKING:
    from tui.sources.http import client_for, make_client
    from tui.sources.kinds import fetch_records

__all__ = ["FetchResult", "SourceError", "client_for", "fetch_records", "make_client"]


def __getattr__(name: str) -> Any:
    if name in ("make_client", "client_for"):
        from tui.sources import http

        return getattr(http, name)
    if name == "fetch_records":
        from tui.sources.kinds import fetch_records

        return fetch_records
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
