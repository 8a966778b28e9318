"""Database tables. Schema changes go through Alembic (``actions/store/migrations``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class CouncilRow(Base):
    """The one council this deployment serves (row id 1)."""

    __tablename__ = "council"
    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    code = Column(String(4), nullable=False)
    website = Column(String(500), nullable=False)
    privacy_notice_url = Column(String(500), nullable=False)
    contact = Column(JSON, nullable=False, default=dict)
    themes = Column(JSON, nullable=False, default=dict)
    demographics = Column(JSON, nullable=False, default=list)  # which optional questions to ask: postcode, age_band
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class UserRow(Base):
    """A portal account: an admin (an officer who can also read the audit log), an officer (sees and
    exports everything) or a ward councillor."""

    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String(320), nullable=False, unique=True)
    password_hash = Column(String(200), nullable=False)  # argon2id
    role = Column(String(12), nullable=False)  # admin | officer | councillor
    ward_slug = Column(String(80))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime)
    # Disabled accounts can't sign in and have no sessions. An empty password_hash: invited, or reset, and the
    # link has not been used yet. Time-based one-time passwords: the secret sealed with a key derived from
    # PORTAL_SECRET_KEY, a secret being set up, and the last time step used (so a code works once).
    disabled_at = Column(DateTime)
    two_factor_required = Column(Boolean, nullable=False, default=False, server_default=false())  # always for admins
    totp_secret_sealed = Column(Text)
    totp_pending_sealed = Column(Text)
    totp_enrolled_at = Column(DateTime)
    totp_last_step = Column(BigInteger)


class AccountLinkRow(Base):
    """A single-use link to set a password: an invitation, or a reset an admin made. Only the token's SHA-256
    is kept; the link itself is shown once to the admin who made it."""

    __tablename__ = "account_links"
    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose = Column(String(10), nullable=False)  # invitation | reset
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(320), nullable=False)  # the admin's email, or "cli:<system user>"
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)


class PortalSessionRow(Base):
    """A signed-in portal session. The browser's cookie holds a random token; only its SHA-256 is kept here,
    so deleting the row (sign-out, password change) ends the session wherever the cookie has been copied."""

    __tablename__ = "portal_sessions"
    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)
    # True between a right password and the one-time code: such a session opens no page but the code's.
    awaiting_code = Column(Boolean, nullable=False, default=False, server_default=false())


class SignInAttemptRow(Base):
    """Sign-in attempts counted per account and per client address, shared by every portal process.

    ``key`` is an HMAC of "account:<email>" or "ip:<address>", so neither typed emails nor addresses are kept.
    ``attempts`` counts attempts not (yet) known to be good; it starts again once ``expires_at`` has passed.
    """

    __tablename__ = "sign_in_attempts"
    key = Column(String(64), primary_key=True)
    attempts = Column(Integer, nullable=False, default=0)
    expires_at = Column(DateTime, nullable=False, index=True)


class AuditRow(Base):
    """Who exported what, or viewed which single response, and when: read by admins in the portal."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    actor = Column(String(320), nullable=False)  # the account's email at the time, or "cli:<system user>"
    role = Column(String(12), nullable=False)
    ip = Column(String(45))
    action = Column(String(40), nullable=False)  # export | view_response | export_audit_log
    target = Column(String(200), nullable=False)  # consultation slug, response reference, or "audit_log"
    rows = Column(Integer)
    details = Column(JSON, nullable=False, default=dict)  # the export's format, layout, personal data and filter


class OfferedPayloadsRow(Base):
    """The button payloads the bot offered a conversation in its last turn: a typed message in
    payload syntax is accepted only if it is one of them. Keyed by the salted sender hash."""

    __tablename__ = "offered_payloads"
    sender_hash = Column(String(64), primary_key=True)
    payloads = Column(JSON, nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow, index=True)


