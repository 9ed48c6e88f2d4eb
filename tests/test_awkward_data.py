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
    from tui.sources.surveymonkey import SurveyMonkeySource

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


# ── Employment is a list of spells: rehires, future leavers, contradictions ──

WORKDAY_ROWS = [
    {"Employee_ID": "W1", "Hire_Date": "2020-01-01"},
    {"Employee_ID": "W2", "Hire_Date": "2021-05-01"},
    {"Employee_ID": "W3", "Hire_Date": "2019-03-01", "Termination_Date": "2026-02-10"},
    # Rehired in March; the row keeps the February termination of the first employment.
    {
        "Employee_ID": "W4",
        "Original_Hire_Date": "2018-01-01",
        "Hire_Date": "2026-03-02",
        "Termination_Date": "2026-02-15",
    },
    # Rehired in January, with no original hire date in the report.
    {"Employee_ID": "W5", "Hire_Date": "2026-01-05", "Termination_Date": "2025-11-20"},
    # Leaves at the end of April: still employed today.
    {"Employee_ID": "W6", "Hire_Date": "2022-01-01", "Termination_Date": "2026-04-30"},
    # Contradictory: first hired after the termination that ended that employment.
    {
        "Employee_ID": "W7",
        "Original_Hire_Date": "2026-03-01",
        "Hire_Date": "2026-03-10",
        "Termination_Date": "2026-02-01",
    },
    {"Employee_ID": "W8", "Hire_Date": "2023-06-01-07:00"},  # a date with its offset
    {"Employee_ID": "W9", "Hire_Date": "2024-02-01", "Termination_Date": "2025-12-31"},
]


def hr_metric(kind: str, **extra):
    from pydantic import TypeAdapter

    from tui.config import Metric

    return TypeAdapter(Metric).validate_python(
        {"id": kind, "label": kind, "side": "employee", "source": "hr", "kind": kind, **extra}
    )


def by_month(metric, records, months: int = 6):
    result = compute_metric(metric, records, last_periods(TODAY, "month", months), TODAY)
    return {o.period.key: o.value for o in result.observations if o.segment == ""}, result


async def test_workday_rehires_are_two_spells_and_count_in_headcount_and_turnover():
    from tui.sources.workday import WorkdaySource

    with LocalServer({"/report": lambda r: Reply(body={"Report_Entry": WORKDAY_ROWS})}) as server:
        source = WorkdaySource(
            id="hr",
            kind="workday",
            report_url=f"{server.url}/report",
            username_env="WD_USER",
            password_env="WD_PASSWORD",
            backoff_seconds=0,
        )
        fetched = await fetch(source, {"WD_USER": "isu", "WD_PASSWORD": "pw"})
    assert [r["spell_id"] for r in fetched.records if r["employee_id"] in ("W4", "W5")] == [
        "W4/1",
        "W4/2",
        "W5/1",
        "W5/2",
    ]
    # Headcount today (20 March): W1, W2, W4 (back since 2 March), W5 (back since
    # January), W6 (leaves in April), W8 = 6; W7 is rejected and counted, never silent.
    headcount, result = by_month(hr_metric("headcount"), fetched.records)
    assert headcount["2026-03"] == 6
    assert result.rejected == {"end date is before start date": 1}
    # February: leavers W3 and W4's first employment = 2. Employed on 31 January: W1,
    # W2, W3, W4, W5, W6, W8 = 7; on 28 February: W1, W2, W5, W6, W8 = 5. 2 ÷ 6.
    turnover, _ = by_month(hr_metric("turnover"), fetched.records)
    assert turnover["2026-02"] == pytest.approx(100 * 2 / 6)
    # November: W5's first employment ended (its start unknown: employed before).
    # Employed on 31 October: W1, W2, W3, W4, W5, W6, W8, W9 = 8; on 30 November 7.
    assert turnover["2025-11"] == pytest.approx(100 / 7.5)
    # No leaver on record before 20 November 2025: October cannot be told from a month
    # whose leavers the system no longer holds, so it has no value, not 0.
    assert turnover["2025-10"] is None
    hires, _ = by_month(hr_metric("hires"), fetched.records)
    separations, _ = by_month(hr_metric("separations"), fetched.records)
    assert hires == {
        "2025-10": None,
        "2025-11": 0,
        "2025-12": 0,
        "2026-01": 1,
        "2026-02": 0,
        "2026-03": 1,
    }
    assert separations == {
        "2025-10": None,
        "2025-11": 1,
        "2025-12": 1,
        "2026-01": 0,
        "2026-02": 2,
        "2026-03": 0,
    }
    # Told that the system keeps every leaver since 2025, October is a real 0.
    told, _ = by_month(hr_metric("turnover", leavers_since="2025-01-01"), fetched.records)
    assert told["2025-10"] == 0


