"""Text from a source never carries terminal control sequences onward (issue 14 item 5)."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.local_server import LocalServer, Reply
from tui.analysis.insights import insights_from_store
from tui.collect.refresh import refresh_source
from tui.config import validate_config
from tui.metrics.display import HISTORY_PERIODS
from tui.sources import make_client
from tui.store import Store
from tui.views.panels import metric_views
from tui.views.report import markdown_report

NOW = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)
# What a respondent can type into a survey's hidden field: retitle the terminal, then
# wipe it.
HOSTILE = "Sup\x1b]0;owned\x07port\x1b[2J\x9b"


async def test_control_characters_are_stripped_where_records_enter(tmp_path):
    answers = [{"date": "2026-03-02", "score": 9, "team": HOSTILE} for _ in range(6)]
    config = validate_config(
        {
            "sources": [{"id": "s", "kind": "json", "base_url": "http://x", "retries": 0}],
            "metrics": [
                {
                    "id": "enps",
                    "label": "eNPS",
                    "side": "employee",
                    "source": "s",
                    "kind": "nps",
                    "segment_field": "team",
                },
                {"id": "n", "label": "n", "side": "customer", "source": "s", "kind": "count"},
            ],
            "pairs": [{"employee": "enps", "customer": "n"}],
        }
    )
    store = Store(tmp_path / "s.db")
    with LocalServer({"/": lambda r: Reply(body=answers)}) as server:
        source = config.sources[0].model_copy(update={"base_url": server.url})
        async with make_client() as client:
            assert (await refresh_source(config, source, client, store, lambda: NOW, {})).ok
    assert store.segments("enps", "month") == ["Sup]0;ownedport[2J"]
    views = metric_views(
        config,
        lambda metric_id: store.series(metric_id, "month", limit=HISTORY_PERIODS),
        store.source_statuses(),
        NOW,
    )
    report = markdown_report(
        config, views, insights_from_store(config, store, NOW.date()), store.source_statuses(), NOW
    )
    assert "Sup]0;ownedport[2J" in report
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in report)
