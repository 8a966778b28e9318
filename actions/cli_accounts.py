"""``haveyoursay user ...``: portal accounts from the command line, on the server.

The same domain functions as the portal's account pages (``store.accounts``, ``store.account_admin``); every
change is written to the audit log as ``cli:<system user>``. Passwords are read from a prompt, asked twice, or
the first line of stdin, never from the command line (where ``ps`` and shell history would keep them).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from .settings import get_settings
from .store.account_admin import disable_account, enable_account, list_accounts, reset_two_factor
from .store.accounts import AccountError, User, add_user, change_password, find_user
from .store.audit import Actor
from .store.migrate import upgrade
from .store.repository import Store
from .store.sign_in_attempts import attempt_key, clear_attempts

EXIT_OK, EXIT_INVALID = 0, 1


def _store() -> Store:
    settings = get_settings()
    upgrade(settings.database_url)
    return Store(settings.database_url, settings.sender_hash_salt)


def _actor() -> Actor:
    return Actor.command_line(getpass.getuser())


def _read_password() -> str | None:
    """From a prompt, asked twice, or the first line of stdin; None if the two typed don't match."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password (12+ characters): ")
    if getpass.getpass("Repeat password: ") != password:
        print("The passwords don't match; nothing was changed.", file=sys.stderr)
        return None
    return password


def _existing(store: Store, email: str) -> User | None:
    user = find_user(store, email)
    if user is None:
        print(f"No account for {email.strip().lower()}; nothing was changed.", file=sys.stderr)
    return user


def cmd_user_add(args: argparse.Namespace) -> int:
    if args.role == "councillor" and not args.ward:
        print("a councillor needs --ward SLUG (their own ward); no account was created.", file=sys.stderr)
        return EXIT_INVALID
    password = _read_password()
    if password is None:
        return EXIT_INVALID
    try:
        user = add_user(
            _store(), args.email, password, args.role, args.ward, two_factor_required=args.require_2fa, actor=_actor()
        )
    except AccountError as error:
        print(f"{error}; no account was created.", file=sys.stderr)
        return EXIT_INVALID
    ward = f" for {user.ward_slug}" if user.ward_slug else ""
    print(f"Created {user.role} account {user.email}{ward}.")
    if user.needs_two_factor:
        print("It must set up an authenticator app (two-factor authentication) when it first signs in to the portal.")
    return EXIT_OK


def cmd_user_set_password(args: argparse.Namespace) -> int:
    """A new password for an account (forgotten, or to lock someone out); ends its sessions and its lock."""
    store = _store()
    user = _existing(store, args.email)
    if user is None:
        return EXIT_INVALID
    password = _read_password()
    if password is None:
        return EXIT_INVALID
    try:
        change_password(store, user.id, password, actor=_actor())
    except AccountError as error:
        print(f"{error}; the password was not changed.", file=sys.stderr)
        return EXIT_INVALID
    clear_attempts(store, attempt_key(get_settings().portal_secret_key, "account", user.email))
    print(f"Changed the password of {user.email}; all of its portal sessions are signed out.")
    if user.disabled:
        print("The account is still disabled: haveyoursay user enable EMAIL to let it sign in.")
    return EXIT_OK


def _admin_change(args: argparse.Namespace, change, done: str) -> int:
    store = _store()
    user = _existing(store, args.email)
    if user is None:
        return EXIT_INVALID
    try:
        change(store, _actor(), user.id)
    except AccountError as error:
        print(f"{error}; nothing was changed.", file=sys.stderr)
        return EXIT_INVALID
    print(done.format(email=user.email))
    return EXIT_OK


def cmd_user_disable(args: argparse.Namespace) -> int:
    return _admin_change(args, disable_account, "Disabled {email}: it can't sign in, and its portal sessions have ended.")


def cmd_user_enable(args: argparse.Namespace) -> int:
    return _admin_change(args, enable_account, "Enabled {email}: it can sign in again with its password.")


def cmd_user_reset_2fa(args: argparse.Namespace) -> int:
    return _admin_change(
        args,
        reset_two_factor,
        "Forgot the authenticator app of {email} and signed out its sessions; "
        "if it needs two-factor authentication it sets up a new app at its next sign-in.",
    )


def cmd_user_list(args: argparse.Namespace) -> int:
    accounts = list_accounts(_store())
    if not accounts:
        print("No accounts yet. Create one with: haveyoursay user add EMAIL --role admin")
        return EXIT_OK
    print(f"{'email':<40} {'role':<10} {'ward':<16} {'status':<9} {'two-factor':<10} last sign-in (UTC)")
    for account in accounts:
        user = account.user
        two_factor = "on" if user.two_factor else "required" if user.needs_two_factor else "off"
        last = account.last_login_at.strftime("%Y-%m-%d %H:%M") if account.last_login_at else "never"
        print(f"{user.email:<40} {user.role:<10} {user.ward_slug or '':<16} {account.status:<9} {two_factor:<10} {last}")
    return EXIT_OK


def add_user_commands(commands) -> None:
    """``haveyoursay user ACTION`` on the CLI's subcommands."""
    user = commands.add_parser("user", help="manage portal accounts")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="create an account; the password is read from a prompt or stdin")
    add.add_argument("email")
    add.add_argument(
        "--role",
        required=True,
        choices=("admin", "officer", "councillor"),
        help="admin: an officer who can also manage accounts and read the audit log",
    )
    add.add_argument("--ward", metavar="SLUG", help="the councillor's own ward")
    add.add_argument(
        "--require-2fa", action="store_true", help="must set up an authenticator app at first sign-in (always, for admins)"
    )
    add.set_defaults(handler=cmd_user_add)

    password = actions.add_parser(
        "set-password", help="give an account a new password (prompt or stdin); signs out all its sessions"
    )
    password.add_argument("email")
    password.set_defaults(handler=cmd_user_set_password)

    listing = actions.add_parser("list", help="list accounts: role, ward, status, two-factor, last sign-in")
    listing.set_defaults(handler=cmd_user_list)

    for name, handler, help_text in (
        ("disable", cmd_user_disable, "stop an account signing in and end its sessions now"),
        ("enable", cmd_user_enable, "let a disabled account sign in again"),
        ("reset-2fa", cmd_user_reset_2fa, "forget an account's authenticator app (a lost phone) and end its sessions"),
    ):
        command = actions.add_parser(name, help=help_text)
        command.add_argument("email")
        command.set_defaults(handler=handler)