class ReplyMenuRow(Base):
    """The buttons last shown to a resident on a channel without buttons (SMS) or with short button ids
    (Telegram), so "2" can be read as the second button. Keyed by the salted sender hash."""

    __tablename__ = "reply_menus"
    sender_hash = Column(String(64), primary_key=True)
    payloads = Column(JSON, nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class ProcessedMessageRow(Base):
    """Platform message ids already handled, so a webhook delivered twice is answered once."""

    __tablename__ = "processed_messages"
    channel = Column(String(40), primary_key=True)
    message_id = Column(String(200), primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class NotificationRow(Base):
    """An outcome notification sent (or queued for the next visit) to one respondent."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("response_id", name="uq_notifications_response"),)
    id = Column(Integer, primary_key=True)
    response_id = Column(Integer, ForeignKey("responses.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(40), nullable=False)
    status = Column(String(12), nullable=False)  # sent | pending (shown at the next visit) | delivered | failed
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class WardRow(Base):
    __tablename__ = "wards"
    id = Column(Integer, primary_key=True)
    slug = Column(String(80), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    population = Column(Integer)
    councillors = relationship("CouncillorRow", cascade="all, delete-orphan", order_by="CouncillorRow.position")
    sectors = relationship("PostcodeSectorRow", cascade="all, delete-orphan")


class CouncillorRow(Base):
    __tablename__ = "councillors"
    id = Column(Integer, primary_key=True)
    ward_id = Column(Integer, ForeignKey("wards.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    name = Column(String(200), nullable=False)
    party = Column(String(200), nullable=False)
    email = Column(String(320), nullable=False)


class PostcodeSectorRow(Base):
    """A postcode sector such as 'MB1 2' and the ward that covers it."""

    __tablename__ = "postcode_sectors"
    sector = Column(String(8), primary_key=True)
    ward_id = Column(Integer, ForeignKey("wards.id", ondelete="CASCADE"), nullable=False, index=True)


class ConsultationRow(Base):
    __tablename__ = "consultations"
    id = Column(Integer, primary_key=True)
    slug = Column(String(80), nullable=False, unique=True)
    title = Column(String(200), nullable=False)
    status = Column(String(10), nullable=False)
    opens = Column(Date, nullable=False)
    closes = Column(Date, nullable=False)
    # Everything else in the YAML (summary, proposals, documents, events, FAQs,
    # outcome, ...) as the validated document; see content.model.Consultation.
    document = Column(JSON, nullable=False)
    content_hash = Column(String(64), nullable=False)
    # The current version's number (consultation_versions.number); a new one on every change loaded.
    version = Column(Integer, nullable=False, default=1, server_default="1")
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    questions = relationship("QuestionRow", order_by="QuestionRow.position", cascade="all, delete-orphan")


class ConsultationVersionRow(Base):
    """Every version of a consultation's content, kept whole: a resident in the middle of a response
    finishes the version they started, and officers can see what changed, when and by whom."""

    __tablename__ = "consultation_versions"
    __table_args__ = (UniqueConstraint("consultation_id", "number", name="uq_consultation_versions_number"),)
    id = Column(Integer, primary_key=True)
    consultation_id = Column(Integer, ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False)
    number = Column(Integer, nullable=False)  # 1, 2, ... per consultation
    document = Column(JSON, nullable=False)  # the validated document, as ConsultationRow.document
    content_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(320))  # a portal account's email, or "cli:<system user>"; None when not known
    source = Column(String(500))  # the file it was loaded from, or "portal"


class QuestionRow(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("consultation_id", "key", name="uq_questions_consultation_key"),)
    id = Column(Integer, primary_key=True)
    consultation_id = Column(Integer, ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False, index=True)
    key = Column(String(40), nullable=False)  # the YAML question id
    position = Column(Integer, nullable=False)
    type = Column(String(10), nullable=False)
    text = Column(Text, nullable=False)
    required = Column(Boolean, nullable=False, default=True)
    spec = Column(JSON, nullable=False, default=dict)


class ResponseRow(Base):
    """One resident's response to one consultation."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("reference", name="uq_responses_reference"),
        # One key per survey run: a retried webhook or double click can't submit twice.
        UniqueConstraint("submission_key", name="uq_responses_submission_key"),
        # The portal's counts and newest-first pages of one consultation's submitted responses (migration 0009).
        Index("ix_responses_consultation_status_submitted", "consultation_id", "status", "submitted_at"),
        # ...and their counts by ward, age band and channel, read from the index alone (migration 0009).
        Index(
            "ix_responses_consultation_status_groups",
            "consultation_id",
            "status",
            "ward_slug",
            "age_band",
            "channel",
            "submitted_at",
        ),
        # The possible duplicates of a keyed-in response: same consultation, same postcode (migration 0013).
        Index("ix_responses_consultation_postcode", "consultation_id", "postcode_hash"),
    )
    id = Column(Integer, primary_key=True)
    consultation_id = Column(Integer, ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False, index=True)
    reference = Column(String(16), nullable=False)
    status = Column(String(12), nullable=False, default="in_progress")  # in_progress | submitted | withdrawn
    channel = Column(String(40), nullable=False)
    # Salted SHA-256 of the channel's sender id; the raw phone number or chat id is never stored here.
    sender_hash = Column(String(64), nullable=False, index=True)
    ward_slug = Column(String(80))
    age_band = Column(String(20))
    consent_privacy_at = Column(DateTime)
    consent_quote = Column(Boolean)
    consent_quote_at = Column(DateTime)
    notify_outcome = Column(Boolean)
    notify_outcome_at = Column(DateTime)
    is_demo = Column(Boolean, nullable=False, default=False)
    started_at = Column(DateTime, nullable=False, default=utcnow)
    submitted_at = Column(DateTime, index=True)
    amended_at = Column(DateTime)
    withdrawn_at = Column(DateTime)
    submission_key = Column(String(64))
    # The channel address (phone number, chat id), Fernet-encrypted with CONTACT_ENCRYPTION_KEY, kept only
    # when the resident asked to hear the outcome; cleared once the notice is sent, on withdrawal and by purge.
    contact_sealed = Column(Text)
    # Salted hash of the postcode the resident gave, so a withdrawal from another conversation can be proved.
    postcode_hash = Column(String(64))
    withdraw_proof_failures = Column(Integer, nullable=False, default=0)
    # The sender hash of the conversation that proved it may withdraw this response (by postcode).
    withdraw_proven_by = Column(String(64))
    # The consultation version (consultation_versions.number) the resident answered; None before versions were kept.
    content_version = Column(Integer)
    # A response keyed in by staff from a paper form, a phone call or in person (channel paper, phone or
    # in_person): the portal account that keyed it in, and the date the council received it (migration 0013).
    keyed_by = Column(Integer, ForeignKey("users.id", ondelete="SET NULL", name="fk_responses_keyed_by_users"))
    received_on = Column(Date)
    answers = relationship("AnswerRow", cascade="all, delete-orphan")


class AnswerRow(Base):
    """One question's answer in one response.

    A question has a row when the resident was asked it: ``value`` is the answer, or None when they
    skipped it. A question with **no row** in a submitted response was **not asked** (its ``ask_if``
    was false, or it was added after the response was given). "Don't know" is an answer like any other.
    """

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", name="uq_answers_response_question"),
        # Results group each question's answers by value, and search comments, from this index (migration 0009).
        Index("ix_answers_question_value", "question_id", text("CAST(value AS TEXT)"), "response_id"),
    )
    id = Column(Integer, primary_key=True)
    response_id = Column(Integer, ForeignKey("responses.id", ondelete="CASCADE"), nullable=False, index=True)
    question_id = Column(Integer, ForeignKey("questions.id", ondelete="CASCADE"), nullable=False, index=True)
    # Canonical value: a label, a list of labels, a number, or redacted text. None when skipped.
    value = Column(JSON)
    # Theme tags of the comment: the text answer's, or the "other, please specify" text's.
    themes = Column(JSON, nullable=False, default=list)
    # What the resident wrote for "other, please specify" (choice and multi), redacted; None otherwise.
    other_text = Column(Text)


