"""The consultation editor (officers and admins; councillors may not edit). Server-rendered forms that work
without JavaScript; ``static/editor.js`` only shows the fields that fit each question's type.

* ``/consultations/new`` and ``/consultations/{slug}/edit``: every field of the YAML format. Rows are added,
  removed and moved by submit buttons (``action=add:questions``...), which post the form and get it back
  changed, nothing saved. "Save" validates with ``consultation_problems`` (the rules and messages of
  ``haveyoursay validate``): each message beside its field, a summary at the top linking to them, and
  nothing stored. An edit that would corrupt stored answers is refused by the domain layer
  (``content.changes``) with the offer to close and duplicate instead.
* ``/consultations/{slug}/publish``, ``/close``, ``/archive``: a confirmation page, then the change;
  ``/restore`` takes it out of the archive. ``/duplicate``: a draft copy under a new slug.
* ``/consultations/{slug}/history``: every version, who made it, when, and what changed, field by field.
* ``/consultations/import`` (paste or upload YAML) and ``/consultations/{slug}/export.yml``.

Saving goes through ``store.editing`` (a new version per change, the audit log). Drafts are shown only here.
The live preview (``/consultations/{slug}/preview``) is linked from the edit page and built elsewhere.
"""

from __future__ import annotations

import asyncio

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from ..content.changes import is_harmful_edit
from ..content.diff import document_changes
from ..content.documents import consultation_document, consultation_yaml
from ..content.files import is_council_file, parse_yaml
from ..content.validate import ContentError, Problem
from ..settings import today
from ..store import editing
from ..store.accounts import User
from ..store.audit import Actor
from . import editor_form as forms
from .common import STORE_KEY, context, remote_address

MAX_IMPORT_BYTES = 60_000  # under the portal's request limit, with room for the form around it


def require_editor(request: web.Request) -> User:
    user: User = request["user"]
    if not user.is_officer:
        raise web.HTTPForbidden(text="Only officers and admins can create or change consultations.")
    return user


def _actor(request: web.Request) -> Actor:
    return Actor.account(request["user"], remote_address(request))


async def _flash(request: web.Request, message: str | None = None) -> str | None:
    session = await get_session(request)
    if message is not None:
        session["editor_flash"] = message
        return None
    return session.pop("editor_flash", None)


async def _consultation(request: web.Request):
    consultation = await asyncio.to_thread(request.app[STORE_KEY].consultation, request.match_info["slug"])
    if consultation is None:
        raise web.HTTPNotFound(text="No such consultation.")
    return consultation


def _see_other(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location)


# --- the form ------------------------------------------------------------------------------------


async def _render_form(
    request: web.Request,
    state: dict,
    *,
    consultation=None,
    problems: list[Problem] | None = None,
    focus: str | None = None,
    status: int = 200,
    based_on: str | None = None,
) -> web.Response:
    store = request.app[STORE_KEY]
    wards = await asyncio.to_thread(store.wards)
    problems = problems or []
    errors, summary = forms.field_errors(problems, state)
    answered: dict[str, int] = {}
    if consultation is not None:
        answered = await asyncio.to_thread(store.question_answer_counts, consultation.slug)
    title = f"Edit: {consultation.title}" if consultation else "New consultation"
    response = aiohttp_jinja2.render_template(
        "editor.html",
        request,
        await context(
            request,
            title=("Error: " if problems else "") + title,
            heading=title,
            consultation=consultation,
            state=state,
            errors=errors,
            summary=summary,
            harmful=any(is_harmful_edit(problem) for problem in problems),
            focus=focus,
            wards=wards,
            types=forms.question_types(),
            scales=forms.scale_names(),
            tests=("is", "is_not", "one_of", "includes", "at_least", "at_most"),
            answered=answered,
            based_on=based_on or (consultation.version if consultation else ""),
            flash=await _flash(request),
        ),
    )
    response.set_status(status)
    return response


async def new_page(request: web.Request) -> web.Response:
    require_editor(request)
    state = forms.blank_state()
    state["opens"] = today().isoformat()
    return await _render_form(request, state)


async def edit_page(request: web.Request) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    return await _render_form(request, forms.from_document(consultation_document(consultation)), consultation=consultation)


