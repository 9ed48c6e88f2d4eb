"""Disclosure control: no group under the anonymity threshold is shown, stored, or
derivable by subtracting what is shown.

Hiding a small group's value (primary suppression) is not enough on its own. The
whole organisation minus the other teams, a quarter minus its other months, or a
month minus the weeks inside it gives the hidden value back exactly, n and all.
So each *relation* — a total, and the parts it is the sum of — is checked, and
while one gives something away, one more cell of it is hidden (complementary
suppression, as statistical offices do for published tables):

- segments: the whole organisation = its segments + the records with no segment;
- months → quarter: a quarter = its three months, for each segment alike;
- weeks → month, weeks → quarter: a month (a quarter) = the weeks wholly inside it
  + the days of the two weeks that straddle its edges.

A relation whose total is shown gives away whatever the subtraction leaves: the
parts that are hidden, plus the remainder no part shows. That must hold nobody or
at least `threshold` people or responses; and a single hidden part is never left
alone, or the subtraction hands it back — a complementary cell too, from which
another relation would then recover a small one. Records with no segment are
shown nowhere else, so in the segment relation a remainder of at least
`threshold` keeps a single hidden team safe. In the time relations the remainder
(a straddling week's days) may be worked out from neighbouring months, so it
protects nothing.

The cell hidden next is the shown part whose hiding opens the fewest new
relations, then the smallest; when no part is left to hide, the total. Hiding
only ever grows, so this ends. It is a heuristic, as every practical method is
(the exact problem is NP-hard): tests play the attacker on every subtraction path.

Subtraction works across time too. A period still running is shown again at every
refresh with the answers that came in since: eNPS 20 at n 40, then 21.95 at n 41,
and the 41st answer was a promoter — on a wall screen, anyone can watch a
colleague's answer land. So a running period's employee values are hidden until
it closes (RUNNING), and the panels show the last closed period. (Late changes to
a closed period, such as a backdated answer, are not held back yet.)

n is additive for responses. For people (turnover's "people employed"), a person
who moved team counts in both, so a negative remainder counts as none.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from tui.metrics.compute import COMPLEMENT, RUNNING, SMALL_GROUP, Observation

Cell = tuple[str, str, str]  # segment ("" is everyone), granularity, period key

# A longer period, and the shorter ones that can lie wholly inside it. Weeks within a
# quarter too: a week that straddles two of its months is inside no month, but is
# inside the quarter.
NESTED = (("quarter", "month"), ("month", "week"), ("quarter", "week"))


@dataclass(frozen=True)
class Relation:
    """`total` is the sum of `parts` and of whatever no part shows."""

    total: Cell
    parts: tuple[Cell, ...]
    # Whether a large enough unshown remainder protects a single hidden part.
    remainder_protects: bool


def protect_small_groups(
    observations: Iterable[Observation], threshold: int, today: date | None = None
) -> list[Observation]:
    """The observations with every small group hidden, and whatever would reveal one;
    with `today`, every period still running is hidden too (RUNNING, see above)."""
    cells = {_cell(o): o for o in observations}
    n = {cell: o.n for cell, o in cells.items()}
    hidden = {cell: SMALL_GROUP for cell, count in n.items() if 0 < count < threshold}
    if today is not None:
        # Hidden first, so no complement is spent on a relation they already void.
        for cell, o in cells.items():
            if o.n > 0 and o.period.contains(today):
                hidden.setdefault(cell, RUNNING)  # a small group still says so
    relations = relations_of(cells.values())
    containing: dict[Cell, list[Relation]] = defaultdict(list)
    for relation in relations:
        for part in relation.parts:
            containing[part].append(relation)

    def gives_away(relation: Relation) -> bool:
        if relation.total in hidden or n[relation.total] == 0:
            return False  # nothing shown to subtract from
        hidden_n = [n[p] for p in relation.parts if p in hidden]
        remainder = max(0, n[relation.total] - sum(n[p] for p in relation.parts))
        left = sum(hidden_n) + remainder
        if 0 < left < threshold:
            return True
        if len(hidden_n) == 1:
            return not (relation.remainder_protects and remainder >= threshold)
        return False

    def opens(cell: Cell) -> int:
        """How many other relations hiding `cell` would leave with a single hidden part."""
        return sum(
            1
            for relation in containing[cell]
            if relation.total not in hidden
            and not any(p in hidden for p in relation.parts if p != cell)
        )

    def choice(cell: Cell) -> tuple[int, int, Cell]:
        return opens(cell), n[cell], cell

    changed = True
    while changed:
        changed = False
        for relation in relations:
            if not gives_away(relation):
                continue
            shown = [p for p in relation.parts if p not in hidden and n[p] > 0]
            hidden[min(shown, key=choice) if shown else relation.total] = COMPLEMENT
            changed = True
    return [
        replace(o, value=None, n=0, suppressed=hidden[cell], variance=None) if cell in hidden else o
        for cell, o in cells.items()
    ]


def relations_of(observations: Iterable[Observation]) -> list[Relation]:
    """Every total-and-parts relation among these observations of one metric that can
    matter.

    A cell that holds nothing (n 0) is never hidden, never the one chosen, and adds
    nothing to a sum: it is no relation's part, and a relation with nothing in its
    total or its parts is left out. What is hidden comes out the same (a test checks,
    against every relation), and most cells of a long window hold nothing: an
    employee metric with a few answers a month weighs 218 periods for 40 that hold
    any, and its disclosure control took a millisecond.
    """
    by_period: dict[tuple[str, str], list[Cell]] = {}
    totals: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    parts: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    held: dict[Cell, int] = {}
    for o in observations:
        cell = _cell(o)
        held[cell] = o.n
        if o.segment:
            period_parts = by_period.setdefault((o.period.granularity, o.period.key), [])
            if o.n > 0:
                period_parts.append(cell)
        totals[(o.segment, o.period.granularity)].append(o)
        if o.n > 0:
            parts[(o.segment, o.period.granularity)].append(o)
    relations = [
        Relation(total, tuple(sorted(period_parts)), remainder_protects=True)
        for (granularity, key), period_parts in sorted(by_period.items())
        if (total := ("", granularity, key)) in held and (period_parts or held[total] > 0)
    ]
    segments = sorted({segment for segment, _ in totals})
    for segment in segments:
        for total_granularity, part_granularity in NESTED:
            relations.extend(
                _nested(
                    totals.get((segment, total_granularity), []),
                    parts.get((segment, part_granularity), []),
                )
            )
    return relations


def _nested(totals: Sequence[Observation], parts: Sequence[Observation]) -> list[Relation]:
    """Each longer period with the shorter ones wholly inside it, in the parts' order;
    none for a total that holds nothing with nothing inside it.

    The parts are searched by their start, not each one against each total: with
    the 122 weeks and 72 months a refresh weighs, that was 5 ms a metric, most of
    the disclosure control of a source.
    """
    by_start = sorted(range(len(parts)), key=lambda at: parts[at].period.start)
    starts = [parts[at].period.start for at in by_start]
    relations = []
    for total in totals:
        start, end = total.period.start, total.period.end
        inside = []
        for at in range(bisect_left(starts, start), len(starts)):
            if starts[at] > end:
                break  # starts after the total ends: neither this part nor any after
            if parts[by_start[at]].period.end <= end:
                inside.append(by_start[at])
        if not inside and total.n == 0:
            continue
        inside.sort()
        relations.append(
            Relation(
                _cell(total), tuple(_cell(parts[at]) for at in inside), remainder_protects=False
            )
        )
    return relations


def _cell(o: Observation) -> Cell:
    return (o.segment, o.period.granularity, o.period.key)
