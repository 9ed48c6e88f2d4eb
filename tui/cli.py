"""The `tandem` command line: the dashboard, `check`, `snapshot` and `--version`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from tui import __version__
from tui.clock import Clock, utc_now
from tui.config import Config, ConfigError, ConfigProblem, Source, load_config
from tui.demo import bundled_demo_config, serving_demo

USER_CONFIG_NAME = "config.toml"


def find_config(flag: str | None, environ: Mapping[str, str], cwd: Path) -> Path:
    """Where the config is: --config, then $TANDEM_CONFIG, then ./tandem.toml, then the
    user config directory's tandem/config.toml, and otherwise the built-in demo."""
    if flag:
        return Path(flag)
    if environ.get("TANDEM_CONFIG"):
        return Path(environ["TANDEM_CONFIG"])
    if (cwd / "tandem.toml").is_file():
        return cwd / "tandem.toml"
    from platformdirs import user_config_path

    user_config = user_config_path("tandem") / USER_CONFIG_NAME
    if user_config.is_file():
        return user_config
    return bundled_demo_config()


def default_store_path(config: Config) -> Path:
    from platformdirs import user_data_path

    # The demo keeps its made-up history apart from any real one.
    return user_data_path("tandem") / ("demo.db" if config.dashboard.demo else "tandem.db")


# The theme a config gets when it names none: one of Textual's (a test checks).
DEFAULT_THEME = "textual-dark"


def _load(path: Path) -> Config:
    config = load_config(path)
    theme = config.dashboard.theme
    if theme == "brand" and config.dashboard.brand is None:
        raise ConfigError(
            path,
            [ConfigProblem("dashboard.theme", 'theme "brand" needs a [dashboard.brand] table')],
        )
    if theme in ("brand", DEFAULT_THEME):
        return config
    # Textual only to check another name: `tandem snapshot`, `report` and `collect`
    # draw nothing, and importing it costs them 0.17 s and its memory.
    from textual.theme import BUILTIN_THEMES

    if theme not in BUILTIN_THEMES:
        names = ", ".join(sorted([*BUILTIN_THEMES, "brand"]))
        raise ConfigError(
            path, [ConfigProblem("dashboard.theme", f"unknown theme; expected one of {names}")]
        )
    return config