# The same three people in each HR vendor's own shape: A stays; B left in February
# and was rehired in March (the row keeps the February termination); C left in
# February and stayed away. On 31 January A, B, C = 3; on 28 February A = 1; two
# leavers ÷ 2 = 100 % February turnover. Today (20 March) A and B: headcount 2.
REHIRE_PEOPLE = [
    ("A", "2019-01-07", None, None),
    ("B", "2026-03-02", "2026-02-13", "2018-04-03"),
    ("C", "2020-09-01", "2026-02-20", None),
]


def bamboohr_body(request):
    import json

    fields = json.loads(request.body)["fields"]
    employees = [
        {
            "id": person,
            "hireDate": hired,
            # BambooHR's empty date (community code; the docs show none).
            "terminationDate": left or "0000-00-00",
            "originalHireDate": original or "0000-00-00",
            "department": "Support",
        }
        for person, hired, left, original in REHIRE_PEOPLE
    ]
    return Reply(
        body={
            "title": "t",
            "fields": [{"id": f} for f in fields],
            "employees": [
                {k: v for k, v in e.items() if k in fields or k == "id"} for e in employees
            ],
        }
    )


def personio_body(request):
    def attribute(value):
        return {"label": "x", "value": value, "type": "date"}

    data = [
        {
            "type": "Employee",
            "attributes": {
                "id": {"label": "ID", "value": number, "type": "integer"},
                "status": attribute("active"),
                # Personio's local midnight with its offset: the date part is the day.
                "hire_date": attribute(f"{hired}T00:00:00+01:00"),
                "termination_date": attribute(f"{left}T00:00:00+01:00" if left else None),
            },
        }
        for number, (_, hired, left, _) in enumerate(REHIRE_PEOPLE)
    ]
    if request.path.endswith("/auth"):
        return Reply(body={"success": True, "data": {"token": "papi-1"}})
    return Reply(
        body={
            "success": True,
            "metadata": {"total_elements": 3, "current_page": 0, "total_pages": 1},
            "data": data,
        }
    )


def hibob_body(request):
    return Reply(
        body={
            "employees": [
                {
                    "/root/id": {"value": person},
                    "/work/startDate": {"value": hired},
                    "/internal/terminationDate": {"value": left},
                }
                for person, hired, left, _ in REHIRE_PEOPLE
            ]
        }
    )


