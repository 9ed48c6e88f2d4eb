"""The whole file: the Config model, the loader, and errors that name file, field and fix.

Nothing else in Tandem parses TOML. `load_config` either returns a valid
`Config` or raises `ConfigError`, whose text names the file, every field that
is wrong (as a path such as `metrics[2].thresholds.warn`) and what was expected.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import ConfigDict, Field, ValidationError, create_model, field_validator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

from tui.config.balance import BalanceSettings
from tui.config.base import DEMO_PLACEHOLDER, SECRET_KEYS, StrictModel
from tui.config.dashboard import Dashboard, LinkageSettings
from tui.config.internal import InternalSettings
from tui.config.keys import check_keys
from tui.config.metrics import Metric
from tui.config.pairs import Pair
from tui.config.sources import SourceBase
from tui.sources.kinds import KINDS, source_union


class Config(StrictModel):
    """A whole config file. Validated as `config_model` makes it for the source kinds the
    file uses (`validate_config`): this class alone never validates a file."""

    # Its schema is built only by the subclass that validates.
    model_config = ConfigDict(defer_build=True)

    dashboard: Dashboard = Field(default_factory=Dashboard)
    linkage: LinkageSettings = Field(default_factory=LinkageSettings)
    sources: list[SourceBase] = Field(min_length=1)
    metrics: list[Metric] = Field(min_length=1)
    pairs: list[Pair] = Field(min_length=1)
    balance: BalanceSettings = Field(default_factory=BalanceSettings)
    internal: InternalSettings = Field(default_factory=InternalSettings)
    # Binding id -> key(s): the keys, remapped (tui.config.keys).
    keys: dict[str, str] = Field(default_factory=dict)

    _keys = field_validator("keys")(check_keys)

    def balance_sides(self) -> tuple[list[str], list[str]]:
        """The metric ids of each side's health: [balance]'s, else the first pair's."""
        first = self.pairs[0]
        return (
            self.balance.employee or [first.employee],
            self.balance.customer or [first.customer],
        )

    def internal_sides(self) -> tuple[list[str], list[str]]:
        """The metric ids of the served teams' health: [internal]'s, else the balance's."""
        employee, customer = self.balance_sides()
        return (self.internal.employee or employee, self.internal.customer or customer)

    def metric(self, metric_id: str) -> Metric:
        return next(metric for metric in self.metrics if metric.id == metric_id)

    def source(self, source_id: str) -> SourceBase:
        return next(source for source in self.sources if source.id == source_id)

    def metrics_of(self, source_id: str) -> list[Metric]:
        return [metric for metric in self.metrics if metric.source == source_id]

    def refresh_seconds_of(self, source: SourceBase) -> float:
        return source.refresh_seconds or self.dashboard.refresh_seconds


@functools.cache
def config_model(kinds: frozenset[str]) -> type[Config]:
    """Config, with `[[sources]]` validated as one of `kinds`: only their modules are
    imported (tui.sources.kinds)."""
    sources: Any = list[source_union(kinds)]  # type: ignore[misc]
    return create_model(
        "Config",
        __base__=Config,
        __module__=__name__,
        sources=(sources, Field(min_length=1)),
    )


def _kinds_used(data: dict[str, Any]) -> frozenset[str]:
    """The source kinds the file names; every kind where a table names none or one
    there is not, so the error lists every kind there is."""
    tables = data.get("sources")
    if not isinstance(tables, list):
        return frozenset(KINDS)
    named = [table.get("kind") if isinstance(table, dict) else None for table in tables]
    if not named or not all(isinstance(kind, str) and kind in KINDS for kind in named):
        return frozenset(KINDS)  # a kind may be anything TOML holds: a list, a table
    return frozenset(named)  # type: ignore[arg-type]


