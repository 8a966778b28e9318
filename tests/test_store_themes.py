"""Themes that officers own and the review of comments, in the store, on SQLite and PostgreSQL.

Every expected value is written out by hand from the responses made here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from actions.store import comment_review as review
from actions.store import themes
from actions.store.models import AnswerRow, CommentFlagRow, CommentNoteRow, CommentTagRow, ThemeActivityRow

HARBOUR = "harbour-road-cycle-lane"
LIBRARY = "library-opening-hours"
OFFICER = "officer@millbrook.gov.uk"
OTHER = "other.officer@millbrook.gov.uk"


def respond(store, sender, comment, tags, quote=True, slug=HARBOUR, day=1):
    answers = {"support": "Agree", "comments": comment} if slug == HARBOUR else {"use_library": "Yes", "comments": comment}
    return store.submit_response(
        consultation_slug=slug,
        channel="rest",
        sender_id=sender,
        answers=answers,
        themes={"comments": tags},
        consent_quote=quote,
        submitted_at=dt.datetime(2026, 11, day, 12),
    )


def answer_ids(store, slug=HARBOUR) -> dict[str, int]:
    """Each comment's answer id, by its text."""
    page = review.comment_page(store, slug, per_page=100)
    return {comment.text: comment.answer_id for comment in page.comments}


@pytest.fixture
def comments(seeded_store):
    store = seeded_store
    respond(store, "a", "Parking on Harbour Road is awful already.", ["parking"], day=1)
    respond(store, "b", "Too much traffic, and where will we park?", ["parking", "traffic"], day=2)
    respond(store, "c", "The junction by the station is dangerous.", ["safety"], quote=False, day=3)
    respond(store, "d", "Speeding cars everywhere, I could kill you all.", ["safety", "needs_review"], day=4)
    withdrawn = respond(store, "e", "Withdrawn comment about parking.", ["parking"], day=5)
    store.withdraw_response(withdrawn)
    store.submit_response(
        consultation_slug=HARBOUR, channel="rest", sender_id="f", answers={"support": "Agree", "comments": None}
    )
    respond(store, "g", "The library must stay open on Saturdays.", ["opening_hours"], slug=LIBRARY)
    return store, answer_ids(store)


def counts(store, slug=HARBOUR) -> dict[str, tuple[str, int, int, int]]:
    """theme key: (status, comments now, reviewed, suggested)."""
    return {c.theme.key: (c.theme.status, c.comments, c.reviewed, c.suggested) for c in themes.overview(store, slug).themes}


def test_automatic_tags_start_as_suggestions_and_only_submitted_comments_count(comments):
    store, _ids = comments
    summary = themes.overview(store, HARBOUR)
    assert (summary.comments, summary.reviewed) == (4, 0)  # not the withdrawn or the skipped one, nor the library's
    assert counts(store) == {
        "parking": ("suggested", 2, 0, 2),
        "safety": ("suggested", 2, 0, 2),
        "traffic": ("suggested", 1, 0, 1),
    }  # "needs_review" is a moderation mark, not a theme
    assert [c.theme.name for c in summary.themes] == ["Parking", "Safety", "Traffic"]


