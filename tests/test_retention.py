"""Retention of submitted responses (`haveyoursay purge`), on SQLite and PostgreSQL, with a pinned today.

Every expected value is written out here, never computed with the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy import select

from actions.content.files import read_bundle
from actions.content.model import Outcome
from actions.retention import add_months, purge
from actions.settings import get_settings
from actions.store.models import AnswerRow, ConsultationRow, NotificationRow, QuestionRow, ResponseRow, UnansweredRow
from actions.survey.engine import Survey
from tests.conftest import SEEDS

HARBOUR = "harbour-road-cycle-lane"  # decided 2026-12-15, so kept until 2027-12-14 and anonymised from 2027-12-15
MARKET = "market-square-events"  # decided 2026-12-17, so kept until 2027-12-16
LIBRARY = "library-opening-hours"  # no decision recorded
BUDGET = "budget-2027"  # closed 2026-10-31, no decision recorded
NO_TRACKER = "sqlite://"  # an empty in-memory tracker store: these tests are about responses
ONE_DAY_AFTER_HARBOURS_LIMIT = ONE_DAY_BEFORE_MARKETS_LIMIT = dt.date(2027, 12, 16)


@pytest.fixture
def decided(seeded_store, tmp_path):
    """Outcomes published for two consultations, two days apart, and responses with everything personal filled in."""
    store = seeded_store
    paths = []
    for slug, published in ((HARBOUR, "2026-12-15"), (MARKET, "2026-12-17")):
        document = yaml.safe_load((SEEDS / f"{slug}.yml").read_text())
        document["outcome"] = {"published": published, "you_said": "You said.", "we_did": "We did."}
        paths.append(tmp_path / f"{slug}.yml")
        paths[-1].write_text(yaml.safe_dump(document))
    store.apply_bundle(read_bundle(paths, known_wards=store.known_ward_slugs()))
    refs = {
        "harbour": store.submit_response(
            consultation_slug=HARBOUR,
            channel="twilio",
            sender_id="+447700900123",
            submitted_at=dt.datetime(2026, 11, 3, 14, 25, 7),
            answers={
                "support": "Agree",
                "design": "Option B - painted lane with wands",
                "concerns": ["Loss of parking", "Cost"],
                "trips": 12,
                "cycle_more": "Yes",
                "comments": "I live at the [address] end and parking is a worry",
            },
            themes={"comments": ["parking"]},
            ward_slug="harbourside",
            age_band="35-44",
            consent_quote=True,
            notify_outcome=True,
            submission_key="harbour-run-1",
            contact_sealed="gAAAAAB-sealed-address-of-the-resident",
            postcode_hash="5" * 64,
        ),
        "harbour_skipped": store.submit_response(
            consultation_slug=HARBOUR,
            channel="telegram",
            sender_id="4242",
            submitted_at=dt.datetime(2026, 11, 20, 23, 59, 59),
            answers={"support": "Disagree", "design": "None of them", "comments": None},
            age_band="75 or over",
            consent_quote=False,
            notify_outcome=False,
        ),
        "harbour_withdrawn": store.submit_response(
            consultation_slug=HARBOUR,
            channel="rest",
            sender_id="web-1",
            submitted_at=dt.datetime(2026, 11, 5, 9, 0),
            answers={"support": "Strongly agree", "design": "Option C - shared path"},
        ),
        "market": store.submit_response(
            consultation_slug=MARKET,
            channel="twilio",
            sender_id="+447700900123",
            submitted_at=dt.datetime(2026, 11, 4, 8, 30),
            answers={"support": "Disagree", "event_types": ["Live music"], "live_nearby": "Yes", "comments": "Too loud"},
            ward_slug="old-town",
            age_band="55-64",
            consent_quote=True,
            notify_outcome=True,
            contact_sealed="gAAAAAB-sealed-address-of-the-resident",
            postcode_hash="5" * 64,
        ),
        "library": store.submit_response(
            consultation_slug=LIBRARY,
            channel="rest",
            sender_id="web-2",
            submitted_at=dt.datetime(2026, 11, 12, 10, 0),
            answers={"use_library": "Yes", "comments": "Open later please"},
            ward_slug="riverside",
            age_band="18-24",
        ),
    }
    store.withdraw_response(refs["harbour_withdrawn"])
    with store.session() as session:
        ids = dict(session.execute(select(ResponseRow.reference, ResponseRow.id)).all())
        for key in ("harbour", "market"):  # a failed notice is tried again, so its sealed address is still kept
            session.add(NotificationRow(response_id=ids[refs[key]], channel="twilio", status="failed"))
    store.record_unanswered(HARBOUR, "question", "is the lane lit at night?")
    store.record_unanswered(HARBOUR, "answer", "meh", question_id="support")
    store.record_unanswered(MARKET, "question", "how loud can events be?")
    return refs


def responses(store, slug: str) -> list[dict]:
    with store.session() as session:
        rows = session.execute(
            select(ResponseRow.__table__)
            .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
            .where(ConsultationRow.slug == slug)
            .order_by(ResponseRow.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def answers(store, response_id: int) -> dict:
    with store.session() as session:
        rows = session.execute(
            select(QuestionRow.key, AnswerRow.value, AnswerRow.themes)
            .join(AnswerRow, AnswerRow.question_id == QuestionRow.id)
            .where(AnswerRow.response_id == response_id)
        ).all()
    return {key: (value, themes) for key, value, themes in rows}


def unanswered_texts(store, slug: str) -> list[str]:
    with store.session() as session:
        return sorted(
            session.scalars(
                select(UnansweredRow.text)
                .join(ConsultationRow, ConsultationRow.id == UnansweredRow.consultation_id)
                .where(ConsultationRow.slug == slug)
            )
        )


def notifications(store) -> int:
    with store.session() as session:
        return len(list(session.scalars(select(NotificationRow.id))))


def everything(store) -> dict:
    """Every row that retention may change, to prove a run changed nothing."""
    snapshot: dict = {}
    for slug in (HARBOUR, MARKET, LIBRARY):
        rows = responses(store, slug)
        snapshot[slug] = [(row, answers(store, row["id"])) for row in rows]
        snapshot[f"{slug} unanswered"] = unanswered_texts(store, slug)
    snapshot["notifications"] = notifications(store)
    return snapshot


def run_purge(store, today: dt.date, months: int = 12, dry_run: bool = False):
    return purge(store, NO_TRACKER, 30, dry_run=dry_run, now=None, response_months=months, today=today)


def test_a_response_is_kept_one_day_before_the_limit_and_anonymised_one_day_after(seeded_store, decided):
    store = seeded_store
    before = everything(store)
    harbour_before = {row["reference"]: row for row in responses(store, HARBOUR)}
    assert len(harbour_before) == 3 and len(before[MARKET]) == 1

    # One day before Harbour Road's limit (2027-12-15): nothing anywhere changes.
    report = run_purge(store, dt.date(2027, 12, 14))
    assert report.anonymised == {} and report.comments == report.withdrawn == report.unanswered == 0
    assert everything(store) == before

    # One day after Harbour Road's limit, and one day before Market Square's (2027-12-17).
    report = run_purge(store, ONE_DAY_AFTER_HARBOURS_LIMIT)
    assert report.anonymised == {HARBOUR: 2}
    assert (report.comments, report.withdrawn, report.unanswered) == (1, 1, 2)

    after = responses(store, HARBOUR)
    first, skipped = harbour_before[decided["harbour"]], harbour_before[decided["harbour_skipped"]]
    assert first["contact_sealed"] == "gAAAAAB-sealed-address-of-the-resident" and first["postcode_hash"] == "5" * 64
    assert after == [
        {
            **first,
            "reference": f"ANON-{first['id']}",
            "sender_hash": "anonymised",
            "ward_slug": None,
            "age_band": None,
            "consent_privacy_at": None,
            "consent_quote": None,
            "consent_quote_at": None,
            "notify_outcome": None,
            "notify_outcome_at": None,
            "started_at": dt.datetime(2026, 11, 3),
            "submitted_at": dt.datetime(2026, 11, 3),
            "amended_at": None,
            "submission_key": None,
            "contact_sealed": None,
            "postcode_hash": None,
        },
        {
            **skipped,
            "reference": f"ANON-{skipped['id']}",
            "sender_hash": "anonymised",
            "ward_slug": None,
            "age_band": None,
            "consent_privacy_at": None,
            "consent_quote": None,
            "consent_quote_at": None,
            "notify_outcome": None,
            "notify_outcome_at": None,
            "started_at": dt.datetime(2026, 11, 20),
            "submitted_at": dt.datetime(2026, 11, 20),
            "amended_at": None,
            "submission_key": None,
        },
    ]  # the withdrawn one is gone; status, channel and consultation stay, for the counts
    assert all(row["status"] == "submitted" for row in after)
    assert answers(store, first["id"]) == {
        "support": ("Agree", []),
        "design": ("Option B - painted lane with wands", []),
        "concerns": (["Loss of parking", "Cost"], []),
        "trips": (12, []),
        "cycle_more": ("Yes", []),
        "comments": ("[removed after the retention period]", ["parking"]),
    }
    assert answers(store, skipped["id"]) == {
        "support": ("Disagree", []),
        "design": ("None of them", []),
        "comments": (None, []),  # a skipped comment stays skipped
    }
    assert unanswered_texts(store, HARBOUR) == []
    assert notifications(store) == 1  # Market Square's is kept

    # Market Square (one day before its limit) and the library (no decision) are exactly as they were.
    current = everything(store)
    for key in (MARKET, f"{MARKET} unanswered", LIBRARY, f"{LIBRARY} unanswered"):
        assert current[key] == before[key]

    # The counts the council reports still add up; nothing leads back to the resident any more.
    assert {o.slug: o.responses for o in store.overview(dt.date(2027, 12, 16))}[HARBOUR] == 2
    assert store.response_summary(decided["harbour"]) is None
    assert store.withdraw_sender("twilio", "+447700900123") == [decided["market"]]


def test_the_limit_is_the_decisions_anniversary_in_calendar_months(seeded_store, decided):
    store = seeded_store
    assert run_purge(store, dt.date(2027, 12, 15)).anonymised == {HARBOUR: 2}  # on the anniversary itself
    assert run_purge(store, dt.date(2027, 12, 17)).anonymised == {MARKET: 1}
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 12) == dt.date(2027, 12, 15)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_purge_is_idempotent(seeded_store, decided):
    store = seeded_store
    run_purge(store, ONE_DAY_AFTER_HARBOURS_LIMIT)
    once = everything(store)
    again = run_purge(store, ONE_DAY_AFTER_HARBOURS_LIMIT)
    assert again.anonymised == {} and (again.comments, again.withdrawn, again.unanswered) == (0, 0, 0)
    assert everything(store) == once
    later = run_purge(store, dt.date(2030, 1, 1))  # years later only Market Square is new
    assert later.anonymised == {MARKET: 1} and (later.comments, later.withdrawn, later.unanswered) == (1, 0, 1)
    assert everything(store)[HARBOUR] == once[HARBOUR]


def test_dry_run_reports_the_same_numbers_and_changes_nothing(seeded_store, decided):
    store = seeded_store
    before = everything(store)
    dry = run_purge(store, ONE_DAY_AFTER_HARBOURS_LIMIT, dry_run=True)
    assert everything(store) == before
    assert dry.anonymised == {HARBOUR: 2} and (dry.comments, dry.withdrawn, dry.unanswered) == (1, 1, 2)
    assert dry.lines()[2].startswith("Would anonymise 2 submitted response(s)")
    assert dry.lines()[3] == "Would delete 1 withdrawn response(s) and 2 unanswered question(s) of those consultations."
    real = run_purge(store, ONE_DAY_AFTER_HARBOURS_LIMIT)
    assert (real.anonymised, real.comments, real.withdrawn, real.unanswered) == ({HARBOUR: 2}, 1, 1, 2)
    assert real.lines()[3] == "Deleted 1 withdrawn response(s) and 2 unanswered question(s) of those consultations."


def test_without_a_decision_nothing_is_anonymised_and_long_closed_ones_are_reported(seeded_store, decided):
    store = seeded_store
    before = everything(store)
    report = run_purge(store, dt.date(2040, 1, 1))
    assert LIBRARY not in report.anonymised and everything(store)[LIBRARY] == before[LIBRARY]
    # Budget closed 2026-10-31 and the library 2027-01-15, neither with a decision: both are reported.
    assert report.awaiting_decision == [BUDGET, LIBRARY]
    assert "budget-2027, library-opening-hours" in report.lines()[-1]
    # 12 months after the budget closed, but not yet after the library closed.
    assert run_purge(store, dt.date(2027, 11, 1)).awaiting_decision == [BUDGET]
    assert run_purge(store, dt.date(2027, 10, 30)).awaiting_decision == []


def test_an_archived_consultation_without_a_decision_is_still_reported(seeded_store, decided):
    """Archiving hides a consultation, not its residents' responses: they still wait for a decision."""
    from actions.store.audit import Actor
    from actions.store.editing import change_status

    assert change_status(seeded_store, LIBRARY, "archive", Actor("cli:test", "cli")).saved
    assert seeded_store.consultation(LIBRARY).status == "archived"
    assert run_purge(seeded_store, dt.date(2040, 1, 1)).awaiting_decision == [BUDGET, LIBRARY]


