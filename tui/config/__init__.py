"""The TOML configuration: pydantic models of every table, and the loader.

Where each table lives:
- base.py: what every table shares (strict models, ids, variable names, URLs);
- dashboard.py: [dashboard] and [linkage];
- sources.py: what every [[sources]] table shares; each kind's own table is in its
  module under tui/sources/, listed by tui/sources/kinds.py;
- metrics.py: [[metrics]];
- pairs.py: [[pairs]];
- loading.py: the whole file, the loader and its error messages.
"""

from typing import TYPE_CHECKING, Any

from tui.config.base import DEMO_PLACEHOLDER, StrictModel
from tui.config.dashboard import BrandColours, Dashboard, LinkageSettings
from tui.config.metrics import (
    ChurnMetric,
    CountMetric,
    CsatMetric,
    HeadcountMetric,
    HiresMetric,
    LeaversMetric,
    MeanMetric,
    Metric,
    MetricBase,
    NpsMetric,
    SeparationsMetric,
    TurnoverMetric,
    ValueMetric,
)
from tui.config.pairs import Pair
from tui.config.sources import DateFiltered, HttpSourceBase, SourceBase

if TYPE_CHECKING:
    from tui.config.loading import (
        Config,
        ConfigError,
        ConfigProblem,
        load_config,
        parse_config,
        validate_config,
    )

# What code may rely on of any source. A file's [[sources]] are validated as the
# union of the kinds it uses (tui.config.loading.config_model); every kind's is
# tui.sources.kinds.Source.
Source = SourceBase

# The whole file needs the source kinds' models, and each kind's module needs the
# shared tables above: loaded when first asked for, so that either side can be
# imported first.
_LOADING = {"Config", "ConfigError", "ConfigProblem", "load_config", "parse_config"}
_LOADING |= {"validate_config"}


def __getattr__(name: str) -> Any:
    if name in _LOADING:
        from tui.config import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEMO_PLACEHOLDER",
    "BrandColours",
    "ChurnMetric",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "CountMetric",
    "CsatMetric",
    "Dashboard",
    "DateFiltered",
    "HeadcountMetric",
    "HiresMetric",
    "HttpSourceBase",
    "LeaversMetric",
    "LinkageSettings",
    "MeanMetric",
    "Metric",
    "MetricBase",
    "NpsMetric",
    "Pair",
    "SeparationsMetric",
    "Source",
    "SourceBase",
    "StrictModel",
    "TurnoverMetric",
    "ValueMetric",
    "load_config",
    "parse_config",
    "validate_config",
]