def test_confirm_reject_rename_add_and_merge_record_who_and_when(comments):
    store, ids = comments
    themes.set_status(store, HARBOUR, "parking", "confirmed", OFFICER)
    themes.set_status(store, HARBOUR, "traffic", "rejected", OFFICER)
    themes.rename(store, HARBOUR, "parking", "Parking and loading", OTHER)
    bus = themes.add_theme(store, HARBOUR, "  Bus   routes ", OFFICER)
    assert (bus.key, bus.name, bus.origin, bus.status, bus.decided_by) == (
        "bus_routes",
        "Bus routes",
        "officer",
        "confirmed",
        OFFICER,
    )
    with pytest.raises(themes.ThemeError, match="already a theme called “Bus routes”"):
        themes.add_theme(store, HARBOUR, "bus ROUTES", OFFICER)
    with pytest.raises(themes.ThemeError, match="already a theme"):
        themes.rename(store, HARBOUR, "safety", "parking and loading", OFFICER)
    book = themes.themes_of(store, HARBOUR)
    parking = book.get("parking")
    assert (parking.name, parking.status, parking.decided_by) == ("Parking and loading", "confirmed", OTHER)
    assert parking.decided_at is not None and parking.decided_at.date() == dt.date.today()
    assert counts(store)["traffic"] == ("rejected", 0, 0, 1)  # still suggested once, on no comment now

    # An officer removes "safety" from comment d, then merges "safety" into "parking": c now counts as
    # parking, and d keeps the officer's removal.
    review.set_comment_themes(store, HARBOUR, ids["Speeding cars everywhere, I could kill you all."], [], OFFICER)
    themes.merge(store, HARBOUR, "safety", "parking", OFFICER)
    assert counts(store) == {
        "parking": ("confirmed", 3, 0, 2),  # a, b and c (its safety); the tagger said "parking" on a and b
        "bus_routes": ("confirmed", 0, 0, 0),
        "traffic": ("rejected", 0, 0, 1),
        "safety": ("merged", 0, 0, 2),
    }
    assert themes.themes_of(store, HARBOUR).get("safety").merged_into == "parking"
    with pytest.raises(themes.ThemeError, match="rejected"):
        themes.merge(store, HARBOUR, "bus_routes", "traffic", OFFICER)
    with pytest.raises(themes.ThemeError, match="already been merged"):
        themes.merge(store, HARBOUR, "safety", "bus_routes", OFFICER)
    actions = [(row["actor"], row["action"]) for row in themes.recent_activity(store, HARBOUR)]
    assert actions[:3] == [(OFFICER, "merge"), (OFFICER, "reviewed"), (OFFICER, "remove")]
    assert (OTHER, "rename") in actions and (OFFICER, "add") in actions and (OFFICER, "reject") in actions


def test_an_officer_sets_a_comments_themes_and_reviews_it(comments):
    store, ids = comments
    themes.add_theme(store, HARBOUR, "Bus routes", OFFICER)
    answer = ids["Too much traffic, and where will we park?"]
    review.set_comment_themes(store, HARBOUR, answer, ["traffic", "bus_routes"], OFFICER)
    found = review.comment(store, HARBOUR, answer)
    assert found.themes == ["bus_routes", "traffic"] and found.suggested == ["parking", "traffic"]
    assert {key: assigned for key, (assigned, _who, _when) in found.decisions.items()} == {"parking": False, "bus_routes": True}
    assert found.decisions["parking"][1] == OFFICER and found.reviewed_by == OFFICER
    assert themes.overview(store, HARBOUR).reviewed == 1
    assert [c.answer_id for c in review.comment_page(store, HARBOUR, status="reviewed").comments] == [answer]
    assert len(review.comment_page(store, HARBOUR, status="unreviewed").comments) == 3
    assert [c.answer_id for c in review.comment_page(store, HARBOUR, theme="parking").comments] == [
        ids["Parking on Harbour Road is awful already."]
    ]
    assert review.next_unreviewed(store, HARBOUR, after=answer) == ids["The junction by the station is dangerous."]
    review.set_reviewed(store, HARBOUR, answer, False, OTHER)
    assert review.comment(store, HARBOUR, answer).reviewed_by is None
    # Suggestions and the reviewed comment's themes feed the accuracy on the themes page.
    review.set_comment_themes(store, HARBOUR, answer, ["traffic"], OFFICER)
    assert themes.overview(store, HARBOUR).pairs == [({"parking", "traffic"}, {"traffic"})]


def test_comments_of_another_consultation_or_withdrawn_ones_cannot_be_reached(comments):
    store, _ids = comments
    library = answer_ids(store, LIBRARY)["The library must stay open on Saturdays."]
    with pytest.raises(LookupError):
        review.add_note(store, HARBOUR, library, "sneaky", OFFICER)
    with pytest.raises(LookupError):
        review.set_flags(store, HARBOUR, library, ["abusive"], OFFICER)
    assert review.comment(store, HARBOUR, library) is None
    with store.session() as session:
        withdrawn = session.scalar(select(func.max(AnswerRow.id)).where(AnswerRow.value.is_(None)))
    with pytest.raises(LookupError):
        review.redact_comment(store, HARBOUR, withdrawn or 10**6, "", OFFICER)


