"""The store against SQLite always, and PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import copy
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, func, select

from actions.content.files import read_bundle
from actions.content.validate import ContentError
from actions.store.db import engine_for
from actions.store.identity import REFERENCE_ALPHABET, find_reference, hash_sender
from actions.store.models import AnswerRow, Base, ResponseRow
from actions.store.repository import Store
from actions.survey.engine import Survey, new_state
from tests.conftest import SEEDS

REFERENCE = re.compile(rf"^MB-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")


def test_migrations_create_exactly_the_models_schema(store):
    with engine_for(store.url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_loading_seeds_is_idempotent(store):
    bundle = read_bundle([SEEDS], known_wards=set())
    first = store.apply_bundle(bundle)
    second = store.apply_bundle(bundle)
    assert len(first.created) == len(bundle.consultations) and first.wards >= 6
    assert second.created == [] and second.updated == []
    assert sorted(second.unchanged) == sorted(c.slug for c in bundle.consultations)


def test_consultation_round_trips_through_the_store(seeded_store):
    original = {c.slug: c for c in read_bundle([SEEDS], known_wards=set()).consultations}
    for slug, consultation in original.items():
        assert seeded_store.consultation(slug) == consultation


def test_overview_counts_and_effective_status(seeded_store):
    import datetime as dt

    rows = {row.slug: row for row in seeded_store.overview(today=dt.date(2026, 11, 22))}
    assert rows["westfield-leisure-centre"].status == "draft"
    assert rows["rural-bus-network"].status == "closed"
    assert rows["harbour-road-cycle-lane"].status == "open"
    # after its closing date an "open" consultation counts as closed
    later = {row.slug: row for row in seeded_store.overview(today=dt.date(2027, 1, 1))}
    assert later["harbour-road-cycle-lane"].status == "closed"


def test_changing_a_consultation_updates_it(seeded_store, tmp_path):
    document = yaml.safe_load((SEEDS / "market-square-events.yml").read_text())
    document["title"] = "Events in Market Square 2027"
    document["questions"].append({"id": "extra", "type": "yesno", "text": "Have you been to an event?"})
    path = tmp_path / "market.yml"
    path.write_text(yaml.safe_dump(document))
    report = seeded_store.apply_bundle(read_bundle([path], known_wards=seeded_store.known_ward_slugs()))
    assert report.updated == ["market-square-events"]
    consultation = seeded_store.consultation("market-square-events")
    assert consultation.title == "Events in Market Square 2027"
    assert consultation.questions[-1].id == "extra"


def test_a_question_with_answers_cannot_be_removed_and_nothing_changes(seeded_store, tmp_path):
    seeded_store.submit_response(
        consultation_slug="market-square-events",
        channel="rest",
        sender_id="a",
        answers={"support": "Agree", "comments": "Lovely"},
    )
    document = yaml.safe_load((SEEDS / "market-square-events.yml").read_text())
    changed = copy.deepcopy(document)
    changed["title"] = "Renamed"
    changed["questions"] = [q for q in changed["questions"] if q["id"] != "comments"]
    path = tmp_path / "market.yml"
    path.write_text(yaml.safe_dump(changed))
    with pytest.raises(ContentError) as caught:
        seeded_store.apply_bundle(read_bundle([path], known_wards=seeded_store.known_ward_slugs()))
    assert str(caught.value) == (
        f"{path}: questions: question 'comments' has 1 answer and cannot be removed: its answers would belong to no "
        "question. Close the consultation and duplicate it to make this change."
    )
    assert seeded_store.consultation("market-square-events").title == "Events in Market Square"


def test_submit_writes_response_and_answers_with_a_readable_reference(seeded_store):
    answers = {
        "support": "Agree",
        "design": "Option B - painted lane with wands",
        "concerns": ["Cost", "Loss of parking"],
        "trips": 12,
        "comments": None,
    }
    reference = seeded_store.submit_response(
        consultation_slug="harbour-road-cycle-lane",
        channel="telegram",
        sender_id="+447700900123",
        answers=answers,
        themes={"comments": []},
        ward_slug="harbourside",
        age_band="35-44",
        consent_quote=True,
        notify_outcome=False,
    )
    assert REFERENCE.match(reference)
    assert find_reference(f"please withdraw {reference.lower()} thanks") == reference
    assert seeded_store.response_answers(reference) == answers
    with seeded_store.session() as session:
        row = session.scalar(select(ResponseRow).where(ResponseRow.reference == reference))
        assert row.status == "submitted" and row.channel == "telegram" and row.submitted_at is not None
        # HMAC-SHA256 keyed with TEST_SALT of "telegram:+447700900123", worked out outside actions/ (hmac, hashlib).
        # Without the salt (plain SHA-256) it would be 8a153e0b...; storing the number itself fails too.
        assert row.sender_hash == "5cbdd417cb2a5caabd2104c5b039a9db2d570b122de469156dffb3e94ebc4223"
        assert row.consent_quote is True
    assert {o.slug: o.responses for o in seeded_store.overview()}["harbour-road-cycle-lane"] == 1


def test_unknown_question_ids_are_rejected_and_nothing_is_written(seeded_store):
    with pytest.raises(ValueError, match="unknown question ids"):
        seeded_store.submit_response(
            consultation_slug="harbour-road-cycle-lane", channel="rest", sender_id="a", answers={"nope": 1}
        )
    with seeded_store.session() as session:
        assert session.scalar(select(func.count()).select_from(ResponseRow)) == 0


def test_withdrawal_deletes_answers_and_removes_the_response_from_counts(seeded_store):
    reference = seeded_store.submit_response(
        consultation_slug="market-square-events", channel="rest", sender_id="a", answers={"support": "Disagree"}
    )
    assert seeded_store.withdraw_response(reference.lower()) is True
    assert seeded_store.response_answers(reference) == {}
    assert {o.slug: o.responses for o in seeded_store.overview()}["market-square-events"] == 0
    with seeded_store.session() as session:
        assert session.scalar(select(func.count()).select_from(AnswerRow)) == 0
    assert seeded_store.withdraw_response("MB-ZZZZ-ZZZZ") is False


def test_wards_and_postcode_sectors(seeded_store):
    ward = seeded_store.ward_for_sector("MB3 4")
    assert ward.slug == "riverside" and ward.councillors[0].name == "Cllr Kevin Marsh"
    assert seeded_store.ward_for_sector("ZZ9 9") is None
    assert len(seeded_store.wards()) >= 6
    assert seeded_store.council().code == "MB"


def test_sender_ids_are_never_hashed_without_a_salt(database_url):
    with pytest.raises(ValueError, match="SENDER_HASH_SALT"):
        hash_sender("", "rest", "someone")
    assert Store(database_url, "").sender_salt == ""


def review_state_of_one_survey_run():
    """A Market Square response driven through the real survey engine up to its review: not yet submitted."""
    bundle = read_bundle([SEEDS], known_wards=set())
    consultation = next(c for c in bundle.consultations if c.slug == "market-square-events")
    survey = Survey(consultation, bundle.council.council)
    state = new_state(consultation)
    for message in ["yes", "no", "no", "agree", "1", "no", "skip", "skip", "prefer not to say"]:
        state = survey.handle(state, message).state
    assert state["stage"] == "review"
    return survey, state


def test_two_concurrent_submits_of_one_survey_run_save_one_response_with_one_reference(seeded_store):
    """A double click, or a webhook retried while the first delivery is still being handled: both arrive while the
    survey is still at its review, both decide to submit the same run, and both reach the database together."""
    survey, review = review_state_of_one_survey_run()
    steps = [survey.handle(review, "submit"), survey.handle(review, "submit")]
    assert all(step.submit and not step.finished for step in steps)  # the survey has not ended for either
    assert steps[0].state["key"] == steps[1].state["key"] == review["key"]

    engine = engine_for(seeded_store.url)
    arrived = threading.Barrier(2, timeout=30)
    held = []
    duplicates = []

    def hold_first_inserts_until_both_arrive(connection, cursor, statement, parameters, context, executemany):
        # Neither caller has saved anything yet, so each passed the "already submitted?" lookup; now both insert.
        if statement.lstrip().upper().startswith("INSERT INTO RESPONSES") and len(held) < 2:
            held.append(statement)
            arrived.wait()

    def count_duplicate_keys(context):
        if "submission_key" in str(context.original_exception):
            duplicates.append(type(context.sqlalchemy_exception).__name__)

    def submit(step):
        state = step.state
        return seeded_store.submit_response(
            consultation_slug=state["slug"],
            channel="twilio",
            sender_id="+447700900999",
            answers=state["answers"],
            themes=state["themes"],
            consent_quote=state["quote"],
            notify_outcome=state["notify"],
            submission_key=state["key"],
        )

    event.listen(engine, "before_cursor_execute", hold_first_inserts_until_both_arrive)
    event.listen(engine, "handle_error", count_duplicate_keys)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            references = list(pool.map(submit, steps))
    finally:
        event.remove(engine, "before_cursor_execute", hold_first_inserts_until_both_arrive)
        event.remove(engine, "handle_error", count_duplicate_keys)

    assert len(held) == 2  # both callers got as far as inserting a response
    assert duplicates == ["IntegrityError"]  # the database refused the second one: the unique submission key
    assert REFERENCE.match(references[0]) and references[0] == references[1]
    with seeded_store.session() as session:
        rows = session.execute(select(ResponseRow.reference, ResponseRow.submission_key)).all()
        assert [tuple(row) for row in rows] == [(references[0], review["key"])]
        assert session.scalar(select(func.count()).select_from(AnswerRow)) == 4  # one set of answers, not two
    assert seeded_store.response_answers(references[0]) == {
        "support": "Agree",
        "event_types": ["Christmas market"],
        "live_nearby": "No",
        "comments": None,
    }


def test_a_bulk_load_leaves_postgresql_with_fresh_planner_statistics(seeded_store, database_url):
    """Without them PostgreSQL plans 100,000 fresh demo responses as if the tables were empty (pages of 2-4 s)."""
    import datetime as dt

    from sqlalchemy import text

    from actions.demo import generate

    if not database_url.startswith("postgresql"):
        seeded_store.refresh_planner_statistics()  # nothing to do on SQLite, and no error
        return
    consultation = seeded_store.consultation("library-opening-hours")
    seeded_store.submit_many(consultation.slug, list(generate(consultation, seeded_store.wards(), 20, 1, dt.date(2026, 11, 22))))

    def analysed() -> dict:
        with seeded_store.session() as session:
            rows = session.execute(
                text("SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('responses', 'answers')")
            )
            return {name: when is not None for name, when in rows}

    assert analysed() == {"responses": False, "answers": False}
    seeded_store.refresh_planner_statistics()
    assert analysed() == {"responses": True, "answers": True}
