"""The portal's themes pages: officers own the themes and review comments one by one.

* ``/consultations/{slug}/themes``: every theme with its status and counts, how well the automatic
  suggestions matched officers' decisions, flags and tags, recent changes; officers confirm, reject,
  rename, merge and add themes here. Councillors may read it.
* ``/consultations/{slug}/themes/review``: the comments to review, filtered and paged (officers only).
* ``/consultations/{slug}/themes/review/{answer_id}``: one comment: its themes, reviewed or not, flags,
  one-click redaction, tags and private notes (officers only).

Every change is a POST with the CSRF token and an ``action`` field, answered with a redirect back (303).
Notes are private to officers and admins. Removing personal data from a comment is written to the audit log.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from ..store import comment_review as review
from ..store import themes
from ..store.accounts import User
from ..store.audit import record_audit
from ..text.theme_accuracy import ALL_THEMES, score
from .common import STORE_KEY, context, remote_address

PER_PAGE = 20
LIST_FILTERS = ("status", "theme", "flag", "tag", "question", "page")
STATUS_NAMES = {
    themes.CONFIRMED: "Confirmed",
    themes.SUGGESTED: "Suggested",
    themes.REJECTED: "Rejected",
    themes.MERGED: "Merged",
}
ACTIVITY_NAMES = {
    "confirm": "confirmed theme",
    "reject": "rejected theme",
    "reconsider": "returned to suggested",
    "rename": "renamed theme",
    "add": "added theme",
    "merge": "merged theme",
    "assign": "added theme to a comment",
    "remove": "removed theme from a comment",
    "reviewed": "reviewed a comment",
    "not_reviewed": "marked a comment not reviewed",
    "flag": "flagged a comment",
    "unflag": "removed a flag",
    "tag": "tagged a comment",
    "untag": "removed a tag",
    "note": "added a private note",
    "delete_note": "deleted a private note",
    "redact": "removed personal data from a comment",
}


def require_officer(request: web.Request) -> User:
    user: User = request["user"]
    if not user.is_officer:
        raise web.HTTPForbidden(text="Only officers can review comments and change themes.")
    return user


async def _consultation(request: web.Request):
    consultation = await asyncio.to_thread(request.app[STORE_KEY].consultation, request.match_info["slug"])
    if consultation is None:
        raise web.HTTPNotFound(text="No such consultation.")
    return consultation


async def _flash(request: web.Request, message: str | None = None) -> str | None:
    """Set a one-off message for the next page, or (with no message) take the waiting one."""
    session = await get_session(request)
    if message is not None:
        session["themes_flash"] = message
        return None
    return session.pop("themes_flash", None)


def _describe(entry: dict) -> str:
    detail = entry["detail"] or {}
    words = ACTIVITY_NAMES.get(entry["action"], entry["action"])
    if "theme" in detail:
        words += f" “{detail['theme']}”"
    if "to" in detail:
        words += f" to “{detail['to']}”"
    if "into" in detail:
        words += f" into “{detail['into']}”"
    if "flag" in detail:
        words += f": {themes.FLAGS.get(detail['flag'], (detail['flag'],))[0].lower()}"
    if "tag" in detail:
        words += f": {detail['tag']}"
    return words


# --- the themes of a consultation --------------------------------------------------------------------


async def themes_page(request: web.Request) -> web.Response:
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    slug = consultation.slug

    def gather():
        return themes.overview(store, slug), themes.recent_activity(store, slug)

    summary, activity = await asyncio.to_thread(gather)
    confirmed = [count.theme.key for count in summary.themes if count.theme.status == themes.CONFIRMED]
    accuracy = (
        [item for item in score(summary.pairs, confirmed, resamples=500) if item.theme != ALL_THEMES or len(confirmed) > 1]
        if summary.pairs and confirmed
        else []
    )
    names = {count.theme.key: count.theme.name for count in summary.themes}
    targets = [count.theme for count in summary.themes if count.theme.status in (themes.CONFIRMED, themes.SUGGESTED)]
    return aiohttp_jinja2.render_template(
        "themes.html",
        request,
        await context(
            request,
            title=f"Themes: {consultation.title}",
            consultation=consultation,
            summary=summary,
            accuracy=accuracy,
            names={**names, ALL_THEMES: "All confirmed themes"},
            targets=targets,
            activity=[(entry, _describe(entry)) for entry in activity],
            status_names=STATUS_NAMES,
            flags=themes.FLAGS,
            flash=await _flash(request),
            error=None,
        ),
    )


async def change_theme(request: web.Request) -> web.Response:
    user = require_officer(request)
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    form = await request.post()
    action, key = str(form.get("action", "")), str(form.get("theme", ""))[:80]
    slug = consultation.slug
    try:
        if action in ("confirm", "reject", "reconsider"):
            status = {"confirm": themes.CONFIRMED, "reject": themes.REJECTED, "reconsider": themes.SUGGESTED}[action]
            theme = await asyncio.to_thread(themes.set_status, store, slug, key, status, user.email)
            message = f"“{theme.name}” is now {STATUS_NAMES[status].lower()}."
        elif action == "rename":
            theme = await asyncio.to_thread(themes.rename, store, slug, key, str(form.get("name", ""))[:200], user.email)
            message = f"Renamed to “{theme.name}”."
        elif action == "merge":
            theme = await asyncio.to_thread(themes.merge, store, slug, key, str(form.get("into", ""))[:80], user.email)
            message = f"Merged into “{theme.name}”."
        elif action == "add":
            theme = await asyncio.to_thread(themes.add_theme, store, slug, str(form.get("name", ""))[:200], user.email)
            message = f"Added and confirmed “{theme.name}”."
        else:
            raise web.HTTPBadRequest(text="Unknown action.")
    except themes.ThemeError as error:
        message = f"Not changed: {error}"
    await _flash(request, message)
    raise web.HTTPSeeOther(f"/consultations/{slug}/themes")


# --- comments to review ------------------------------------------------------------------------------


def _list_query(query) -> dict[str, str]:
    """The list's filters from a query string, keeping only known, non-empty ones."""
    return {name: str(query.get(name))[:80] for name in LIST_FILTERS if query.get(name)}