async def save_form(request: web.Request) -> web.Response:
    """POST of the form: a row action re-renders it changed; "Save" validates and saves; "close and duplicate"."""
    require_editor(request)
    store = request.app[STORE_KEY]
    slug = request.match_info.get("slug")
    consultation = await _consultation(request) if slug else None
    form = await request.post()
    state = forms.read_form(form)
    action = str(form.get("action", "save"))
    based_on = str(form.get("based_on", ""))
    if consultation is not None:
        state["slug"] = consultation.slug  # the address of a consultation never changes; duplicate it instead
    if action not in ("save", "close_and_duplicate"):
        focus = forms.apply_row_action(state, action)
        if focus is None:
            raise web.HTTPBadRequest(text="That button is not one the editor knows.")
        return await _render_form(request, state, consultation=consultation, focus=focus, based_on=based_on)

    document, problems = forms.to_document(state)
    document["status"] = consultation.status if consultation else "draft"
    if consultation is not None and based_on != str(consultation.version):
        # Someone saved (or published, archived...) since this form was opened: don't overwrite their change.
        problems.append(Problem("", "", stale_message(consultation.version, based_on)))
    if problems:
        return await _render_form(request, state, consultation=consultation, problems=problems, status=400, based_on=based_on)
    actor = _actor(request)
    if action == "close_and_duplicate" and consultation is not None:
        new_slug = await asyncio.to_thread(editing.free_slug, store, consultation.slug)
        result = await asyncio.to_thread(editing.close_and_duplicate, store, consultation.slug, document, new_slug, actor)
        if result.saved:
            closed = "closed it and " if consultation.status == "open" else ""
            await _flash(request, f"You {closed}started a draft copy, “{new_slug}”, with your changes.")
            raise _see_other(f"/consultations/{new_slug}/edit")
    else:
        result = await asyncio.to_thread(editing.save_document, store, document, actor, new=consultation is None)
        if result.saved:
            saved = await asyncio.to_thread(store.consultation, document["slug"])
            message = "No changes to save." if result.outcome == "unchanged" else f"Saved: version {saved.version}."
            await _flash(request, message)
            raise _see_other(f"/consultations/{saved.slug}/edit")
    return await _render_form(request, state, consultation=consultation, problems=result.problems, status=400, based_on=based_on)


def stale_message(current: int, based_on: str) -> str:
    return (
        f"version {current} was saved after you opened this form (on version {based_on or 'unknown'}), so saving would "
        "undo it; nothing was saved. Open the editor again to start from the latest version."
    )


# --- status steps ---------------------------------------------------------------------------------

STEPS = {
    "publish": {
        "title": "Publish",
        "button": "Publish it",
        "explain": "Residents will be able to find it and respond from its opening date, on every channel, "
        "straight away (no retraining). You can still correct it after publishing; once it has responses, "
        "changes that would spoil them are refused.",
    },
    "close": {
        "title": "Close",
        "button": "Close it now",
        "explain": "Residents will no longer be able to respond. They can still ask the assistant about it, "
        "and its results, exports and report stay here.",
    },
    "archive": {
        "title": "Archive",
        "button": "Archive it",
        "explain": "Residents will no longer see it at all, and it leaves the list of consultations here "
        "(“Show archived” brings it back). Its content, every version and every response are kept; "
        "results, exports and the report still work, and you can restore it.",
    },
}


async def step_page(request: web.Request) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    step = request.match_info["step"]
    if step not in STEPS:
        raise web.HTTPNotFound()
    counts = await asyncio.to_thread(request.app[STORE_KEY].question_answer_counts, consultation.slug)
    return aiohttp_jinja2.render_template(
        "editor_confirm.html",
        request,
        await context(
            request,
            title=f"{STEPS[step]['title']}: {consultation.title}",
            consultation=consultation,
            step=step,
            about=STEPS[step],
            answers=sum(counts.values()),
            problems=[],
        ),
    )


async def step_post(request: web.Request) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    step = request.match_info["step"]
    if step not in STEPS:
        raise web.HTTPNotFound()
    store = request.app[STORE_KEY]
    result = await asyncio.to_thread(editing.change_status, store, consultation.slug, step, _actor(request))
    state = forms.from_document(consultation_document(consultation))
    if result.saved:
        done = {"publish": "Published", "close": "Closed", "archive": "Archived"}[step]
        await _flash(request, f"{done}: “{consultation.title}”.")
        raise _see_other(f"/consultations/{consultation.slug}/edit")
    response = aiohttp_jinja2.render_template(
        "editor_confirm.html",
        request,
        await context(
            request,
            title=f"Error: {STEPS[step]['title']}: {consultation.title}",
            consultation=consultation,
            step=step,
            about=STEPS[step],
            answers=0,
            # Problems belong to fields of the edit page: each link leads there.
            problems=[
                {
                    "text": f"{forms.describe_path(p.path)}: {p.message}",
                    "href": f"/consultations/{consultation.slug}/edit#{forms.anchor_for(p.path, state)}",
                }
                for p in result.problems
            ],
        ),
    )
    response.set_status(400)
    return response


async def restore_post(request: web.Request) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    result = await asyncio.to_thread(editing.restore, request.app[STORE_KEY], consultation.slug, _actor(request))
    await _flash(request, "Restored from the archive." if result.saved else result.problems[0].message)
    raise _see_other(f"/consultations/{consultation.slug}/edit")


# --- duplicate ------------------------------------------------------------------------------------


