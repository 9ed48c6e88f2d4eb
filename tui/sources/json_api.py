"""The generic `json` source kind: any JSON-over-HTTP API, described in config.

GET the endpoint, follow the pagination the config names (page number, offset,
a cursor or next-URL field in the body, or the RFC 8288 Link header), select
the records with a JMESPath expression (https://jmespath.org/specification.html)
and map each record's fields with more of them.

Fields read, what each means, what is assumed, and the traps handled: what the config's
`records` selects; nothing is assumed beyond it.

- records.path: the list in each page. Assumed: a list, or a changed payload. Handled: a
  page without it fails the refresh.
- records.id: a record's identity. Assumed: unique across pages. Handled: without it,
  `tandem check` warns that shifting pages would count twice.
- records.fields: what metrics read. Assumed: JMESPath per field. Handled: a record that
  is not an object is skipped and counted.
- pagination: the next page. Assumed: one of six styles. Handled: a next link to another
  host is refused; max_pages stops a loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import jmespath
from pydantic import Field, field_validator

from tui.config.base import (
    SECRET_KEYS,
    JMESPath,
    Scalar,
    StrictModel,
    check_base_url,
    check_jmespath,
)
from tui.config.sources import (
    Auth,
    HttpSourceBase,
    NoAuth,
)
from tui.sources.auth import auth_headers
from tui.sources.base import ColumnsBuilder, FetchResult, SourceError
from tui.sources.paths import FieldPath

if TYPE_CHECKING:
    import httpx

    from tui.sources.http import JsonPage


class NoPagination(StrictModel):
    style: Literal["none"] = "none"


class PagePagination(StrictModel):
    """?page=1,2,3… until a page comes back short or empty."""

    style: Literal["page"]
    page_param: str = "page"
    size_param: str | None = "per_page"
    size: int = Field(100, ge=1, le=10_000)
    first_page: int = Field(1, ge=0)
    # Optional JMESPath to the number of pages, where the API reports it.
    total_pages_path: JMESPath | None = None

    @field_validator("total_pages_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else check_jmespath(value)


class OffsetPagination(StrictModel):
    """?offset=0&limit=100, then offset=100… until a page comes back short."""

    style: Literal["offset"]
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = Field(100, ge=1, le=10_000)


class CursorPagination(StrictModel):
    """The body names the next cursor; it goes back as a query parameter."""

    style: Literal["cursor"]
    cursor_param: str = "cursor"
    next_cursor_path: JMESPath

    _path = field_validator("next_cursor_path")(check_jmespath)


class NextUrlPagination(StrictModel):
    """The body holds the URL of the next page."""

    style: Literal["next_url"]
    next_url_path: JMESPath

    _path = field_validator("next_url_path")(check_jmespath)


class LinkHeaderPagination(StrictModel):
    """RFC 8288 `Link: <…>; rel="next"` headers."""

    style: Literal["link_header"]


Pagination = Annotated[
    NoPagination
    | PagePagination
    | OffsetPagination
    | CursorPagination
    | NextUrlPagination
    | LinkHeaderPagination,
    Field(discriminator="style"),
]


class RecordSelection(StrictModel):
    """Where the records are in a response, and which fields to keep from each."""

    # JMESPath to the list of records; empty means the body itself is the list.
    path: JMESPath | None = None
    # Record field name -> JMESPath inside one record. Empty keeps records whole.
    fields: dict[str, JMESPath] = Field(default_factory=dict)
    # JMESPath to a record's unique id: a record seen twice counts once.
    id: JMESPath | None = None

    @field_validator("path", "id")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else check_jmespath(value)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        for expression in value.values():
            check_jmespath(expression)
        return value


class JsonSource(HttpSourceBase):
    """The generic `json` kind: GET an endpoint, follow its pages, select records."""

    kind: Literal["json"]
    base_url: str
    path: str = ""
    auth: Auth = Field(default_factory=NoAuth)
    params: dict[str, Scalar] = Field(default_factory=dict)
    pagination: Pagination = Field(default_factory=NoPagination)
    records: RecordSelection = Field(default_factory=RecordSelection)

    _base_url = field_validator("base_url")(check_base_url)

    @field_validator("params")
    @classmethod
    def _no_secret_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if name.lower().replace("-", "_") in SECRET_KEYS:
                raise ValueError(
                    f"{name}: secrets are never read from config files: send it with `auth` "
                    '(kind = "header" or "bearer") from an environment variable'
                )
        return value

    @field_validator("path")
    @classmethod
    def _path_has_no_query(cls, value: str) -> str:
        if "?" in value or "#" in value:
            raise ValueError(
                "expected a path without a query string: put query parameters in `params`"
            )
        return value

    @property
    def url(self) -> str:
        """The endpoint's full URL (before any demo placeholder is filled in)."""
        if not self.path:
            return self.base_url
        return f"{self.base_url}/{self.path.lstrip('/')}"


