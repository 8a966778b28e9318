"""Closing the loop: tell residents who opted in what came of a consultation, on the channel they used.

``haveyoursay notify-outcome SLUG`` finds each submitted, opted-in response
not yet notified. On channels that can push (Telegram, SMS/WhatsApp, Facebook,
Slack) it asks Rasa to run the ``notify_outcome`` intent for that
conversation (its key, ``channel:<sender hash>``) through the authenticated
HTTP API, so the message goes out on the same channel: the channel's output
opens the address sealed with the response (channels/addressing.py), and the
address is deleted once the notice is sent. Channels that cannot push (the website widget, REST) are
queued and shown the next time that session opens. Every decision is
recorded, so running it twice notifies nobody twice.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from .store.addresses import PUSH_CHANNELS
from .store.identity import hash_sender
from .store.models import ConsultationRow, NotificationRow, ResponseRow, utcnow
from .store.repository import Store


@dataclass
class NotifyReport:
    sent: Counter = field(default_factory=Counter)
    queued: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    already: int = 0


def trigger_outcome(rasa_url: str, token: str, sender_id: str, channel: str, slug: str, reference: str) -> bool:
    query = urllib.parse.urlencode({"output_channel": channel, "token": token})
    conversation = urllib.parse.quote(sender_id, safe=":")
    url = f"{rasa_url.rstrip('/')}/conversations/{conversation}/trigger_intent?{query}"
    body = json.dumps({"name": "notify_outcome", "entities": {"consultation": slug, "reference": reference}}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})  # noqa: S310 - our own Rasa server, http(s) only
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310 - our own Rasa server
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


def notify_outcome(store: Store, slug: str, tracker_url: str, rasa_url: str, token: str) -> NotifyReport:
    consultation = store.consultation(slug)
    if consultation is None:
        raise LookupError(f"no consultation with slug {slug!r}")
    if consultation.outcome is None:
        raise ValueError(f"{slug} has no published outcome yet: add `outcome:` to its YAML and load it first")
    report = NotifyReport()
    with store.session() as session:
        rows = session.execute(
            select(
                ResponseRow.id,
                ResponseRow.reference,
                ResponseRow.channel,
                ResponseRow.sender_hash,
                ResponseRow.contact_sealed.is_not(None),
                NotificationRow.status,
            )
            .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
            .outerjoin(NotificationRow, NotificationRow.response_id == ResponseRow.id)
            .where(ConsultationRow.slug == slug, ResponseRow.status == "submitted", ResponseRow.notify_outcome.is_(True))
        ).all()
    for response_id, reference, channel, sender_hash, has_address, status in rows:
        if status in ("sent", "pending", "delivered"):
            report.already += 1
            continue
        if channel in PUSH_CHANNELS and has_address:
            # Rasa replies to the conversation key; the channel's output opens the sealed address behind it.
            ok = trigger_outcome(rasa_url, token, f"{channel}:{sender_hash}", channel, slug, reference)
            outcome = "sent" if ok else "failed"
        elif channel not in PUSH_CHANNELS:
            outcome = "pending"  # shown when the resident next opens the website chat
        else:
            outcome = "failed"  # no address was kept (or it was withdrawn): no way to reach them
        _record(store, response_id, channel, outcome)
        if outcome == "sent":
            store.forget_address(response_id)  # the address was kept only for this notice
        {"sent": report.sent, "pending": report.queued, "failed": report.failed}[outcome][channel] += 1
    return report


def _record(store: Store, response_id: int, channel: str, status: str) -> None:
    with store.session() as session:
        row = session.scalar(select(NotificationRow).where(NotificationRow.response_id == response_id))
        if row is None:
            row = NotificationRow(response_id=response_id, channel=channel)
            session.add(row)
        row.status, row.updated_at = status, utcnow()


def pending_for(store: Store, channel: str, sender_id: str) -> list[tuple[str, str]]:
    """(consultation slug, reference) of outcomes waiting for this website session; marks them delivered."""
    sender_hash = hash_sender(store.sender_salt, channel, sender_id)
    with store.session() as session:
        rows = session.execute(
            select(NotificationRow, ResponseRow.reference, ConsultationRow.slug)
            .join(ResponseRow, ResponseRow.id == NotificationRow.response_id)
            .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
            .where(NotificationRow.status == "pending", ResponseRow.sender_hash == sender_hash, ResponseRow.channel == channel)
        ).all()
        for notification, _reference, _slug in rows:
            notification.status, notification.updated_at = "delivered", utcnow()
        return [(slug, reference) for _n, reference, slug in rows]