@pytest.fixture
def retention_setting(monkeypatch):
    def set_months(months: str) -> None:
        monkeypatch.setenv("RESPONSE_RETENTION_MONTHS", months)
        get_settings.cache_clear()

    yield set_months
    get_settings.cache_clear()


def privacy_statement() -> str:
    bundle = read_bundle([SEEDS], known_wards=set())
    consultation = next(c for c in bundle.consultations if c.slug == HARBOUR)
    return Survey(consultation, bundle.council.council).privacy_statement()


def test_the_privacy_statement_and_purge_follow_the_same_setting(seeded_store, decided, retention_setting):
    retention_setting("12")
    assert "for up to 12 months after the decision. Then we delete your comments" in privacy_statement()
    retention_setting("1")
    assert "for up to 1 month after the decision." in privacy_statement()
    retention_setting("3")
    statement = privacy_statement()
    assert "for up to 3 months after the decision." in statement and "12 months" not in statement
    # purge, with no months given, uses the same setting: Harbour Road was decided on 2026-12-15.
    kept = purge(seeded_store, NO_TRACKER, 30, today=dt.date(2027, 3, 14))
    assert kept.anonymised == {} and kept.retention_months == 3
    assert purge(seeded_store, NO_TRACKER, 30, today=dt.date(2027, 3, 15)).anonymised == {HARBOUR: 2}
    retention_setting("0")
    with pytest.raises(SystemExit, match="RESPONSE_RETENTION_MONTHS must be at least 1"):
        get_settings()


def test_outcome_is_the_decision(seeded_store, decided):
    # The decision date is the outcome's `published` date, as loaded from the YAML.
    assert seeded_store.consultation(HARBOUR).outcome == Outcome(dt.date(2026, 12, 15), "You said.", "We did.")
    assert seeded_store.consultation(LIBRARY).outcome is None
