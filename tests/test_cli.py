"""The command line, run as a user runs it: a subprocess against real HTTP servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import DEMO_TODAY
from tests.hand_computed import demo_current_values, demo_function_scores
from tests.local_server import refusing_url
from tui import __version__
from tui.cli import find_config
from tui.demo import bundled_demo_config
from tui.demo.server import DemoServer

ROOT = Path(__file__).resolve().parents[1]


def tandem(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def utc_today():
    return datetime.now(timezone.utc).date()


def test_snapshot_json_of_the_demo_matches_hand_computed_values(tmp_path):
    # Pinned mid-month: on the 1st the pulse survey has no answers yet and the panel
    # rightly shows last month, which this hand computation does not follow.
    today = DEMO_TODAY
    result = tandem(
        "snapshot", "--json", "--store", str(tmp_path / "s.db"), "--as-of", today.isoformat()
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["demo_data"] is True
    assert all(source["ok"] for source in document["sources"])
    expected = demo_current_values(today)
    metrics = {m["id"]: m for m in document["metrics"]}
    assert set(metrics) == set(expected)
    for metric_id, (value, n) in expected.items():
        current = metrics[metric_id]["current"]
        # Employee values show the last closed month; the running one is hidden.
        month = "2026-06" if metrics[metric_id]["side"] == "customer" else "2026-05"
        assert current["period"] == month, metric_id
        assert current["value"] == pytest.approx(value), metric_id
        assert current["n"] == n, metric_id
        assert len(metrics[metric_id]["history"]) == 12
    pages = {s["id"]: s["pages"] for s in document["sources"]}
    assert all(count > 1 for count in pages.values())  # every demo API was paged through
    # Linkage for every pair and segment; the demo's planted Support lead is found.
    links = {(k["pair"], k["segment"]): k for k in document["linkage"]}
    assert len(links) == len(document["pairs"]) * 5  # the organisation and four teams
    assert [p["id"] for p in document["pairs"]] == ["enps-nps", "engagement-csat", "turnover-churn"]
    support = links[("enps-nps", "Support")]
    assert support["linked"] and support["lag"] == 2 and support["lag_unit"] == "month"
    assert len(support["by_lag"]) == 7 and support["ci"][0] < support["r"] < support["ci"][1]
    assert support["ci_level"] == 0.9 and support["verdict"] == "leads"
    assert support["sentence"].startswith(
        "Support: a rise in eNPS is followed about 2 months later by a rise in NPS"
    )
    assert not links[("enps-nps", "Field Ops")]["linked"]
    # Each function's internal service score of May, as computed by hand from the ratings.
    internal = document["internal"]
    by_hand = demo_function_scores(today)
    assert [f["name"] for f in internal["functions"]] == ["IT", "HR", "Facilities"]
    for function in internal["functions"]:
        value, n = by_hand[function["name"]]
        assert function["period"] == "2026-05" and function["n"] == n
        assert function["value"] == pytest.approx(value, abs=1e-4)
    it = internal["functions"][0]
    assert it["service_to_people"]["verdict"] == "leads" and it["service_to_people"]["lag"] == 2
    assert it["history"][-1]["period"] == "2026-05"  # closed periods only
    for warning in document["warnings"]:
        assert warning["reason"] in ("crossed_threshold", "dropped", "sustained")
        assert warning["z"] >= 2.33 and warning["sentence"]


def test_report_writes_paired_values_warnings_and_linkage_in_markdown(tmp_path):
    output = tmp_path / "board.md"
    result = tandem(
        "report", "--format", "markdown", "--output", str(output), "--store", str(tmp_path / "s.db")
    )
    assert result.returncode == 0, result.stderr
    assert str(output) in result.stderr
    text = output.read_text()
    assert text.startswith("# Northwind Demo Co.: employee and customer health\n")
    assert "**DEMO DATA**" in text
    table = [line for line in text.splitlines() if line.startswith("| eNPS |")]
    assert len(table) == 1 and "| NPS |" in table[0]
    for heading in (
        "## Paired indicators",
        "## Early warnings",
        "## Does employee health lead customer health?",
        "### eNPS and NPS",
        "## Both, not either: the balance",
        "## Internal customers: service → people → customers",
    ):
        assert f"\n{heading}\n" in text
    assert (
        "\n- Support: a rise in eNPS is followed about 2 months later by a rise in NPS — r 0."
        in text
    )
    assert "\n- Field Ops: can't tell yet whether eNPS leads NPS — " in text
    # The same sentences as the JSON snapshot, from the same computation.
    snapshot = json.loads(tandem("snapshot", "--json", "--store", str(tmp_path / "s.db")).stdout)
    for link in snapshot["linkage"]:
        assert f"- {link['sentence']}" in text
    for function in snapshot["internal"]["functions"]:
        for link in ("service_to_people", "people_to_customers"):
            assert f"- {function[link]['sentence']}" in text
        score = f"{function['value']:.0f}"
        assert f"| {function['name']} | {'0' if score == '-0' else score} |" in text


def _config_for(url: str, extra_source: str = "") -> str:
    demo_text = bundled_demo_config().read_text()
    return demo_text.replace("demo = true", "demo = false").replace("{demo}", url) + extra_source


def test_check_fetches_every_source_once_and_reports_a_table(tmp_path):
    with refusing_url() as dead, DemoServer() as server:
        config = tmp_path / "tandem.toml"
        config.write_text(
            _config_for(
                server.url,
                f"""