def test_tags_notes_and_flags(comments):
    store, ids = comments
    answer = ids["Parking on Harbour Road is awful already."]
    assert review.add_tag(store, HARBOUR, answer, "  Follow   UP ", OFFICER) == "follow up"
    review.add_tag(store, HARBOUR, answer, "follow up", OFFICER)  # once only
    review.add_tag(store, HARBOUR, answer, "harbour end", OFFICER)
    review.add_note(store, HARBOUR, answer, "Rang the resident back on 3 Dec.", OFFICER)
    review.set_flags(store, HARBOUR, answer, ["needs_reply", "abusive"], OTHER)
    found = review.comment(store, HARBOUR, answer)
    assert found.tags == ["follow up", "harbour end"]
    assert [(note["text"], note["author"]) for note in found.notes] == [("Rang the resident back on 3 Dec.", OFFICER)]
    assert sorted(found.flags) == ["abusive", "needs_reply"] and found.flags["abusive"][0] == OTHER
    assert [c.answer_id for c in review.comment_page(store, HARBOUR, tag="harbour end").comments] == [answer]
    assert [c.answer_id for c in review.comment_page(store, HARBOUR, flag="needs_reply").comments] == [answer]
    overview = themes.overview(store, HARBOUR)
    assert overview.flagged == {"needs_reply": 1, "abusive": 1} and overview.tags == {"follow up": 1, "harbour end": 1}

    note_id = found.notes[0]["id"]
    with pytest.raises(themes.ThemeError, match="author or an administrator"):
        review.delete_note(store, HARBOUR, answer, note_id, OTHER, may_delete_any=False)
    review.delete_note(store, HARBOUR, answer, note_id, OTHER, may_delete_any=True)
    review.remove_tag(store, HARBOUR, answer, "harbour end", OFFICER)
    review.set_flags(store, HARBOUR, answer, ["needs_reply"], OFFICER)
    found = review.comment(store, HARBOUR, answer)
    assert (found.notes, found.tags, sorted(found.flags)) == ([], ["follow up"], ["needs_reply"])
    with pytest.raises(themes.ThemeError):
        review.set_flags(store, HARBOUR, answer, ["made_up"], OFFICER)
    with store.session() as session:  # the log names flags and tags, never a note's words
        details = [row.detail for row in session.scalars(select(ThemeActivityRow))]
    assert {"flag": "abusive"} in details and {"tag": "follow up"} in details
    assert not any("Rang" in str(detail) for detail in details)


def test_redaction_removes_words_or_the_whole_comment_and_flags_it(comments):
    store, ids = comments
    answer = ids["Too much traffic, and where will we park?"]
    text = review.redact_comment(store, HARBOUR, answer, "much traffic,\nWHERE  will", OFFICER)
    assert text == "Too [removed], and [removed] we park?"
    found = review.comment(store, HARBOUR, answer)
    assert found.text == text and set(found.flags) == {"personal_data", "redacted"} and not found.quotable
    with pytest.raises(themes.ThemeError, match="None of those words"):
        review.redact_comment(store, HARBOUR, answer, "Zbigniew", OFFICER)
    whole = review.redact_comment(store, HARBOUR, ids["Parking on Harbour Road is awful already."], "", OFFICER)
    assert whole == "[comment removed by an officer: it contained personal data]"
    with store.session() as session:
        values = set(session.scalars(select(AnswerRow.value).where(AnswerRow.id.in_([answer]))))
        log = [row.detail for row in session.scalars(select(ThemeActivityRow).where(ThemeActivityRow.action == "redact"))]
    assert values == {"Too [removed], and [removed] we park?"}  # the original is not kept
    assert log == [{"removed": 2, "whole": False}, {"removed": 1, "whole": True}]