@pytest.mark.parametrize("kind", ["bamboohr", "personio", "hibob"])
async def test_rehires_count_as_two_spells_for_every_hr_kind(kind):
    from pydantic import TypeAdapter

    from tui.sources.kinds import Source

    routes = {
        "bamboohr": {"/api/v1/reports/custom": bamboohr_body},
        "personio": {"/v1/auth": personio_body, "/v1/company/employees": personio_body},
        "hibob": {"/v1/people/search": hibob_body},
    }[kind]
    with LocalServer(routes) as server:
        settings = {
            "bamboohr": {"base_url": f"{server.url}/api/v1"},
            "personio": {
                "base_url": f"{server.url}/v1",
                "client_id_env": "ID",
                "client_secret_env": "SECRET",
            },
            "hibob": {
                "base_url": f"{server.url}/v1",
                "service_user_env": "ID",
                "token_env": "SECRET",
            },
        }[kind]
        source = TypeAdapter(Source).validate_python(
            {"id": "hr", "kind": kind, "backoff_seconds": 0, **settings}
        )
        fetched = await fetch(source, {"BAMBOOHR_API_KEY": "k", "ID": "i", "SECRET": "s"})
    assert len(fetched.records) == 4  # B is two spells
    turnover, _ = by_month(hr_metric("turnover"), fetched.records)
    headcount, _ = by_month(hr_metric("headcount"), fetched.records)
    assert turnover["2026-02"] == pytest.approx(100 * 2 / 2)
    assert headcount["2026-03"] == 2
    if kind == "bamboohr":  # BambooHR gives the original hire date: B's first spell starts there
        assert fetched.records[1]["hire_date"] == "2018-04-03"


# ── Qualtrics: recode values checked against the answers' labels ─────────

# Qualtrics numbers a scale's choices from the top by default: here 1 is "Extremely
# satisfied". Answers: extremely satisfied ×2, somewhat satisfied, neither, extremely
# dissatisfied, and one unfinished (counted out).
QUALTRICS_LABELS = {
    1: "Extremely satisfied",
    2: "Somewhat satisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Somewhat dissatisfied",
    5: "Extremely dissatisfied",
}


def qualtrics_server(recode: dict[int, str]) -> LocalServer:
    import json

    label_of = {label: value for value, label in recode.items()}
    picks = [
        "Extremely satisfied",
        "Extremely satisfied",
        "Somewhat satisfied",
        "Neither satisfied nor dissatisfied",
        "Extremely dissatisfied",
        "Somewhat satisfied",
    ]
    responses = [
        {
            "responseId": f"R_{i}",
            "values": {
                "recordedDate": f"2026-03-{i + 2:02d}T10:00:00Z",
                "status": 0,
                "finished": 0 if i == 5 else 1,
                "QID7": label_of[label],
            },
            "labels": {"QID7": label, "finished": "True"},
        }
        for i, label in enumerate(picks)
    ]
    base = "/API/v3/surveys/SV_1/export-responses"

    def envelope(result):
        return Reply(body={"result": result, "meta": {"httpStatus": "200 - OK"}})

    return LocalServer(
        {
            base: lambda r: envelope({"progressId": "ES_1", "status": "inProgress"}),
            f"{base}/ES_1": lambda r: envelope({"status": "complete", "fileId": "F_1"}),
            f"{base}/F_1/file": lambda r: Reply(raw=json.dumps({"responses": responses}).encode()),
        }
    )


def qualtrics_source(url: str, **extra):
    from tui.sources.qualtrics import QualtricsSource

    return QualtricsSource(
        id="csat",
        kind="qualtrics",
        base_url=f"{url}/API/v3",
        survey_id="SV_1",
        question_id="QID7",
        token_env="QT",
        poll_seconds=0,
        backoff_seconds=0,
        **extra,
    )


async def test_qualtrics_recode_values_that_run_against_their_labels_are_refused():
    with qualtrics_server(QUALTRICS_LABELS) as server:
        with pytest.raises(SourceError) as caught:
            await fetch(qualtrics_source(server.url), {"QT": "t"})
        assert "run against the labels' meaning" in str(caught.value)
        assert '"Extremely satisfied" = 1' in str(caught.value)
        scores = {label: 6 - value for value, label in QUALTRICS_LABELS.items()}
        fixed = await fetch(qualtrics_source(server.url, choice_scores=scores), {"QT": "t"})
    # By hand: 5, 5, 4, 3, 1 (the unfinished one counted out): top-2-box 3 of 5.
    assert fixed.skipped == {"not finished": 1}
    assert march(CSAT.model_copy(update={"date_field": "recorded_at"}), fixed.records) == (
        pytest.approx(60.0),
        5,
    )


