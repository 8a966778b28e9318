"""Readable names for what the database keeps as codes: channels, wards, themes.

The portal's pages and the spreadsheet's read-me sheet use these; the CSV and JSON exports keep the codes,
which are stable for anyone processing the files.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..content.model import Consultation, Ward

CHANNEL_LABELS = {
    "socketio": "Website chat",
    "twilio": "SMS or WhatsApp",
    "telegram": "Telegram",
    "facebook": "Facebook Messenger",
    "slack": "Slack",
    "rest": "Other apps (REST)",
    "cmdline": "Command line",
    # Keyed in by staff in the portal (survey/keyed_form.py CHANNELS).
    "paper": "Paper",
    "phone": "Phone",
    "in_person": "In person",
}
NOT_GIVEN = "Not given"
OUTSIDE_DISTRICT = "Outside the district"


def channel_label(channel: str | None) -> str:
    if not channel:
        return NOT_GIVEN
    return CHANNEL_LABELS.get(channel, channel.replace("_", " ").capitalize())


def ward_names(wards: Iterable[Ward]) -> dict[str, str]:
    return {ward.slug: ward.name for ward in wards}


def ward_label(slug: str | None, names: dict[str, str]) -> str:
    if not slug:
        return NOT_GIVEN
    if slug == "outside-district":
        return OUTSIDE_DISTRICT
    return names.get(slug, slug.replace("-", " ").title())


def theme_label(theme: str) -> str:
    """``older_people`` -> "Older people"."""
    return theme.replace("_", " ").capitalize()


def describe_filter(export_filter, consultation: Consultation, wards: Iterable[Ward]) -> list[str]:
    """An ``ExportFilter`` in words, for the portal's pages and the spreadsheet's read-me sheet."""
    chosen = export_filter
    words = [f"Ward: {ward_label(chosen.ward, ward_names(wards))}" if chosen.ward else "Ward: all wards"]
    if chosen.channel:
        words.append(f"Channel: {channel_label(chosen.channel)}")
    if chosen.since:
        words.append(f"From: {chosen.since:%-d %B %Y}")
    if chosen.until:
        words.append(f"To: {chosen.until:%-d %B %Y}")
    if chosen.theme:
        words.append(f"Theme: {theme_label(chosen.theme)}")
    for question_id, label in chosen.answers:
        question = consultation.question(question_id)
        words.append(f"Answered “{label}” to “{question.text if question else question_id}”")
    return words
