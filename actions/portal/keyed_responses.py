"""Keying in paper, phone and in-person responses (officers and admins; councillors may not).

* ``GET /consultations/{slug}/keyed-responses/new``: the form, generated from the consultation's questions,
  with a fresh token (posting the same form twice saves one response);
* ``POST /consultations/{slug}/keyed-responses``: checked by ``survey/keyed_form.py`` (the chat's own checks);
  a problem is shown next to its field and nothing is saved; a possible duplicate (same postcode, same
  answers) is shown with its reference and date, and saved only when the officer presses "Save anyway";
  otherwise saved through ``store/keyed_responses.py`` (audited) and redirected (303) to
* ``GET /consultations/{slug}/keyed-responses/{reference}``: the reference, large, to write on the paper form;
* ``GET /consultations/{slug}/paper-form.docx``: the printable paper form (``survey/paper_form.py``).
"""

from __future__ import annotations

import asyncio
import json

import aiohttp_jinja2
from aiohttp import web

from ..content.model import Consultation
from ..settings import today
from ..store import keyed_responses
from ..store.accounts import User
from ..store.audit import Actor
from ..store.repository import Store
from ..survey.engine import AGE_BANDS, OUTSIDE_DISTRICT, PREFER_NOT, Survey
from ..survey.keyed_form import CHANNELS, KEY_PREFIX, field_name, new_token, read_keyed_form, saved_fields
from ..survey.parsing import options_for
from .common import SETTINGS_KEY, STORE_KEY, context, remote_address

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def require_officer(request: web.Request) -> User:
    user: User = request["user"]
    if not user.is_officer:
        raise web.HTTPForbidden(text="Only officers and admins can key in responses.")
    return user


async def _consultation(request: web.Request) -> Consultation:
    consultation = await asyncio.to_thread(request.app[STORE_KEY].consultation, request.match_info["slug"])
    if consultation is None:
        raise web.HTTPNotFound(text="No such consultation.")
    return consultation


def build_survey(store: Store, consultation: Consultation) -> tuple[Survey, set[str], list]:
    """The chat's survey engine for this consultation, built as the dialogue builds it (themes, places, wards)."""
    from ..text.themes import tagger_for

    council = store.council()
    wards = store.wards()
    tagger = tagger_for(council.themes) if council and council.themes else None

    def resolve_sector(sector: str) -> str | None:
        ward = store.ward_for_sector(sector)
        return ward.slug if ward else None

    survey = Survey(
        consultation,
        council,
        resolve_sector=resolve_sector,
        theme_tagger=tagger.tags if tagger else (lambda text: []),
        public_places=tuple(ward.name for ward in wards),
        postcode_proof=store.postcode_hash,
    )
    return survey, {ward.slug for ward in wards}, wards


def _questions(consultation: Consultation) -> list[dict]:
    """What the template needs for each question: its field names, options and when it is asked."""
    from ..survey.paper_form import describe_condition

    numbers = {question.id: number for number, question in enumerate(consultation.questions, start=1)}
    shown = []
    for number, question in enumerate(consultation.questions, start=1):
        shown.append(
            {
                "number": number,
                "question": question,
                "name": field_name(question),
                "options": list(options_for(question)),
                "ask_if": json.dumps(question.ask_if.document()) if question.ask_if else "",
                "when": describe_condition(question.ask_if, numbers) if question.ask_if else "",
            }
        )
    return shown


async def _render(request: web.Request, consultation: Consultation, posted: dict, **values) -> web.Response:
    store = request.app[STORE_KEY]
    council = await asyncio.to_thread(store.council)
    wards = await asyncio.to_thread(store.wards)
    demographics = tuple(council.demographics) if council else ("postcode", "age_band")
    response = aiohttp_jinja2.render_template(
        "keyed_response.html",
        request,
        await context(
            request,
            title=f"Key in a response: {consultation.title}",
            consultation=consultation,
            questions=_questions(consultation),
            channels=CHANNELS,
            wards=wards,
            outside_district=OUTSIDE_DISTRICT,
            age_bands=(*AGE_BANDS, PREFER_NOT),
            demographics=demographics,
            status=consultation.effective_status(today()),
            today=today(),
            posted=posted,
            errors=values.pop("errors", {}),
            duplicates=values.pop("duplicates", []),
            **values,
        ),
    )
    return response


