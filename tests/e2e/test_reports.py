"""The reports end to end: the anonymity floor holds against differences in the CSV and in the
weekly report HR receives, and no CSV cell Rekan writes can run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from jobs.checkins import run_close
from jobs.reports import run_weekly
from tests.e2e.test_checkins import MONDAY_10_WIB, STAFF, record, seed_org, send_round
from tests.e2e.test_tasks import MONDAY_0930_WIB, open_form, seed_team, tasks_value
from tests.helpers import wait_dms

Cli = Callable[..., tuple[int, str, str]]
FLOOR = 5  # REKAN_MIN_GROUP's default


def answer_as_in_the_issue(rekan: Running, engine: Engine) -> None:
    """Ops: six answer (physical 22/6 = 3.67, mental 23/6 = 3.83); Legal: one, who answers 1
    and 2. Everyone: 7 (3.29 and 3.57), so everyone minus Ops would be that one person."""
    seed_org(engine)
    send_round(rekan)
    ops = [(4, 4), (4, 4), (4, 4), (4, 4), (3, 4), (3, 3)]
    scores = {sid: {"physical": p, "mental": m} for sid, (p, m) in zip(STAFF, ops, strict=False)}
    record(engine, {**scores, STAFF[6]: {"physical": 1, "mental": 2}})
    # reports show closed weeks only (issue 21): an open week's numbers still move
    assert run_close(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=4)) == "closed=1"


def test_wellbeing_csv_cannot_be_subtracted_down_to_one_person(
    rekan: Running, engine: Engine, cli: Cli, tmp_path: Path
) -> None:
    answer_as_in_the_issue(rekan, engine)
    csv_file = tmp_path / "w.csv"
    code, out, _ = cli("report", "wellbeing", "--csv", str(csv_file))
    assert code == 0
    rows = {r["team"]: r for r in csv.DictReader(csv_file.open(encoding="utf-8", newline=""))}
    everyone = rows["everyone"]
    assert (everyone["respondents"], everyone["physical_avg"], everyone["mental_avg"]) == (
        "7",
        "3.29",
        "3.57",
    )
    assert rows["Legal"]["participation"] == "too few answers"
    assert rows["Ops"]["respondents"] == rows["Ops"]["physical_avg"] == ""
    assert rows["Ops"]["participation"] == "withheld so that a smaller group cannot be worked out"
    # whatever is shown, everyone minus the shown teams leaves nobody or at least the floor
    shown = sum(
        int(r["respondents"]) for t, r in rows.items() if t != "everyone" and r["respondents"]
    )
    assert int(everyone["respondents"]) - shown in {0} | set(range(FLOOR, 100))
    assert "Ops: withheld" in out and "Ops: participation" not in out


def test_weekly_report_to_hr_cannot_be_subtracted_either(
    rekan: Running, standin: SlackStandIn, engine: Engine
) -> None:
    answer_as_in_the_issue(rekan, engine)
    assert run_weekly(rekan.runtime.jobs, MONDAY_10_WIB) == "hr=2 sent=2"
    texts = [u.params["initial_comment"] for u in standin.calls("files.completeUploadExternal")]
    assert len(texts) == 2
    for text in texts:  # both HR members read Indonesian, the default
        assert "semua: partisipasi 70%, fisik 3.3, mental 3.6" in text
        assert "Legal: terlalu sedikit jawaban" in text
        assert "Ops: disembunyikan agar kelompok yang lebih kecil tidak bisa dihitung" in text
        assert "Ops: partisipasi" not in text


def test_tasks_csv_writes_a_formula_name_as_text(
    rekan: Running,
    sender: SlackSender,
    standin: SlackStandIn,
    engine: Engine,
    cli: Cli,
    tmp_path: Path,
) -> None:
    seed_team(engine)
    formula = '=HYPERLINK("https://evil.example","klik")'
    people_csv = tmp_path / "people.csv"
    people_csv.write_text(
        "slack_id,name,email,team,lead_slack_id,timezone\n"
        f'U0DEWI,"{formula.replace(chr(34), chr(34) * 2)}",,Ops,U0LEAD,Asia/Jakarta\n',
        encoding="utf-8",
    )
    assert cli("people", "import", str(people_csv))[0] == 0
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    sender.view_submission("U0DEWI", open_form(sender, standin, "U0DEWI"), tasks_value("a"))
    wait_dms(standin, "U0LEAD")
    csv_file = tmp_path / "t.csv"
    assert cli("report", "tasks", "--team", "Ops", "--csv", str(csv_file))[0] == 0
    rows = list(csv.DictReader(csv_file.open(encoding="utf-8", newline="")))
    assert [(r["slack_id"], r["name"], r["median_minutes"]) for r in rows] == [
        ("U0DEWI", "'" + formula, "")
    ]