class UnansweredRow(Base):
    """Something a resident typed that the assistant could not use, kept so officers can improve the content.

    ``kind`` is ``question`` (the consultation's content could not answer it) or ``answer`` (a survey
    answer still not understood after two tries; ``question_id`` is then the survey question's YAML id).
    The text is redacted before it is written, and no sender id or hash is kept: a row belongs to a
    consultation, not to a resident.
    """

    __tablename__ = "unanswered"
    __table_args__ = (Index("ix_unanswered_consultation_kind", "consultation_id", "kind"),)
    id = Column(Integer, primary_key=True)
    consultation_id = Column(Integer, ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(10), nullable=False)  # question | answer
    question_id = Column(String(40))  # the YAML question id, for kind=answer
    text = Column(String(500), nullable=False)  # redacted, at most 500 characters
    grouping_key = Column(String(500), nullable=False)  # the wording normalised, to count repeats
    created_at = Column(DateTime, nullable=False, default=utcnow)


# --- officers' themes and comment review (actions/store/themes.py) -----------------------------------


class ConsultationThemeRow(Base):
    """A theme of one consultation's comments. ``origin`` automatic: suggested by the council's theme tagger
    (``key`` is the tagger's theme name); officer: added by an officer. An officer confirms, rejects, renames
    or merges it; only confirmed themes go into the published report. Suggested themes with no decision yet
    may have no row (the suggestions in ``answers.themes`` are enough)."""

    __tablename__ = "consultation_themes"
    __table_args__ = (UniqueConstraint("consultation_id", "key", name="uq_consultation_themes_key"),)
    id = Column(Integer, primary_key=True)
    consultation_id = Column(Integer, ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False, index=True)
    key = Column(String(80), nullable=False)
    name = Column(String(80), nullable=False)
    origin = Column(String(10), nullable=False)  # automatic | officer
    status = Column(String(10), nullable=False, default="suggested")  # suggested | confirmed | rejected | merged
    merged_into_id = Column(Integer, ForeignKey("consultation_themes.id", ondelete="SET NULL"))
    decided_by = Column(String(320))  # the officer's email at the time of the last decision
    decided_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class CommentThemeRow(Base):
    """An officer's decision about one theme on one comment: assigned (true) or removed (false), by whom and when."""

    __tablename__ = "comment_themes"
    answer_id = Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    theme_id = Column(Integer, ForeignKey("consultation_themes.id", ondelete="CASCADE"), primary_key=True, index=True)
    assigned = Column(Boolean, nullable=False)
    decided_by = Column(String(320), nullable=False)
    decided_at = Column(DateTime, nullable=False, default=utcnow)


