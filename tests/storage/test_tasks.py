"""storage.tasks: a day's list submitted and replaced, decided by the lead, their running
delegate or an admin (never by its author), once; progress ticks; delegation; read models."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import people, tasks
from storage.errors import DomainError
from storage.models import ROLE_ADMIN, Delegate, TaskReport
from tests.storage.conftest import Tx
from tests.storage.seed import ADMIN, LEAD, NOW, OUTSIDER, REPORTER, RINA, add_person, outbox, sent

TODAY = date(2026, 11, 23)
SOON = NOW + timedelta(minutes=30)
LATER = NOW + timedelta(hours=2)


def refusal(tx: Tx, operation: Any, **kwargs: Any) -> tuple[str, str, dict[str, Any]]:
    with pytest.raises(DomainError) as info, tx() as s:
        operation(session=s, **kwargs)
    return type(info.value).__name__, info.value.key, info.value.params


def submit(s: Session, items: list[str], *, who: str = REPORTER, **kw: Any) -> tasks.Submitted:
    return tasks.submit(
        session=s,
        slack_id=who,
        day=kw.pop("day", TODAY),
        items=items,
        note=kw.pop("note", None),
        now=kw.pop("now", NOW),
    )


def decide(s: Session, report_id: int = 1, *, actor: str = LEAD, **kw: Any) -> TaskReport:
    return tasks.decide(
        session=s,
        report_id=report_id,
        actor=actor,
        approve=kw.pop("approve", True),
        comment=kw.pop("comment", None),
        now=kw.pop("now", LATER),
        today=kw.pop("today", TODAY),
    )


def item_rows(s: Session, report_id: int = 1) -> list[tuple[int | None, int, str, bool]]:
    return [(i.id, i.position, i.text, i.done) for i in tasks.items_of(s, report_id)]


# ---------------------------------------------------------------- the list itself


def test_parse_items_drops_bullets_numbers_and_blank_lines() -> None:
    text = (
        "- cek email\n\n* rapat tim\n  • laporan  \n1. deploy\n2) review\n10. x\nbiasa saja\n  \n"
    )
    assert tasks.parse_items(text) == [
        "cek email",
        "rapat tim",
        "laporan",
        "deploy",
        "review",
        "x",
        "biasa saja",
    ]
    assert tasks.parse_items("2026 target") == ["2026 target"]  # a number, not a bullet


def test_check_items_names_what_is_wrong() -> None:
    assert tasks.check_items(["a"] * tasks.MAX_ITEMS) is None
    assert tasks.check_items([]) == ("tasks.empty", {})
    assert tasks.check_items(["a"] * (tasks.MAX_ITEMS + 1)) == (
        "tasks.too_many",
        {"count": 11, "limit": 10},
    )
    assert tasks.check_items(["ok", "x" * 201]) == (
        "tasks.too_long",
        {"line": 2, "length": 201, "limit": 200},
    )


# ---------------------------------------------------------------- submit


def test_a_first_submission_asks_the_lead_and_shows_the_author_their_list(
    org: Engine, tx: Tx
) -> None:
    with tx() as s:
        done = submit(s, ["cek email", "rapat"], note="  WFH  ")
        assert done.replaced is False
        assert sent(s, done.deliveries) == [
            (tasks.T_APPROVAL, LEAD, "tasks:1:approval:U0LEAD:0"),
            (tasks.T_MINE, REPORTER, "tasks:1:mine:U0REPORT:0"),
        ]
        assert [r.params for r in outbox(s, done.deliveries)] == [{"report": 1}, {"report": 1}]
        report = tasks.get(s, 1)
        assert (report.slack_id, report.day, report.round, report.lead_id, report.state) == (
            REPORTER,
            TODAY,
            1,
            LEAD,
            "pending",
        )
        assert (report.note, report.submitted_at, report.changed) == ("WFH", NOW, 0)
        assert item_rows(s) == [(1, 0, "cek email", False), (2, 1, "rapat", False)]


def test_a_pending_list_is_replaced_and_the_lead_told_it_changed(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["cek email", "rapat", "laporan"])
        tasks.set_done(session=s, report_id=1, actor=REPORTER, done={1, 2})
    with tx() as s:
        again = submit(s, ["cek email", "rapat tim"], now=SOON)
        assert again.replaced is True and again.report.id == 1
        assert sent(s, again.deliveries) == [(tasks.T_CHANGED, LEAD, "tasks:1:changed:U0LEAD:1")]
        # kept by position: the same task keeps its tick, a changed one starts undone
        assert item_rows(s) == [(1, 0, "cek email", True), (2, 1, "rapat tim", False)]
        report = tasks.get(s, 1)
        assert (report.changed, report.submitted_at, report.note, report.round) == (
            1,
            SOON,
            None,
            1,
        )
    with tx() as s:
        third = submit(s, ["a", "b", "c", "d"], now=LATER)
        assert sent(s, third.deliveries) == [(tasks.T_CHANGED, LEAD, "tasks:1:changed:U0LEAD:2")]
        assert [(p, t) for _, p, t, _ in item_rows(s)] == [(0, "a"), (1, "b"), (2, "c"), (3, "d")]


def test_after_a_decision_the_next_submission_starts_a_new_round(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a"])
        decide(s, approve=False, comment="tambah detail")
    with tx() as s:
        again = submit(s, ["a, detail"], now=LATER)
        assert (again.replaced, again.report.id, again.report.round) == (False, 2, 2)
        assert sent(s, again.deliveries) == [
            (tasks.T_APPROVAL, LEAD, "tasks:2:approval:U0LEAD:0"),
            (tasks.T_MINE, REPORTER, "tasks:2:mine:U0REPORT:0"),
        ]
        assert tasks.current(s, REPORTER, TODAY).id == 2  # type: ignore[union-attr]
        assert tasks.get(s, 1).state == "changes_requested"
        assert item_rows(s, 1) == [(1, 0, "a", False)]


@pytest.mark.parametrize(
    ("items", "key", "params"),
    [
        ([], "tasks.empty", {}),
        (["x"] * 11, "tasks.too_many", {"count": 11, "limit": 10}),
    ],
)
def test_a_bad_list_is_refused(
    org: Engine, tx: Tx, items: list[str], key: str, params: dict[str, Any]
) -> None:
    assert refusal(
        tx, tasks.submit, slack_id=REPORTER, day=TODAY, items=items, note=None, now=NOW
    ) == ("DomainError", key, params)


def test_someone_without_a_lead_is_sent_to_the_admins(org: Engine, tx: Tx) -> None:
    kwargs: dict[str, Any] = {"day": TODAY, "items": ["a"], "note": None, "now": NOW}
    for who in (OUTSIDER, "U0NOBODY"):
        assert refusal(tx, tasks.submit, slack_id=who, **kwargs) == (
            "DomainError",
            "tasks.no_lead",
            {"admins": f"<@{ADMIN}>"},
        )
    with tx() as s:
        people.remove_role(session=s, slack_id=ADMIN, role=ROLE_ADMIN)
    assert refusal(tx, tasks.submit, slack_id=OUTSIDER, **kwargs)[2] == {"admins": "admin"}
    with tx() as s:
        assert s.exec(select(TaskReport)).all() == []


# ---------------------------------------------------------------- decide


def test_the_lead_approves_and_the_author_hears(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a"])
    with tx() as s:
        report = decide(s, comment="  mantap  ")
        assert (report.state, report.decided_by, report.decided_at, report.comment) == (
            "approved",
            LEAD,
            LATER,
            "mantap",
        )
        delivery = tasks.decision_delivery(s, report)
        assert delivery is not None
        assert sent(s, [delivery]) == [(tasks.T_DECISION, REPORTER, "tasks:1:decision:U0REPORT:0")]


def test_asking_for_changes_needs_a_comment(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a"])
    assert refusal(
        tx,
        tasks.decide,
        report_id=1,
        actor=LEAD,
        approve=False,
        comment="   ",
        now=LATER,
        today=TODAY,
    ) == ("DomainError", "tasks.comment_required", {})
    with tx() as s:
        assert tasks.get(s, 1).state == "pending"
        assert tasks.decision_delivery(s, tasks.get(s, 1)) is None
        report = decide(s, approve=False, comment="rinci lagi")
        assert (report.state, report.comment) == ("changes_requested", "rinci lagi")


def test_a_second_decision_changes_nothing_and_says_who_decided(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a"])
        decide(s)
    for actor, approve in ((LEAD, True), (ADMIN, False)):
        assert refusal(
            tx,
            tasks.decide,
            report_id=1,
            actor=actor,
            approve=approve,
            comment="c",
            now=LATER + timedelta(hours=1),
            today=TODAY,
        ) == (
            "AlreadyDone",
            "tasks.already_decided",
            {"by": LEAD, "at": LATER, "state": "approved"},
        )
    with tx() as s:
        report = tasks.get(s, 1)
        assert (report.state, report.decided_by, report.decided_at) == ("approved", LEAD, LATER)
        assert len([r for r in outbox(s) if r.template == tasks.T_DECISION]) == 1


def test_who_may_decide_is_asked_before_whether_it_was_decided(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a"])
        submit(s, ["b"], who=RINA)
        decide(s)
    assert refusal(
        tx,
        tasks.decide,
        report_id=1,
        actor=RINA,
        approve=True,
        comment=None,
        now=LATER,
        today=TODAY,
    ) == ("DomainError", "tasks.not_lead", {"lead": LEAD})
    assert refusal(
        tx,
        tasks.decide,
        report_id=1,
        actor=REPORTER,
        approve=True,
        comment=None,
        now=LATER,
        today=TODAY,
    ) == ("DomainError", "tasks.own_report", {})
    assert refusal(
        tx,
        tasks.decide,
        report_id=9,
        actor=LEAD,
        approve=True,
        comment=None,
        now=LATER,
        today=TODAY,
    ) == ("NotFound", "tasks.unknown", {})
    with tx() as s:
        assert decide(s, 2, actor=ADMIN).decided_by == ADMIN


def test_nobody_decides_on_their_own_list_not_even_an_admin(org: Engine, tx: Tx) -> None:
    with tx() as s:
        people.require(s, ADMIN).lead_slack_id = LEAD
        submit(s, ["a"], who=ADMIN)
        assert not tasks.may_decide(s, tasks.get(s, 1), ADMIN, TODAY)
    assert (
        refusal(
            tx,
            tasks.decide,
            report_id=1,
            actor=ADMIN,
            approve=True,
            comment=None,
            now=LATER,
            today=TODAY,
        )[1]
        == "tasks.own_report"
    )


# ---------------------------------------------------------------- delegation


def test_a_delegate_decides_until_their_last_day(org: Engine, tx: Tx) -> None:
    until = TODAY + timedelta(days=2)
    with tx() as s:
        submit(s, ["a"])
        row = tasks.set_delegate(
            session=s, lead_id=LEAD, delegate_id=RINA, until=until, today=TODAY
        )
        assert (row.lead_id, row.delegate_id, row.until) == (LEAD, RINA, until)
    with tx() as s:
        report = tasks.get(s, 1)
        assert tasks.delegate_of(s, LEAD, until) == RINA
        assert tasks.may_decide(s, report, RINA, until)
        assert tasks.delegation(s, LEAD, until + timedelta(days=1)) is None
        assert not tasks.may_decide(s, report, RINA, until + timedelta(days=1))
    assert (
        refusal(
            tx,
            tasks.decide,
            report_id=1,
            actor=RINA,
            approve=True,
            comment=None,
            now=LATER,
            today=until + timedelta(days=1),
        )[1]
        == "tasks.not_lead"
    )
    with tx() as s:
        assert decide(s, actor=RINA, today=until).decided_by == RINA


def test_a_new_delegate_replaces_the_old_one(org: Engine, tx: Tx) -> None:
    with tx() as s:
        tasks.set_delegate(session=s, lead_id=LEAD, delegate_id=RINA, until=TODAY, today=TODAY)
    with tx() as s:
        tasks.set_delegate(
            session=s,
            lead_id=LEAD,
            delegate_id=OUTSIDER,
            until=TODAY + timedelta(days=5),
            today=TODAY,
        )
    with tx() as s:
        rows = s.exec(select(Delegate)).all()
        assert [(d.lead_id, d.delegate_id, d.until) for d in rows] == [
            (LEAD, OUTSIDER, TODAY + timedelta(days=5))
        ]


def test_a_delegate_is_not_the_lead_not_past_and_known(org: Engine, tx: Tx) -> None:
    def set_(delegate: str, until: date) -> tuple[str, str, dict[str, Any]]:
        return refusal(
            tx, tasks.set_delegate, lead_id=LEAD, delegate_id=delegate, until=until, today=TODAY
        )

    assert set_(LEAD, TODAY) == ("DomainError", "tasks.self_delegate", {})
    yesterday = TODAY - timedelta(days=1)
    assert set_(RINA, yesterday) == ("DomainError", "error.until_past", {"until": "2026-11-22"})
    assert set_("U0NOBODY", TODAY) == (
        "NotFound",
        "error.person_unknown",
        {"slack_id": "U0NOBODY"},
    )
    with tx() as s:
        assert s.exec(select(Delegate)).all() == []


# ---------------------------------------------------------------- progress and reads


def test_only_the_author_ticks_their_tasks(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a", "b", "c"])
        submit(s, ["z"], who=RINA)
        tasks.set_done(session=s, report_id=1, actor=REPORTER, done={1, 3, 4})
        assert [d for *_, d in item_rows(s)] == [True, False, True]
        assert item_rows(s, 2)[0][3] is False  # another report's item is left alone
        tasks.set_done(session=s, report_id=1, actor=REPORTER, done={2})
        assert [d for *_, d in item_rows(s)] == [False, True, False]
    assert refusal(tx, tasks.set_done, report_id=1, actor=LEAD, done={1}) == (
        "DomainError",
        "tasks.not_yours",
        {},
    )
    assert refusal(tx, tasks.set_done, report_id=7, actor=REPORTER, done={1}) == (
        "NotFound",
        "tasks.unknown",
        {},
    )


def test_pending_for_a_lead_oldest_day_first(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a"], day=TODAY)  # 1
        submit(s, ["b"], who=RINA, day=TODAY - timedelta(days=1))  # 2
        submit(s, ["c"], day=TODAY - timedelta(days=2))  # 3
        submit(s, ["d"], who=RINA, day=TODAY)  # 4
        decide(s, 4)
        assert [r.id for r in tasks.pending_for(s, LEAD)] == [3, 2, 1]
        assert [r.id for r in tasks.pending_for(s, LEAD, before=TODAY)] == [3, 2]
        assert list(tasks.pending_for(s, RINA)) == []


def test_recent_lists_newest_day_and_round_first(org: Engine, tx: Tx) -> None:
    with tx() as s:
        submit(s, ["a"], day=TODAY - timedelta(days=1))  # 1
        submit(s, ["b"], day=TODAY)  # 2
        decide(s, 2, approve=False, comment="c")
        submit(s, ["b2"], day=TODAY)  # 3, round 2
        assert [(r.id, r.round) for r in tasks.recent(s, REPORTER)] == [(3, 2), (2, 1), (1, 1)]
        assert [r.id for r in tasks.recent(s, REPORTER, limit=1)] == [3]


def test_stats_per_person(org: Engine, tx: Tx) -> None:
    with tx() as s:
        add_person(s, "U0FINA", team="Finance", lead=LEAD)
        submit(s, ["a"], day=TODAY - timedelta(days=1), now=NOW)  # 1
        decide(s, 1, now=NOW + timedelta(minutes=10))
        submit(s, ["b"], day=TODAY, now=NOW)  # 2
        decide(s, 2, approve=False, comment="c", now=NOW + timedelta(minutes=30))
        submit(s, ["b"], day=TODAY, now=NOW)  # 3: still pending
        submit(s, ["f"], who="U0FINA", now=NOW)  # 4
        found = tasks.stats(s)
        assert [
            (p.team, p.slack_id, p.days, p.approved, p.changes, p.median_minutes) for p in found
        ] == [
            ("Finance", "U0FINA", 1, 0, 0, None),
            ("IT", REPORTER, 2, 1, 1, 20.0),
        ]
        assert [p.slack_id for p in tasks.stats(s, team="IT")] == [REPORTER]
        assert [(p.days, p.approved) for p in tasks.stats(s, since=TODAY)] == [(1, 0), (1, 0)]


def test_admins_are_listed(org: Engine, tx: Tx) -> None:
    with tx() as s:
        assert tasks.admins(s) == [ADMIN]
        people.add_role(session=s, slack_id=RINA, role=ROLE_ADMIN, now=NOW)
        assert sorted(tasks.admins(s)) == [ADMIN, RINA]


def test_every_message_is_written_through_the_outbox(
    org: Engine, tx: Tx, enqueued: list[int]
) -> None:
    with tx() as s:
        submit(s, ["a"])
        submit(s, ["b"], now=SOON)
        decide(s)
        assert [r.template for r in outbox(s)] == [
            tasks.T_APPROVAL,
            tasks.T_MINE,
            tasks.T_CHANGED,
            tasks.T_DECISION,
        ]
        assert enqueued == [r.id for r in outbox(s)]
