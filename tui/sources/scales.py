"""Scores for answers given as labelled choices: never guessed from the order they are shown in.

A choice question's score comes, in this order, from
1. the config's `choice_scores` (label → score), the user's own word;
2. the survey's design: choice weights or quiz scores, when they tell the choices apart;
3. a whole number leading the choice text ("9", "5 - Very satisfied");
4. a recognised label set, in either order ("Very satisfied" … "Very dissatisfied",
   "Strongly agree" … "Strongly disagree", "Extremely likely" … "Not at all likely", and
   their common variants): worst = 1 … best = the number of labels.

When a design or a number says one direction and the labels the opposite ("1 - Very
satisfied" … "5 - Very dissatisfied"), or when nothing settles the direction, the source
is refused with a message naming the question and listing its choices. A choice such as
"N/A" or "Don't know" has no score: answers that chose it are skipped and counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui.sources.base import SourceError


@dataclass(frozen=True)
class Choice:
    """One choice of a question, as the survey's design describes it."""

    id: str
    text: str
    # The design's own number for it (a weight, a quiz score, a recode value), if any.
    design_score: float | None = None


# Scales people answer on, best first. Each label is normalised (see `normalise`).
_NEUTRAL = ("neutral", "neither {good} nor {bad}", "neither {good} or {bad}")


def _scale(good: str, bad: str, *labels: str) -> list[tuple[str, ...]]:
    """A scale's label lists: one per way of writing its middle label, if it has one."""
    if "{neutral}" not in labels:
        return [labels]
    return [
        tuple(
            neutral.format(good=good, bad=bad) if label == "{neutral}" else label
            for label in labels
        )
        for neutral in _NEUTRAL
    ]


RECOGNISED_SCALES: tuple[tuple[str, ...], ...] = tuple(
    labels
    for scale in (
        _scale(
            "satisfied",
            "dissatisfied",
            "very satisfied",
            "satisfied",
            "{neutral}",
            "dissatisfied",
            "very dissatisfied",
        ),
        _scale(
            "satisfied",
            "dissatisfied",
            "very satisfied",
            "somewhat satisfied",
            "{neutral}",
            "somewhat dissatisfied",
            "very dissatisfied",
        ),
        _scale(
            "satisfied",
            "dissatisfied",
            "extremely satisfied",
            "somewhat satisfied",
            "{neutral}",
            "somewhat dissatisfied",
            "extremely dissatisfied",
        ),
        _scale(
            "satisfied",
            "dissatisfied",
            "extremely satisfied",
            "very satisfied",
            "somewhat satisfied",
            "not so satisfied",
            "not at all satisfied",
        ),
        _scale(
            "satisfied",
            "dissatisfied",
            "very satisfied",
            "satisfied",
            "dissatisfied",
            "very dissatisfied",
        ),
        _scale(
            "agree",
            "disagree",
            "strongly agree",
            "agree",
            "{neutral}",
            "disagree",
            "strongly disagree",
        ),
        _scale(
            "agree",
            "disagree",
            "strongly agree",
            "somewhat agree",
            "{neutral}",
            "somewhat disagree",
            "strongly disagree",
        ),
        _scale("agree", "disagree", "strongly agree", "agree", "disagree", "strongly disagree"),
        _scale(
            "likely",
            "unlikely",
            "extremely likely",
            "very likely",
            "somewhat likely",
            "not so likely",
            "not at all likely",
        ),
        _scale(
            "likely",
            "unlikely",
            "very likely",
            "likely",
            "{neutral}",
            "unlikely",
            "very unlikely",
        ),
        _scale("good", "poor", "excellent", "very good", "good", "fair", "poor"),
        _scale("good", "poor", "very good", "good", "{neutral}", "poor", "very poor"),
        _scale("good", "bad", "very good", "good", "{neutral}", "bad", "very bad"),
    )
    for labels in scale
)

# Choices that are not an answer on the scale.
NOT_ON_SCALE = frozenset(
    (
        "n/a",
        "na",
        "not applicable",
        "does not apply",
        "don't know",
        "do not know",
        "dont know",
        "not sure",
        "no opinion",
        "prefer not to say",
        "prefer not to answer",
    )
)

_LEADING_NUMBER = re.compile(r"^\s*(-?\d+)\s*(?:$|[-–—=:.)]\s*(.*)$|\((.*)\)\s*$|\s(.*)$)")


