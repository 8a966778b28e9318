"""The repository: the one API the dialogue actions, the portal and the CLI use to read and write data."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..content.changes import harmful_changes
from ..content.documents import consultation_document, consultation_from_document, content_hash, question_document
from ..content.files import ContentBundle
from ..content.model import Consultation, Council, CouncilFile, Councillor, Ward, effective_status
from ..content.validate import ContentError, Problem
from . import unanswered
from .addresses import PUSH_CHANNELS, open_address, seal_address
from .db import engine_for, session_scope
from .identity import CONVERSATION_KEY, hash_sender, new_reference
from .models import (
    AnswerRow,
    ConsultationRow,
    ConsultationVersionRow,
    CouncillorRow,
    CouncilRow,
    PostcodeSectorRow,
    ProcessedMessageRow,
    QuestionRow,
    ReplyMenuRow,
    ResponseRow,
    UserRow,
    WardRow,
    utcnow,
)
from .offered import OfferedPayloads

logger = logging.getLogger(__name__)
DEFAULT_REFERENCE_PREFIX = "HYS"
# Wrong postcodes allowed when proving a withdrawal from another conversation, before only the council can do it.
MAX_WITHDRAW_PROOF_FAILURES = 3


@dataclass(frozen=True)
class LoadReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    wards: int


@dataclass(frozen=True)
class ConsultationOverview:
    slug: str
    title: str
    status: str  # effective status today (an open consultation past its close date is closed)
    opens: dt.date
    closes: dt.date
    responses: int
    responses_last_7_days: int


class Store:
    def __init__(self, url: str, sender_salt: str = ""):
        self.url = url
        self.sender_salt = sender_salt

    def session(self) -> Iterator[Session]:
        return session_scope(self.url)

    # --- content -------------------------------------------------------------

    def known_ward_slugs(self) -> set[str]:
        with self.session() as session:
            return set(session.scalars(select(WardRow.slug)))

    def apply_bundle(self, bundle: ContentBundle, created_by: str | None = None) -> LoadReport:
        """Upsert a validated bundle in one transaction; on any conflict nothing is written.

        Each consultation whose content changed gets a new version (``consultation_versions``),
        recorded with ``created_by`` (who loaded it) and the file it came from."""
        created: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        with self.session() as session:
            if bundle.council:
                self._upsert_council(session, bundle.council)
                session.flush()
            problems: list[Problem] = []
            for consultation in bundle.consultations:
                source = bundle.sources.get(consultation.slug, consultation.slug)
                outcome = self._upsert_consultation(session, consultation, source, problems, created_by)
                {"created": created, "updated": updated, "unchanged": unchanged}.get(outcome, []).append(consultation.slug)
            if problems:
                raise ContentError(problems)  # session_scope rolls back
        return LoadReport(created, updated, unchanged, len(bundle.council.wards) if bundle.council else 0)

    def _upsert_council(self, session: Session, council_file: CouncilFile) -> None:
        council = council_file.council
        row = session.get(CouncilRow, 1) or CouncilRow(id=1)
        row.name, row.code, row.website = council.name, council.code, council.website
        row.privacy_notice_url = council.privacy_notice_url
        row.contact = {
            "phone": council.contact_phone,
            "email": council.contact_email,
            "web": council.contact_web,
            "hours": council.contact_hours,
        }
        row.themes = {theme: list(phrases) for theme, phrases in council.themes.items()}
        row.demographics = list(council.demographics)
        session.add(row)
        existing = {
            ward.slug: ward
            for ward in session.scalars(select(WardRow).options(selectinload(WardRow.councillors), selectinload(WardRow.sectors)))
        }
        # Sectors may move between wards, so clear them all first and re-add.
        for ward_row in existing.values():
            ward_row.sectors = []
        session.flush()
        for ward in council_file.wards:
            ward_row = existing.get(ward.slug) or WardRow(slug=ward.slug)
            ward_row.name, ward_row.population = ward.name, ward.population
            ward_row.councillors = [
                CouncillorRow(position=index, name=c.name, party=c.party, email=c.email)
                for index, c in enumerate(ward.councillors)
            ]
            ward_row.sectors = [PostcodeSectorRow(sector=sector) for sector in ward.postcode_sectors]
            session.add(ward_row)

    def _upsert_consultation(
        self, session: Session, consultation: Consultation, source: str, problems: list[Problem], created_by: str | None = None
    ) -> str:
        document = consultation_document(consultation)
        digest = content_hash(document)
        row = session.scalar(
            select(ConsultationRow)
            .where(ConsultationRow.slug == consultation.slug)
            .options(selectinload(ConsultationRow.questions))
        )
        if row is not None and row.content_hash == digest:
            return "unchanged"
        outcome = "updated" if row is not None else "created"
        current = consultation_from_document(row.document) if row is not None else None
        if row is None:
            row = ConsultationRow(slug=consultation.slug)
            session.add(row)
        row.title, row.status = consultation.title, consultation.status
        row.opens, row.closes = consultation.opens, consultation.closes
        row.document, row.content_hash = document, digest
        row.version = (row.version or 0) + 1 if outcome == "updated" else 1
        session.flush()  # a new consultation needs its id for the version row
        session.add(
            ConsultationVersionRow(
                consultation_id=row.id,
                number=row.version,
                document=document,
                content_hash=digest,
                created_by=created_by,
                source=source[:500],
            )
        )

        answered = self._answer_counts(session, row.id) if row.id else {}
        by_key = {question.key: question for question in row.questions}
        if current is not None:
            counts = {key: answered.get(question_row.id, 0) for key, question_row in by_key.items()}
            problems.extend(harmful_changes(current, consultation, counts, source))
        wanted = {question.id for question in consultation.questions}
        for key, question_row in list(by_key.items()):
            if key not in wanted and not answered.get(question_row.id):
                row.questions.remove(question_row)
        for position, question in enumerate(consultation.questions):
            question_row = by_key.get(question.id)
            if question_row is None:
                question_row = QuestionRow(key=question.id)
                row.questions.append(question_row)
            spec = question_document(question)
            question_row.position, question_row.type, question_row.text = position, question.type, question.text
            question_row.required = question.required
            question_row.spec = {key: value for key, value in spec.items() if key not in ("id", "type", "text", "required")}
        return outcome

    def question_answer_counts(self, slug: str) -> dict[str, int]:
        """Stored answers per question id of a consultation (withdrawn responses have none left)."""
        with self.session() as session:
            rows = session.execute(
                select(QuestionRow.key, func.count())
                .join(AnswerRow, AnswerRow.question_id == QuestionRow.id)
                .join(ConsultationRow, ConsultationRow.id == QuestionRow.consultation_id)
                .where(ConsultationRow.slug == slug)
                .group_by(QuestionRow.key)
            )
            return dict(rows.all())

    @staticmethod
    def _answer_counts(session: Session, consultation_id: int) -> dict[int, int]:
        rows = session.execute(
            select(AnswerRow.question_id, func.count())
            .join(QuestionRow, QuestionRow.id == AnswerRow.question_id)
            .where(QuestionRow.consultation_id == consultation_id)
            .group_by(AnswerRow.question_id)
        )
        return dict(rows.all())

    def council(self) -> Council | None:
        with self.session() as session:
            row = session.get(CouncilRow, 1)
            if row is None:
                return None
            contact = row.contact or {}
            return Council(
                name=row.name,
                code=row.code,
                website=row.website,
                privacy_notice_url=row.privacy_notice_url,
                contact_phone=contact.get("phone", ""),
                contact_email=contact.get("email", ""),
                contact_web=contact.get("web", ""),
                contact_hours=contact.get("hours", ""),
                themes={theme: tuple(phrases) for theme, phrases in (row.themes or {}).items()},
                demographics=tuple(row.demographics if row.demographics is not None else ("postcode", "age_band")),
            )

    def wards(self) -> list[Ward]:
        with self.session() as session:
            rows = session.scalars(
                select(WardRow).options(selectinload(WardRow.councillors), selectinload(WardRow.sectors)).order_by(WardRow.name)
            )
            return [_ward(row) for row in rows]

    def ward_for_sector(self, sector: str) -> Ward | None:
        with self.session() as session:
            ward_id = session.scalar(select(PostcodeSectorRow.ward_id).where(PostcodeSectorRow.sector == sector))
            if ward_id is None:
                return None
            row = session.scalar(
                select(WardRow)
                .where(WardRow.id == ward_id)
                .options(selectinload(WardRow.councillors), selectinload(WardRow.sectors))
            )
            return _ward(row)

    def consultation(self, slug: str) -> Consultation | None:
        """The current version of a consultation (``Consultation.version`` says which)."""
        with self.session() as session:
            row = session.execute(
                select(ConsultationRow.document, ConsultationRow.version).where(ConsultationRow.slug == slug)
            ).first()
        return consultation_from_document(row.document, row.version) if row else None

    def consultations(self) -> list[Consultation]:
        with self.session() as session:
            rows = session.execute(
                select(ConsultationRow.document, ConsultationRow.version).order_by(ConsultationRow.closes)
            ).all()
        return [consultation_from_document(row.document, row.version) for row in rows]

    def consultation_version(self, slug: str, number: int) -> Consultation | None:
        """A consultation as it was at version ``number``: what a resident who started then is answering."""
        with self.session() as session:
            document = session.scalar(
                select(ConsultationVersionRow.document)
                .join(ConsultationRow, ConsultationRow.id == ConsultationVersionRow.consultation_id)
                .where(ConsultationRow.slug == slug, ConsultationVersionRow.number == number)
            )
        return consultation_from_document(document, number) if document else None

    def consultation_versions(self, slug: str) -> list[dict]:
        """Every version of a consultation, oldest first: number, created_at, created_by, source, content_hash."""
        with self.session() as session:
            rows = session.execute(
                select(
                    ConsultationVersionRow.number,
                    ConsultationVersionRow.created_at,
                    ConsultationVersionRow.created_by,
                    ConsultationVersionRow.source,
                    ConsultationVersionRow.content_hash,
                )
                .join(ConsultationRow, ConsultationRow.id == ConsultationVersionRow.consultation_id)
                .where(ConsultationRow.slug == slug)
                .order_by(ConsultationVersionRow.number)
            ).all()
        return [dict(row._mapping) for row in rows]

    def overview(self, today: dt.date | None = None) -> list[ConsultationOverview]:
        """Every consultation with its effective status and counts of submitted responses."""
        today = today or dt.date.today()
        week_ago = dt.datetime.combine(today - dt.timedelta(days=7), dt.time())
        submitted = ResponseRow.status == "submitted"
        with self.session() as session:
            totals = dict(
                session.execute(
                    select(ResponseRow.consultation_id, func.count()).where(submitted).group_by(ResponseRow.consultation_id)
                ).all()
            )
            recent = dict(
                session.execute(
                    select(ResponseRow.consultation_id, func.count())
                    .where(submitted, ResponseRow.submitted_at >= week_ago)
                    .group_by(ResponseRow.consultation_id)
                ).all()
            )
            rows = session.scalars(select(ConsultationRow).order_by(ConsultationRow.closes, ConsultationRow.slug)).all()
            return [
                ConsultationOverview(
                    slug=row.slug,
                    title=row.title,
                    status=effective_status(row.status, row.opens, row.closes, today),
                    opens=row.opens,
                    closes=row.closes,
                    responses=totals.get(row.id, 0),
                    responses_last_7_days=recent.get(row.id, 0),
                )
                for row in rows
            ]

    # --- responses -----------------------------------------------------------

    def reference_prefix(self, session: Session) -> str:
        return session.scalar(select(CouncilRow.code).where(CouncilRow.id == 1)) or DEFAULT_REFERENCE_PREFIX

    def submit_response(
        self,
        *,
        consultation_slug: str,
        channel: str,
        sender_id: str,
        answers: dict[str, Any],
        themes: dict[str, list[str]] | None = None,
        ward_slug: str | None = None,
        age_band: str | None = None,
        consent_privacy_at: dt.datetime | None = None,
        consent_quote: bool | None = None,
        consent_quote_at: dt.datetime | None = None,
        notify_outcome: bool | None = None,
        notify_outcome_at: dt.datetime | None = None,
        submitted_at: dt.datetime | None = None,
        submission_key: str | None = None,
        amend_reference: str | None = None,
        is_demo: bool = False,
        contact_sealed: str | None = None,
        postcode_hash: str | None = None,
        other_texts: dict[str, str] | None = None,
        content_version: int | None = None,
        received_on: dt.date | None = None,
        keyed_by: int | None = None,
        on_created: Callable[[Session, str], None] | None = None,
    ) -> str:
        """Write a submitted response and all its answers in one transaction; return its reference.

        Idempotent per ``submission_key``: submitting the same survey run twice (a double
        click, a retried webhook) returns the first reference and writes nothing more.
        With ``amend_reference`` the resident's earlier response is replaced, keeping its reference.
        ``contact_sealed`` (an encrypted address) is kept only when ``notify_outcome`` is true;
        ``postcode_hash`` (Store.postcode_hash of the full postcode) proves a later withdrawal.

        ``answers`` holds the questions the resident was asked (None: skipped); a question left out was
        not asked. ``other_texts`` holds, by question id, what they wrote for "other, please specify".
        ``content_version`` is the consultation version they answered: when the content has changed since,
        answers to questions removed since (or whose type changed) are not kept, and questions added since
        count as not asked.

        A response keyed in by staff (channel paper, phone or in_person) has ``received_on`` (the date the council
        received it) and ``keyed_by`` (the portal account). ``on_created(session, reference)`` runs in the same
        transaction when a new response is written (not when the key was seen before), e.g. its audit entry.
        """
        themes = themes or {}
        other_texts = other_texts or {}
        now = submitted_at or utcnow()
        sender_hash = hash_sender(self.sender_salt, channel, sender_id)
        for _attempt in range(5):
            try:
                with self.session() as session:
                    if submission_key:
                        existing = session.scalar(
                            select(ResponseRow.reference).where(ResponseRow.submission_key == submission_key)
                        )
                        if existing:
                            return existing
                    consultation = _with_questions(session, consultation_slug)
                    questions = {question.key: question for question in consultation.questions}
                    kept = _answers_still_asked(session, consultation, answers, content_version)
                    unknown = sorted(set(kept) - set(questions))
                    if unknown:
                        raise ValueError(f"unknown question ids for {consultation_slug}: {', '.join(unknown)}")
                    response = None
                    if amend_reference:
                        response = session.scalar(
                            select(ResponseRow).where(
                                ResponseRow.reference == amend_reference,
                                ResponseRow.sender_hash == sender_hash,
                                ResponseRow.status == "submitted",
                                ResponseRow.consultation_id == consultation.id,
                            )
                        )
                    created = response is None
                    if response is None:
                        response = ResponseRow(
                            consultation_id=consultation.id,
                            reference=new_reference(self.reference_prefix(session)),
                            status="submitted",
                            channel=channel,
                            sender_hash=sender_hash,
                            is_demo=is_demo,
                            started_at=now,
                            submitted_at=now,
                        )
                        session.add(response)
                    else:
                        response.amended_at = now
                        response.answers = []
                        session.flush()
                    response.submission_key = submission_key
                    response.ward_slug, response.age_band = ward_slug, age_band
                    response.consent_privacy_at = consent_privacy_at or now
                    response.consent_quote = consent_quote
                    response.consent_quote_at = consent_quote_at or (now if consent_quote is not None else None)
                    response.notify_outcome = notify_outcome
                    response.notify_outcome_at = notify_outcome_at or (now if notify_outcome is not None else None)
                    response.contact_sealed = contact_sealed if notify_outcome else None
                    response.postcode_hash = postcode_hash
                    response.content_version = content_version
                    if received_on is not None or keyed_by is not None:
                        response.received_on, response.keyed_by = received_on, keyed_by
                    response.answers = [
                        AnswerRow(
                            question_id=questions[key].id,
                            value=value,
                            themes=list(themes.get(key, [])),
                            other_text=other_texts.get(key),
                        )
                        for key, value in kept.items()
                    ]
                    reference = response.reference
                    if on_created is not None and created:
                        on_created(session, reference)
                return reference
            except IntegrityError:
                continue  # a concurrent submit with the same key, or a reference collision: look again
        raise RuntimeError("could not save the response")

    def refresh_planner_statistics(self) -> None:
        """After a bulk load (demo data): PostgreSQL plans the results pages' queries from table statistics,
        which autovacuum refreshes in time on a normal server; until then 100,000 fresh responses are planned
        as if the tables were empty (measured: 2 to 4 s a page instead of under 0.6 s). SQLite: nothing."""
        with self.session() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("ANALYZE responses"))
                session.execute(text("ANALYZE answers"))

    def submit_many(self, consultation_slug: str, responses: list[dict]) -> int:
        """Insert many submitted responses in one transaction (demo data, imports). Returns how many were written.

        Each item has: channel, sender_id, submitted_at, answers, and optionally themes, other
        ("other, please specify" texts by question id), ward_slug, age_band, consent_quote, notify_outcome, is_demo.
        """
        if not responses:
            return 0
        with self.session() as session:
            consultation = _with_questions(session, consultation_slug)
            question_ids = {question.key: question.id for question in consultation.questions}
            prefix = self.reference_prefix(session)
            rows = []
            for item in responses:
                unknown = set(item["answers"]) - set(question_ids)
                if unknown:
                    raise ValueError(f"unknown question ids for {consultation_slug}: {', '.join(sorted(unknown))}")
                moment = item["submitted_at"]
                rows.append(
                    {
                        "consultation_id": consultation.id,
                        "reference": new_reference(prefix),
                        "status": "submitted",
                        "channel": item["channel"],
                        "sender_hash": hash_sender(self.sender_salt, item["channel"], item["sender_id"]),
                        "ward_slug": item.get("ward_slug"),
                        "age_band": item.get("age_band"),
                        "consent_privacy_at": moment,
                        "consent_quote": item.get("consent_quote"),
                        "consent_quote_at": moment if item.get("consent_quote") is not None else None,
                        "notify_outcome": item.get("notify_outcome"),
                        "notify_outcome_at": moment if item.get("notify_outcome") is not None else None,
                        "is_demo": item.get("is_demo", False),
                        "started_at": moment,
                        "submitted_at": moment,
                    }
                )
            session.execute(ResponseRow.__table__.insert(), rows)
            references = [row["reference"] for row in rows]
            ids = dict(
                session.execute(select(ResponseRow.reference, ResponseRow.id).where(ResponseRow.reference.in_(references))).all()
            )
            answers = [
                {
                    "response_id": ids[row["reference"]],
                    "question_id": question_ids[key],
                    "value": value,
                    "themes": list((item.get("themes") or {}).get(key, [])),
                    "other_text": (item.get("other") or {}).get(key),
                }
                for row, item in zip(rows, responses, strict=True)
                for key, value in item["answers"].items()
            ]
            if answers:
                session.execute(AnswerRow.__table__.insert(), answers)
        return len(rows)

    def delete_demo_responses(self, consultation_slug: str | None = None) -> int:
        """Delete every response marked as demo data (optionally for one consultation)."""
        with self.session() as session:
            query = select(ResponseRow.id).where(ResponseRow.is_demo.is_(True))
            if consultation_slug:
                query = query.join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id).where(
                    ConsultationRow.slug == consultation_slug
                )
            ids = list(session.scalars(query))
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                session.execute(delete(AnswerRow).where(AnswerRow.response_id.in_(chunk)))
                session.execute(delete(ResponseRow).where(ResponseRow.id.in_(chunk)))
        return len(ids)

    def submitted_response_for(self, consultation_slug: str, channel: str, sender_id: str) -> tuple[str, dict[str, Any]] | None:
        """The reference and answers of this sender's submitted response to a consultation, if any."""
        sender_hash = hash_sender(self.sender_salt, channel, sender_id)
        with self.session() as session:
            reference = session.scalar(
                select(ResponseRow.reference)
                .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
                .where(
                    ConsultationRow.slug == consultation_slug,
                    ResponseRow.sender_hash == sender_hash,
                    ResponseRow.status == "submitted",
                )
                .order_by(ResponseRow.submitted_at.desc())
            )
        if reference is None:
            return None
        return reference, self.response_answers(reference) or {}

    def response_summary(self, reference: str) -> dict | None:
        """Status, consultation, channel and sender hash of a response (no answers)."""
        with self.session() as session:
            row = session.execute(
                select(
                    ResponseRow.reference, ResponseRow.status, ResponseRow.channel, ResponseRow.sender_hash, ConsultationRow.slug
                )
                .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
                .where(ResponseRow.reference == reference.upper())
            ).first()
        return dict(row._mapping) if row else None

    def response_detail(self, reference: str) -> dict | None:
        """Everything about one response for the portal: answers, channel, times and consent choices."""
        with self.session() as session:
            row = session.execute(
                select(ResponseRow, ConsultationRow.slug)
                .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
                .where(ResponseRow.reference == reference.upper())
            ).first()
            if row is None:
                return None
            response, slug = row
            answers = session.execute(
                select(QuestionRow.key, AnswerRow.value, AnswerRow.themes, AnswerRow.other_text)
                .join(AnswerRow, AnswerRow.question_id == QuestionRow.id)
                .where(AnswerRow.response_id == response.id)
                .order_by(QuestionRow.position)
            ).all()
            return {
                "reference": response.reference,
                "status": response.status,
                "consultation": slug,
                "channel": response.channel,
                "submitted_at": response.submitted_at,
                "amended_at": response.amended_at,
                "ward": response.ward_slug,
                "age_band": response.age_band,
                "consent_privacy_at": response.consent_privacy_at,
                "consent_quote": response.consent_quote,
                "consent_quote_at": response.consent_quote_at,
                "notify_outcome": response.notify_outcome,
                "notify_outcome_at": response.notify_outcome_at,
                "is_demo": response.is_demo,
                "content_version": response.content_version,
                # Keyed in by staff (paper, phone, in person): the date received and the account that keyed it in.
                "received_on": response.received_on,
                "keyed_by": session.scalar(select(UserRow.email).where(UserRow.id == response.keyed_by))
                if response.keyed_by
                else None,
                # Questions asked (None: skipped); a question of the consultation missing here was not asked.
                "answers": {key: value for key, value, _themes, _other in answers},
                "themes": {key: themes or [] for key, _value, themes, _other in answers},
                "other": {key: other for key, _value, _themes, other in answers if other is not None},
            }

    # --- unanswered questions (for officers) ---------------------------------

    def record_unanswered(self, consultation_slug: str, kind: str, text: str, question_id: str | None = None) -> bool:
        """Keep, redacted and cut to 500 characters, something the assistant could not use.

        ``kind`` is ``"question"`` (the consultation's content could not answer it) or ``"answer"``
        (a survey answer still not understood after two tries; ``question_id`` is the survey
        question's id). Returns False, writing nothing, for an unknown consultation or empty text;
        raises ValueError for any other kind. The text is never logged; database errors propagate.
        """
        with self.session() as session:
            return unanswered.record(session, consultation_slug, kind, text, question_id)

    def unanswered_summary(self, consultation_slug: str) -> list[dict]:
        """Repeated wordings grouped, most frequent first: kind, question_id, count, examples (up to
        three distinct wordings, newest first), first_seen, last_seen. Empty for an unknown consultation."""
        with self.session() as session:
            return unanswered.summary(session, consultation_slug)

    # --- channels ------------------------------------------------------------

    def remember_menu(self, channel: str, sender_id: str, payloads: list[str]) -> None:
        """Remember the buttons just shown, so a reply of "2" can mean the second one."""
        sender_hash = hash_sender(self.sender_salt, channel, sender_id)
        with self.session() as session:
            row = session.get(ReplyMenuRow, sender_hash) or ReplyMenuRow(sender_hash=sender_hash)
            row.payloads = list(payloads)
            row.updated_at = utcnow()
            session.add(row)

    def menu_payload(self, channel: str, sender_id: str, number: int) -> str | None:
        with self.session() as session:
            row = session.get(ReplyMenuRow, hash_sender(self.sender_salt, channel, sender_id))
            if row is None or not 1 <= number <= len(row.payloads):
                return None
            return row.payloads[number - 1]

    # --- conversation keys, sealed addresses and offered payloads ---------------

    def postcode_hash(self, postcode: str) -> str:
        return hash_sender(self.sender_salt, "postcode", "".join(postcode.split()).upper())

    @staticmethod
    def seal_address(address: str) -> str | None:
        return seal_address(address)

    def kept_address(self, conversation_key: str) -> str | None:
        """The real address behind a conversation key, if its resident asked to hear an outcome."""
        match = CONVERSATION_KEY.match(conversation_key)
        if not match:
            return None
        with self.session() as session:
            sealed = session.scalar(
                select(ResponseRow.contact_sealed)
                .where(
                    ResponseRow.channel == match.group(1),
                    ResponseRow.sender_hash == match.group(2),
                    ResponseRow.contact_sealed.is_not(None),
                )
                .order_by(ResponseRow.submitted_at.desc())
                .limit(1)
            )
        return open_address(sealed)

    def seal_kept_address(self, channel: str, sender_id: str) -> int:
        """Seal ``sender_id`` as the address of its submitted, opted-in responses that have none yet
        (responses from before addresses were sealed). Returns how many responses now keep it."""
        if channel not in PUSH_CHANNELS:
            return 0
        sealed = seal_address(sender_id)
        if sealed is None:
            return 0
        with self.session() as session:
            result = session.execute(
                update(ResponseRow)
                .where(
                    ResponseRow.channel == channel,
                    ResponseRow.sender_hash == hash_sender(self.sender_salt, channel, sender_id),
                    ResponseRow.status == "submitted",
                    ResponseRow.notify_outcome.is_(True),
                    ResponseRow.contact_sealed.is_(None),
                )
                .values(contact_sealed=sealed)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount or 0

    def forget_addresses_of(self, channel: str, sender_id: str) -> int:
        """Delete every sealed address of one channel identity (an SMS opt-out such as STOP)."""
        with self.session() as session:
            result = session.execute(
                update(ResponseRow)
                .where(
                    ResponseRow.channel == channel,
                    ResponseRow.sender_hash == hash_sender(self.sender_salt, channel, sender_id),
                    ResponseRow.contact_sealed.is_not(None),
                )
                .values(contact_sealed=None)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount or 0

    def forget_address(self, response_id: int) -> None:
        with self.session() as session:
            response = session.get(ResponseRow, response_id)
            if response is not None:
                response.contact_sealed = None

    def remember_offered_payloads(self, conversation_key: str, payloads: list[str]) -> None:
        """The payloads of the buttons the bot just offered (none clears them); one row per conversation,
        written in one statement after every message (store/offered.py)."""
        self._offered.remember(hash_sender(self.sender_salt, "payloads", conversation_key), payloads)

    def offered_payloads(self, conversation_key: str) -> list[str]:
        return self._offered.offered(hash_sender(self.sender_salt, "payloads", conversation_key))

    @property
    def engine(self) -> Engine:
        """This store's engine (one per database URL per process), for callers that choose how to wait on it
        (db.without_blocking)."""
        return engine_for(self.url)

    @functools.cached_property
    def _offered(self) -> OfferedPayloads:
        return OfferedPayloads(self.url)

    def first_delivery(self, channel: str, message_id: str) -> bool:
        """Record a platform message id; False if it was seen before (a retried webhook)."""
        try:
            with self.session() as session:
                session.add(ProcessedMessageRow(channel=channel, message_id=message_id[:200]))
            return True
        except IntegrityError:
            return False

    def content_version(self) -> tuple:
        """Changes whenever content is loaded, so caches built from content know to rebuild."""
        with self.session() as session:
            consultations = session.execute(select(func.count(), func.max(ConsultationRow.updated_at))).one()
            council = session.scalar(select(CouncilRow.updated_at).where(CouncilRow.id == 1))
            wards = session.scalar(select(func.count()).select_from(WardRow))
        return (*consultations, council, wards)

    def withdraw_response(self, reference: str) -> bool:
        """Mark a response withdrawn and delete its answers and personal data. True if it existed."""
        with self.session() as session:
            response = session.scalar(select(ResponseRow).where(ResponseRow.reference == reference.upper()))
            if response is None or response.status == "withdrawn":
                return response is not None
            response.status = "withdrawn"
            response.withdrawn_at = utcnow()
            response.answers = []
            response.ward_slug = response.age_band = None
            response.notify_outcome = response.consent_quote = None
            response.contact_sealed = response.postcode_hash = response.withdraw_proven_by = None
            return True

    def withdrawal_standing(self, reference: str, channel: str, sender_id: str) -> str:
        """May this conversation withdraw ``reference``? ``own`` (it submitted it, or proved it may),
        ``postcode`` (it must give the full postcode given with the response), ``locked`` (too many wrong
        postcodes), ``no_proof`` (no postcode was given: only the council can withdraw it) or ``missing``."""
        sender_hash = hash_sender(self.sender_salt, channel, sender_id)
        with self.session() as session:
            response = session.scalar(select(ResponseRow).where(ResponseRow.reference == reference.upper()))
            if response is None or response.status != "submitted":
                return "missing"
            if response.channel == channel and response.sender_hash == sender_hash:
                return "own"
            if response.withdraw_proven_by == sender_hash:  # an HMAC of "channel:id", so channel-specific
                return "own"
            if not response.postcode_hash:
                return "no_proof"
            return "locked" if response.withdraw_proof_failures >= MAX_WITHDRAW_PROOF_FAILURES else "postcode"

    def prove_withdrawal(self, reference: str, postcode: str, channel: str, sender_id: str) -> bool:
        """True when ``postcode`` is the one given with the response, which this conversation may then
        withdraw; a wrong one counts towards the lock."""
        with self.session() as session:
            response = session.scalar(
                select(ResponseRow).where(ResponseRow.reference == reference.upper(), ResponseRow.status == "submitted")
            )
            if response is None or not response.postcode_hash:
                return False
            if response.withdraw_proof_failures >= MAX_WITHDRAW_PROOF_FAILURES:
                return False
            if hmac.compare_digest(response.postcode_hash, self.postcode_hash(postcode)):
                response.withdraw_proven_by = hash_sender(self.sender_salt, channel, sender_id)
                return True
            session.execute(
                update(ResponseRow)
                .where(ResponseRow.id == response.id)
                .values(withdraw_proof_failures=ResponseRow.withdraw_proof_failures + 1)
            )
            return False

    def withdraw_sender(self, channel: str, sender_id: str) -> list[str]:
        """Withdraw every submitted response from one channel identity ("delete everything you hold about me")."""
        sender_hash = hash_sender(self.sender_salt, channel, sender_id)
        with self.session() as session:
            references = list(
                session.scalars(
                    select(ResponseRow.reference).where(ResponseRow.sender_hash == sender_hash, ResponseRow.status == "submitted")
                )
            )
        for reference in references:
            self.withdraw_response(reference)
        return references

    def response_answers(self, reference: str) -> dict[str, Any] | None:
        with self.session() as session:
            response = session.scalar(select(ResponseRow).where(ResponseRow.reference == reference.upper()))
            if response is None:
                return None
            rows = session.execute(
                select(QuestionRow.key, AnswerRow.value)
                .join(AnswerRow, AnswerRow.question_id == QuestionRow.id)
                .where(AnswerRow.response_id == response.id)
                .order_by(QuestionRow.position)
            )
            return dict(rows.all())


def _answers_still_asked(
    session: Session, consultation: ConsultationRow, answers: dict[str, Any], content_version: int | None
) -> dict[str, Any]:
    """The answers to keep from a response given on ``content_version`` of the consultation.

    On the current version (or when no version is given), all of them. On an older one, only answers to
    questions the current version still has with the same type: the council removed the others, so there
    is nowhere to count them. Logged by question id, never with the answers.
    """
    if content_version is None or content_version == consultation.version:
        return answers
    document = session.scalar(
        select(ConsultationVersionRow.document).where(
            ConsultationVersionRow.consultation_id == consultation.id, ConsultationVersionRow.number == content_version
        )
    )
    current_types = {question.key: question.type for question in consultation.questions}
    answered_types = {question["id"]: question["type"] for question in document["questions"]} if document else current_types
    kept = {key: value for key, value in answers.items() if current_types.get(key, "?") == answered_types.get(key, "")}
    dropped = sorted(set(answers) - set(kept))
    if dropped:
        logger.info(
            "response.answers_not_kept consultation=%s answered_version=%s current_version=%s questions=%s",
            consultation.slug,
            content_version,
            consultation.version,
            ",".join(dropped),
        )
    return kept


def _with_questions(session: Session, slug: str) -> ConsultationRow:
    consultation = session.scalar(
        select(ConsultationRow).where(ConsultationRow.slug == slug).options(selectinload(ConsultationRow.questions))
    )
    if consultation is None:
        raise LookupError(f"no consultation with slug {slug!r}")
    return consultation


def _ward(row: WardRow) -> Ward:
    return Ward(
        slug=row.slug,
        name=row.name,
        population=row.population,
        postcode_sectors=tuple(sorted(sector.sector for sector in row.sectors)),
        councillors=tuple(Councillor(name=c.name, party=c.party, email=c.email) for c in row.councillors),
    )