async def test_qualtrics_recode_values_that_follow_their_labels_are_used():
    bottom_up = {6 - value: label for value, label in QUALTRICS_LABELS.items()}
    with qualtrics_server(bottom_up) as server:
        result = await fetch(qualtrics_source(server.url), {"QT": "t"})
    assert sorted(r["score"] for r in result.records) == [1, 3, 4, 5, 5]


# ── One bad record never fails a source ──────────────────────────────────


async def test_overflowing_dates_are_skipped_and_counted_never_fatal(tmp_path):
    from datetime import datetime, timezone

    from tui.collect.refresh import refresh_source
    from tui.config import validate_config
    from tui.store import Store

    answers = [
        {"id": 1, "date": "2026-03-02", "score": 9},
        {"id": 2, "date": 1e20, "score": 9},
        {"id": 3, "date": "9999-12-31", "score": 9},
        {"id": 4, "date": "0001-01-01T00:00:00+05:00", "score": 9},
        {"id": 5, "date": 1772409600, "score": 3},  # Unix seconds: 2 March 2026
        {"id": 6, "date": "2026-03-05T23:30:00-02:00", "score": 10},  # 6 March in UTC
    ]

    def config(url, date_format):
        return validate_config(
            {
                "sources": [{"id": "s", "kind": "json", "base_url": url, "retries": 0}],
                "metrics": [
                    {
                        "id": "nps",
                        "label": "NPS",
                        "side": "customer",
                        "source": "s",
                        "kind": "nps",
                        "date_format": date_format,
                    },
                    {"id": "n", "label": "n", "side": "employee", "source": "s", "kind": "count"},
                ],
                "pairs": [{"employee": "n", "customer": "nps"}],
            }
        )

    now = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)
    store = Store(tmp_path / "s.db")
    with LocalServer({"/": lambda r: Reply(body=answers)}) as server:
        async with make_client() as client:
            iso = config(server.url, "iso")
            outcome = await refresh_source(iso, iso.sources[0], client, store, lambda: now, {})
            assert outcome.ok
            assert outcome.rejected == {
                f"{metric}: {reason}": count
                for metric in ("nps", "n")
                for reason, count in (
                    ("date 9999-12-31 is outside 1900–2999", 1),
                    ("date 0001-01-01T00:00:00+05:00 is out of range in UTC", 1),
                    ("date is a number: set date_format to unix_seconds or unix_milliseconds", 2),
                )
            }
            [march_nps] = store.series("nps", "month", limit=1)
            assert (march_nps.value, march_nps.n) == (100.0, 2)  # answers 1 and 6
            seconds = config(server.url, "unix_seconds")
            nps = seconds.metrics[0]
            fetched = await fetch_records(seconds.sources[0], client, {})
    # Read as Unix seconds, 1e20 overflows (skipped); answer 5 counts, ISO strings do not.
    result = compute_metric(nps, fetched.records, MARCH, TODAY)
    assert result.rejected["date 1e+20 is out of range"] == 1
    assert next(o for o in result.observations if o.segment == "").n == 1
    millis = nps.model_copy(update={"date_format": "unix_milliseconds"})
    as_millis = [{"date": 1772409600000, "score": 9}]
    assert compute_metric(millis, as_millis, MARCH, TODAY).observations[0].n == 1


