"""Changing consultations from the portal's editor: every change validated as `haveyoursay validate` does,
saved through ``Store.apply_bundle`` (a new numbered version, who made it) and written to the audit log.

Nothing is written when there is any problem: the validator's (``consultation_problems``) or an edit that
would corrupt stored answers (``content.changes``). Status changes are their own steps:

* **publish**: draft → open (the assistant offers it from its ``opens`` date, with no retraining);
* **close**: open → closed (residents can still ask about it, no more responses);
* **archive**: → archived: hidden from residents, as a draft is, and left out of the portal's list unless
  asked for; the content, every version and every response are kept, and results and exports still work;
* **restore**: archived → the status it had before it was archived.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ..content.files import ContentBundle
from ..content.validate import ContentError, Problem, consultation_problems, validate_consultation
from .audit import Actor, add_entry
from .repository import Store

PORTAL_SOURCE = "portal editor"


@dataclass(frozen=True)
class SaveResult:
    problems: list[Problem] = field(default_factory=list)
    outcome: str = ""  # created | updated | unchanged, when saved

    @property
    def saved(self) -> bool:
        return not self.problems


def current_document(store: Store, slug: str) -> dict | None:
    """The stored document of a consultation's current version (the YAML's shape), or None."""
    consultation = store.consultation(slug)
    if consultation is None:
        return None
    from ..content.documents import consultation_document

    return consultation_document(consultation)


def save_documents(
    store: Store, documents: list[dict], actor: Actor, action: str, source: str = PORTAL_SOURCE, details: dict | None = None
) -> SaveResult:
    """Validate and save consultations in one transaction, audited as ``action``; nothing is written on a problem.

    Problems name the field (``questions[2].options``), as ``consultation_problems`` does, and have no source."""
    known_wards = store.known_ward_slugs()
    problems = [problem for document in documents for problem in consultation_problems(document, known_wards)]
    if problems:
        return SaveResult(problems)
    consultations = [validate_consultation(document, "", known_wards=known_wards) for document in documents]
    bundle = ContentBundle(consultations=consultations, sources={c.slug: source for c in consultations})
    try:
        report = store.apply_bundle(bundle, created_by=actor.name)
    except ContentError as error:
        return SaveResult([Problem("", problem.path, problem.message) for problem in error.problems])
    outcome = "created" if report.created else "updated" if report.updated else "unchanged"
    if outcome != "unchanged":
        with store.session() as session:
            for consultation in consultations:
                version = store_version(store, consultation.slug)
                add_entry(session, actor, action, consultation.slug, details={"version": version, **(details or {})})
    return SaveResult([], outcome)


def store_version(store: Store, slug: str) -> int | None:
    consultation = store.consultation(slug)
    return consultation.version if consultation else None


def save_document(store: Store, document: dict, actor: Actor, *, new: bool = False) -> SaveResult:
    """Save one consultation from the editor; ``new``: refuse a slug that is already taken."""
    slug = document.get("slug")
    if new and isinstance(slug, str) and store.consultation(slug.strip()) is not None:
        return SaveResult([Problem("", "slug", f"{slug.strip()!r} is already used by another consultation; choose another")])
    return save_documents(store, [document], actor, "create_consultation" if new else "edit_consultation")


STATUS_ACTIONS = {
    "publish": ("draft", "open", "publish_consultation"),
    "close": ("open", "closed", "close_consultation"),
    "archive": (None, "archived", "archive_consultation"),
}


def change_status(store: Store, slug: str, step: str, actor: Actor) -> SaveResult:
    """Publish, close or archive a consultation (``STATUS_ACTIONS``): a new version with only the status changed."""
    document = current_document(store, slug)
    if document is None:
        return SaveResult([Problem("", "", "there is no such consultation")])
    before, after, action = STATUS_ACTIONS[step]
    if before is not None and document["status"] != before:
        return SaveResult(
            [Problem("", "status", f"only a {before} consultation can be {_past(step)}; this one is {document['status']}")]
        )
    if document["status"] == after:
        return SaveResult([Problem("", "status", f"it is already {after}")])
    changed = {**document, "status": after}
    return save_documents(store, [changed], actor, action, details={"from": document["status"]})


def _past(step: str) -> str:
    return {"publish": "published", "close": "closed", "archive": "archived"}[step]


def restore(store: Store, slug: str, actor: Actor) -> SaveResult:
    """Take a consultation out of the archive, back to the status it had before it was archived."""
    document = current_document(store, slug)
    if document is None or document["status"] != "archived":
        return SaveResult([Problem("", "status", "only an archived consultation can be restored")])
    earlier = "closed"
    for version in reversed(store.consultation_versions(slug)):
        old = store.consultation_version(slug, version["number"])
        if old is not None and old.status != "archived":
            earlier = old.status
            break
    return save_documents(store, [{**document, "status": earlier}], actor, "restore_consultation", details={"to": earlier})


def free_slug(store: Store, base: str) -> str:
    """``base-copy``, ``base-copy-2``, ...: the first slug no consultation uses (at most 80 characters)."""
    stem = f"{base[:70]}-copy"
    taken = {consultation.slug for consultation in store.consultations()}
    candidate, number = stem, 2
    while candidate in taken:
        candidate, number = f"{stem}-{number}", number + 1
    return candidate


def duplicate_document(document: dict[str, Any], slug: str, title: str | None = None) -> dict[str, Any]:
    """A new draft with the same content: no outcome (it has not happened yet)."""
    copied = copy.deepcopy(document)
    copied.update(slug=slug, status="draft")
    if title:
        copied["title"] = title
    copied.pop("outcome", None)
    return copied


def duplicate(store: Store, slug: str, new_slug: str, title: str, actor: Actor, document: dict | None = None) -> SaveResult:
    """A draft copy of a consultation (or of ``document``, its edited content) under ``new_slug``."""
    source = document if document is not None else current_document(store, slug)
    if source is None:
        return SaveResult([Problem("", "", "there is no such consultation")])
    if store.consultation(new_slug) is not None:
        return SaveResult([Problem("", "slug", f"{new_slug!r} is already used by another consultation; choose another")])
    copied = duplicate_document(source, new_slug, title)
    return save_documents(store, [copied], actor, "duplicate_consultation", details={"from": slug})


def close_and_duplicate(store: Store, slug: str, edited: dict, new_slug: str, actor: Actor) -> SaveResult:
    """Close a consultation and start a draft copy holding the edit it refused, in one transaction."""
    current = current_document(store, slug)
    if current is None:
        return SaveResult([Problem("", "", "there is no such consultation")])
    if store.consultation(new_slug) is not None:
        return SaveResult([Problem("", "slug", f"{new_slug!r} is already used by another consultation; choose another")])
    documents = [duplicate_document(edited, new_slug)]
    if current["status"] == "open":
        documents.insert(0, {**current, "status": "closed"})
    return save_documents(store, documents, actor, "close_and_duplicate_consultation", details={"copy": new_slug})