class CommentReviewRow(Base):
    """A comment an officer has reviewed (its themes checked); no row means not reviewed yet."""

    __tablename__ = "comment_reviews"
    answer_id = Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    reviewed_by = Column(String(320), nullable=False)
    reviewed_at = Column(DateTime, nullable=False, default=utcnow)


class CommentFlagRow(Base):
    """A flag on a comment (needs_reply, abusive, personal_data, do_not_quote; redacted when an officer removed
    personal data from it), by whom and when."""

    __tablename__ = "comment_flags"
    answer_id = Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    flag = Column(String(20), primary_key=True)
    flagged_by = Column(String(320), nullable=False)
    flagged_at = Column(DateTime, nullable=False, default=utcnow)


class CommentTagRow(Base):
    """An officer's free tag on a comment ("bus route 7", "follow up"), by whom and when."""

    __tablename__ = "comment_tags"
    answer_id = Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    tag = Column(String(60), primary_key=True)
    tagged_by = Column(String(320), nullable=False)
    tagged_at = Column(DateTime, nullable=False, default=utcnow)


class CommentNoteRow(Base):
    """An officer's private note on a comment. Officers and admins only; it may hold personal data (a resident
    who rang in, a case number), so it is deleted with the comment and when the response is anonymised."""

    __tablename__ = "comment_notes"
    id = Column(Integer, primary_key=True)
    answer_id = Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)  # at most 2,000 characters
    author = Column(String(320), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ThemeActivityRow(Base):
    """Who did what to a consultation's themes and comments, and when (newest first on the themes page).
    ``detail`` names themes, flags and tags; never a note's or a comment's text."""

    __tablename__ = "theme_activity"
    id = Column(Integer, primary_key=True)
    consultation_id = Column(Integer, ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False, index=True)
    answer_id = Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(320), nullable=False)
    action = Column(String(30), nullable=False)
    detail = Column(JSON, nullable=False, default=dict)