async def test_typeform_worded_choices_need_choice_scores():
    from tui.sources.typeform import TypeformSource

    labels = ["Very satisfied", "Satisfied", "Dissatisfied", "Very satisfied"]
    items = [
        {
            "response_id": f"T{i}",
            "token": f"T{i}",
            "submitted_at": f"2026-03-{i + 2:02d}T10:00:00Z",
            "answers": [
                {"field": {"id": "f1", "ref": "csat"}, "type": "choice", "choice": {"label": label}}
            ],
        }
        for i, label in enumerate(labels)
    ]
    with LocalServer(
        {"/forms/F1/responses": lambda r: Reply(body={"items": items, "total_items": 4})}
    ) as server:

        def source(**extra):
            return TypeformSource(
                id="csat",
                kind="typeform",
                form_id="F1",
                field="csat",
                token_env="TF",
                base_url=server.url,
                backoff_seconds=0,
                **extra,
            )

        refused = await fetch(source(), {"TF": "t"})
        scores = {"Very satisfied": 5, "Satisfied": 4, "Dissatisfied": 2}
        scored = await fetch(source(choice_scores=scores), {"TF": "t"})
    assert refused.records == [] and sum(refused.skipped.values()) == 4
    assert "choice_scores" in next(iter(refused.skipped))
    # By hand: 5, 4, 2, 5 → top-2-box 3 of 4.
    assert march(CSAT, scored.records) == (pytest.approx(75.0), 4)


# ── Pages that shift, respondents without a name, timestamps with and without offsets ──


async def test_surveymonkey_duplicates_anonymous_respondents_and_offsets():
    choices = sm_choices([str(i) for i in range(11)])

    def response(rid, score, created, variables=None):
        item = {
            "id": rid,
            "collector_id": "C1",
            "response_status": "completed",
            "date_created": created,
            "pages": [
                {"id": "p1", "questions": [{"id": "77", "answers": [{"choice_id": f"c{score}"}]}]}
            ],
        }
        if variables is not None:
            item["custom_variables"] = variables
        return item

    page_one = [
        response("R1", 10, "2026-03-02T10:00:00+00:00", {"team": "Support"}),
        # An anonymous collector: no custom variables at all (counts overall, no team).
        response("R2", 3, "2026-03-03T10:00:00+00:00"),
        # Naive: taken as UTC, so still 31 March.
        response("R3", 9, "2026-03-31T23:30:00"),
    ]
    page_two = [
        page_one[2],  # shifted onto the next page while pages were read: counted once
        # 02:00 on 1 April at +05:00 is 21:00 on 31 March in UTC: March.
        response("R4", 6, "2026-04-01T02:00:00+05:00", {"team": "Support"}),
        # 23:00 on 31 March at -02:00 is 01:00 on 1 April in UTC: not March.
        response("R5", 10, "2026-03-31T23:00:00-02:00", {"team": "Support"}),
    ]
    details = {"pages": [{"questions": [{"id": "77", "answers": {"choices": choices}}]}]}

    def bulk(request):
        if request.query.get("page") == "2":
            return Reply(body={"data": page_two, "links": {}})
        nxt = "/v3/surveys/900/responses/bulk?page=2"
        return Reply(body={"data": page_one, "links": {"next": nxt}})

    with LocalServer(
        {
            "/v3/surveys/900/details": lambda r: Reply(body=details),
            "/v3/surveys/900/responses/bulk": bulk,
        }
    ) as server:
        result = await fetch(sm_source(f"{server.url}/v3"), {"SM_TOKEN": "t"})
    from tui.config import NpsMetric

    nps = NpsMetric(
        id="nps",
        label="NPS",
        side="customer",
        source="csat",
        kind="nps",
        date_field="submitted_at",
        segment_field="team",
    )
    assert result.skipped == {"duplicate response": 1}
    # March, by hand: R1 10, R2 3, R3 9, R4 6 → promoters 2, detractors 2 → 0, n 4.
    assert march(nps, result.records) == (0.0, 4)
    # Support in March: R1 10, R4 6 → 0, n 2 (R5 fell in April).
    assert march(nps, result.records, "Support") == (0.0, 2)


