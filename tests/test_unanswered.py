"""The unanswered-questions log for officers, in the store (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import delete, func, select

from actions.store.models import ConsultationRow, UnansweredRow
from actions.store.unanswered import grouping_key
from actions.text.redaction import redact

HARBOUR = "harbour-road-cycle-lane"
LIBRARY = "library-opening-hours"
EMAIL = "jane.doe@example.com"
PHONE = "07700 900123"


def stored(store) -> list[UnansweredRow]:
    with store.session() as session:
        return list(session.scalars(select(UnansweredRow).order_by(UnansweredRow.id)))


def test_personal_details_are_redacted_before_they_are_stored(seeded_store):
    wording = f"Are we losing parking? Email me at {EMAIL} or ring {PHONE}"
    assert seeded_store.record_unanswered(HARBOUR, "question", wording) is True
    (row,) = stored(seeded_store)
    assert row.text == redact(wording)
    for secret in (EMAIL, "jane.doe", PHONE, "900123"):
        assert secret not in row.text and secret not in row.grouping_key
    assert row.kind == "question" and row.question_id is None
    (group,) = seeded_store.unanswered_summary(HARBOUR)
    assert EMAIL not in str(group) and PHONE not in str(group)


def test_redaction_comes_before_the_500_character_cut(seeded_store):
    # Cut first, the address would be left as "jane.doe@exam", which no longer looks like an email.
    wording = "x" * 480 + f" write to {EMAIL} please"
    assert wording.index(EMAIL) < 500 < wording.index(EMAIL) + len(EMAIL)
    assert seeded_store.record_unanswered(HARBOUR, "question", wording)
    (row,) = stored(seeded_store)
    assert "jane.doe" not in row.text and len(row.text) <= 500
    assert seeded_store.record_unanswered(HARBOUR, "question", "why " * 400)
    assert 495 <= len(stored(seeded_store)[-1].text) <= 500


def test_repeats_are_grouped_counted_and_ordered(seeded_store):
    store = seeded_store
    for wording in ["Are we losing parking?", "are we  losing parking", "ARE WE LOSING PARKING!!!", "Are we losing parking?"]:
        assert store.record_unanswered(HARBOUR, "question", wording)
    store.record_unanswered(HARBOUR, "question", "what about buses")
    store.record_unanswered(HARBOUR, "answer", "not a hope", question_id="support")
    store.record_unanswered(HARBOUR, "answer", "Not a hope.", question_id="support")
    store.record_unanswered(HARBOUR, "answer", "not a hope", question_id="design")  # another question: another group
    store.record_unanswered(LIBRARY, "question", "are we losing parking")  # another consultation
    groups = store.unanswered_summary(HARBOUR)
    assert [(g["kind"], g["question_id"], g["count"]) for g in groups] == [
        ("question", None, 4),
        ("answer", "support", 2),
        ("answer", "design", 1),  # the newer of the two singletons first
        ("question", None, 1),
    ]
    parking = groups[0]
    assert parking["examples"] == ["Are we losing parking?", "ARE WE LOSING PARKING!!!", "are we  losing parking"]
    assert parking["first_seen"] <= parking["last_seen"]
    assert groups[1]["examples"] == ["Not a hope.", "not a hope"]
    assert groups[3]["examples"] == ["what about buses"]
    assert [g["count"] for g in store.unanswered_summary(LIBRARY)] == [1]
    assert set(parking) == {"kind", "question_id", "count", "examples", "first_seen", "last_seen"}


def test_at_most_three_examples_newest_first(seeded_store):
    for wording in ["Parking?", "parking", "PARKING!", "Parking..."]:
        seeded_store.record_unanswered(HARBOUR, "question", wording)
    (group,) = seeded_store.unanswered_summary(HARBOUR)
    assert group["count"] == 4 and group["examples"] == ["Parking...", "PARKING!", "parking"]


def test_grouping_key_ignores_case_punctuation_and_spacing():
    assert grouping_key("  Don't KNOW!!  really… ") == "dont know really"
    assert grouping_key("Don’t know") == "dont know"
    assert grouping_key("car,bus / train") == "car bus train"
    assert grouping_key("?!") == ""


def test_unknown_consultations_and_empty_text_are_ignored(seeded_store):
    assert seeded_store.record_unanswered("no-such-consultation", "question", "are we losing parking?") is False
    for empty in ["", "   ", "?!", "\n"]:
        assert seeded_store.record_unanswered(HARBOUR, "question", empty) is False
    assert stored(seeded_store) == []
    assert seeded_store.unanswered_summary("no-such-consultation") == []


def test_a_bad_kind_is_rejected(seeded_store):
    for kind in ["faq", "", "Question", "answers"]:
        with pytest.raises(ValueError, match="kind must be one of: question, answer"):
            seeded_store.record_unanswered(HARBOUR, kind, "are we losing parking?")
    assert stored(seeded_store) == []


def test_a_question_id_belongs_only_to_answers(seeded_store):
    seeded_store.record_unanswered(HARBOUR, "question", "is it safe", question_id="support")
    seeded_store.record_unanswered(HARBOUR, "answer", "meh")
    assert [(row.kind, row.question_id) for row in stored(seeded_store)] == [("question", None), ("answer", None)]


def test_the_wording_is_never_logged(seeded_store, caplog):
    caplog.set_level(logging.DEBUG)
    seeded_store.record_unanswered(HARBOUR, "question", "zebra crossing near the quay please")
    seeded_store.unanswered_summary(HARBOUR)
    assert "zebra" not in caplog.text


def test_rows_go_with_their_consultation(seeded_store):
    seeded_store.record_unanswered(HARBOUR, "question", "are we losing parking?")
    seeded_store.record_unanswered(LIBRARY, "question", "is there parking?")
    with seeded_store.session() as session:
        session.execute(delete(ConsultationRow).where(ConsultationRow.slug == HARBOUR))
    with seeded_store.session() as session:
        assert session.scalar(select(func.count()).select_from(UnansweredRow)) == 1
