"""What the built-in vendor kinds share: a page budget, following a next link, dates,
spells of employment, and collecting records."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.config.sources import HttpSourceBase
from tui.sources.base import FetchResult, Record, SourceError

if TYPE_CHECKING:
    import httpx

    from tui.sources.http import JsonPage, RequestPolicy


def check_page_budget(pages: int, source: HttpSourceBase) -> None:
    """Stop a pagination that never ends: at most `max_pages` pages a refresh."""
    if pages >= source.max_pages:
        raise SourceError(f"{source.id}: stopped after max_pages = {source.max_pages} pages")


async def list_page(
    client: httpx.AsyncClient,
    policy: RequestPolicy,
    source: HttpSourceBase,
    result: FetchResult,
    url: httpx.URL | str,
    key: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    earlier_requests: int = 0,
) -> tuple[JsonPage, dict[str, Any], list[Any]]:
    """The next page of a paged list, within the source's page budget and counted in
    `result.pages`: the page, its body, and the list under `key` (a body without one is a
    changed payload, refused naming the page). `earlier_requests` are requests before the
    first page (SurveyMonkey's survey details) that neither the budget nor the page
    numbers count."""
    from tui.sources.http import get_json

    number = result.pages - earlier_requests + 1
    check_page_budget(number - 1, source)
    page_key = result.unread_page(url, params, number)
    page = await get_json(
        client, policy, url, params=params, headers=headers, what=f"page {number}"
    )
    result.pages += 1
    result.visited.add(page_key)
    body = page.body if isinstance(page.body, dict) else {}
    items = body.get(key)
    if not isinstance(items, list):
        raise SourceError(f"{source.id}: page {number} has no {key} list")
    return page, body, items


def next_link(current: httpx.URL, link: object, base_url: str, source_id: str) -> httpx.URL | None:
    """The next page's URL from a body's `next` link, or None; never another host."""
    from tui.sources.http import require_same_origin

    if not link:
        return None
    if not isinstance(link, str):
        raise SourceError(f"{source_id}: the next-page link is not a URL")
    url = current.join(link)
    require_same_origin(url, base_url, source_id)
    return url


_DATE_THEN_MORE = re.compile(r"\d{4}-\d{2}-\d{2}[T+\-Z]")


def date_part(value: object) -> object:
    """ "2026-03-01" from "2026-03-01T00:00:00+01:00" (Personio) or "2026-03-01-08:00"
    (Workday): HR systems give a local midnight or a date with its offset, and the
    calendar date is what was meant. Anything else is passed on unchanged."""
    if isinstance(value, str) and _DATE_THEN_MORE.match(value):
        return value[:10]
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The start given to an earlier employment whose first day the HR system does not say
# (a rehire with no original hire date): before any period Tandem shows.
UNKNOWN_START = "1900-01-01"


def _day(value: object) -> str | None:
    return value if isinstance(value, str) and _ISO_DAY.fullmatch(value) else None


def employment_spells(record: Record) -> list[Record]:
    """One record per spell of employment, for HR kinds that list a person once.

    HR systems keep the *latest* hire date on a rehired person's row and often the
    termination of the earlier employment beside it (Workday's Hire_Date and
    Termination_Date; BambooHR's hireDate and terminationDate). A termination before
    the hire is then two spells: the earlier one, from the original hire date (or, when
    the system does not give one, from before any period shown) to that termination,
    and the current one, from the hire date on. A row whose original hire date comes
    after that termination is contradictory: it is passed on whole, and the metric
    rejects and counts it. Each spell gets `spell_id` (employee_id/1, /2…).
    """
    hire, end = _day(record.get("hire_date")), _day(record.get("termination_date"))
    original = _day(record.get("original_hire_date"))
    spells = [record]
    if hire and end and end < hire and (original is None or original <= end):
        earlier = {**record, "hire_date": original or UNKNOWN_START, "termination_date": end}
        current = {**record, "termination_date": None}
        spells = [earlier, current]
    employee = record.get("employee_id")
    return [
        {**spell, "spell_id": f"{employee}/{number}"}
        for number, spell in enumerate(spells, start=1)
    ]


def into_spells(result: FetchResult) -> FetchResult:
    """The fetched people as spells of employment (see `employment_spells`)."""
    result.records = [spell for record in result.records for spell in employment_spells(record)]
    return result


def collect(
    result: FetchResult,
    items: list[Any],
    make: Callable[[Any], Record | str | None],
    key: str,
    seen: set[str],
    noun: str,
) -> None:
    """Records from a page's items: `make` gives a record, a reason to skip it (counted),
    or None for an item that is not ours (another question's answer). An item seen on
    an earlier page — pages shift while they are read — counts once."""
    for item in items:
        record = make(item)
        if record is None:
            continue
        if isinstance(record, str):
            result.skipped[record] += 1
            continue
        identity = str(record[key])
        if identity in seen:
            result.skipped[f"duplicate {noun}"] += 1
            continue
        seen.add(identity)
        result.records.append(record)


def one_response(
    source_id: str,
    items: list[Any],
    make: Callable[[Any], Record | str | None],
    key: str,
    noun: str,
) -> FetchResult:
    """The records of a fetch that one response answers whole (a report, a search)."""
    result = FetchResult(source_id, [], pages=1)
    collect(result, items, make, key, set(), noun)
    return result