async def test_a_next_link_or_cursor_that_loops_is_caught_at_its_first_repeat():
    from tui.sources.json_api import JsonSource

    with LocalServer(
        {
            "/loop": lambda r: Reply(body={"items": [{"n": 1}], "next": "same"}),
            "/v3/surveys/900/details": lambda r: Reply(
                body={
                    "pages": [
                        {
                            "questions": [
                                {"id": "77", "answers": {"choices": sm_choices(["1", "2"])}}
                            ]
                        }
                    ]
                }
            ),
            "/v3/surveys/900/responses/bulk": lambda r: Reply(
                body={"data": [], "links": {"next": "/v3/surveys/900/responses/bulk?page=1"}}
            ),
        }
    ) as server:
        cursor = JsonSource(
            id="loop",
            kind="json",
            base_url=server.url,
            path="loop",
            records={"path": "items"},
            pagination={"style": "cursor", "next_cursor_path": "next"},
        )
        with pytest.raises(SourceError, match="page 3 is a page already read"):
            await fetch(cursor, {})
        # A next link to itself: followed once (it differs from the first request's
        # query), refused at its first repeat.
        with pytest.raises(SourceError, match="page 3 is a page already read"):
            await fetch(sm_source(f"{server.url}/v3"), {"SM_TOKEN": "t"})
        # cursor=same twice is the loop: the first page, then one with the cursor.
        assert len([r for r in server.requests if r.path == "/loop"]) == 2


async def test_a_file_source_that_is_a_fifo_is_refused_not_read_for_ever(tmp_path):
    import os

    from tui.sources.files import FileSource

    fifo = tmp_path / "pulse.csv"
    os.mkfifo(fifo)
    source = FileSource(id="pulse", kind="file", path=str(fifo))
    with pytest.raises(SourceError, match=f"pulse: {fifo} is not a regular file"):
        await fetch(source, {})


# Read a row at a time, two (a slice of long rows, taken out by field, beside one with a
# short row, read row by row) and all in one slice.
@pytest.mark.parametrize("slice_rows", [1, 2, 100_000])
async def test_a_csv_file_read_by_its_columns_gives_what_dictreader_gives(
    tmp_path, monkeypatch, slice_rows
):
    import csv

    from tui.sources import files
    from tui.sources.files import FileSource

    monkeypatch.setattr(files, "_SLICE", slice_rows)

    # A byte-order mark, a repeated header name, a quoted field with a comma and a line
    # break, a short row, a long row and blank lines.
    text = (
        "\ufeffid,date,team,score,team\n"
        '1,2026-05-04,Support,9,"Sales, EMEA"\n'
        "\n"
        '2,2026-05-05,"Field\nOps",10\n'
        "3,2026-05-06\n"
        "4,2026-05-07,Legal,7,Ops,extra,more\n"
        "\n"
    )
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    columns = {"at": "date", "group": "team", "score": "score", "number": "id"}
    source = FileSource(id="pulse", kind="file", path=str(path), columns=columns)
    result = await fetch(source, {})
    assert result.columns is not None and result.records == []  # no dict a record
    records = list(result.received)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        expected = [
            {field: row.get(column) for field, column in columns.items()}
            for row in csv.DictReader(handle)
        ]
    assert records == expected
    assert [r["group"] for r in records] == ["Sales, EMEA", None, None, "Ops"]
    assert records[1]["group"] is None and records[2]["score"] is None


async def test_a_file_with_no_secret_still_has_its_control_characters_stripped(tmp_path):
    from tui.sources.files import FileSource

    path = tmp_path / "answers.csv"
    path.write_text("date,team,score\n2026-05-04,\x1b]0;pwned\x07Support\x1b[2J,9\n")
    source = FileSource(
        id="pulse", kind="file", path=str(path), columns={"team": "team", "score": "score"}
    )
    [record] = (await fetch(source, {})).received
    assert record == {"team": "]0;pwnedSupport[2J", "score": "9"}