[[sources]]
id = "legacy"
kind = "json"
base_url = "{dead}"
timeout_seconds = 2
retries = 0
""",
            )
        )
        result = tandem("check", "--config", str(config))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["source", "kind", "records", "pages", "time", "result"]
    rows = {line.split()[0]: line for line in lines[1:] if line.strip()}
    assert rows["pulse"].split()[-1] == "ok"
    assert "cannot reach" in rows["legacy"]
    assert lines[-1] == "5 of 6 sources ok"
    assert "Traceback" not in result.stderr


def test_ctrl_c_while_a_command_fetches_ends_it_with_a_line_not_a_traceback(tmp_path):
    import signal
    import time

    from tests.local_server import LocalServer, Reply

    with DemoServer() as demo, LocalServer({"/": lambda request: Reply(delay=20)}) as slow:
        config = tmp_path / "tandem.toml"
        config.write_text(
            _config_for(
                demo.url, f'\n[[sources]]\nid = "legacy"\nkind = "json"\nbase_url = "{slow.url}"\n'
            )
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "tui", "check", "--config", str(config)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not slow.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert slow.requests, "the slow source was never asked"
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    assert "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "tandem: stopped"
    assert process.returncode == 130


def test_a_secret_from_the_environment_never_reaches_the_output(tmp_path):
    with DemoServer() as server:
        config = tmp_path / "tandem.toml"
        text = _config_for(server.url).replace(
            'id = "hr"                         # HR directory, cursor pagination\nkind = "json"',
            'id = "hr"\nkind = "json"\nauth = { kind = "basic", username_env = "HR_API_KEY" }',
        )
        config.write_text(text)
        secret = "hr-key-do-not-print-42"
        result = tandem(
            "snapshot",
            "--json",
            "--config",
            str(config),
            "--store",
            str(tmp_path / "s.db"),
            env={"HR_API_KEY": secret},
        )
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr
    assert secret.encode() not in (tmp_path / "s.db").read_bytes()


def test_version():
    result = tandem("--version")
    assert result.stdout.strip() == f"tandem {__version__}"


def test_without_arguments_the_demo_config_is_used(tmp_path):
    assert find_config(None, {}, tmp_path) == bundled_demo_config()
    (tmp_path / "tandem.toml").write_text("")
    assert find_config(None, {}, tmp_path) == tmp_path / "tandem.toml"
    assert find_config(None, {"TANDEM_CONFIG": "/x.toml"}, tmp_path) == Path("/x.toml")
    assert find_config("/y.toml", {"TANDEM_CONFIG": "/x.toml"}, tmp_path) == Path("/y.toml")


def test_check_says_why_records_were_skipped(tmp_path):
    from tests.local_server import LocalServer, Reply

    answers = [{"id": i, "date": "2026-03-02", "score": 9} for i in range(6)]
    answers += [{"id": 99, "date": "2026-03-02", "score": 11}, {"id": 1, "score": 9}]
    with LocalServer({"/a": lambda r: Reply(body=answers)}) as server:
        config = tmp_path / "tandem.toml"
        config.write_text(f"""