async def duplicate_page(request: web.Request, problems: list[Problem] | None = None, values: dict | None = None) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    values = values or {
        "slug": await asyncio.to_thread(editing.free_slug, store, consultation.slug),
        "title": f"{consultation.title} (copy)"[:120],
    }
    errors: dict[str, list[str]] = {}
    for problem in problems or []:
        errors.setdefault(problem.path if problem.path in ("slug", "title") else "slug", []).append(problem.message)
    response = aiohttp_jinja2.render_template(
        "editor_duplicate.html",
        request,
        await context(
            request,
            title=("Error: " if problems else "") + f"Duplicate: {consultation.title}",
            consultation=consultation,
            values=values,
            errors=errors,
            summary=[{"anchor": key, "text": f"{forms.describe_path(key)}: {m}"} for key, ms in errors.items() for m in ms],
        ),
    )
    if problems:
        response.set_status(400)
    return response


async def duplicate_post(request: web.Request) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    form = await request.post()
    values = {"slug": str(form.get("slug", "")).strip(), "title": str(form.get("title", "")).strip()}
    result = await asyncio.to_thread(
        editing.duplicate, request.app[STORE_KEY], consultation.slug, values["slug"], values["title"], _actor(request)
    )
    if not result.saved:
        return await duplicate_page(request, result.problems, values)
    await _flash(request, f"Duplicated as a draft: “{values['title'] or consultation.title}”.")
    raise _see_other(f"/consultations/{values['slug']}/edit")


# --- history ----------------------------------------------------------------------------------------


def _history(store, slug: str) -> list[dict]:
    versions = store.consultation_versions(slug)
    rows, before = [], None
    for version in versions:
        consultation = store.consultation_version(slug, version["number"])
        after = consultation_document(consultation)
        rows.append({**version, "changes": document_changes(before, after)})
        before = after
    return list(reversed(rows))


async def history_page(request: web.Request) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    versions = await asyncio.to_thread(_history, request.app[STORE_KEY], consultation.slug)
    return aiohttp_jinja2.render_template(
        "editor_history.html",
        request,
        await context(request, title=f"Version history: {consultation.title}", consultation=consultation, versions=versions),
    )


# --- import and export -------------------------------------------------------------------------------


async def export_yaml(request: web.Request) -> web.Response:
    require_editor(request)
    consultation = await _consultation(request)
    return web.Response(
        text=consultation_yaml(consultation),
        content_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{consultation.slug}.yml"'},
    )


async def import_page(request: web.Request, problems: list[Problem] | None = None, pasted: str = "") -> web.Response:
    require_editor(request)
    response = aiohttp_jinja2.render_template(
        "editor_import.html",
        request,
        await context(
            request,
            title=("Error: " if problems else "") + "Import a consultation from YAML",
            pasted=pasted,
            problems=[{"text": f"{forms.describe_path(p.path)}: {p.message}" if p.path else p.message} for p in problems or []],
        ),
    )
    if problems:
        response.set_status(400)
    return response


def _import(store, text: str, actor: Actor) -> tuple[list[Problem], str | None]:
    try:
        document = parse_yaml(text, "")
    except ContentError as error:
        return error.problems, None
    if is_council_file(document):
        return [Problem("", "", "this is the council file (wards.yml); load it with haveyoursay load")], None
    if not isinstance(document, dict):
        return [Problem("", "", "the YAML must be one consultation: a mapping of fields such as slug, title, status")], None
    slug = document.get("slug")
    existing = store.consultation(slug) if isinstance(slug, str) else None
    # Publishing, closing and archiving are their own steps: an import keeps the status (a new one is a draft).
    document = {**document, "status": existing.status if existing else "draft"}
    result = editing.save_documents(store, [document], actor, "import_consultation")
    return result.problems, slug if result.saved else None


async def import_post(request: web.Request) -> web.Response:
    require_editor(request)
    form = await request.post()
    upload = form.get("file")
    pasted = str(form.get("yaml", ""))
    text = pasted
    if upload is not None and hasattr(upload, "file"):
        raw = upload.file.read(MAX_IMPORT_BYTES + 1)
        if raw:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return await import_page(request, [Problem("", "", "the file is not UTF-8 text")], pasted)
    if not text.strip():
        return await import_page(request, [Problem("", "", "choose a YAML file or paste YAML")], pasted)
    problems, slug = await asyncio.to_thread(_import, request.app[STORE_KEY], text, _actor(request))
    if problems:
        return await import_page(request, problems, pasted)
    await _flash(request, "Imported.")
    raise _see_other(f"/consultations/{slug}/edit")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/consultations/new", new_page)
    app.router.add_post("/consultations/new", save_form)
    app.router.add_get("/consultations/import", import_page)
    app.router.add_post("/consultations/import", import_post)
    app.router.add_get("/consultations/{slug}/edit", edit_page)
    app.router.add_post("/consultations/{slug}/edit", save_form)
    app.router.add_get("/consultations/{slug}/history", history_page)
    app.router.add_get("/consultations/{slug}/export.yml", export_yaml)
    app.router.add_get("/consultations/{slug}/duplicate", duplicate_page)
    app.router.add_post("/consultations/{slug}/duplicate", duplicate_post)
    app.router.add_post("/consultations/{slug}/restore", restore_post)
    app.router.add_get("/consultations/{slug}/{step:publish|close|archive}", step_page)
    app.router.add_post("/consultations/{slug}/{step:publish|close|archive}", step_post)
