"""Configs of many pairs, for tests and benchmarks: one source that nothing fetches, so
the test writes the store itself."""

from __future__ import annotations

SOURCE = '\n[[sources]]\nid = "s"\nkind = "json"\nbase_url = "http://127.0.0.1:9"\n'


def pairs_config(pairs: int, metric: str, history_periods: int = 24) -> str:
    """`pairs` pairs of metrics m0, m1, … (employee, then customer) of source "s", each
    with `metric`'s lines: its kind, and whatever else it needs."""
    parts = [f'[dashboard]\nperiod = "month"\nhistory_periods = {history_periods}\n', SOURCE]
    for i in range(pairs * 2):
        side = "employee" if i % 2 == 0 else "customer"
        parts.append(
            f'\n[[metrics]]\nid = "m{i}"\nlabel = "Metric {i}"\nside = "{side}"\nsource = "s"\n'
            + metric
        )
    for i in range(0, pairs * 2, 2):
        parts.append(f'\n[[pairs]]\nemployee = "m{i}"\ncustomer = "m{i + 1}"\n')
    return "".join(parts)