# ── Loading and errors ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a config file: where (a key path) and what was expected."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ConfigError(Exception):
    """A config file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path | str, problems: list[ConfigProblem]) -> None:
        self.path = Path(path)
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        heading = f"{self.path}: {count} problem{'s' if count != 1 else ''} in the config"
        lines = [heading, *(f"  • {problem}" for problem in self.problems)]
        return "\n".join(lines)


def load_config(path: Path | str) -> Config:
    """Read, parse and validate a config file; raise `ConfigError` on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, [ConfigProblem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [ConfigProblem("", f"cannot be read: {error}")]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | str = "<config>") -> Config:
    """Validate TOML text as a config; `path` is used only in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [ConfigProblem("", f"not valid TOML: {error}")]) from None
    return validate_config(data, path)


def validate_config(data: dict[str, Any], path: Path | str = "<config>") -> Config:
    """Validate already-parsed TOML data, reporting every problem at once. A relative file
    path in it (a file source, ca_bundle) is read from the config file's folder."""
    context: dict[str, Any] = {}
    if not str(path).startswith("<"):
        context["folder"] = Path(path).resolve().parent
    try:
        config = config_model(_kinds_used(data)).model_validate(data, context=context)
    except ValidationError as error:
        allowed: dict[int, list[str]] = context.get("allowed", {})
        problems = [_problem_from(dict(item), data, allowed) for item in error.errors()]
        problems += _untagged_table_problems(error, data)
        raise ConfigError(path, _deduplicate(problems)) from None
    problems = list(_cross_reference_problems(config))
    if problems:
        raise ConfigError(path, problems)
    return config


def _untagged_table_problems(error: ValidationError, data: dict[str, Any]) -> list[ConfigProblem]:
    """Without its `kind`, a table's other keys are never checked: a misspelt `side`
    would wait for the kind to be fixed. Keys no kind knows are reported now."""
    kinds = {
        "metrics": get_args(get_args(Metric)[0]),
        "sources": tuple(kind.model for kind in KINDS.values()),
    }
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        if item["type"] not in ("union_tag_not_found", "union_tag_invalid") or len(loc) != 2:
            continue
        table_name, index = loc
        table = data.get(str(table_name), [])
        if str(table_name) not in kinds or not isinstance(table, list):
            continue
        if not isinstance(index, int) or not isinstance(table[index], dict):
            continue
        known = sorted({key for model in kinds[str(table_name)] for key in model.model_fields})
        for key in table[index]:
            if key not in known:
                where = f"{table_name}[{index}].{key}"
                problems.append(ConfigProblem(where, f"unknown key{_did_you_mean(key, known)}"))
    return problems


def _cross_reference_problems(config: Config) -> Iterator[ConfigProblem]:
    """Checks that span tables: unique ids and the references between tables."""
    source_ids = [source.id for source in config.sources]
    metric_ids = [metric.id for metric in config.metrics]
    for table, ids in (("sources", source_ids), ("metrics", metric_ids)):
        for index, item_id in enumerate(ids):
            if item_id in ids[:index]:
                yield ConfigProblem(f"{table}[{index}].id", f'"{item_id}" is used twice')
    for index, source in enumerate(config.sources):
        base_url = getattr(source, "base_url", None) or ""
        if base_url.startswith(DEMO_PLACEHOLDER) and not config.dashboard.demo:
            yield ConfigProblem(
                f"sources[{index}].base_url",
                f"{DEMO_PLACEHOLDER} points at the bundled demo API, which runs only "
                "when [dashboard] demo = true",
            )
    for index, metric in enumerate(config.metrics):
        if metric.source not in source_ids:
            yield ConfigProblem(
                f"metrics[{index}].source",
                f'no source has id "{metric.source}"{_did_you_mean(metric.source, source_ids)}',
            )
    for index, pair in enumerate(config.pairs):
        for side in ("employee", "customer"):
            metric_id = getattr(pair, side)
            where = f"pairs[{index}].{side}"
            if metric_id not in metric_ids:
                hint = _did_you_mean(metric_id, metric_ids)
                yield ConfigProblem(where, f'no metric has id "{metric_id}"{hint}')
            elif (found := config.metric(metric_id)).side != side:
                yield ConfigProblem(
                    where, f'metric "{metric_id}" is on the {found.side} side, not the {side} side'
                )
    yield from _balance_problems(config, metric_ids)
    yield from _internal_problems(config, metric_ids)