[[sources]]
id = "pulse"
kind = "json"
base_url = "{server.url}"
path = "a"
records = {{ id = "id" }}

[[metrics]]
id = "enps"
label = "eNPS"
side = "employee"
source = "pulse"
kind = "nps"

[[metrics]]
id = "answers"
label = "Answers"
side = "customer"
source = "pulse"
kind = "count"

[[pairs]]
employee = "enps"
customer = "answers"
""")
        result = tandem("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "ok, 2 skipped" in result.stdout
    assert "pulse skipped: 1× duplicate record, 1× enps: score 11 is outside 0–10" in result.stdout


def test_report_as_csv_and_json_carries_the_same_numbers_as_the_snapshot(tmp_path):
    import csv as csv_module

    store = str(tmp_path / "s.db")
    today = utc_today()
    snapshot = json.loads(tandem("snapshot", "--json", "--store", store).stdout)
    table = tandem("report", "--format", "csv", "--store", store)
    document = json.loads(tandem("report", "--format", "json", "--store", store).stdout)
    if utc_today() != today:
        pytest.skip("the date changed during the run")
    assert table.returncode == 0, table.stderr
    rows = list(csv_module.DictReader(table.stdout.splitlines()))
    metrics = {m["id"]: m for m in snapshot["metrics"]}
    assert [r["metric"] for r in rows] == ["enps", "nps", "engagement", "csat", "turnover", "churn"]
    for row in rows:
        current = metrics[row["metric"]]["current"]
        assert row["period"] == current["period"] and int(row["n"]) == current["n"]
        assert float(row["value"]) == pytest.approx(current["value"], abs=0.01)
    assert [p["metric"] for p in document["panels"]] == [r["metric"] for r in rows]
    assert {(k["pair"], k["segment"]) for k in document["linkage"]} == {
        (k["pair"], k["segment"]) for k in snapshot["linkage"]
    }
    assert document["demo_data"] is True
    # Every export names a pair by its id, panels and linkage alike.
    pair_ids = {p["id"] for p in snapshot["pairs"]}
    assert {row["pair"] for row in rows} == pair_ids == {k["pair"] for k in document["linkage"]}


def test_as_of_pins_now_and_gives_the_same_numbers_again(tmp_path):
    data_home = {"XDG_DATA_HOME": str(tmp_path)}  # where the history store would go
    first = tandem("snapshot", "--json", "--as-of", "2026-06-30", env=data_home)
    again = tandem("snapshot", "--json", "--as-of", "2026-06-30")
    report = tandem("report", "--format", "json", "--as-of", "2026-06-30")
    assert first.returncode == 0, first.stderr
    snapshot = json.loads(first.stdout)
    assert snapshot["generated_at"] == "2026-06-30T23:59:59+00:00"
    metrics = {m["id"]: m["current"] for m in snapshot["metrics"]}
    sides = {m["id"]: m["side"] for m in snapshot["metrics"]}
    # On 30 June the month is still running: employee values (and the internal service
    # scores employees give) show May's, hidden until it closes; customer values June's.
    for metric_id, current in metrics.items():
        assert current["period"] == ("2026-06" if sides[metric_id] == "customer" else "2026-05")
    assert json.loads(again.stdout)["metrics"] == snapshot["metrics"]
    for panel in json.loads(report.stdout)["panels"]:
        assert panel["period"] == metrics[panel["metric"]]["period"]
        assert panel["value"] == pytest.approx(metrics[panel["metric"]]["value"], abs=0.01)
    # A pinned "now" never writes into a history store unless told where.
    assert not (tmp_path / "tandem").exists()
    bad = tandem("check", "--as-of", "30/06/2026")
    assert bad.returncode == 2
    assert "expected a date such as 2026-06-30, got '30/06/2026'" in bad.stderr


def test_check_refuses_a_source_that_read_nothing_and_flags_pages_without_ids(tmp_path):
    from tests.local_server import LocalServer, Reply

    pages = {"1": [{"date": "2026-03-02", "score": 9}] * 6}
    with LocalServer(
        {
            "/paged": lambda r: Reply(body=pages.get(r.query.get("page", "1"), [])),
            "/empty": lambda r: Reply(body=["not a record", 3]),
        }
    ) as server:
        config = tmp_path / "tandem.toml"
        config.write_text(f"""