async def test_a_csv_file_of_one_column_or_no_rows_reads_as_dictreader_does(tmp_path):
    from tui.sources.files import FileSource

    path = tmp_path / "answers.csv"
    path.write_text("date,team\n2026-05-04,Support\n2026-05-05\n\n2026-05-06,Sales\n")
    source = FileSource(id="pulse", kind="file", path=str(path), columns={"group": "team"})
    result = await fetch(source, {})
    assert list(result.received) == [{"group": "Support"}, {"group": None}, {"group": "Sales"}]
    path.write_text("date,team\n")
    assert list((await fetch(source, {})).received) == []


async def test_a_secret_in_a_csv_column_is_blanked_and_the_rest_kept(tmp_path):
    from tui.sources.base import Columns, FetchResult
    from tui.sources.kinds import clean_text

    columns = Columns({"team": ["Support", "key-1234 leaked", None], "n": [1, 2, 3]}, 3)
    result = FetchResult("pulse", [], columns=columns)
    clean_text(result, ["key-1234"])
    assert list(result.received) == [
        {"team": "Support", "n": 1},
        {"team": "••• leaked", "n": 2},
        {"team": None, "n": 3},
    ]


async def test_a_secret_in_a_packed_column_is_blanked_too():
    from tui.sources.base import ColumnsBuilder, FetchResult, PackedTexts
    from tui.sources.kinds import clean_text

    builder = ColumnsBuilder(["ref"])
    builder.SHARED_AT_MOST = 1  # type: ignore[misc]
    builder.add_columns({"ref": ["ab-key-1234-x", "cd-none-here-", "ef\x1b[2Jwiped!!"]})
    result = FetchResult("pulse", [], columns=builder.build())
    assert isinstance(result.columns.column("ref"), PackedTexts)  # type: ignore[union-attr]
    clean_text(result, ["key-1234"])
    assert [record["ref"] for record in result.received] == [
        "ab-•••-x",
        "cd-none-here-",
        "ef[2Jwiped!!",
    ]


def test_a_column_is_printable_exactly_when_each_of_its_texts_is():
    from tui.sources.base import PackedTexts
    from tui.sources.kinds import _all_printable_text

    # Every character of the first 256 (ASCII is checked as bytes, the rest by Python),
    # packed where it can be, and a column that is not all text.
    for code in range(256):
        values = ["Support", f"Fie{chr(code)}Ops"]
        printable = all(v.isprintable() for v in values)
        assert _all_printable_text(values) == printable, code
        if code < 128:
            packed = PackedTexts("".join(values).encode("ascii"), 7)
            assert _all_printable_text(packed) == printable, code
    assert _all_printable_text(["Zürich", "Lyon"])
    assert not _all_printable_text(["Zürich", "Ly\u2028on"])
    assert not _all_printable_text(["Support", None])


def test_each_persons_record_is_read_once_for_every_granularity(monkeypatch):
    from tui.metrics import compute

    read = []
    tenure_of = compute._tenure_of

    def counted(metric, record):  # type: ignore[no-untyped-def]
        read.append(record["employee_id"])
        return tenure_of(metric, record)

    monkeypatch.setattr(compute, "_tenure_of", counted)
    records = [
        {"employee_id": "A", "hire_date": "2024-01-08", "termination_date": None},
        {"employee_id": "B", "hire_date": "2024-02-01", "termination_date": "2026-02-27"},
    ]
    windows = [last_periods(TODAY, g, 6) for g in ("week", "month", "quarter")]
    metric = hr_metric("turnover", leavers_since="2025-01-01")
    results = compute.compute_metric_each(metric, records, windows, TODAY)
    assert read == ["A", "B"] and [r.used for r in results] == [2, 2, 2]
    # The same figures as each granularity computed on its own.
    for periods, result in zip(windows, results, strict=True):
        assert result.observations == compute_metric(metric, records, periods, TODAY).observations
