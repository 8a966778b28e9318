"""The ``haveyoursay`` command: load and check content, and inspect the store.

The CLI is thin: each command parses arguments, calls the same domain
functions the assistant and portal use, and prints a short result. Problems
are printed one per line on stderr, and the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Sequence

from .content.files import read_bundle
from .content.validate import ContentError
from .settings import get_settings, today
from .store.conversations import delete_conversations, rekey_conversations, senders_with_hash
from .store.identity import find_reference
from .store.migrate import upgrade
from .store.repository import Store
from .text import avoid_tensorflow

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
        report = store.apply_bundle(bundle, created_by=f"cli:{getpass.getuser()}")
    except ContentError as error:
        return _print_problems(error)
    print(
        f"Loaded {len(bundle.consultations)} consultation(s): {len(report.created)} created, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged; {report.wards} ward(s)."
    )
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    rows = _store().overview(today())
    if not rows:
        print("No consultations loaded. Try: haveyoursay load seeds/")
        return EXIT_OK
    header = f"{'SLUG':<32} {'STATUS':<8} {'OPENS':<10} {'CLOSES':<10} {'RESPONSES':>9}  TITLE"
    print(header)
    for row in rows:
        print(
            f"{row.slug:<32} {row.status:<8} {row.opens.isoformat():<10} {row.closes.isoformat():<10} {row.responses:>9}  {row.title}"
        )
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


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-22") from None


def cmd_export(args: argparse.Namespace) -> int:
    from .export.records import ExportFilter, with_theme_rule
    from .export.service import ExportRequest, export

    store = _store()
    if store.consultation(args.consultation) is None:
        print(f"No consultation with slug {args.consultation!r}. See: haveyoursay list", file=sys.stderr)
        return EXIT_INVALID
    if args.ward and args.ward not in store.known_ward_slugs():
        print(f"Unknown ward {args.ward!r}.", file=sys.stderr)
        return EXIT_INVALID
    if args.since and args.until and args.until < args.since:
        print("--until is before --since.", file=sys.stderr)
        return EXIT_USAGE
    if args.layout == "long" and args.format != "csv":
        print("--layout long is available for --format csv only.", file=sys.stderr)
        return EXIT_USAGE
    if any(":" not in answer for answer in args.answer or ()):
        print("--answer takes QUESTION:LABEL, for example support:Disagree.", file=sys.stderr)
        return EXIT_USAGE
    to_stdout = args.out in (None, "-")
    if to_stdout and args.format == "xlsx":
        print("Excel files can't be written to the terminal: add --out FILE.xlsx", file=sys.stderr)
        return EXIT_USAGE
    request = ExportRequest(
        with_theme_rule(
            store,
            ExportFilter(
                args.consultation,
                ward=args.ward,
                since=args.since,
                until=args.until,
                channel=args.channel,
                answers=tuple(tuple(answer.split(":", 1)) for answer in args.answer or ()),
                theme=args.theme,
            ),
        ),
        format=args.format,
        layout=args.layout,
        include_personal_data=args.include_personal_data,
        made_by=f"cli:{getpass.getuser()}",
    )
    target = sys.stdout.buffer if to_stdout else open(args.out + ".partial", "wb")  # noqa: SIM115
    try:
        written = export(store, request, target, progress=_progress)
    except BaseException:
        if not to_stdout:
            target.close()
            os.unlink(args.out + ".partial")  # never leave a half-written export behind
        raise
    _audit_export(store, request, written)
    if not to_stdout:
        target.close()
        os.replace(args.out + ".partial", args.out)
        print(f"Exported {written} response(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.flush()
    return EXIT_OK


def _audit_export(store: Store, request, written: int) -> None:
    """CLI exports go in the portal's audit log too, as the system user who ran them."""
    from .export.service import audit_details
    from .store.audit import record_audit

    record_audit(
        store,
        "export",
        request.filter.consultation,
        actor=f"cli:{getpass.getuser()}",
        rows=written,
        details=audit_details(request),
    )