def test_the_report_counts_confirmed_themes_and_quotes_only_whom_it_may(comments):
    store, ids = comments
    themes.set_status(store, HARBOUR, "parking", "confirmed", OFFICER)
    themes.set_status(store, HARBOUR, "safety", "confirmed", OFFICER)  # traffic stays a suggestion
    report = themes.report_themes(store, HARBOUR)
    assert (report.comments, report.reviewed) == (4, 0)
    assert [(t.name, t.comments, t.quotes) for t in report.themes] == [
        ("Parking", 2, ["Parking on Harbour Road is awful already.", "Too much traffic, and where will we park?"]),
        # c did not agree to be quoted; d carries the moderation mark and nobody has reviewed it.
        ("Safety", 2, []),
    ]
    review.set_reviewed(store, HARBOUR, ids["Speeding cars everywhere, I could kill you all."], True, OFFICER)
    review.set_flags(store, HARBOUR, ids["Parking on Harbour Road is awful already."], ["abusive"], OFFICER)
    review.set_flags(store, HARBOUR, ids["Too much traffic, and where will we park?"], ["needs_reply"], OFFICER)
    report = themes.report_themes(store, HARBOUR)
    assert [(t.name, t.comments, t.reviewed, t.quotes) for t in report.themes] == [
        ("Parking", 2, 0, ["Too much traffic, and where will we park?"]),  # "needs a reply" does not exclude
        ("Safety", 2, 1, ["Speeding cars everywhere, I could kill you all."]),  # reviewed, so an officer has looked
    ]
    review.set_flags(store, HARBOUR, ids["Too much traffic, and where will we park?"], ["do_not_quote"], OFFICER)
    assert themes.report_themes(store, HARBOUR).themes[0].quotes == []


def test_withdrawing_a_response_deletes_its_notes_tags_and_flags(comments):
    store, ids = comments
    answer = ids["Parking on Harbour Road is awful already."]
    review.add_note(store, HARBOUR, answer, "Resident's neighbour rang too.", OFFICER)
    review.add_tag(store, HARBOUR, answer, "call back", OFFICER)
    review.set_flags(store, HARBOUR, answer, ["needs_reply"], OFFICER)
    reference = review.comment(store, HARBOUR, answer).reference
    assert store.withdraw_response(reference)
    with store.session() as session:
        left = [
            session.scalar(select(func.count()).select_from(model)) for model in (CommentNoteRow, CommentTagRow, CommentFlagRow)
        ]
    assert left == [0, 0, 0]


def test_anonymisation_deletes_notes_flags_and_tags_but_keeps_the_themes(comments, tmp_path):
    import yaml

    from actions.content.files import read_bundle
    from actions.retention import purge
    from tests.conftest import SEEDS

    store, ids = comments
    answer = ids["Too much traffic, and where will we park?"]
    themes.set_status(store, HARBOUR, "parking", "confirmed", OFFICER)
    review.set_comment_themes(store, HARBOUR, answer, ["parking"], OFFICER)
    review.add_note(store, HARBOUR, answer, "Mr Bloggs from number 12 rang about this.", OFFICER)
    review.add_tag(store, HARBOUR, answer, "call back", OFFICER)
    review.set_flags(store, HARBOUR, answer, ["needs_reply"], OFFICER)
    document = yaml.safe_load((SEEDS / f"{HARBOUR}.yml").read_text())
    document["outcome"] = {"published": "2026-12-15", "you_said": "You said.", "we_did": "We did."}
    (tmp_path / f"{HARBOUR}.yml").write_text(yaml.safe_dump(document))
    store.apply_bundle(read_bundle([tmp_path / f"{HARBOUR}.yml"], known_wards=store.known_ward_slugs()))

    purge(store, "sqlite://", 30, response_months=12, today=dt.date(2027, 12, 14))  # the day before: kept
    assert review.comment(store, HARBOUR, answer).notes != []
    purge(store, "sqlite://", 30, response_months=12, today=dt.date(2027, 12, 15))
    with store.session() as session:
        left = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model).where(model.answer_id == answer))
            for model in (CommentNoteRow, CommentTagRow, CommentFlagRow, ThemeActivityRow)
        }
    assert left == {"comment_notes": 0, "comment_tags": 0, "comment_flags": 0, "theme_activity": 0}
    found = review.comment(store, HARBOUR, answer)
    assert found.text == "[removed after the retention period]" and found.themes == ["parking"] and found.reviewed
    assert [t.comments for t in themes.report_themes(store, HARBOUR).themes] == [2]  # the counts still add up