def _plain(text: str) -> str:
    """No HTML (surveys allow it in choice text and headings), one line, single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text)).strip()


def normalise(text: str) -> str:
    """Lower case, plain apostrophes, single spaces, no surrounding punctuation."""
    return _plain(text.replace("’", "'").replace("‘", "'").lower()).strip(" .!:;,-–—*")


def normalise_heading(text: str, limit: int = 60) -> str:
    """A question's heading for a message: no HTML, one line, at most `limit` characters."""
    text = _plain(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _leading_number(text: str) -> tuple[int, str] | None:
    """(9, "") from "9", (5, "very satisfied") from "5 - Very satisfied", else None."""
    match = _LEADING_NUMBER.match(text)
    if match is None:
        return None
    label = next((g for g in match.groups()[1:] if g), "")
    return int(match.group(1)), normalise(label)


def _agrees(scores: Mapping[str, float], ranks: Mapping[str, float]) -> bool:
    """True when higher scores go with better labels for every pair of choices (by id)."""
    keys = list(ranks)  # only the ranked choices are compared
    return all(
        (scores[a] - scores[b]) * (ranks[a] - ranks[b]) > 0
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
    )


def _ranks_by_choice(choices: Sequence[Choice], partial: bool = False) -> dict[str, int] | None:
    """Each choice's score from its label on a recognised scale (worst 1), or None. The
    label may follow a number ("5 - Very satisfied"). With `partial`, only the labelled
    choices are ranked ("1 - Very satisfied", "2", "3", "4", "5 - Very dissatisfied"),
    for checking the numbers' direction, not for scoring."""
    for labels in (
        [normalise(c.text) for c in choices],
        [(_leading_number(c.text) or (0, ""))[1] for c in choices],
    ):
        labelled = [(c, label) for c, label in zip(choices, labels, strict=True) if label]
        if len(labelled) < (2 if partial else len(choices)):
            continue
        wanted = [label for _, label in labelled]
        if len(set(wanted)) != len(wanted):
            continue
        for scale in RECOGNISED_SCALES:
            if set(wanted) == set(scale) or (partial and set(wanted) <= set(scale)):
                rank = {label: len(scale) - index for index, label in enumerate(scale)}
                return {c.id: rank[label] for c, label in labelled}
    return None


def _distinct_whole(values: Sequence[float | None]) -> bool:
    return all(v is not None and float(v).is_integer() for v in values) and len(set(values)) == len(
        values
    )


def _design_and_numbers(choices: Sequence[Choice]) -> list[tuple[str, dict[str, float]]]:
    """The scores the design gives (weights, quiz scores) and those the choice texts
    lead with, where they tell every choice apart, in that order."""
    found = []
    designed = [c.design_score for c in choices]
    if _distinct_whole(designed):
        found.append(
            (
                "the survey's choice weights",
                dict(zip([c.id for c in choices], designed, strict=True)),
            )
        )
    numbers = [(_leading_number(c.text) or (None, ""))[0] for c in choices]
    if _distinct_whole(numbers):
        found.append(
            (
                "the numbers in the choice texts",
                dict(zip([c.id for c in choices], numbers, strict=True)),
            )
        )
    return found  # type: ignore[return-value]


def _listing(choices: Sequence[Choice], shown: Mapping[str, float] | None = None) -> str:
    parts = []
    for choice in choices:
        text = choice.text.strip() or "(no text)"
        if shown is not None and choice.id in shown:
            parts.append(f'"{text}" = {shown[choice.id]:g}')
        else:
            parts.append(f'"{text}"')
    return ", ".join(parts)


def choice_scores(
    choices: Sequence[Choice],
    question: str,
    source_id: str,
    explicit: Mapping[str, int] | None = None,
) -> dict[str, int | None]:
    """choice id → score (None: not on the scale, such as "N/A"), or SourceError saying
    why the question's scale cannot be read."""
    if not choices:
        raise SourceError(f"{source_id}: question {question} has no choices to score")
    on_scale = [c for c in choices if normalise(c.text) not in NOT_ON_SCALE]
    scores: dict[str, int | None] = {c.id: None for c in choices}
    if explicit:
        by_label = {normalise(label): score for label, score in explicit.items()}
        missing = [c for c in on_scale if normalise(c.text) not in by_label]
        if missing:
            raise SourceError(
                f"{source_id}: choice_scores has no score for {_listing(missing)} "
                f"of question {question}"
            )
        scores.update({c.id: by_label[normalise(c.text)] for c in on_scale})
        return scores
    if not on_scale:
        raise SourceError(
            f"{source_id}: question {question} has no choices on a scale ({_listing(choices)})"
        )

    ranks = _ranks_by_choice(on_scale)
    checked = ranks or _ranks_by_choice(on_scale, partial=True)
    found = _design_and_numbers(on_scale)
    if len(found) == 2 and not _agrees(found[0][1], found[1][1]):
        design, weights = found[0]
        raise SourceError(
            f"{source_id}: question {question}: {design} run against the numbers in the "
            f"choice texts ({_listing(on_scale, weights)}); set choice_scores to say which "
            "answer scores what"
        )
    for what, values in found:
        if checked is not None and not _agrees(values, checked):
            raise SourceError(
                f"{source_id}: question {question}: {what} run against the labels' "
                f"meaning ({_listing(on_scale, values)}); set choice_scores to say "
                "which answer scores what"
            )
        scores.update({c.id: int(values[c.id]) for c in on_scale})
        return scores
    if ranks is not None:
        scores.update(ranks)
        return scores
    raise SourceError(
        f"{source_id}: cannot tell which way question {question}'s scale runs "
        f"({_listing(choices)}); set choice_scores to say which answer scores what"
    )
