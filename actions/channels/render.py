"""Channel-aware rendering, in one place: numbered replies for text-only channels, SMS-sized parts,
and remembering the last buttons so a reply of "2" means the second button on any channel."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache

from ..settings import get_settings
from ..store.repository import Store

SMS_PART_LIMIT = 1530  # ten concatenated SMS segments; Twilio's limit is 1600 characters
NUMBER_REPLY = re.compile(r"^\s*(\d{1,2})[.)]?\s*$")
SKIP = "skip"


def is_word_button(button: dict) -> bool:
    """Skip is a word, never a number: "1" to an optional number, multi or rank question is the answer 1."""
    return str(button.get("payload") or button.get("title") or "").strip().lower() == SKIP


def numbered_buttons(buttons: list[dict]) -> list[dict]:
    """The buttons that get a number on a text-only channel (and that a bare number may then mean)."""
    return [button for button in buttons if not is_word_button(button)]


def numbered_menu(text: str, buttons: list[dict]) -> str:
    """Append "1. Yes / 2. No ... Reply 1 or 2" unless the text already lists the options. Only real options are
    numbered; a Skip button is offered as the word "skip" (unless the text already says so)."""
    titles = [str(button.get("title", "")) for button in numbered_buttons(buttons)]
    lines = [text.rstrip()]
    if titles:
        already_listed = all(re.search(rf"(^|\n){n}\. {re.escape(title)}", text) for n, title in enumerate(titles, start=1))
        if not already_listed:
            lines.append("\n".join(f"{n}. {title}" for n, title in enumerate(titles, start=1)))
    offers_skip = len(titles) < len(buttons) and '"skip"' not in text.lower()
    if titles:
        lines.append(f"Reply {_choices(len(titles))}" + (', or "skip".' if offers_skip else "."))
    elif offers_skip:
        lines.append('Or reply "skip".')
    return "\n".join(lines)


def _choices(count: int) -> str:
    if count == 1:
        return "1"
    if count <= 3:
        return ", ".join(str(n) for n in range(1, count)) + f" or {count}"
    return f"1 to {count}"


def split_message(text: str, limit: int = SMS_PART_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries, never mid-word, each part at most ``limit``."""
    parts: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        for piece in _pieces(paragraph, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts or [""]


def _pieces(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph]
    pieces, current = [], ""
    for word in re.split(r"(\s+)", paragraph):
        if len(current) + len(word) > limit and current.strip():
            pieces.append(current.strip())
            current = ""
        current += word if len(word) <= limit else word[:limit]
    if current.strip():
        pieces.append(current.strip())
    return pieces


@lru_cache(maxsize=1)
def _store() -> Store:
    settings = get_settings()
    return Store(settings.database_url, settings.sender_hash_salt)


async def remember_buttons(channel: str, sender_id: str, buttons: list[dict]) -> None:
    payloads = [str(button.get("payload") or button.get("title") or "") for button in buttons]
    await asyncio.to_thread(_store().remember_menu, channel, sender_id, payloads)


async def forget_buttons(channel: str, sender_id: str) -> None:
    await asyncio.to_thread(_store().remember_menu, channel, sender_id, [])


async def resolve_number_reply(channel: str, sender_id: str, text: str) -> str:
    """'2' after a message with buttons becomes the second button's payload; anything else is unchanged."""
    match = NUMBER_REPLY.match(text or "")
    if not match:
        return text
    payload = await asyncio.to_thread(_store().menu_payload, channel, sender_id, int(match.group(1)))
    return payload or text


async def first_delivery(channel: str, message_id: str | None) -> bool:
    """False when the platform re-delivers a message we already handled (same message id)."""
    if not message_id:
        return True
    return await asyncio.to_thread(_store().first_delivery, channel, str(message_id))
