"""What `tandem snapshot --json` and `tandem report` write: pure functions of computed views.

Nothing here fetches or computes a metric; it formats what view.py and
insights.py computed, so a report and the screen always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tui import __version__
from tui.analysis.balance import QUADRANT_WORDS, Balance
from tui.analysis.insights import (
    Insights,
    PairLinkage,
    hidden_words,
    method_note,
    segment_name,
    warnings_note,
)
from tui.analysis.internal import InternalService
from tui.config import Config, Metric
from tui.metrics.display import format_value
from tui.metrics.linkage import interval_level
from tui.store import SourceStatus
from tui.views.panels import PanelView, PeriodValue, stale_text

_STATUS_WORDS = {"good": "good", "warn": "warn", "bad": "bad", "none": ""}


# ── JSON ─────────────────────────────────────────────────────────────────


def point_json(point: PeriodValue | None) -> dict[str, Any] | None:
    if point is None:
        return None
    if point.suppressed:
        # Hidden (too few, or would reveal too few): neither value nor n leaves Tandem.
        return {"period": point.period_key, "value": None, "n": None, "suppressed": True}
    return {"period": point.period_key, "value": point.value, "n": point.n}


def metric_json(metric: Metric, view: PanelView, status: SourceStatus | None) -> dict[str, Any]:
    return {
        "id": metric.id,
        "label": metric.label,
        "side": metric.side,
        "kind": metric.kind,
        "unit": metric.unit,
        "direction": metric.direction,
        "target": metric.target,
        "status": view.status,
        "current": point_json(view.current),
        "previous": point_json(view.previous),
        "change": view.change,
        "history": [point_json(point) for point in view.history],
        "source": metric.source,
        "source_failing": bool(status and status.failing),
        "stale": view.stale_text or None,
        "suppressed": bool(view.current and view.current.suppressed),
    }


def _rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def linkage_json(link: PairLinkage, pair_ids: Sequence[str], alpha: float) -> dict[str, Any]:
    return {
        "pair": pair_ids[link.pair_index],
        "segment": link.segment or None,
        "employee": link.employee_label,
        "customer": link.customer_label,
        **verdict_json(link, alpha),
    }


def verdict_json(link: PairLinkage, alpha: float) -> dict[str, Any]:
    """A link's verdict and its evidence, whatever the two series are."""
    result = link.result
    best = result.best if result is not None else None
    return {
        "left_out": result is None,
        "enough_history": bool(result and result.enough_history),
        "linked": link.linked,
        # not_enough_history, leads, moves_together, no_link or cant_tell (None: left out).
        "verdict": result.verdict if result is not None else None,
        "lag": best.lag if best else None,
        "lag_unit": link.granularity,
        "r": _rounded(best.r if best else None),
        "overlap": best.overlap if best else None,
        "p_value": _rounded(result.p_value if result else None),
        "lags_tried": result.lags_tried if result else None,
        "more_periods_needed": result.more_needed if result and not link.linked else None,
        # Two-sided at ci_level (each end a bound at alpha), adjusted for the lags tried
        # and, for a link, for the links picked out of the screen.
        "ci": None
        if result is None or result.ci_low is None or result.ci_high is None
        else [_rounded(result.ci_low), _rounded(result.ci_high)],
        "ci_level": round(interval_level(alpha), 4),
        "by_lag": []
        if result is None
        else [{"lag": lc.lag, "r": _rounded(lc.r), "overlap": lc.overlap} for lc in result.by_lag],
        "sentence": link.sentence,
    }


def balance_json(balance: Balance) -> dict[str, Any]:
    """Each team's trail of health on the common scale, its quadrant and any warning."""
    return {
        "employee": [metric.id for metric in balance.employee_metrics],
        "customer": [metric.id for metric in balance.customer_metrics],
        "axes": balance.axes,
        "refused": balance.refused or None,
        "teams": [
            {
                "segment": team.segment or None,
                "quadrant": team.latest.quadrant if team.latest else None,
                "trail": [
                    {
                        "period": point.period.key,
                        "employee": _rounded(point.employee),
                        "customer": _rounded(point.customer),
                    }
                    for point in team.trail
                ],
                "warning": team.warning,
            }
            for team in balance.teams
        ],
    }