def _progress(records, total: int):
    """A progress bar on stderr for big exports, silent when stderr is not a terminal."""
    if total < 2000 or not sys.stderr.isatty():
        return records
    from tqdm import tqdm

    return tqdm(records, total=total, unit="response", file=sys.stderr)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from .demo import generate
    from .text.themes import tagger_for

    store = _store()
    if args.delete:
        removed = store.delete_demo_responses(args.consultation)
        print(f"Deleted {removed} demo response(s).")
        return EXIT_OK
    if not args.consultation or args.responses is None:
        print("demo-data needs --consultation SLUG and --responses N (or --delete).", file=sys.stderr)
        return EXIT_USAGE
    if args.responses < 1 or args.responses > 1_000_000:
        print("--responses must be between 1 and 1,000,000.", file=sys.stderr)
        return EXIT_USAGE
    consultation = store.consultation(args.consultation)
    if consultation is None:
        print(f"No consultation with slug {args.consultation!r}. See: haveyoursay list", file=sys.stderr)
        return EXIT_INVALID
    council = store.council()
    tagger = tagger_for(council.themes).tags if council and council.themes else None
    batch: list[dict] = []
    written = 0
    for item in generate(consultation, store.wards(), args.responses, args.seed, today(), tagger):
        batch.append(item)
        if len(batch) == 2000:
            written += store.submit_many(consultation.slug, batch)
            batch = []
    written += store.submit_many(consultation.slug, batch)
    store.refresh_planner_statistics()
    print(
        f"Added {written} demo response(s) to {consultation.slug} (seed {args.seed}). Remove them with: haveyoursay demo-data --delete"
    )
    return EXIT_OK


def cmd_notify_outcome(args: argparse.Namespace) -> int:
    from .notifications import notify_outcome

    settings = get_settings()
    if not settings.rasa_auth_token:
        print("RASA_AUTH_TOKEN is not set, so the Rasa HTTP API can't be used to send messages.", file=sys.stderr)
        return EXIT_USAGE
    rasa_url = (
        args.rasa_url
        or f"http://{settings.rasa_host if settings.rasa_host not in ('0.0.0.0', '') else '127.0.0.1'}:{settings.rasa_port}"  # noqa: S104 - a comparison, not a bind
    )
    try:
        report = notify_outcome(_store(), args.slug, settings.tracker_store_url, rasa_url, settings.rasa_auth_token)
    except (LookupError, ValueError) as error:
        print(str(error).strip("'\""), file=sys.stderr)
        return EXIT_INVALID
    channels = sorted(set(report.sent) | set(report.queued) | set(report.failed))
    for channel in channels:
        print(
            f"{channel}: {report.sent[channel]} sent, {report.queued[channel]} queued for their next visit, {report.failed[channel]} failed"
        )
    print(
        f"Total: {sum(report.sent.values())} sent, {sum(report.queued.values())} queued, {sum(report.failed.values())} failed; "
        f"{report.already} already notified earlier."
    )
    return EXIT_OK if not report.failed else EXIT_INVALID


def cmd_purge(args: argparse.Namespace) -> int:
    from .retention import purge

    settings = get_settings()
    days = args.days if args.days is not None else settings.tracker_retention_days
    if days < 1:
        print("--days must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    report = purge(
        _store(),
        settings.tracker_store_url,
        days,
        dry_run=args.dry_run,
        response_months=settings.response_retention_months,  # the months the privacy statement promises
        today=today(),
    )
    for line in report.lines():
        print(line)
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    store = _store()
    print("Database schema is up to date.")
    settings = get_settings()
    rekeyed = rekey_conversations(settings.tracker_store_url, settings.sender_hash_salt)
    if rekeyed:
        sealed = sum(store.seal_kept_address(channel, sender) for channel, sender in rekeyed)
        print(
            f"Re-keyed {len(rekeyed)} conversation(s) stored under a raw sender id (now channel + salted hash); "
            f"sealed the address of {sealed} response(s) waiting for an outcome notice."
        )
    return EXIT_OK