async def fetch_records(
    source: JsonSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    """Every record of `source`, across all its pages."""
    import httpx

    from tui.sources.http import get_json, request_policy, require_same_origin

    headers = auth_headers(source.auth, environ, source.id)
    pagination = source.pagination
    records_path = FieldPath(source.records.path) if source.records.path else None
    field_paths = {name: FieldPath(expr) for name, expr in source.records.fields.items()}
    id_path = FieldPath(source.records.id) if source.records.id else None
    seen: set[str] = set()
    policy = request_policy(source)

    url = httpx.URL(source.url)
    first_params: dict[str, Any] = dict(source.params)
    if isinstance(pagination, PagePagination):
        first_params[pagination.page_param] = pagination.first_page
        if pagination.size_param:
            first_params[pagination.size_param] = pagination.size
    elif isinstance(pagination, OffsetPagination):
        first_params[pagination.offset_param] = 0
        first_params[pagination.limit_param] = pagination.limit
    # None once a next-page URL carries its own query string.
    params: dict[str, Any] | None = first_params

    result = FetchResult(source.id, [])
    # Mapped fields are handed over as columns, no dict a record; with none, the items
    # themselves are the records.
    columns = ColumnsBuilder(list(field_paths)) if field_paths else None
    while True:
        if result.pages >= source.max_pages:
            raise SourceError(
                f"{source.id}: stopped after max_pages = {source.max_pages} pages; "
                "raise max_pages or check the pagination settings"
            )
        key = result.unread_page(url, params, result.pages + 1)
        page = await get_json(
            client, policy, url, params=params, headers=headers, what=f"page {result.pages + 1}"
        )
        result.pages += 1
        result.visited.add(key)
        page_records = _select(page.body, records_path, source, result.pages)
        usable = usable_items(page_records, id_path, seen, result.skipped)
        if columns is None:
            result.records.extend(usable)
        else:
            columns.add_columns(fields_of(usable, field_paths))

        next_target = _next_page(pagination, page, url, params, len(page_records))
        if next_target is None:
            break
        url, params = next_target
        require_same_origin(url, source.url, source.id)
    if columns is not None:
        result.columns = columns.build()
    return result


def _next_page(
    pagination: Any,
    page: JsonPage,
    url: httpx.URL,
    params: dict[str, Any] | None,
    count: int,
) -> tuple[httpx.URL, dict[str, Any] | None] | None:
    """The URL and query of the next page, or None on the last page."""
    params = params or {}
    body = page.body
    if isinstance(pagination, PagePagination):
        number = int(params[pagination.page_param])
        if count == 0:
            return None
        if pagination.size_param and count < pagination.size:
            return None
        if pagination.total_pages_path is not None:
            total = jmespath.search(pagination.total_pages_path, body)
            last_page = pagination.first_page + _as_int(total, "total pages") - 1
            if number >= last_page:
                return None
        return url, {
            **params,
            pagination.page_param: number + 1,
        }
    if isinstance(pagination, OffsetPagination):
        if count < pagination.limit:
            return None
        offset = int(params[pagination.offset_param]) + count
        return url, {
            **params,
            pagination.offset_param: offset,
        }
    if isinstance(pagination, CursorPagination):
        cursor = jmespath.search(pagination.next_cursor_path, body)
        if cursor in (None, "", False):
            return None
        return url, {
            **params,
            pagination.cursor_param: cursor,
        }
    if isinstance(pagination, NextUrlPagination):
        next_url = jmespath.search(pagination.next_url_path, body)
        if not next_url:
            return None
        # A next URL carries its own query string; params would replace it.
        return page.url.join(str(next_url)), None
    if isinstance(pagination, LinkHeaderPagination):
        next_link = page.links.get("next", {}).get("url")
        if not next_link:
            return None
        return page.url.join(next_link), None
    return None


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SourceError(f"{what} in the response is not a number")
    try:
        return int(value)
    except ValueError:
        raise SourceError(f"{what} in the response is not a number") from None


def _select(body: Any, records_path: FieldPath | None, source: JsonSource, page: int) -> list[Any]:
    found = body if records_path is None else records_path.search(body)
    if found is None and records_path is not None:
        raise SourceError(
            f"{source.id}: records.path {source.records.path!r} found nothing on page {page}"
        )
    if not isinstance(found, list):
        raise SourceError(f"{source.id}: records on page {page} are not a list")
    return found


def usable_items(
    items: list[Any], id_path: FieldPath | None, seen: set[str], skipped: Counter[str]
) -> list[dict[str, Any]]:
    """The items that are records: JSON objects, each with an id not seen before when
    the source names one (the others counted in `skipped`, by reason). For a page of an
    API, and for a JSON file (tui.sources.files)."""
    usable = []
    read_id = None if id_path is None else id_path.search
    for item in items:
        if not isinstance(item, dict):
            skipped["record is not a JSON object"] += 1
            continue
        if read_id is not None:
            record_id = read_id(item)
            if record_id is None or isinstance(record_id, (dict, list)):
                skipped["record has no id"] += 1
                continue
            # Pages that shift while we read them repeat records: count each once.
            key = str(record_id)
            if key in seen:
                skipped["duplicate record"] += 1
                continue
            seen.add(key)
        usable.append(item)
    return usable


def fields_of(items: list[dict[str, Any]], paths: Mapping[str, FieldPath]) -> dict[str, list[Any]]:
    """Each mapped field's values across the items, a list a field."""
    return {name: list(map(path.search, items)) for name, path in paths.items()}
