"""Which module reads which `kind` of source: one line a kind.

Each module under tui/sources/ is a whole kind: its config table (a model), its
fetch, and, at the top, what it reads from the vendor and what it assumes. A new
vendor is a new module and one line in KINDS; the config's `[[sources]]` union, the
fetch dispatch and the "every kind has one module" test all come from here.

A kind's module is imported when its kind is first used: a config of two kinds loads
those two, and a screen does not pay for the other nine (73-78 ms of its start here,
and their memory).
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, Union

from pydantic import Field

from tui.config.sources import DateFiltered, SourceBase, credential_names
from tui.sources.auth import read_secret
from tui.sources.base import FetchResult, PackedTexts

if TYPE_CHECKING:
    import httpx

Fetch = Callable[..., Awaitable[FetchResult]]


class Kind(NamedTuple):
    """A source kind: the module that is it, and its config table's model there; the
    module's `fetch_records` fetches it."""

    module: str
    model_name: str

    @property
    def model(self) -> type[SourceBase]:
        model: type[SourceBase] = getattr(importlib.import_module(self.module), self.model_name)
        return model

    @property
    def fetch(self) -> Fetch:
        fetch: Fetch = importlib.import_module(self.module).fetch_records
        return fetch


KINDS: dict[str, Kind] = {
    "json": Kind("tui.sources.json_api", "JsonSource"),
    "file": Kind("tui.sources.files", "FileSource"),
    "qualtrics": Kind("tui.sources.qualtrics", "QualtricsSource"),
    "surveymonkey": Kind("tui.sources.surveymonkey", "SurveyMonkeySource"),
    "typeform": Kind("tui.sources.typeform", "TypeformSource"),
    "zendesk": Kind("tui.sources.zendesk", "ZendeskSource"),
    "peakon": Kind("tui.sources.peakon", "PeakonSource"),
    "bamboohr": Kind("tui.sources.bamboohr", "BambooHRSource"),
    "personio": Kind("tui.sources.personio", "PersonioSource"),
    "hibob": Kind("tui.sources.hibob", "HiBobSource"),
    "workday": Kind("tui.sources.workday", "WorkdaySource"),
}


def source_union(kinds: Iterable[str]) -> Any:
    """The `[[sources]]` table of these kinds (in KINDS' order), told apart by `kind`."""
    wanted = set(kinds)
    models = tuple(kind.model for name, kind in KINDS.items() if name in wanted)
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


if TYPE_CHECKING:
    # What code may rely on of any source; the config validates each kind's own table.
    Source = SourceBase
else:

    def __getattr__(name: str) -> Any:
        # Every kind's table, for what asks for all of them: imports all eleven modules.
        if name == "Source":
            return source_union(KINDS)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


async def fetch_records(
    source: SourceBase,
    client: httpx.AsyncClient,
    environ: Mapping[str, str] | None = None,
    since: datetime | None = None,
) -> FetchResult:
    """Fetch every record of one configured source; with `since`, and a kind whose API
    filters by date (config.DateFiltered), only those recorded since then. Times the
    fetch, and reads credentials from `environ` (the process environment by default)."""
    started = time.monotonic()
    environ = os.environ if environ is None else environ
    result = await KINDS[source.kind].fetch(
        source, client, environ, since if isinstance(source, DateFiltered) else None
    )
    clean_text(result, secrets_of(source, environ))
    result.seconds = time.monotonic() - started
    return result


# C0 and C1 control characters, DEL among them: ESC starts a terminal escape sequence.
_CONTROLS = dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0)])


def secrets_of(source: SourceBase, environ: Mapping[str, str]) -> list[str]:
    """The credential values this source is configured with (too short ones left out:
    blanking every "ab" in every text would hide more than it protects)."""
    values = (read_secret(environ, name) for name in credential_names(source.auth))
    return [value for value in values if len(value) >= 4]


# ASCII's printable characters, space to tilde, as str.isprintable has them.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _all_printable_text(values: Sequence[Any]) -> bool:
    """Whether every value is printable text: joined by a space (itself printable), a
    column is checked in a few C calls. In ASCII, what is left once the printable
    bytes are deleted is what is not (five times as fast as isprintable)."""
    if isinstance(values, PackedTexts):  # ASCII already, and joined
        return not values.data.translate(None, _PRINTABLE_ASCII)
    try:
        joined = " ".join(values)
    except TypeError:  # not all text
        return False
    if joined.isascii():
        return not joined.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return joined.isprintable()


def clean_text(result: FetchResult, secrets: Sequence[str] = ()) -> None:
    """Strip control characters and the source's own secrets from every text a source
    hands over, at the boundary, so neither reaches the screen, a report or the store.

    A team name is whatever someone typed into a survey's hidden field: ESC ] 0 ; … BEL
    would retitle the terminal, ESC [ 2 J wipe the screen, and a report would carry
    both. An API may echo the key it was sent into a field, or into a reason a record
    was skipped. isprintable() is checked first, so clean text costs one C call.
    """

    def clean(value: str) -> str:
        if not value.isprintable():
            value = value.translate(_CONTROLS)
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, "•••")
        return value

    if result.columns is not None:
        for name in result.columns.fields:
            values = result.columns.column(name)
            if not secrets and _all_printable_text(values):
                continue  # the common case, in two C calls a column
            cleaned_values = [clean(v) if type(v) is str else v for v in values]
            result.columns.replace_column(name, cleaned_values)
    for record in result.records:
        for key, value in record.items():
            # With no secret to look for (a file, an open API), printable text is passed
            # by one C call, not a call of clean(): this runs for every field of every record.
            if type(value) is str and (secrets or not value.isprintable()):
                cleaned = clean(value)
                if cleaned is not value:
                    record[key] = cleaned
    if result.skipped:
        reasons = list(result.skipped.items())
        result.skipped.clear()
        for reason, count in reasons:
            result.skipped[clean(reason)] += count