def balance_markdown(balance: Balance) -> list[str]:
    """The balance section of the board pack: a table, the warnings, how the axes are made."""
    lines = ["## Both, not either: the balance", ""]
    if balance.refused:
        return [*lines, balance.refused, ""]
    lines += [
        "| Team | Employee health | Customer health | Quadrant |",
        "| --- | --: | --: | --- |",
    ]
    for team in balance.teams:
        latest = team.latest
        if latest is None:
            continue
        cells = [
            segment_name(team.segment),
            f"{latest.employee:+.2f}",
            f"{latest.customer:+.2f}",
            QUADRANT_WORDS[latest.quadrant],
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    lines += [f"- {warning}" for warning in balance.warnings]
    return [*lines, *([""] if balance.warnings else []), f"_{balance.axes}_", ""]


def internal_json(internal: InternalService, alpha: float) -> dict[str, Any] | None:
    """Each function's latest closed score and its chain; None without [internal]."""
    if internal.metric is None:
        return None
    metric = internal.metric
    return {
        "metric": metric.id,
        "employee": [m.id for m in internal.employee_metrics],
        "customer": [m.id for m in internal.customer_metrics],
        "health": internal.health_words,
        "functions": [
            {
                "name": function.name,
                "serves": list(function.serves),
                "period": function.period.key if function.period else None,
                "value": _rounded(function.score),
                "n": function.n if function.score is not None else None,
                "suppressed": bool(function.hidden),
                "change": _rounded(function.change),
                "unknown_teams": list(function.unknown_teams),
                "service_to_people": verdict_json(function.service_to_people, alpha),
                "people_to_customers": verdict_json(function.people_to_customers, alpha),
                "history": [
                    {
                        "period": point.period.key,
                        "value": _rounded(point.score),
                        "n": point.score_n or None,
                        "employee_health": _rounded(point.employee),
                        "customer_health": _rounded(point.customer),
                    }
                    for point in function.points
                    if not point.in_progress
                ],
            }
            for function in internal.functions
        ],
    }


def internal_markdown(internal: InternalService) -> list[str]:
    """The internal customers section of the board pack; nothing without [internal]."""
    metric = internal.metric
    if metric is None:
        return []
    latest = next((f.period for f in internal.functions if f.period), None)
    lines = ["## Internal customers: service → people → customers", ""]
    if latest is not None:
        lines += [f"{metric.label} of {latest.label}, the latest closed period.", ""]
    lines += [
        f"| Function | {metric.label} | Change | n | Serves | Service → people | → customers |",
        "| --- | --: | --: | --: | --- | --- | --- |",
    ]
    for function in internal.functions:
        score = (
            hidden_words(function.hidden)
            if function.hidden
            else format_value(function.score, metric)
        )
        change = "" if function.change is None else f"{function.change:+.{metric.decimals}f}"
        cells = [
            function.name,
            score,
            change,
            str(function.n) if function.n else "",
            ", ".join(function.serves),
            function.service_to_people.short,
            function.people_to_customers.short,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    lines += [f"- {link.sentence}" for link in internal.links]
    return [*lines, "", f"_{internal.health_words}_", ""]


def insights_json(config: Config, insights: Insights) -> dict[str, Any]:
    """Linkage and warnings; each names its pair by the pair's id, as panels do."""
    pair_ids = [pair.key for pair in config.pairs]
    return {
        "linkage": [linkage_json(link, pair_ids, config.linkage.alpha) for link in insights.links],
        "warnings": [
            {
                "pair": pair_ids[w.pair_index],
                "segment": w.segment or None,
                "reason": w.reason,
                # The evidence: step or ewma, worse by how much against the periods
                # before, z, and how often sampling noise alone would do it.
                "chart": w.movement.chart if w.movement else None,
                "worse_by": _rounded(w.movement.worse_by) if w.movement else None,
                "z": _rounded(w.movement.z, 2) if w.movement else None,
                "chance": _rounded(w.movement.chance, 5) if w.movement else None,
                "sentence": w.sentence,
            }
            for w in insights.warnings
        ],
    }


# ── Markdown ─────────────────────────────────────────────────────────────


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "—"


def _value_and_change(view: PanelView) -> tuple[str, str]:
    if view.suppressed_text:
        return view.suppressed_text, ""
    change = view.change_text
    if view.compared_with and view.change is not None:
        change = f"{change} {view.compared_with}"
    return view.value_text, change


def markdown_report(
    config: Config,
    views: Mapping[str, PanelView],
    insights: Insights,
    statuses: Mapping[str, SourceStatus],
    now: datetime,
    balance: Balance | None = None,
    internal: InternalService | None = None,
) -> str:
    """A board-pack page: the paired values, the early warnings and the linkage in sentences."""
    dashboard = config.dashboard
    metrics = {metric.id: metric for metric in config.metrics}
    title = dashboard.organisation or dashboard.title
    lines = [f"# {title}: employee and customer health", ""]
    if dashboard.demo:
        lines += ["**DEMO DATA** — made-up records from Tandem's built-in demo.", ""]
    lines += [
        f"{dashboard.period.capitalize()}ly figures, generated "
        f"{now.strftime('%Y-%m-%d %H:%M')} UTC by Tandem {__version__}.",
        "",
        "## Paired indicators",
        "",
        "| Employee | Value | Change | Target | Status | Customer | Value | Change | Target "
        "| Status |",
        "|---|--:|---|--:|---|---|--:|---|--:|---|",
    ]
    for pair in config.pairs:
        cells: list[str] = []
        for metric_id in (pair.employee, pair.customer):
            view, metric = views[metric_id], metrics[metric_id]
            value, change = _value_and_change(view)
            status_word = _STATUS_WORDS[view.status]
            if view.stale_text:
                status_word = f"{status_word}, {view.stale_text}".strip(", ")
            cells += [
                metric.label,
                f"{value} ({view.period_label})" if view.current else value,
                change,
                "" if metric.target is None else format_value(metric.target, metric),
                status_word,
            ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Early warnings", "", warnings_note(insights, config.dashboard.period), ""]
    warnings = insights.warnings
    lines += [f"- {w.sentence}" for w in warnings] or [
        "None: no employee indicator has turned ahead of its customer indicator."
    ]
    lines += ["", "## Does employee health lead customer health?", ""]
    for index, pair in enumerate(config.pairs):
        lines += [f"### {metrics[pair.employee].label} and {metrics[pair.customer].label}", ""]
        lines += [f"- {row.link.sentence}" for row in insights.of_pair(index)]
        lines.append("")
    lines += [f"_{method_note(config)}_", ""]
    if balance is not None:
        lines += balance_markdown(balance)
    if internal is not None:
        lines += internal_markdown(internal)
    lines += ["## Sources", ""]
    for source in config.sources:
        status = statuses.get(source.id)
        if status is None:
            lines.append(f"- {source.id}: no data yet")
        elif status.failing:
            stale = stale_text(status, now) or "no good fetch yet"
            lines.append(f"- {source.id}: failing ({stale}) — {status.last_error}")
        else:
            assert status.last_ok_at is not None
            lines.append(
                f"- {source.id}: ok, fetched {status.last_ok_at.strftime('%Y-%m-%d %H:%M')} UTC"
            )
    return "\n".join(lines) + "\n"


# ── CSV and JSON ─────────────────────────────────────────────────────────

CSV_COLUMNS = (
    "pair",
    "side",
    "metric",
    "label",
    "period",
    "value",
    "unit",
    "n",
    "change",
    "previous_period",
    "target",
    "status",
    "stale",
    "suppressed",
)


def report_rows(config: Config, views: Mapping[str, PanelView]) -> list[dict[str, Any]]:
    """One row per panel, pair by pair: the figures a board pack or a chat message takes."""
    metrics = {metric.id: metric for metric in config.metrics}
    rows = []
    for pair in config.pairs:
        for metric_id in (pair.employee, pair.customer):
            view, metric = views[metric_id], metrics[metric_id]
            suppressed = bool(view.current and view.current.suppressed)
            rows.append(
                {
                    "pair": pair.key,
                    "side": metric.side,
                    "metric": metric.id,
                    "label": metric.label,
                    "period": view.current.period_key if view.current else None,
                    "value": None if suppressed else _rounded(view.value, metric.decimals + 2),
                    "unit": metric.unit,
                    # Hidden (too few, or would reveal too few): neither value nor n leaves Tandem.
                    "n": None if suppressed else (view.n if view.current else None),
                    "change": _rounded(view.change, metric.decimals + 2),
                    "previous_period": view.previous.period_key if view.previous else None,
                    "target": metric.target,
                    "status": view.status,
                    "stale": view.stale_text or None,
                    "suppressed": suppressed,
                }
            )
    return rows


def csv_report(config: Config, views: Mapping[str, PanelView]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report_rows(config, views):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def document_header(config: Config, now: datetime) -> dict[str, object]:
    """What every JSON document Tandem writes opens with: who wrote it, when, about what."""
    return {
        "tandem": __version__,
        "generated_at": now.isoformat(timespec="seconds"),
        "organisation": config.dashboard.organisation,
        "period": config.dashboard.period,
        "demo_data": config.dashboard.demo,
    }


def json_report(
    config: Config,
    views: Mapping[str, PanelView],
    insights: Insights,
    now: datetime,
    balance: Balance | None = None,
    internal: InternalService | None = None,
) -> str:
    import json

    document = {
        **document_header(config, now),
        "panels": report_rows(config, views),
        **insights_json(config, insights),
        **({"balance": balance_json(balance)} if balance is not None else {}),
        **(
            {"internal": internal_json(internal, config.linkage.alpha)}
            if internal is not None
            else {}
        ),
    }
    return json.dumps(document, indent=2) + "\n"