async def review_list(request: web.Request) -> web.Response:
    require_officer(request)
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    chosen = _list_query(request.query)
    try:
        page_number = max(1, min(int(chosen.get("page", "1")), 1_000_000))
    except ValueError:
        page_number = 1
    status = chosen.get("status", "all")
    if status not in ("all", "reviewed", "unreviewed"):
        status = "all"

    def gather():
        book = themes.themes_of(store, consultation.slug)
        summary = themes.overview(store, consultation.slug)
        page = review.comment_page(
            store,
            consultation.slug,
            status=status,
            theme=chosen.get("theme"),
            flag=chosen.get("flag"),
            tag=chosen.get("tag"),
            question=chosen.get("question"),
            page=page_number,
            per_page=PER_PAGE,
        )
        return book, summary, page

    book, summary, page = await asyncio.to_thread(gather)
    filters = {name: value for name, value in chosen.items() if name != "page"}
    return aiohttp_jinja2.render_template(
        "theme_review_list.html",
        request,
        await context(
            request,
            title=f"Review comments: {consultation.title}",
            consultation=consultation,
            page=page,
            book=book,
            summary=summary,
            status=status,
            chosen=chosen,
            filters=filters,
            filter_query=urlencode(filters),
            questions=[q for q in consultation.questions if q.type == "text"],
            flags=themes.FLAGS,
        ),
    )


async def review_page(request: web.Request) -> web.Response:
    require_officer(request)
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    answer_id = _answer_id(request)

    def gather():
        return review.comment(store, consultation.slug, answer_id), themes.themes_of(store, consultation.slug)

    comment, book = await asyncio.to_thread(gather)
    if comment is None:
        raise web.HTTPNotFound(text="No such comment in this consultation.")
    available = sorted(
        (theme for theme in {**{key: book.get(key) for key in comment.suggested}, **book.themes}.values()),
        key=lambda theme: (theme.status != themes.CONFIRMED, theme.name.lower()),
    )
    available = [
        theme for theme in available if theme.status in (themes.CONFIRMED, themes.SUGGESTED) and theme.key != "needs_review"
    ]
    chosen = _list_query(request.query)
    question = next((q for q in consultation.questions if q.id == comment.question), None)
    return aiohttp_jinja2.render_template(
        "theme_review.html",
        request,
        await context(
            request,
            title=f"Review a comment: {consultation.title}",
            consultation=consultation,
            comment=comment,
            question=question,
            book=book,
            available=available,
            suggested={book.resolve(key) for key in comment.suggested},
            flags=themes.FLAGS,
            list_query=urlencode(chosen),
            flash=await _flash(request),
            needs_review="needs_review" in comment.suggested,
        ),
    )