def _balance_problems(config: Config, metric_ids: list[str]) -> Iterator[ConfigProblem]:
    """The balance screen scales each metric against its own target and thresholds: a
    metric without them cannot sit on an axis with others."""
    # Left out, a side is the first pair's metric, which the pairs' own checks cover.
    for side in ("employee", "customer"):
        ids = getattr(config.balance, side)
        yield from _health_problems(config, metric_ids, f"balance.{side}", side, ids)


def _health_problems(
    config: Config, metric_ids: list[str], where: str, side: str, ids: list[str]
) -> Iterator[ConfigProblem]:
    """Metrics that make one side's health: each on that side, each with levels to
    be scaled by (tui.analysis.balance)."""
    for index, metric_id in enumerate(ids):
        at = f"{where}[{index}]"
        if metric_id not in metric_ids:
            yield ConfigProblem(
                at, f'no metric has id "{metric_id}"{_did_you_mean(metric_id, metric_ids)}'
            )
            continue
        metric = config.metric(metric_id)
        if metric.side != side:
            yield ConfigProblem(
                at, f'metric "{metric_id}" is on the {metric.side} side, not the {side} side'
            )
        elif metric.target is None or metric.thresholds is None:
            yield ConfigProblem(
                at,
                f'metric "{metric_id}" needs a target and thresholds to be scaled beside '
                "others into a health",
            )
        elif metric.health_levels is None:
            yield ConfigProblem(
                at, f'metric "{metric_id}": its target must be better than its warn level'
            )


def _internal_problems(config: Config, metric_ids: list[str]) -> Iterator[ConfigProblem]:
    """[internal] names a per-function metric on the internal side, and functions."""
    internal = config.internal
    if internal.metric is None:
        if internal.functions or internal.employee or internal.customer:
            yield ConfigProblem(
                "internal.metric",
                'missing: the metric (side = "internal") that holds each function\'s '
                "internal service score",
            )
        return
    if internal.metric not in metric_ids:
        hint = _did_you_mean(internal.metric, metric_ids)
        yield ConfigProblem("internal.metric", f'no metric has id "{internal.metric}"{hint}')
    else:
        metric = config.metric(internal.metric)
        if metric.side != "internal":
            yield ConfigProblem(
                "internal.metric",
                f'metric "{metric.id}" is on the {metric.side} side; an internal service '
                'score needs side = "internal"',
            )
        elif metric.segment_field is None:
            yield ConfigProblem(
                "internal.metric",
                f'metric "{metric.id}" needs a segment_field: the field naming the function rated',
            )
    if not internal.functions:
        yield ConfigProblem(
            "internal.functions",
            "missing: at least one [[internal.functions]] with a name and the teams it serves",
        )
    names = [function.name for function in internal.functions]
    for index, name in enumerate(names):
        if name in names[:index]:
            yield ConfigProblem(f"internal.functions[{index}].name", f'"{name}" is used twice')
    for side in ("employee", "customer"):
        ids = getattr(internal, side)
        yield from _health_problems(config, metric_ids, f"internal.{side}", side, ids)
    if not internal.employee or not internal.customer:
        # The balance's sides stand in: they must be scalable even where [balance] is
        # left out and the first pair's metrics have no levels.
        employee, customer = config.balance_sides()
        for side, ids in (("employee", employee), ("customer", customer)):
            if getattr(internal, side) or getattr(config.balance, side):
                continue  # checked above, or by the balance's own checks
            for metric_id in ids:
                if metric_id in metric_ids and config.metric(metric_id).health_levels is None:
                    yield ConfigProblem(
                        f"internal.{side}",
                        f"missing: the health of the teams served defaults to the first "
                        f'pair\'s "{metric_id}", which has no target and thresholds to be '
                        "scaled by; give it them, or list metrics that have them here",
                    )


