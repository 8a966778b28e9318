"""What changed between two versions of a consultation, field by field, in words an officer reads.

Questions and proposals are matched by id (so a moved question reads "moved from 2 to 4", not as every
question after it changing); FAQs, documents and events by position. Used by the portal's version history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

LABELS = {
    "slug": "Slug",
    "title": "Title",
    "status": "Status",
    "opens": "Opens",
    "closes": "Closes",
    "wards": "Wards",
    "topics": "Topics",
    "keywords": "Keywords",
    "summary": "Summary",
    "background": "Background",
    "next_steps": "Next steps",
    "decision_expected": "Decision expected",
    "outcome": "Outcome",
}
BY_POSITION = {"faqs": "FAQ", "documents": "Document", "events": "Event"}
SHOWN_CHARS = 300


@dataclass(frozen=True)
class Change:
    field: str  # in words: "Question 'travel': options"
    before: str  # "" when added
    after: str  # "" when removed


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        text = ", ".join(str(item) for item in value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _fields(name: str, before: dict, after: dict) -> list[Change]:
    return [
        Change(f"{name}: {key.replace('_', ' ')}", _show(before.get(key)), _show(after.get(key)))
        for key in dict.fromkeys([*before, *after])
        if before.get(key) != after.get(key)
    ]


def _keyed(noun: str, before: list, after: list) -> list[Change]:
    """Rows with an ``id`` (questions, proposals): added, removed, moved and changed, by id."""
    old = {row.get("id"): (position, row) for position, row in enumerate(before) if isinstance(row, dict)}
    new = {row.get("id"): (position, row) for position, row in enumerate(after) if isinstance(row, dict)}
    changes: list[Change] = []
    for key, (position, row) in new.items():
        name = f"{noun} {key!r}"
        if key not in old:
            changes.append(Change(f"{name} added (number {position + 1})", "", _show(row.get("text") or row.get("title"))))
            continue
        old_position, old_row = old[key]
        if old_position != position:
            changes.append(Change(f"{name}: position", str(old_position + 1), str(position + 1)))
        changes.extend(
            _fields(name, {k: v for k, v in old_row.items() if k != "id"}, {k: v for k, v in row.items() if k != "id"})
        )
    for key, (_position, row) in old.items():
        if key not in new:
            changes.append(Change(f"{noun} {key!r} removed", _show(row.get("text") or row.get("title")), ""))
    return changes


def _positional(noun: str, before: list, after: list) -> list[Change]:
    changes: list[Change] = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else None
        new = after[index] if index < len(after) else None
        name = f"{noun} {index + 1}"
        if old is None:
            changes.append(Change(f"{name} added", "", _show(new)))
        elif new is None:
            changes.append(Change(f"{name} removed", _show(old), ""))
        elif old != new:
            changes.extend(_fields(name, old, new))
    return changes


def document_changes(before: dict | None, after: dict) -> list[Change]:
    """Every change from one version's document to the next (``before`` None: the first version)."""
    if before is None:
        return [Change("Created", "", _show(after.get("title")))]
    changes: list[Change] = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "questions":
            changes.extend(_keyed("Question", old or [], new or []))
        elif key == "proposals":
            changes.extend(_keyed("Proposal", old or [], new or []))
        elif key in BY_POSITION:
            changes.extend(_positional(BY_POSITION[key], old or [], new or []))
        elif key == "outcome":
            changes.extend(_fields("Outcome", old or {}, new or {}))
        else:
            changes.append(Change(LABELS.get(key, key), _show(old), _show(new)))
    return changes
