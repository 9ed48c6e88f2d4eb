"""Vendors' awkward data, served over local HTTP in each vendor's documented shape, and the
numbers Tandem computes from it checked against hand computations.

Each test names the trap it serves: scales listed best first or unlabelled, rehires and
future-dated leavers, dates that overflow. Where Tandem cannot tell what the data means,
the test checks that it refuses, naming what it could not read.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.local_server import LocalServer, Reply
from tui.config import CsatMetric, MeanMetric
from tui.metrics.compute import compute_metric
from tui.periods import last_periods
from tui.sources import SourceError, fetch_records, make_client
from tui.sources.scales import Choice, choice_scores

TODAY = date(2026, 3, 20)
MARCH = last_periods(TODAY, "month", 1)


async def fetch(source, environ):
    async with make_client() as client:
        return await fetch_records(source, client, environ)


def march(metric, records, segment: str = ""):
    result = compute_metric(metric, records, MARCH, TODAY)
    return next((o.value, o.n) for o in result.observations if o.segment == segment)


# ── Scales: never read from the order the choices are shown in ───────────

SATISFACTION = [
    "Very satisfied",
    "Satisfied",
    "Neither satisfied nor dissatisfied",
    "Dissatisfied",
    "Very dissatisfied",
]
# The answers chosen, by choice index into the question's choices, and one N/A.
CHOSEN = [0, 0, 1, 1, 1, 2, 3, 4, 0, 5]


def sm_source(base_url: str, **extra):
    from tui.config import SurveyMonkeySource

    return SurveyMonkeySource(
        id="csat",
        kind="surveymonkey",
        survey_id="900",
        question_id="77",
        token_env="SM_TOKEN",
        base_url=base_url,
        backoff_seconds=0,
        **extra,
    )


def sm_server(choices: list[dict], picks: list[int] = CHOSEN) -> LocalServer:
    """A SurveyMonkey survey whose question 77 has `choices`; responses pick `picks`."""
    details = {
        "id": "900",
        "pages": [
            {
                "id": "p1",
                "questions": [
                    {
                        "id": "77",
                        "family": "single_choice",
                        "subtype": "vertical",
                        "headings": [{"heading": "How satisfied were you with <b>support</b>?"}],
                        "answers": {"choices": choices},
                    }
                ],
            }
        ],
    }
    responses = [
        {
            "id": f"R{i}",
            "collector_id": "C1",
            "response_status": "completed",
            "date_created": f"2026-03-{i + 2:02d}T10:00:00+00:00",
            "custom_variables": {},
            "pages": [
                {
                    "id": "p1",
                    "questions": [{"id": "77", "answers": [{"choice_id": choices[pick]["id"]}]}],
                }
            ],
        }
        for i, pick in enumerate(picks)
        if pick < len(choices)
    ]
    return LocalServer(
        {
            "/v3/surveys/900/details": lambda r: Reply(body=details),
            "/v3/surveys/900/responses/bulk": lambda r: Reply(
                body={"data": responses, "page": 1, "per_page": 100, "links": {}}
            ),
        }
    )


def sm_choices(texts, **per_choice) -> list[dict]:
    return [
        {"id": f"c{i}", "text": text, "position": i + 1, "visible": True}
        | {key: values[i] for key, values in per_choice.items()}
        for i, text in enumerate(texts)
    ]


CSAT = CsatMetric(
    id="csat",
    label="CSAT",
    side="customer",
    source="csat",
    kind="csat",
    date_field="submitted_at",
)
MEAN = MeanMetric(
    id="mean",
    label="mean",
    side="customer",
    source="csat",
    kind="mean",
    date_field="submitted_at",
    scale_min=1,
    scale_max=5,
)


@pytest.mark.parametrize("order", ["best first", "worst first"])
async def test_surveymonkey_satisfaction_labels_score_by_meaning_in_either_order(order):
    texts, picks = [*SATISFACTION, "N/A"], CHOSEN
    if order == "worst first":  # the same answers, shown the other way round
        texts = [*reversed(SATISFACTION), "N/A"]
        picks = [4 - pick if pick < 5 else pick for pick in CHOSEN]
    with sm_server(sm_choices(texts), picks) as server:
        result = await fetch(sm_source(f"{server.url}/v3"), {"SM_TOKEN": "t"})
    # By hand: very satisfied ×3 (5), satisfied ×3 (4), neither (3), dissatisfied (2),
    # very dissatisfied (1), and one N/A left out: top-2-box 6 of 9, mean 33 / 9.
    assert result.skipped == {"chose an answer off the scale (such as N/A)": 1}
    value, n = march(CSAT, result.records)
    assert (n, value) == (9, pytest.approx(100 * 6 / 9))
    assert march(MEAN, result.records) == (pytest.approx(33 / 9), 9)


async def test_surveymonkey_rating_weights_are_the_design_and_checked_against_labels():
    weights = {"weight": [5, 4, 3, 2, 1]}
    with sm_server(sm_choices(SATISFACTION, **weights)) as server:
        result = await fetch(sm_source(f"{server.url}/v3"), {"SM_TOKEN": "t"})
    assert march(CSAT, result.records) == (pytest.approx(100 * 6 / 9), 9)

    # Weights ascending from the left (SurveyMonkey's default) under labels that say the
    # opposite: the source is refused, naming the question and every choice.
    backwards = {"weight": [1, 2, 3, 4, 5]}
    with sm_server(sm_choices(SATISFACTION, **backwards)) as server:
        with pytest.raises(SourceError) as caught:
            await fetch(sm_source(f"{server.url}/v3"), {"SM_TOKEN": "t"})
    message = str(caught.value)
    assert 'question 77 ("How satisfied were you with support ?")' in message
    assert '"Very satisfied" = 1' in message and '"Very dissatisfied" = 5' in message
    assert "choice_scores" in message


async def test_surveymonkey_star_rating_with_no_text_scores_by_its_weights():
    with sm_server(sm_choices([""] * 5, weight=[1, 2, 3, 4, 5])) as server:
        result = await fetch(sm_source(f"{server.url}/v3"), {"SM_TOKEN": "t"})
    # Picks c0 ×3, c1 ×3, c2, c3, c4 (the tenth answer has no sixth choice).
    assert march(MEAN, result.records) == (pytest.approx((3 + 6 + 3 + 4 + 5) / 9), 9)


async def test_an_unlabelled_scale_is_refused_and_choice_scores_settles_it():
    texts = ["Great", "Fine", "So-so", "Poorly", "Awful"]
    with sm_server(sm_choices(texts)) as server:
        with pytest.raises(SourceError) as caught:
            await fetch(sm_source(f"{server.url}/v3"), {"SM_TOKEN": "t"})
        assert "cannot tell which way question 77" in str(caught.value)
        assert '"Great", "Fine", "So-so", "Poorly", "Awful"' in str(caught.value)
        mapping = {"Great": 5, "Fine": 4, "So-so": 3, "Poorly": 2, "Awful": 1}
        source = sm_source(f"{server.url}/v3", choice_scores=mapping)
        result = await fetch(source, {"SM_TOKEN": "t"})
    assert march(CSAT, result.records) == (pytest.approx(100 * 6 / 9), 9)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ([str(i) for i in range(11)], list(range(11))),
        (["5 - Very satisfied", "4", "3", "2", "1 - Very dissatisfied"], [5, 4, 3, 2, 1]),
        (["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"], [1, 2, 3, 4, 5]),
        (
            [
                "Extremely likely",
                "Very likely",
                "Somewhat likely",
                "Not so likely",
                "Not at all likely",
            ],
            [5, 4, 3, 2, 1],
        ),
        (["Excellent", "Very good", "Good", "Fair", "Poor", "Don't know"], [5, 4, 3, 2, 1, None]),
    ],
)
def test_recognised_scales(texts, expected):
    choices = [Choice(str(i), text) for i, text in enumerate(texts)]
    assert list(choice_scores(choices, "Q", "s").values()) == expected


@pytest.mark.parametrize(
    "texts",
    [
        ["1 - Very satisfied", "2", "3", "4", "5 - Very dissatisfied"],  # numbers against labels
        ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied"],  # not a whole scale
        ["Yes", "No"],
    ],
)
def test_scales_that_cannot_be_read_are_refused(texts):
    choices = [Choice(str(i), text) for i, text in enumerate(texts)]
    with pytest.raises(SourceError):
        choice_scores(choices, "Q", "s")
