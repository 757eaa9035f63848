"""storage.pending_forms: a /lapor form kept while its reporter chooses, for them alone, for
a day."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from storage import pending_forms
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, REPORTER, RINA

FIELDS = {
    "summary": "VPN mati",
    "details": "x" * 2900,
    "location": "rumah",
    "category": "vpn",
    "urgency": "high",
    "extra": "not kept",
}


def test_a_form_is_kept_for_its_reporter(engine: Engine, tx: Tx) -> None:
    with tx() as s:
        form = pending_forms.keep(session=s, reporter_id=REPORTER, fields=FIELDS, now=NOW)
        partial = pending_forms.keep(
            session=s, reporter_id=REPORTER, fields={"summary": "s"}, now=NOW
        )
    with tx() as s:
        kept = pending_forms.fields_of(s, form, REPORTER)
        assert kept == {k: v for k, v in FIELDS.items() if k != "extra"}
        assert pending_forms.fields_of(s, form, REPORTER) == kept  # still there: a second click
        assert pending_forms.fields_of(s, form, RINA) is None
        assert pending_forms.fields_of(s, 999, REPORTER) is None
        assert pending_forms.fields_of(s, partial, REPORTER) == {
            "summary": "s",
            "details": None,
            "location": None,
            "category": None,
            "urgency": None,
        }


def test_forms_older_than_a_day_are_dropped_when_the_next_is_kept(engine: Engine, tx: Tx) -> None:
    with tx() as s:
        old = pending_forms.keep(session=s, reporter_id=REPORTER, fields=FIELDS, now=NOW)
        recent = pending_forms.keep(
            session=s, reporter_id=RINA, fields=FIELDS, now=NOW + timedelta(hours=2)
        )
    with tx() as s:
        pending_forms.keep(
            session=s, reporter_id=RINA, fields=FIELDS, now=NOW + pending_forms.KEPT_FOR
        )
        assert pending_forms.fields_of(s, old, REPORTER) is not None  # exactly a day: kept
    with tx() as s:
        pending_forms.keep(
            session=s,
            reporter_id=RINA,
            fields=FIELDS,
            now=NOW + pending_forms.KEPT_FOR + timedelta(seconds=1),
        )
        assert pending_forms.fields_of(s, old, REPORTER) is None
        assert pending_forms.fields_of(s, recent, RINA) is not None