async def new_form(request: web.Request) -> web.Response:
    require_officer(request)
    consultation = await _consultation(request)
    return await _render(request, consultation, {"token": [new_token()], "received_on": [today().isoformat()]})


def _posted(form) -> dict[str, list[str]]:
    posted: dict[str, list[str]] = {}
    for key, value in form.items():
        if isinstance(value, str) and key != "csrf_token":
            posted.setdefault(key, []).append(value)
    return posted


async def save(request: web.Request) -> web.Response:
    user = require_officer(request)
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    posted = _posted(await request.post())
    token = (posted.get("token") or [""])[0]
    # The same form posted again (a double click, the back button): show what was saved the first time.
    if token:
        saved = await asyncio.to_thread(keyed_responses.reference_for_key, store, KEY_PREFIX + token[:40])
        if saved and saved[1] == consultation.slug:
            raise web.HTTPSeeOther(f"/consultations/{consultation.slug}/keyed-responses/{saved[0]}")

    def check():
        survey, known_wards, _wards = build_survey(store, consultation)
        form = read_keyed_form(survey, posted, known_wards=known_wards, today=today(), current=consultation)
        duplicates = (
            keyed_responses.possible_duplicates(
                store, consultation.slug, form.postcode_hash, form.state["answers"], form.state["other"]
            )
            if form.ok
            else []
        )
        return form, duplicates

    form, duplicates = await asyncio.to_thread(check)
    if not form.ok:
        return await _problems(request, consultation, posted, form.errors)
    unconfirmed = [duplicate for duplicate in duplicates if duplicate.reference not in form.duplicates_confirmed]
    if unconfirmed:
        response = await _render(request, consultation, posted, duplicates=duplicates)
        response.set_status(409)
        return response
    actor = Actor.account(user, remote_address(request))
    reference = await asyncio.to_thread(keyed_responses.save_keyed, store, saved_fields(form), actor)
    raise web.HTTPSeeOther(f"/consultations/{consultation.slug}/keyed-responses/{reference}")


async def _problems(request: web.Request, consultation: Consultation, posted: dict, errors: dict) -> web.Response:
    response = await _render(request, consultation, posted, errors=errors)
    response.set_status(422)
    return response


async def saved_page(request: web.Request) -> web.Response:
    require_officer(request)
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    reference = request.match_info["reference"].upper()
    summary = await asyncio.to_thread(store.response_summary, reference)
    if summary is None or summary["slug"] != consultation.slug or summary["channel"] not in CHANNELS:
        raise web.HTTPNotFound(text="No keyed-in response with this reference.")
    details = await asyncio.to_thread(keyed_responses.keyed_details, store, reference) or {}
    return aiohttp_jinja2.render_template(
        "keyed_response_saved.html",
        request,
        await context(
            request,
            title=f"Response saved: {reference}",
            consultation=consultation,
            reference=reference,
            channel=CHANNELS[summary["channel"]],
            received_on=details.get("received_on"),
        ),
    )


async def paper_form_download(request: web.Request) -> web.Response:
    """Anyone signed in may print the paper form: it holds only the consultation's own questions."""
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    council = await asyncio.to_thread(store.council)
    months = request.app[SETTINGS_KEY].response_retention_months

    def build() -> bytes:
        from ..survey.paper_form import paper_form

        return paper_form(consultation, council, months)

    body = await asyncio.to_thread(build)
    return web.Response(
        body=body,
        content_type=DOCX,
        headers={"Content-Disposition": f'attachment; filename="{consultation.slug}-paper-form.docx"'},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/consultations/{slug}/keyed-responses/new", new_form)
    app.router.add_post("/consultations/{slug}/keyed-responses", save)
    app.router.add_get("/consultations/{slug}/keyed-responses/{reference}", saved_page)
    app.router.add_get("/consultations/{slug}/paper-form.docx", paper_form_download)