def cmd_paper_form(args: argparse.Namespace) -> int:
    """Write the printable paper form of each consultation named (or of every one) as SLUG-paper-form.docx."""
    from .survey.paper_form import paper_form  # noqa: PLC0415 - python-docx only when asked for

    store = _store()
    slugs = args.slugs or [row.slug for row in store.overview(today())]
    consultations = [store.consultation(slug) for slug in slugs]
    unknown = [slug for slug, consultation in zip(slugs, consultations, strict=True) if consultation is None]
    if unknown:
        print(f"No consultation with slug {', '.join(unknown)}.", file=sys.stderr)
        return EXIT_USAGE
    os.makedirs(args.out, exist_ok=True)
    council, months = store.council(), get_settings().response_retention_months
    for consultation in consultations:
        path = os.path.join(args.out, f"{consultation.slug}-paper-form.docx")
        with open(path, "wb") as out:
            out.write(paper_form(consultation, council, months))
        print(f"Wrote {path} ({len(consultation.questions)} questions).")
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

    exporter = commands.add_parser("export", help="export submitted responses as CSV, Excel or JSON")
    exporter.add_argument("--consultation", required=True, metavar="SLUG")
    exporter.add_argument("--format", choices=("csv", "xlsx", "json", "jsonl"), default="csv")
    exporter.add_argument("--layout", choices=("wide", "long"), default="wide", help="long: one row per answer (CSV only)")
    exporter.add_argument("--ward", metavar="SLUG")
    exporter.add_argument("--channel", metavar="NAME")
    exporter.add_argument("--since", type=_date, metavar="DATE", help="submitted on or after this date (YYYY-MM-DD)")
    exporter.add_argument("--until", type=_date, metavar="DATE", help="submitted on or before this date")
    exporter.add_argument(
        "--answer", action="append", metavar="QUESTION:LABEL", help="only responses giving this answer (repeatable)"
    )
    exporter.add_argument("--theme", metavar="THEME", help="only responses with a comment on this theme")
    exporter.add_argument(
        "--include-personal-data", action="store_true", help="add contact ids of people who asked to hear the outcome"
    )
    exporter.add_argument("--out", metavar="FILE", help="output file; '-' or nothing for stdout (not for xlsx)")
    exporter.set_defaults(handler=cmd_export)

    demo = commands.add_parser("demo-data", help="add (or --delete) deterministic demo responses")
    demo.add_argument("--consultation", metavar="SLUG")
    demo.add_argument("--responses", type=int, metavar="N")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--delete", action="store_true", help="delete all demo responses (for --consultation only, if given)")
    demo.set_defaults(handler=cmd_demo_data)

    from .cli_accounts import add_user_commands  # noqa: PLC0415 - only when the parser is built

    add_user_commands(commands)

    notify = commands.add_parser("notify-outcome", help="tell opted-in respondents the outcome on their own channel (idempotent)")
    notify.add_argument("slug")
    notify.add_argument("--rasa-url", help="the Rasa server (default: from RASA_HOST and RASA_PORT)")
    notify.set_defaults(handler=cmd_notify_outcome)

    purge_parser = commands.add_parser(
        "purge",
        help="apply the retention policy (safe to run from cron): idle conversations, and responses "
        "RESPONSE_RETENTION_MONTHS after the decision",
    )
    purge_parser.add_argument(
        "--days", type=int, help="delete conversations idle this many days (default TRACKER_RETENTION_DAYS, 30)"
    )
    purge_parser.add_argument("--dry-run", action="store_true", help="only report what would be deleted or anonymised")
    purge_parser.set_defaults(handler=cmd_purge)

    paper = commands.add_parser("paper-form", help="write printable paper forms (.docx) generated from the questions")
    paper.add_argument("slugs", nargs="*", metavar="SLUG", help="consultations (default: every one)")
    paper.add_argument("--out", default=".", metavar="FOLDER", help="where to write SLUG-paper-form.docx (default: here)")
    paper.set_defaults(handler=cmd_paper_form)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    avoid_tensorflow()
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