[[sources]]
id = "pulse"
kind = "json"
base_url = "{server.url}"
path = "paged"
pagination = {{ style = "page" }}

[[sources]]
id = "survey"
kind = "json"
base_url = "{server.url}"
path = "empty"

[[metrics]]
id = "enps"
label = "eNPS"
side = "employee"
source = "pulse"
kind = "nps"

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "survey"
kind = "nps"

[[pairs]]
employee = "enps"
customer = "nps"
""")
        result = tandem("check", "--config", str(config))
    assert result.returncode == 1
    assert "survey: 0 usable records (2 skipped: 2× record is not a JSON object)" in result.stdout
    assert "pulse: paged, but no records.id" in result.stdout
    assert "1 of 2 sources ok" in result.stdout


def test_a_damaged_store_is_one_line_never_a_traceback(tmp_path):
    import sqlite3

    path = tmp_path / "s.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE filler (x)")
    db.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(200)])
    db.commit()
    db.close()
    from tui.store import Store

    Store(path).close()  # a Tandem store, with room to damage past its first pages
    raw = bytearray(path.read_bytes())
    raw[8192:40960] = b"\xa5" * (40960 - 8192)  # pages 3 to 10 overwritten
    path.write_bytes(bytes(raw))
    for command in (["--store", str(path)], ["report", "--format", "csv", "--store", str(path)]):
        result = tandem(*command)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"tandem: {path}: ") and "damaged" in line, line


@pytest.fixture
def full_disk(tmp_path):
    """A small filesystem holding an empty store, filled up to 64 KB from full: the
    store opens, and the demo's history cannot be written (needs root to mount)."""
    from tui.store import Store

    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        Store(folder / "s.db").close()  # every table, whatever the schema version
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        (folder / "filler").write_bytes(b"\0" * max(0, free - 64 * 1024))
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_snapshot_on_a_full_disk_says_so_and_never_shows_a_traceback(full_disk):
    result = tandem("snapshot", "--json", "--store", str(full_disk / "s.db"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    document = json.loads(result.stdout)
    errors = {source["id"]: source["error"] for source in document["sources"]}
    assert errors and all(e.endswith("store not writable: disk full") for e in errors.values())


def test_a_relative_file_path_is_read_from_the_config_files_folder(tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "pulse.csv").write_text("date,score\n2026-05-04,9\n2026-05-05,10\n")
    (folder / "tandem.toml").write_text(
        '[[sources]]\nid = "pulse"\nkind = "file"\npath = "pulse.csv"\n\n'
        '[[metrics]]\nid = "answers"\nlabel = "Answers"\nside = "customer"\n'
        'source = "pulse"\nkind = "count"\n\n'
        '[[metrics]]\nid = "enps"\nlabel = "eNPS"\nside = "employee"\n'
        'source = "pulse"\nkind = "nps"\n\n'
        '[[pairs]]\nemployee = "enps"\ncustomer = "answers"\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = str(folder / "tandem.toml")
    result = subprocess.run(
        [sys.executable, "-m", "tui", "check", "--config", config, "--as-of", "2026-05-20"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 of 1 sources ok" in result.stdout
    (folder / "pulse.csv").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "tui", "check", "--config", config],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    # Where it looked, in full: not just "pulse.csv".
    assert f"pulse: file not found: {folder / 'pulse.csv'}" in result.stdout


def test_snapshot_and_report_take_period_and_only_the_dashboard_takes_kiosk(tmp_path):
    snapshot = tandem("snapshot", "--json", "--period", "quarter", "--as-of", "2026-06-17")
    assert snapshot.returncode == 0, snapshot.stderr
    document = json.loads(snapshot.stdout)
    assert document["period"] == "quarter"
    assert {m["current"]["period"] for m in document["metrics"] if m["side"] == "customer"} == {
        "2026-Q2"
    }
    for command in ("report", "snapshot", "check"):
        assert "--kiosk" not in tandem(command, "--help").stdout
    assert "--kiosk" in tandem("--help").stdout and "--kiosk" in tandem("run", "--help").stdout


def test_check_mentions_a_metric_that_is_in_no_pair(tmp_path):
    (tmp_path / "pulse.csv").write_text("date,score\n2026-05-04,9\n")
    (tmp_path / "tandem.toml").write_text(
        '[[sources]]\nid = "pulse"\nkind = "file"\npath = "pulse.csv"\n\n'
        '[[metrics]]\nid = "answers"\nlabel = "Answers"\nside = "customer"\n'
        'source = "pulse"\nkind = "count"\n\n'
        '[[metrics]]\nid = "enps"\nlabel = "eNPS"\nside = "employee"\n'
        'source = "pulse"\nkind = "nps"\n\n'
        '[[metrics]]\nid = "spare"\nlabel = "Spare"\nside = "employee"\n'
        'source = "pulse"\nkind = "count"\n\n'
        '[[pairs]]\nemployee = "enps"\ncustomer = "answers"\n'
    )
    result = tandem("check", "--config", str(tmp_path / "tandem.toml"))
    assert (
        "metric spare: in no pair, balance or [internal], so computed and stored but never shown"
        in result.stdout
    )
    assert "metric enps:" not in result.stdout


def test_check_does_not_call_the_demos_internal_service_metric_unshown():
    result = tandem("check")  # the demo: "service" is in no pair, but on the n screen
    assert result.returncode == 0, result.stdout
    assert "never shown" not in result.stdout


def test_a_postgresql_store_gives_the_same_snapshot_as_sqlite(tmp_path, postgres_url):
    pinned = ("--as-of", DEMO_TODAY.isoformat())
    on_sqlite = tandem("snapshot", "--json", *pinned, "--store", str(tmp_path / "s.db"))
    # On a shared store a collector fetches, and the snapshot only reads what it wrote.
    collected = tandem("collect", "--once", *pinned, "--store", postgres_url)
    assert collected.returncode == 0, collected.stderr
    on_postgres = tandem("snapshot", "--json", *pinned, "--store", postgres_url)
    assert on_postgres.returncode == 0, on_postgres.stderr
    sqlite_doc, postgres_doc = json.loads(on_sqlite.stdout), json.loads(on_postgres.stdout)
    for key in ("metrics", "linkage", "warnings", "balance", "internal"):
        assert postgres_doc[key] == sqlite_doc[key], key
    assert [s["id"] for s in postgres_doc["sources"] if s["ok"]] == [
        s["id"] for s in sqlite_doc["sources"]
    ]


def test_a_store_url_with_a_password_is_refused_with_where_the_password_goes():
    result = tandem("snapshot", "--store", "postgresql://ops:hunter2@db.internal/tandem")
    assert result.returncode == 2
    assert "hunter2" not in result.stderr + result.stdout
    assert "PGPASSWORD" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_a_port_it_could_not_tell_browsers():
    for port in ("0", "65536", "http"):
        result = tandem("serve", "--port", port)
        assert result.returncode == 2
        assert f"--port: expected a port from 1 to 65535, got '{port}'" in result.stderr
        assert "Traceback" not in result.stderr


def test_the_command_line_starts_with_the_cycle_collector_off(monkeypatch):
    import gc

    import tui.cli
    from tui.__main__ import run

    seen: list[bool] = []
    monkeypatch.setattr(tui.cli, "main", lambda: seen.append(gc.isenabled()) or 0)
    assert run() == 0
    assert seen == [False]
    assert gc.isenabled()


def test_a_command_that_draws_nothing_turns_the_cycle_collector_on_at_once(monkeypatch, tmp_path):
    import gc

    import tui.cli

    seen: list[bool] = []

    async def snapshot(*args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(tui.cli, "_snapshot", snapshot)
    gc.disable()  # as tui/__main__.py starts it
    try:
        assert tui.cli.main(["snapshot", "--store", str(tmp_path / "s.db")]) == 0
    finally:
        gc.enable()
    assert seen == [True]
