"""Admins manage accounts in the portal: invite, reset, disable and enable, change role, ward and whether a
one-time password is required (``/admin/accounts``). Every change is audited by ``store.account_admin``.

Invitation and reset links are shown to the admin, once, to pass on: the product has no mail server. A
deployment that has one can plug in a ``LinkSender`` (``add_routes(app, sender=...)``); when it reports the
link sent, the page says so and shows no link.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Protocol

import aiohttp_jinja2
from aiohttp import web

from ..store import account_admin
from ..store.account_links import INVITATION, IssuedLink
from ..store.accounts import AccountError
from ..store.audit import Actor
from .common import SETTINGS_KEY, STORE_KEY, context, remote_address
from .sign_in import render_page, require_admin

ROLE_NAMES = {"admin": "Administrator", "officer": "Officer", "councillor": "Councillor"}
STATUS_NAMES = {
    "active": "Active",
    "invited": "Invited: no password yet",
    "reset": "Reset: waiting for a new password",
    "disabled": "Disabled",
}
DONE = {
    "changed": "The changes are saved.",
    "disabled": "The account is disabled and all of its sessions have ended.",
    "enabled": "The account is enabled again. Its old password works; reset it to send a new link instead.",
    "two_factor_reset": "Their authenticator app is forgotten and their sessions have ended. "
    "They set up a new one when they next sign in, if their account needs one.",
}


class LinkSender(Protocol):
    """Delivers an invitation or reset link to the account's owner; True if it did (then the admin isn't shown it)."""

    def send(self, email: str, url: str, purpose: str, expires_at: dt.datetime) -> bool: ...


class ShowLinkToAdmin:
    """The default: nothing is sent; the admin copies the link and passes it on."""

    def send(self, email: str, url: str, purpose: str, expires_at: dt.datetime) -> bool:
        return False


LINK_SENDER_KEY = web.AppKey("link_sender", object)


def _actor(request: web.Request) -> Actor:
    return Actor.account(require_admin(request), remote_address(request))


def link_url(request: web.Request, token: str) -> str:
    """The link's full address, on the host the admin is using: https unless plain HTTP is allowed (development)."""
    scheme = "http" if request.app[SETTINGS_KEY].portal_allow_http else "https"
    return f"{scheme}://{request.host}/set-password/{token}"