def _did_you_mean(word: str, choices: list[str]) -> str:
    import difflib  # only a config with a mistake needs it: kept off the start path

    # A shared ending says nothing: "timout_seconds" is not "circuit_open_seconds".
    def similarity(choice: str) -> float:
        word_head, _, word_tail = word.rpartition("_")
        choice_head, _, choice_tail = choice.rpartition("_")
        if word_head and choice_head and word_tail == choice_tail:
            return difflib.SequenceMatcher(None, word_head, choice_head).ratio()
        return difflib.SequenceMatcher(None, word, choice).ratio()

    scored = [(similarity(choice), choice) for choice in choices]
    score, best = max(scored, default=(0.0, ""))
    return f' (did you mean "{best}"?)' if score >= 0.75 else ""


def _deduplicate(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    seen: set[ConfigProblem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


_TAG_KEYS = ("kind", "style")


def _walk(loc: tuple[int | str, ...], data: Any) -> tuple[list[int | str], Any]:
    """Follow a pydantic error location through the raw data.

    Pydantic puts the discriminator value of a tagged union into the location
    (`metrics.2.csat.thresholds`); those steps are not keys a user wrote, so
    they are dropped from the path we show.
    """
    shown: list[int | str] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            if part in node:
                node = node[part]
                shown.append(part)
            elif any(node.get(tag) == part for tag in _TAG_KEYS):
                continue
            else:
                shown.append(part)
                node = None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            shown.append(part)
        else:
            shown.append(part)
            node = None
    return shown, node


def _format_path(parts: list[int | str]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_EXPECTED = {
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected text in quotes",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
}


def _problem_from(
    error: dict[str, Any], data: dict[str, Any], allowed: dict[int, list[str]]
) -> ConfigProblem:
    kind = error["type"]
    loc = tuple(error["loc"])
    shown, _ = _walk(loc, data)
    where = _format_path(shown)
    given = error.get("input")

    if kind == "extra_forbidden":
        key = str(loc[-1])
        if key.lower() in ("verify", "verify_tls", "insecure", "ssl_verify"):
            return ConfigProblem(
                where,
                "TLS verification is always on and cannot be turned off; for a private CA "
                "set ca_bundle in [dashboard] to a PEM file",
            )
        if key.lower() in SECRET_KEYS:
            return ConfigProblem(
                where,
                "secrets are never read from config files: put it in an environment "
                "variable and name the variable with `token_env` (or `username_env` / "
                "`password_env` for basic auth)",
            )
        _, parent = _walk(loc[:-1], data)
        choices = allowed.get(id(parent), [])
        hint = _did_you_mean(key, choices)
        known = f"; known keys: {', '.join(choices)}" if choices and not hint else ""
        return ConfigProblem(where, f"unknown key{hint}{known}")
    if kind == "missing":
        return ConfigProblem(where, "required, but missing")
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        tag = error.get("ctx", {}).get("discriminator", "kind").strip("'")
        return ConfigProblem(
            f"{where}.{tag}" if where else tag,
            f"expected one of {expected}, got {_describe(error['ctx'].get('tag'))}",
        )
    if kind == "union_tag_not_found":
        tag = error.get("ctx", {}).get("discriminator", "kind").strip("'")
        return ConfigProblem(f"{where}.{tag}" if where else tag, "required, but missing")
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return ConfigProblem(where, f"expected {expected}, got {_describe(given)}")
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return ConfigProblem(where, message)
    if kind in _EXPECTED:
        return ConfigProblem(where, f"{_EXPECTED[kind]}, got {_describe(given)}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        message = str(error["msg"]).replace("Input should be", "expected a value")
        return ConfigProblem(where, f"{message}, got {_describe(given)}")
    if kind in ("too_short", "string_too_short"):
        return ConfigProblem(where, "must not be empty")
    message = str(error.get("msg", kind)).replace("Input should be", "expected")
    return ConfigProblem(where, f"{message}, got {_describe(given)}")