def _as_of_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2026-06-30, got {text!r}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the TOML config (default: $TANDEM_CONFIG, ./tandem.toml, the user config, the demo)",
    )
    common.add_argument(
        "--period",
        choices=["week", "month", "quarter"],
        default=argparse.SUPPRESS,
        help="the period the numbers are shown by (default: the config's [dashboard] period)",
    )
    common.add_argument(
        "--as-of",
        metavar="DATE",
        type=_as_of_date,
        default=argparse.SUPPRESS,
        help="the numbers as they stood at the end of DATE (UTC), e.g. a closed quarter's "
        "board pack again; sources are read afresh into a store kept in memory",
    )
    common.add_argument(
        "--viewer", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    common.add_argument(
        "--store",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help="the history store: a SQLite file (default: in the user data directory), or "
        "postgresql://user@host/database (its password in PGPASSWORD or ~/.pgpass)",
    )
    # Only what draws a dashboard takes --kiosk: not check, snapshot, report or serve.
    screen = argparse.ArgumentParser(add_help=False)
    screen.add_argument(
        "--kiosk",
        action="store_true",
        default=argparse.SUPPRESS,
        help=(
            "for a shared screen: pages rotate, high contrast, large digits where they fit, "
            "no key footer; any key pauses"
        ),
    )
    parser = argparse.ArgumentParser(
        prog="tandem",
        parents=[common, screen],
        description="Employee health beside customer health, in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"tandem {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", parents=[common, screen], help="start the dashboard (the default)")
    commands.add_parser(
        "check", parents=[common], help="validate the config and try every source once"
    )
    snapshot = commands.add_parser(
        "snapshot", parents=[common], help="fetch, compute and print every metric, no TUI"
    )
    snapshot.add_argument("--json", action="store_true", help="print JSON (the only format)")
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="serve the dashboard to browsers (one fetcher; every viewer reads the store)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--expose",
        action="store_true",
        help="allow an address other than loopback: anyone who can reach it sees the dashboard",
    )
    serve.add_argument("--public-url", help="the URL browsers use, behind a proxy")
    serve.add_argument(
        "--max-viewers",
        type=_positive,
        default=10,
        help="browsers served at once; each is a process of its own (10)",
    )
    serve.add_argument(
        "--max-size",
        type=_size,
        default=(320, 120),
        metavar="COLUMNSxROWS",
        help="the largest terminal a browser may ask for (320x120)",
    )
    collect = commands.add_parser(
        "collect",
        parents=[common],
        help="fetch every source on its schedule into the store, for screens that only "
        "read it (the only command that needs vendor secrets there)",
    )
    collect.add_argument(
        "--once", action="store_true", help="one cycle, then exit: 1 if a source failed"
    )
    # The one-machine dashboard's own collector stops when the dashboard does.
    collect.add_argument("--with-parent", type=int, default=None, help=argparse.SUPPRESS)
    collect.add_argument(
        "--beat-seconds",
        type=_positive_seconds,
        default=60.0,
        metavar="S",
        help="how often it says it is alive, and how soon a standby takes over (60)",
    )
    report = commands.add_parser(
        "report",
        parents=[common],
        help="fetch, then write paired values, early warnings and linkage for a board pack",
    )
    report.add_argument("--format", choices=["markdown", "csv", "json"], default="markdown")
    report.add_argument("--output", metavar="FILE", help="write here instead of to stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    config_path = find_config(getattr(arguments, "config", None), os.environ, Path.cwd())
    try:
        config = _load(config_path)
    except ConfigError as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 2
    command = arguments.command or "run"
    if command != "run":  # the dashboard turns it on once its first frame is painted
        gc.enable()
    period = getattr(arguments, "period", None)
    if period is not None:
        dashboard = config.dashboard.model_copy(update={"period": period})
        config = config.model_copy(update={"dashboard": dashboard})
    as_of: date | None = getattr(arguments, "as_of", None)
    from tui.clock import pinned_clock

    clock = pinned_clock(as_of) if as_of else utc_now
    # A pinned "now" never writes into the live history (a month's partial value would
    # replace its whole one): its store is in memory unless --store names one.
    store_path: Path | str = getattr(arguments, "store", None) or (
        ":memory:" if as_of else default_store_path(config)
    )
    if as_of and (command == "serve" or getattr(arguments, "viewer", False)):
        print("tandem: --as-of is for the dashboard, check, snapshot and report", file=sys.stderr)
        return 2
    if command == "check":
        return asyncio.run(_check(config, clock))
    from tui.store import StoreError, StoreUnreachable, is_store_url, open_store

    # A screen on a shared store that is out of reach comes up and says so, and shows
    # the store once it answers (a wall screen may start before its database);
    # collecting, a snapshot and a report are refused at once.
    waits = command in ("run", "serve") and is_store_url(store_path)
    try:
        store = open_store(store_path, wait_for_server=waits)
    except StoreError as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 2
    try:
        try:
            store.check_readable()  # before anything is drawn or written from it
        except StoreUnreachable as error:
            if not waits:
                raise
            if command == "serve":  # a screen says so on itself; serve, in its log
                print(f"tandem: {error}; viewers wait for it", file=sys.stderr)
        if command == "collect":
            return _collect(
                config, store, clock, arguments.once, arguments.beat_seconds, arguments.with_parent
            )
        if command == "snapshot":
            return asyncio.run(_snapshot(config, store, clock))
        if command == "serve":
            location = str(store_path if is_store_url(store_path) else Path(store_path).resolve())
            return _serve(config, location, config_path, arguments)
        if command == "report":
            return asyncio.run(_report(config, store, arguments.format, arguments.output, clock))
        return _run_dashboard(
            config,
            store,
            config_path,
            getattr(arguments, "kiosk", False),
            getattr(arguments, "viewer", False),
            clock,
        )
    except StoreError as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()


def _collect(
    config: Config,
    store: Any,
    clock: Clock,
    once: bool,
    beat_seconds: float,
    parent: int | None = None,
) -> int:
    from tui.collect.collector import collect_forever, collect_once

    if parent is not None:
        from tui.collect.process import give_way

        give_way()
    with serving_demo(config, clock().date()) as live_config:
        if once:
            return asyncio.run(collect_once(live_config, store, clock))
        try:
            asyncio.run(collect_forever(live_config, store, clock, beat_seconds, parent))
        except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C, SIGTERM
            print("tandem collect: stopped", file=sys.stderr)
    return 0


def _run_dashboard(
    config: Config,
    store: Any,
    config_path: Path,
    kiosk: bool = False,
    viewer: bool = False,
    clock: Clock = utc_now,
) -> int:
    from tui.app import TandemApp
    from tui.store import is_store_url

    # A shared store is written by `tandem collect`: a screen on it only reads.
    viewer = viewer or is_store_url(store.path)
    if viewer:  # reads the store that a collector or `tandem serve` writes: no demo API here
        TandemApp(config, store, config_path=config_path, kiosk=kiosk, viewer=True).run()
        return 0
    if clock is utc_now and store.path != ":memory:":
        # One machine: the collector is a process of its own (it fetches, parses and
        # computes), and the dashboard reads what it writes, so no key waits on it.
        from tui.collect.process import CollectorProcess

        collector = CollectorProcess(config_path, store.path)
        try:
            TandemApp(
                config,
                store,
                config_path=config_path,
                kiosk=kiosk,
                viewer=True,
                collector=collector,
            ).run()
        finally:
            collector.stop()
        return 0
    # A pinned "now" (--as-of) fetches into a store in memory, which only this process sees.
    with serving_demo(config, clock().date()) as live_config:
        TandemApp(live_config, store, config_path=config_path, kiosk=kiosk, clock=clock).run()
    return 0


async def _check(config: Config, clock: Clock = utc_now) -> int:
    """Fetch every source once and compute its metrics (storing nothing); print a table."""
    from tui.collect.refresh import BadPayload, observe, redact, require_records
    from tui.sources import SourceError, client_for, fetch_records

    skipped_reasons: dict[str, Counter[str]] = {}
    with serving_demo(config, clock().date()) as live_config:
        async with client_for(config) as client:

            async def attempt(source: Source) -> tuple[str, ...]:
                started = time.monotonic()
                try:
                    result = await fetch_records(source, client)
                    # A check reads a source whole: nothing at all to read is no "ok".
                    require_records(result, previous=None)
                    if not result.received:
                        raise BadPayload(f"{source.id}: 0 usable records")
                    _, rejected = observe(live_config, result, clock())
                except (SourceError, BadPayload) as error:
                    message = str(error)
                except Exception as error:  # report, never crash the table
                    message = f"{source.id}: unexpected {type(error).__name__}"
                else:
                    skipped_reasons[source.id] = rejected
                    skipped = sum(rejected.values())
                    return (
                        source.id,
                        source.kind,
                        str(len(result.received)),
                        str(result.pages),
                        f"{result.seconds:.2f} s",
                        f"ok, {skipped} skipped" if skipped else "ok",
                    )
                seconds = time.monotonic() - started
                message = redact(message, source, os.environ)
                return (source.id, source.kind, "—", "—", f"{seconds:.2f} s", message)

            rows = list(await asyncio.gather(*(attempt(s) for s in live_config.sources)))
    failures = sum(1 for row in rows if not row[-1].startswith("ok"))
    header = ("source", "kind", "records", "pages", "time", "result")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [
            row[i].rjust(w) if i in (2, 3, 4) else row[i].ljust(w) for i, w in enumerate(widths)
        ]
        print("  ".join([*cells, row[-1]]))
    for source_id, reasons in skipped_reasons.items():
        if reasons:
            listed = ", ".join(f"{n}× {reason}" for reason, n in reasons.most_common(5))
            print(f"\n{source_id} skipped: {listed}")
    from tui.sources.json_api import JsonSource

    for source in live_config.sources:
        if (
            isinstance(source, JsonSource)
            and source.pagination.style != "none"
            and source.records.id is None
        ):
            print(
                f"\n{source.id}: paged, but no records.id: a record that shifts onto the next "
                "page while pages are read would count twice"
            )
    shown = {metric_id for pair in config.pairs for metric_id in (pair.employee, pair.customer)}
    shown |= {
        metric_id
        for side in (*config.balance_sides(), *config.internal_sides())
        for metric_id in side
    }
    if config.internal.metric is not None:
        shown.add(config.internal.metric)
    for metric in config.metrics:
        if metric.id not in shown:
            print(
                f"\nmetric {metric.id}: in no pair, balance or [internal], so computed and "
                "stored but never shown"
            )
    total = len(rows)
    print(f"\n{total - failures} of {total} sources ok")
    return 1 if failures else 0


def _stored_outcome(source_id: str, status: Any) -> Any:
    """A source's outcome as a shared store holds it: the collector's last attempt."""
    from tui.collect.refresh import SourceOutcome

    if status is None:
        return SourceOutcome(source_id, error="no collector has fetched it into this store yet")
    records = status.records or 0
    return SourceOutcome(
        source_id, error=status.last_error if status.failing else None, records=records
    )


async def _refresh_and_compute(config: Config, store: Any, clock: Clock) -> tuple[Any, ...]:
    """Refresh every source into the store; then the views and insights from the store.

    A failing source leaves its last good values in the store, and they are used. A
    shared (PostgreSQL) store is only read: `tandem collect` fetches into it, and each
    source's outcome is its stored status.
    """
    from tui.collect.refresh import refresh_sources
    from tui.sources import client_for
    from tui.store import is_store_url
    from tui.views.read import read_dashboard, read_internal

    read_only = is_store_url(store.path)
    if read_only:
        outcomes = None
    else:
        with serving_demo(config, clock().date()) as live_config:
            async with client_for(config) as client:
                outcomes = await refresh_sources(
                    live_config, live_config.sources, client, store, clock
                )
    now = clock()
    statuses = store.source_statuses()
    if outcomes is None:
        outcomes = [
            _stored_outcome(source.id, statuses.get(source.id)) for source in config.sources
        ]
    # On a shared store the collector's analysis is read, where it computed one today.
    data = read_dashboard(config, store, statuses, now, stored=read_only)
    internal = read_internal(config, store, now.date(), data.analysis)
    return outcomes, now, statuses, data.panels, data.insights, data.balance, internal


async def _snapshot(config: Config, store: Any, clock: Clock) -> int:
    """Refresh every source into the store, then print every metric and insight as JSON."""
    from tui.views.report import (
        balance_json,
        document_header,
        insights_json,
        internal_json,
        metric_json,
    )

    outcomes, now, statuses, views, insights, balance, internal = await _refresh_and_compute(
        config, store, clock
    )
    document = {
        **document_header(config, now),
        "metrics": [
            metric_json(metric, views[metric.id], statuses.get(metric.source))
            for metric in config.metrics
        ],
        "pairs": [
            {"id": p.key, "employee": p.employee, "customer": p.customer, "caption": p.caption}
            for p in config.pairs
        ],
        **insights_json(config, insights),
        "balance": balance_json(balance),
        "internal": internal_json(internal, config.linkage.alpha),
        "sources": [
            {
                "id": o.source_id,
                "ok": o.ok,
                "records": o.records,
                "pages": o.pages,
                "seconds": round(o.seconds, 3),
                "error": o.error,
                "rejected": dict(o.rejected),
            }
            for o in outcomes
        ],
    }
    json.dump(document, sys.stdout, indent=2, default=_json_default)
    sys.stdout.write("\n")
    return 0 if all(o.ok for o in outcomes) else 1


async def _report(config: Config, store: Any, format: str, output: str | None, clock: Clock) -> int:
    """Refresh, then write the report; failing sources report their last good values."""
    from tui.views.report import csv_report, json_report, markdown_report

    outcomes, now, statuses, views, insights, balance, internal = await _refresh_and_compute(
        config, store, clock
    )
    if format == "csv":
        text = csv_report(config, views)
    elif format == "json":
        text = json_report(config, views, insights, now, balance, internal)
    else:
        text = markdown_report(config, views, insights, statuses, now, balance, internal)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"tandem: report written to {Path(output).resolve()}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    failing = [o.source_id for o in outcomes if not o.ok]
    if failing:
        names = ", ".join(failing)
        print(f"tandem: failing sources, last good values used: {names}", file=sys.stderr)
    return 0


def _serve(config: Config, store_location: str, config_path: Path, arguments: Any) -> int:
    from tui.app.serve import TandemServer
    from tui.config.base import is_loopback

    if not is_loopback(arguments.host) and not arguments.expose:
        print(
            f"tandem: serving on {arguments.host} shows the dashboard to anyone who can reach "
            "that address, with no login; add --expose if that is what you want",
            file=sys.stderr,
        )
        return 2
    with serving_demo(config) as live_config:
        server = TandemServer(
            live_config,
            config_path.resolve(),
            store_location,
            arguments.host,
            arguments.port,
            arguments.public_url,
            max_viewers=arguments.max_viewers,
            max_columns=arguments.max_size[0],
            max_rows=arguments.max_size[1],
        )
        server.serve()
    return 0


def _whole_number(low: int, high: int | None, expected: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high`, or `expected` in the error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive = _whole_number(1, None, "a whole number of 1 or more")
# Not 0, "any free port": the page tells each browser where to connect, and it would
# be told port 0.
_port = _whole_number(1, 65535, "a port from 1 to 65535")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"expected seconds from 0.1 to 3600, got {text!r}")
    return value


def _size(text: str) -> tuple[int, int]:
    columns, _, rows = text.lower().partition("x")
    try:
        size = int(columns), int(rows)
    except ValueError:
        size = (0, 0)
    if size[0] < 80 or size[1] < 24:
        raise argparse.ArgumentTypeError(
            f"expected COLUMNSxROWS of at least 80x24, such as 320x120, got {text!r}"
        )
    return size


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