async def _link_page(request: web.Request, link: IssuedLink) -> web.Response:
    url = link_url(request, link.token)
    sender: LinkSender = request.app[LINK_SENDER_KEY]
    sent = await asyncio.to_thread(sender.send, link.email, url, link.purpose, link.expires_at)
    response = await render_page(
        request,
        "account_link.html",
        201 if link.purpose == INVITATION else 200,
        title="Invitation link" if link.purpose == INVITATION else "Reset link",
        link=link,
        url=None if sent else url,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_choice(form, ward_slugs: set[str]) -> tuple[str, str | None, bool]:
    role = str(form.get("role", ""))
    ward = str(form.get("ward", "")) or None
    if role != "councillor":
        ward = None  # only a councillor's ward is used (their ward view)
    elif ward not in ward_slugs:
        ward = None  # refused below as "a councillor needs a ward"
    return role, ward, form.get("two_factor_required") == "on"


async def accounts_page(request: web.Request, status: int = 200, error: str | None = None, form: dict | None = None):
    require_admin(request)
    store = request.app[STORE_KEY]
    accounts = await asyncio.to_thread(account_admin.list_accounts, store)
    wards = await asyncio.to_thread(store.wards)
    response = aiohttp_jinja2.render_template(
        "accounts.html",
        request,
        await context(
            request,
            title="Accounts",
            accounts=accounts,
            wards=wards,
            ward_names={ward.slug: ward.name for ward in wards},
            role_names=ROLE_NAMES,
            status_names=STATUS_NAMES,
            error=error,
            form=form or {"role": "officer"},
        ),
    )
    response.set_status(status)
    return response


async def invite(request: web.Request) -> web.Response:
    actor = _actor(request)
    store = request.app[STORE_KEY]
    form = await request.post()
    email = str(form.get("email", ""))[:320]
    wards = await asyncio.to_thread(store.wards)
    role, ward, required = _form_choice(form, {ward.slug for ward in wards})
    try:
        link = await asyncio.to_thread(account_admin.invite, store, actor, email, role, ward, required)
    except AccountError as error:
        values = {"email": email, "role": role, "ward": ward or "", "two_factor_required": required}
        return await accounts_page(request, 400, f"No invitation was made: {error}.", values)
    return await _link_page(request, link)


async def _account_or_404(request: web.Request) -> account_admin.Account:
    try:
        user_id = int(request.match_info["user_id"])
    except ValueError:
        raise web.HTTPNotFound(text="No such account.") from None
    account = await asyncio.to_thread(account_admin.get_account, request.app[STORE_KEY], user_id)
    if account is None:
        raise web.HTTPNotFound(text="No such account.")
    return account


async def account_page(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    me = require_admin(request)
    account = await _account_or_404(request)
    wards = await asyncio.to_thread(request.app[STORE_KEY].wards)
    response = aiohttp_jinja2.render_template(
        "account.html",
        request,
        await context(
            request,
            title=f"Account: {account.user.email}",
            account=account,
            is_me=account.user.id == me.id,
            wards=wards,
            ward_names={ward.slug: ward.name for ward in wards},
            role_names=ROLE_NAMES,
            status_names=STATUS_NAMES,
            error=error,
            done=DONE.get(request.query.get("done", "")) if status == 200 else None,
        ),
    )
    response.set_status(status)
    return response


async def _change(request: web.Request, change, done: str | None = None, **arguments) -> web.Response:
    """Run one admin change; on a refusal show the account again with the reason (409: it conflicts with the
    rule that an administrator must be left, or with the account's state)."""
    actor = _actor(request)
    account = await _account_or_404(request)
    try:
        result = await asyncio.to_thread(change, request.app[STORE_KEY], actor, account.user.id, **arguments)
    except AccountError as error:
        return await account_page(request, 409, f"Nothing was changed: {error}.")
    if isinstance(result, IssuedLink):
        return await _link_page(request, result)
    raise web.HTTPSeeOther(f"/admin/accounts/{account.user.id}?done={done}")


async def change_account(request: web.Request) -> web.Response:
    form = await request.post()
    wards = await asyncio.to_thread(request.app[STORE_KEY].wards)
    role, ward, required = _form_choice(form, {ward.slug for ward in wards})
    return await _change(
        request, account_admin.change_account, "changed", role=role, ward_slug=ward, two_factor_required=required
    )


async def reset_account(request: web.Request) -> web.Response:
    form = await request.post()
    return await _change(request, account_admin.reset_account, reset_two_factor=form.get("reset_two_factor") == "on")


async def reset_two_factor(request: web.Request) -> web.Response:
    return await _change(request, account_admin.reset_two_factor, "two_factor_reset")


async def disable_account(request: web.Request) -> web.Response:
    return await _change(request, account_admin.disable_account, "disabled")


async def enable_account(request: web.Request) -> web.Response:
    return await _change(request, account_admin.enable_account, "enabled")


def add_routes(app: web.Application, sender: LinkSender | None = None) -> None:
    app[LINK_SENDER_KEY] = sender or ShowLinkToAdmin()
    app.router.add_get("/admin/accounts", accounts_page)
    app.router.add_post("/admin/accounts", invite)
    app.router.add_get("/admin/accounts/{user_id}", account_page)
    app.router.add_post("/admin/accounts/{user_id}/change", change_account)
    app.router.add_post("/admin/accounts/{user_id}/reset", reset_account)
    app.router.add_post("/admin/accounts/{user_id}/reset-two-factor", reset_two_factor)
    app.router.add_post("/admin/accounts/{user_id}/disable", disable_account)
    app.router.add_post("/admin/accounts/{user_id}/enable", enable_account)
