"""An officer's preview in the dialogue: the draft seen through the real assistant, and nothing stored.

Every action that reads consultations asks for ``catalogue(tracker)`` (services.py). For a message carrying a
preview grant, this module has the action server check the grant itself (store/previews.verified_grant: the
signature, the expiry, that it was made for this very conversation, and that the officer is still signed
in); only then does the conversation get a catalogue holding that one draft version, as if open. Anything
else, and every resident, gets residents' catalogue, where drafts never are.

In a preview the survey runs exactly as for a resident, including the checks before saving
(survey/submission.py), but at submit nothing is stored and the officer is told so; the actions log no
unanswered questions for it either (explain.py, survey.py check ``Catalogue.preview``).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import fields, replace
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..content.model import Consultation
from ..settings import get_settings
from ..store.previews import GRANT_LIFETIME, GRANT_METADATA, PREVIEW_CHANNEL, PreviewGrant, verified_grant
from ..survey.engine import Reply, Step
from ..text.matching import ConsultationFinder
from .services import Catalogue, in_thread, store

logger = logging.getLogger(__name__)

__all__ = ["PREVIEW_CHANNEL", "PREVIEW_ENDED", "PREVIEW_NOTHING_SAVED", "catalogue_for_preview", "preview_submitted"]

PREVIEW_NOTHING_SAVED = "This is a preview: nothing was saved."
PREVIEW_ENDED = (
    f"This preview has ended: a preview lasts {int(GRANT_LIFETIME.total_seconds() // 60)} minutes, and ends when you "
    "sign out of the portal. Open the preview again from the portal to carry on."
)
PREVIEW_CATALOGUES_KEPT = 8


class PreviewConsultation(Consultation):
    """A draft (or any stored version) shown in an officer's preview: open, whatever its status and dates."""

    def effective_status(self, today) -> str:  # noqa: ARG002 - same signature as Consultation's
        return "open"


def as_preview(consultation: Consultation) -> PreviewConsultation:
    return PreviewConsultation(**{field.name: getattr(consultation, field.name) for field in fields(consultation)})


_built: OrderedDict[tuple[str, int], tuple[Catalogue, Catalogue]] = OrderedDict()
_lock = threading.Lock()


def _catalogue_with_draft(residents: Catalogue, slug: str, version: int) -> Catalogue | None:
    """Residents' catalogue with that version of ``slug`` in it (in place of the published one, if any).
    Kept per draft version until residents' catalogue changes: versions never change once written."""
    with _lock:
        kept = _built.get((slug, version))
        if kept is not None and kept[0] is residents:
            return kept[1]
    draft = store().consultation_version(slug, version)
    if draft is None:
        return None
    shown = [c for c in residents.consultations if c.slug != slug] + [as_preview(draft)]
    built = Catalogue(shown, residents.wards, residents.council, ConsultationFinder(shown, residents.wards))
    with _lock:
        _built[(slug, version)] = (residents, built)
        _built.move_to_end((slug, version))
        while len(_built) > PREVIEW_CATALOGUES_KEPT:
            _built.popitem(last=False)
    return built


def _grant_for(metadata: dict, sender_id: str) -> PreviewGrant | None:
    return verified_grant(store(), metadata, sender_id, get_settings().action_server_token)


async def catalogue_for_preview(tracker: Any, residents: Catalogue) -> Catalogue:
    """The catalogue this conversation may see: with the draft only for a verified preview grant."""
    metadata = (getattr(tracker, "latest_message", None) or {}).get("metadata") or {}
    if not isinstance(metadata, dict) or GRANT_METADATA not in metadata:
        return residents
    try:
        grant = await in_thread(_grant_for, metadata, tracker.sender_id)
        if grant is None:
            logger.info("preview.refused")  # forged, expired, another conversation's, or the officer signed out
            return replace(residents, preview_ended=True)
        built = await in_thread(_catalogue_with_draft, residents, grant.slug, grant.version)
    except SQLAlchemyError:
        logger.warning("preview.unchecked reason=database_unavailable")  # fail closed: residents' catalogue
        return residents
    if built is None:
        logger.info("preview.refused reason=no_such_version")
        return residents
    return replace(built, preview=grant)


def preview_submitted(state: dict, problems: list[str]) -> Step:
    """The end of a previewed survey: the server's checks ran, nothing was stored."""
    if problems:
        outcome = "A resident's response with these answers would have been refused: " + "; ".join(problems) + "."
    else:
        outcome = "A resident would now be thanked and given a reference number, and their answers would be counted."
    text = f"{PREVIEW_NOTHING_SAVED} {outcome} Use Restart preview to try it again."
    return Step(dict(state, stage="done", reference=None, save_failed=False), [Reply(text)], finished=True)