def _answer_id(request: web.Request) -> int:
    try:
        return int(request.match_info["answer_id"])
    except ValueError:
        raise web.HTTPNotFound(text="No such comment.") from None


async def change_comment(request: web.Request) -> web.Response:
    user = require_officer(request)
    consultation = await _consultation(request)
    store = request.app[STORE_KEY]
    slug, answer_id = consultation.slug, _answer_id(request)
    form = await request.post()
    action = str(form.get("action", ""))
    chosen = _list_query(request.query)
    target = answer_id
    try:
        if action in ("themes", "themes_next"):
            keys = [str(value)[:80] for value in form.getall("theme", [])]
            await asyncio.to_thread(review.set_comment_themes, store, slug, answer_id, keys, user.email)
            message = "Themes saved; the comment is marked reviewed."
            if action == "themes_next":
                following = await asyncio.to_thread(review.next_unreviewed, store, slug, answer_id)
                if following is None:
                    message += " Every comment has now been reviewed."
                else:
                    target = following
        elif action in ("reviewed", "not_reviewed"):
            await asyncio.to_thread(review.set_reviewed, store, slug, answer_id, action == "reviewed", user.email)
            message = "Marked reviewed." if action == "reviewed" else "Marked not reviewed."
        elif action == "flags":
            flags = [str(value) for value in form.getall("flag", [])]
            await asyncio.to_thread(review.set_flags, store, slug, answer_id, flags, user.email)
            message = "Flags saved."
        elif action == "tag":
            tag = await asyncio.to_thread(review.add_tag, store, slug, answer_id, str(form.get("tag", ""))[:200], user.email)
            message = f"Tagged “{tag}”."
        elif action == "untag":
            await asyncio.to_thread(review.remove_tag, store, slug, answer_id, str(form.get("tag", ""))[:80], user.email)
            message = "Tag removed."
        elif action == "note":
            await asyncio.to_thread(review.add_note, store, slug, answer_id, str(form.get("note", ""))[:5000], user.email)
            message = "Note added."
        elif action == "delete_note":
            note_id = int(str(form.get("note_id", "0")) or 0)
            await asyncio.to_thread(review.delete_note, store, slug, answer_id, note_id, user.email, user.is_admin)
            message = "Note deleted."
        elif action == "redact":
            await asyncio.to_thread(review.redact_comment, store, slug, answer_id, str(form.get("words", ""))[:2000], user.email)
            found = await asyncio.to_thread(review.comment, store, slug, answer_id)
            await asyncio.to_thread(
                record_audit,
                store,
                "redact_comment",
                found.reference if found else slug,
                user=user,
                ip=remote_address(request),
                rows=1,
                details={"consultation": slug},
            )
            message = "Personal data removed. The comment is flagged “contains personal data” and won't be quoted."
        else:
            raise web.HTTPBadRequest(text="Unknown action.")
    except LookupError:
        raise web.HTTPNotFound(text="No such comment in this consultation.") from None
    except (themes.ThemeError, ValueError) as error:
        message = f"Not changed: {error}"
    await _flash(request, message)
    query = f"?{urlencode(chosen)}" if chosen else ""
    raise web.HTTPSeeOther(f"/consultations/{slug}/themes/review/{target}{query}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/consultations/{slug}/themes", themes_page)
    app.router.add_post("/consultations/{slug}/themes", change_theme)
    app.router.add_get("/consultations/{slug}/themes/review", review_list)
    app.router.add_get("/consultations/{slug}/themes/review/{answer_id}", review_page)
    app.router.add_post("/consultations/{slug}/themes/review/{answer_id}", change_comment)
