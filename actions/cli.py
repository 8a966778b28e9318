"""The ``haveyoursay`` command: load and check content, and inspect the store.

The CLI is thin: each command parses arguments, calls the same domain
functions the assistant and portal use, and prints a short result. Problems
are printed one per line on stderr, and the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .content.files import read_bundle
from .content.validate import ContentError
from .settings import get_settings
from .store.conversations import delete_conversations, senders_with_hash
from .store.identity import find_reference
from .store.migrate import upgrade
from .store.repository import Store

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _store() -> Store:
    settings = get_settings()
    upgrade(settings.database_url)
    return Store(settings.database_url, settings.sender_hash_salt)


def _print_problems(error: ContentError) -> int:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    noun = "problem" if len(error.problems) == 1 else "problems"
    print(f"{len(error.problems)} {noun} found; nothing was written.", file=sys.stderr)
    return EXIT_INVALID


def cmd_validate(args: argparse.Namespace) -> int:
    store = _store()
    try:
        bundle = read_bundle(args.paths, known_wards=store.known_ward_slugs())
    except ContentError as error:
        return _print_problems(error)
    wards = len(bundle.council.wards) if bundle.council else 0
    print(f"OK: {len(bundle.consultations)} consultation(s) and {wards} ward(s) are valid.")
    return EXIT_OK


def cmd_load(args: argparse.Namespace) -> int:
    store = _store()
    try:
        bundle = read_bundle(args.paths, known_wards=store.known_ward_slugs())
        report = store.apply_bundle(bundle)
    except ContentError as error:
        return _print_problems(error)
    print(
        f"Loaded {len(bundle.consultations)} consultation(s): {len(report.created)} created, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged; {report.wards} ward(s)."
    )
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    rows = _store().overview()
    if not rows:
        print("No consultations loaded. Try: haveyoursay load seeds/")
        return EXIT_OK
    header = f"{'SLUG':<32} {'STATUS':<7} {'OPENS':<10} {'CLOSES':<10} {'RESPONSES':>9}  TITLE"
    print(header)
    for row in rows:
        print(f"{row.slug:<32} {row.status:<7} {row.opens.isoformat():<10} {row.closes.isoformat():<10} {row.responses:>9}  {row.title}")
    return EXIT_OK


def cmd_erase(args: argparse.Namespace) -> int:
    reference = find_reference(args.reference)
    if reference is None or reference != args.reference.strip().upper():
        print(f"{args.reference!r} is not a reference; they look like MB-7K3Q-9D2M", file=sys.stderr)
        return EXIT_USAGE
    store = _store()
    summary = store.response_summary(reference)
    if summary is None:
        print(f"No response with reference {reference}; nothing was changed.", file=sys.stderr)
        return EXIT_INVALID
    store.withdraw_response(reference)
    settings = get_settings()
    senders = senders_with_hash(settings.tracker_store_url, settings.sender_hash_salt, summary["channel"], summary["sender_hash"])
    deleted = delete_conversations(settings.tracker_store_url, senders)
    print(f"Withdrew {reference}: its answers and personal data are deleted, and {deleted} conversation event(s) were erased.")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    _store()
    print("Database schema is up to date.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="haveyoursay", description="Have Your Say: council consultations in conversation.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = commands.add_parser("load", help="load consultation and wards YAML files (all or nothing)")
    load.add_argument("paths", nargs="+", metavar="PATH", help="YAML files or folders of them")
    load.set_defaults(handler=cmd_load)

    validate = commands.add_parser("validate", help="check YAML files without writing anything")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.set_defaults(handler=cmd_validate)

    listing = commands.add_parser("list", help="list consultations with status and response counts")
    listing.set_defaults(handler=cmd_list)

    erase = commands.add_parser("erase", help="withdraw a response by reference and erase its conversation")
    erase.add_argument("reference", help="the reference the resident was given, e.g. MB-7K3Q-9D2M")
    erase.set_defaults(handler=cmd_erase)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
