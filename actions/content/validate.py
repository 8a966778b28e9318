"""Check parsed YAML against the content format and build typed content.

Every problem is reported as one line that names the file, the field path and
what is wrong, for example::

    seeds/x.yml: questions[2].options: a choice question needs at least 2 options

Validation collects every problem in a document rather than stopping at the
first, so an officer can fix a file in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import (
    CUSTOM_SCALE,
    DEFAULT_OTHER_LABEL,
    DEMOGRAPHIC_QUESTIONS,
    QUESTION_TYPES,
    SCALES,
    STATUSES,
    Consultation,
    Council,
    CouncilFile,
    Councillor,
    Document,
    Event,
    Faq,
    Outcome,
    Proposal,
    Question,
    Ward,
)
from .skip_logic import check_conditions, read_condition

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUESTION_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
SECTOR_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_PATTERN = re.compile(r"^https?://[^\s]+$")
SUMMARY_MAX_WORDS = 80
TITLE_MAX_CHARS = 120
MAX_OPTIONS = 20


@dataclass(frozen=True)
class Problem:
    source: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class _Checker:
    """Collects problems while reading fields out of nested mappings."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.source, path, message))

    def mapping(self, value: Any, path: str, allowed: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of fields, got {_kind(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.problem(_join(path, str(key)), "unknown field (check the spelling against docs/consultation-format.md)")
        return value

    def text(self, data: dict, key: str, path: str, required: bool = True, max_chars: int | None = None) -> str:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(where, f"must be text, got {_kind(value)}")
            return ""
        value = str(value).strip()
        if required and not value:
            self.problem(where, "must not be empty")
        if max_chars is not None and len(value) > max_chars:
            self.problem(where, f"is {len(value)} characters; the limit is {max_chars}")
        return value

    def boolean(self, data: dict, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(_join(path, key), f"must be true or false, got {value!r}")
            return default
        return value

    def number(self, data: dict, key: str, path: str, integer: bool = False) -> float | int | None:
        value = data.get(key)
        if value is None:
            return None
        wanted = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, wanted):
            self.problem(_join(path, key), f"must be a {'whole number' if integer else 'number'}, got {value!r}")
            return None
        return value

    def date(self, data: dict, key: str, path: str, required: bool = True) -> dt.date | None:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required (a date such as 2026-12-20)")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(where, f"must be a date such as 2026-12-20, got {value!r}")
        return None

    def datetime(self, data: dict, key: str, path: str) -> dt.datetime | None:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            self.problem(where, "is required (a date and time such as 2026-11-28T18:30)")
            return None
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(where, f"must be a date and time such as 2026-11-28T18:30, got {value!r}")
        return None

    def string_list(self, data: dict, key: str, path: str, required: bool = False) -> list[str]:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return []
        if not isinstance(value, list):
            self.problem(where, f"must be a list, got {_kind(value)}")
            return []
        items: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                self.problem(f"{where}[{index}]", f"must be non-empty text, got {item!r}")
                continue
            items.append(str(item).strip())
        return items

    def records(self, data: dict, key: str, path: str, build: Callable[[Any, str], Any]) -> list:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, f"must be a list, got {_kind(value)}")
            return []
        built = [build(item, f"{where}[{index}]") for index, item in enumerate(value)]
        return [item for item in built if item is not None]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def normalise_sector(raw: str) -> str:
    """'mb1  2' -> 'MB1 2'."""
    compact = re.sub(r"\s+", "", raw.upper())
    return f"{compact[:-1]} {compact[-1:]}" if len(compact) >= 2 else compact


# --- consultation files ------------------------------------------------------

CONSULTATION_FIELDS = {
    "slug",
    "title",
    "status",
    "opens",
    "closes",
    "wards",
    "topics",
    "keywords",
    "summary",
    "background",
    "proposals",
    "documents",
    "events",
    "faqs",
    "questions",
    "outcome",
    "next_steps",
    "decision_expected",
}
QUESTION_FIELDS_BY_TYPE = {
    "scale": {"scale"},
    "choice": {"options"},
    "multi": {"options", "max_choices"},
    "rank": {"options"},
    "text": {"max_length"},
    "yesno": set(),
    "number": {"min", "max"},
}
QUESTION_COMMON_FIELDS = {"id", "type", "text", "required", "help", "ask_if", "other"}
OTHER_TYPES = ("choice", "multi")
OTHER_LABEL_MAX_CHARS = 60
# Residents' everyday words for the "other, please specify" option, added as its aliases.
OTHER_ALIASES = ("other", "something else")


def validate_consultation(doc: Any, source: str, known_wards: set[str] | None = None) -> Consultation:
    """Validate one parsed consultation document; raise :class:`ContentError` listing every problem."""
    check = _Checker(source)
    data = check.mapping(doc, "", CONSULTATION_FIELDS)
    if data is None:
        raise ContentError(check.problems)

    slug = check.text(data, "slug", "")
    if slug and not SLUG_PATTERN.match(slug):
        check.problem("slug", f"{slug!r} must use only lower-case letters, digits and single hyphens")
    title = check.text(data, "title", "", max_chars=TITLE_MAX_CHARS)
    status = check.text(data, "status", "")
    if status and status not in STATUSES:
        check.problem("status", f"{status!r} must be one of: {', '.join(STATUSES)}")
    opens = check.date(data, "opens", "")
    closes = check.date(data, "closes", "")
    if opens and closes and closes < opens:
        check.problem("closes", f"{closes.isoformat()} is before opens ({opens.isoformat()})")

    wards = check.string_list(data, "wards", "", required=True)
    if "wards" in data and isinstance(data["wards"], list) and not data["wards"]:
        check.problem("wards", "list at least one ward slug, or [all]")
    if "all" in wards and len(wards) > 1:
        check.problem("wards", "use either [all] or a list of ward slugs, not both")
    if known_wards is not None:
        for index, ward in enumerate(wards):
            if ward != "all" and ward not in known_wards:
                check.problem(f"wards[{index}]", f"unknown ward {ward!r} (not in any loaded wards file)")

    topics = [topic.lower() for topic in check.string_list(data, "topics", "")]
    keywords = check.string_list(data, "keywords", "")
    summary = check.text(data, "summary", "")
    if len(summary.split()) > SUMMARY_MAX_WORDS:
        check.problem("summary", f"is {len(summary.split())} words; keep it to {SUMMARY_MAX_WORDS} or fewer")
    background = check.text(data, "background", "", required=False)
    next_steps = check.text(data, "next_steps", "", required=False)
    decision_expected = check.date(data, "decision_expected", "", required=False)

    proposals = check.records(data, "proposals", "", lambda item, path: _proposal(check, item, path))
    for proposal_id in _duplicates([proposal.id for proposal in proposals]):
        check.problem("proposals", f"duplicate proposal id {proposal_id!r}")
    documents = check.records(data, "documents", "", lambda item, path: _document(check, item, path))
    events = check.records(data, "events", "", lambda item, path: _event(check, item, path))
    faqs = check.records(data, "faqs", "", lambda item, path: _faq(check, item, path))
    questions = check.records(data, "questions", "", lambda item, path: _question(check, item, path))
    duplicate_ids = _duplicates([question.id for question in questions])
    for question_id in duplicate_ids:
        check.problem("questions", f"duplicate question id {question_id!r}")
    if not duplicate_ids:
        questions = check_conditions(questions, _question_paths(data.get("questions")), check.problem)
    if status == "open" and not data.get("questions"):
        check.problem("questions", "an open consultation needs at least one question")

    outcome = None
    if data.get("outcome") is not None:
        outcome = _outcome(check, data["outcome"], "outcome")

    if check.problems:
        raise ContentError(check.problems)
    assert opens is not None and closes is not None
    return Consultation(
        slug=slug,
        title=title,
        status=status,
        opens=opens,
        closes=closes,
        wards=tuple(wards),
        topics=tuple(topics),
        keywords=tuple(keywords),
        summary=summary,
        background=background,
        proposals=tuple(proposals),
        documents=tuple(documents),
        events=tuple(events),
        faqs=tuple(faqs),
        questions=tuple(questions),
        next_steps=next_steps,
        decision_expected=decision_expected,
        outcome=outcome,
    )


def consultation_problems(doc: Any, known_wards: set[str] | None = None, source: str = "") -> list[Problem]:
    """Every problem with one consultation document, [] when it is valid: for a web form, where each
    :class:`Problem` names the field (``questions[2].ask_if.includes``) to show its message beside."""
    try:
        validate_consultation(doc, source, known_wards=known_wards)
    except ContentError as error:
        return error.problems
    return []


def _question_paths(raw: Any) -> dict[str, str]:
    """Each question id's field path as written (``questions[3]``), for problems found across questions."""
    paths: dict[str, str] = {}
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            paths.setdefault(item["id"].strip(), f"questions[{index}]")
    return paths


def _proposal(check: _Checker, item: Any, path: str) -> Proposal | None:
    data = check.mapping(item, path, {"id", "title", "description"})
    if data is None:
        return None
    return Proposal(
        id=check.text(data, "id", path, max_chars=40),
        title=check.text(data, "title", path, max_chars=TITLE_MAX_CHARS),
        description=check.text(data, "description", path),
    )


def _document(check: _Checker, item: Any, path: str) -> Document | None:
    data = check.mapping(item, path, {"title", "url"})
    if data is None:
        return None
    url = check.text(data, "url", path)
    if url and not URL_PATTERN.match(url):
        check.problem(f"{path}.url", f"{url!r} must be a full http:// or https:// address")
    return Document(title=check.text(data, "title", path), url=url)


def _event(check: _Checker, item: Any, path: str) -> Event | None:
    data = check.mapping(item, path, {"title", "when", "where"})
    if data is None:
        return None
    when = check.datetime(data, "when", path)
    title = check.text(data, "title", path)
    where = check.text(data, "where", path)
    return Event(title=title, when=when, where=where) if when else None


def _faq(check: _Checker, item: Any, path: str) -> Faq | None:
    data = check.mapping(item, path, {"question", "answer"})
    if data is None:
        return None
    return Faq(question=check.text(data, "question", path), answer=check.text(data, "answer", path))


def _outcome(check: _Checker, item: Any, path: str) -> Outcome | None:
    data = check.mapping(item, path, {"published", "you_said", "we_did"})
    if data is None:
        return None
    published = check.date(data, "published", path)
    you_said = check.text(data, "you_said", path)
    we_did = check.text(data, "we_did", path)
    return Outcome(published=published, you_said=you_said, we_did=we_did) if published else None


def _question(check: _Checker, item: Any, path: str) -> Question | None:
    if not isinstance(item, dict):
        check.problem(path, f"must be a mapping of fields, got {_kind(item)}")
        return None
    qtype = item.get("type")
    if qtype not in QUESTION_TYPES:
        check.problem(f"{path}.type", f"{qtype!r} must be one of: {', '.join(QUESTION_TYPES)}")
        return None
    data = check.mapping(item, path, QUESTION_COMMON_FIELDS | QUESTION_FIELDS_BY_TYPE[qtype])
    if data is None:
        return None
    question_id = check.text(data, "id", path, max_chars=40)
    if question_id and not QUESTION_ID_PATTERN.match(question_id):
        check.problem(f"{path}.id", f"{question_id!r} must start with a letter and use only a-z, 0-9 and _")
    text = check.text(data, "text", path, max_chars=300)
    required = check.boolean(data, "required", path, default=True)
    help_text = check.text(data, "help", path, required=False) or None
    fields: dict[str, Any] = {}

    if qtype == "scale":
        scale = data.get("scale", "agree5")
        if isinstance(scale, list):
            labels = check.string_list(data, "scale", path)
            if not 2 <= len(labels) <= 11:
                check.problem(f"{path}.scale", f"a custom scale needs 2 to 11 labels, most positive first; got {len(labels)}")
            for label in _duplicates([label.lower() for label in labels]):
                check.problem(f"{path}.scale", f"duplicate label {label!r}")
            fields["scale"], fields["options"] = CUSTOM_SCALE, tuple(labels)
        else:
            if scale not in SCALES:
                check.problem(
                    f"{path}.scale", f"{scale!r} must be one of: {', '.join(SCALES)}, or a list of labels, most positive first"
                )
            fields["scale"] = scale
    if qtype in ("choice", "multi", "rank"):
        options, aliases = _options(check, data, path)
        if "options" in data and isinstance(data["options"], list) and len(options) < 2:
            check.problem(f"{path}.options", f"a {qtype} question needs at least 2 options")
        if len(options) > MAX_OPTIONS:
            check.problem(f"{path}.options", f"has {len(options)} options; the limit is {MAX_OPTIONS}")
        for option in _duplicates([option.lower() for option in options]):
            check.problem(f"{path}.options", f"duplicate option {option!r}")
        fields["options"] = tuple(options)
        if aliases:
            fields["aliases"] = tuple(aliases)
    if data.get("other") not in (None, False):
        _other(check, data, path, qtype, fields)  # before max_choices: the added option counts
    if qtype == "multi":
        max_choices = check.number(data, "max_choices", path, integer=True)
        options = fields.get("options", ())
        if max_choices is not None and not 1 <= max_choices <= max(len(options), 1):
            check.problem(f"{path}.max_choices", f"must be between 1 and the number of options ({len(options)})")
        fields["max_choices"] = max_choices if max_choices is not None else len(options) or None
    if qtype == "text":
        max_length = check.number(data, "max_length", path, integer=True)
        if max_length is not None and not 1 <= max_length <= 10000:
            check.problem(f"{path}.max_length", "must be between 1 and 10000")
        fields["max_length"] = max_length or 2000
    if qtype == "number":
        low = check.number(data, "min", path)
        high = check.number(data, "max", path)
        if low is not None and high is not None and low >= high:
            check.problem(f"{path}.max", f"must be greater than min ({low})")
        fields["min"], fields["max"] = low, high

    if data.get("ask_if") is not None:
        fields["ask_if"] = read_condition(data["ask_if"], f"{path}.ask_if", check.problem)

    return Question(id=question_id, type=qtype, text=text, required=required, help=help_text, **fields)


def _other(check: _Checker, data: dict, path: str, qtype: str, fields: dict[str, Any]) -> None:
    """``other: true`` or ``other: "Something else (please tell us)"``: one more option, with a follow-up in words."""
    value, where = data["other"], f"{path}.other"
    if qtype not in OTHER_TYPES:
        check.problem(where, f'"other, please specify" is only for choice and multi questions; this is a {qtype} question')
        return
    if value is True:
        label = DEFAULT_OTHER_LABEL
    elif isinstance(value, str) and value.strip():
        label = value.strip()
    else:
        check.problem(where, f"must be true, or the option's label as text, got {value!r}")
        return
    if len(label) > OTHER_LABEL_MAX_CHARS:
        check.problem(where, f"is {len(label)} characters; the limit is {OTHER_LABEL_MAX_CHARS}")
    options = fields.get("options", ())
    taken = {option.lower(): option for option in options}
    taken.update({alias.lower(): option for option, words in fields.get("aliases", ()) for alias in words})
    if label.lower() in taken or "other" in taken:
        clash = taken.get(label.lower()) or taken["other"]
        check.problem(where, f"the options already have {clash!r}; remove it from options when you use other")
        return
    if len(options) + 1 > MAX_OPTIONS:
        check.problem(where, f"makes {len(options) + 1} options; the limit is {MAX_OPTIONS}")
    fields["options"] = (*options, label)
    words = tuple(word for word in OTHER_ALIASES if word not in taken and word != label.lower())
    if words:
        fields["aliases"] = (*fields.get("aliases", ()), (label, words))
    fields["other"] = label


MAX_ALIASES = 20
ALIAS_MAX_CHARS = 60


def _options(check: _Checker, data: dict, path: str) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
    """Options are labels, or ``{label, aliases}`` where officers add residents' own words for an option."""
    value = data.get("options")
    where = _join(path, "options")
    if value is None:
        check.problem(where, "is required")
        return [], []
    if not isinstance(value, list):
        check.problem(where, f"must be a list, got {_kind(value)}")
        return [], []
    labels: list[str] = []
    aliases: list[tuple[str, tuple[str, ...]]] = []
    for index, item in enumerate(value):
        item_path = f"{where}[{index}]"
        if isinstance(item, dict):
            entry = check.mapping(item, item_path, {"label", "aliases"})
            if entry is None:
                continue
            label = check.text(entry, "label", item_path)
            words = check.string_list(entry, "aliases", item_path)
            for word in words:
                if len(word) > ALIAS_MAX_CHARS:
                    check.problem(f"{item_path}.aliases", f"{word[:20]!r}... is over {ALIAS_MAX_CHARS} characters")
            if len(words) > MAX_ALIASES:
                check.problem(f"{item_path}.aliases", f"has {len(words)} aliases; the limit is {MAX_ALIASES}")
            if label:
                labels.append(label)
                if words:
                    aliases.append((label, tuple(words)))
            continue
        if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
            check.problem(item_path, f"must be non-empty text or a mapping with label and aliases, got {item!r}")
            continue
        labels.append(str(item).strip())
    # An alias must point at one option only, and may not be another option's label.
    owner: dict[str, str] = {label.lower(): label for label in labels}
    for label, words in aliases:
        for word in words:
            key = word.lower()
            if key in owner and owner[key] != label:
                check.problem(f"{where}", f"alias {word!r} of {label!r} is already {owner[key]!r} (a label or another alias)")
            owner.setdefault(key, label)
    return labels, aliases


# --- the council file (wards.yml) -------------------------------------------

COUNCIL_FIELDS = {"name", "code", "website", "privacy_notice_url", "contact", "themes", "demographics"}
CONTACT_FIELDS = {"phone", "email", "web", "hours"}
WARD_FIELDS = {"slug", "name", "population", "postcode_sectors", "councillors"}


def validate_council_file(doc: Any, source: str) -> CouncilFile:
    """Validate a ``wards.yml`` document: the council, its contact routes, themes and wards."""
    check = _Checker(source)
    data = check.mapping(doc, "", {"council", "wards"})
    if data is None:
        raise ContentError(check.problems)
    council = None
    council_data = check.mapping(data.get("council"), "council", COUNCIL_FIELDS) if "council" in data else None
    if "council" not in data:
        check.problem("council", "is required")
    if council_data is not None:
        contact = check.mapping(council_data.get("contact", {}), "council.contact", CONTACT_FIELDS) or {}
        code = check.text(council_data, "code", "council")
        if code and not re.fullmatch(r"[A-Z]{2,4}", code):
            check.problem("council.code", f"{code!r} must be 2 to 4 capital letters (it prefixes reference codes)")
        privacy = check.text(council_data, "privacy_notice_url", "council")
        if privacy and not URL_PATTERN.match(privacy):
            check.problem("council.privacy_notice_url", "must be a full http:// or https:// address")
        council = Council(
            name=check.text(council_data, "name", "council"),
            code=code,
            website=check.text(council_data, "website", "council"),
            privacy_notice_url=privacy,
            contact_phone=check.text(contact, "phone", "council.contact"),
            contact_email=check.text(contact, "email", "council.contact"),
            contact_web=check.text(contact, "web", "council.contact", required=False),
            contact_hours=check.text(contact, "hours", "council.contact"),
            themes=_themes(check, council_data.get("themes")),
            demographics=_demographics(check, council_data),
        )

    wards_value = data.get("wards")
    wards: list[Ward] = []
    if not isinstance(wards_value, list) or not wards_value:
        check.problem("wards", "must be a non-empty list of wards")
    else:
        wards = [ward for index, item in enumerate(wards_value) if (ward := _ward(check, item, f"wards[{index}]"))]
    for slug in _duplicates([ward.slug for ward in wards]):
        check.problem("wards", f"duplicate ward slug {slug!r}")
    sector_owner: dict[str, str] = {}
    for ward in wards:
        for sector in ward.postcode_sectors:
            if sector in sector_owner:
                check.problem("wards", f"postcode sector {sector!r} is in both {sector_owner[sector]!r} and {ward.slug!r}")
            sector_owner[sector] = ward.slug
    if "all" in {ward.slug for ward in wards}:
        check.problem("wards", "'all' is reserved and cannot be a ward slug")

    if check.problems:
        raise ContentError(check.problems)
    assert council is not None
    return CouncilFile(council=council, wards=tuple(wards))


def _demographics(check: _Checker, council_data: dict) -> tuple[str, ...]:
    if "demographics" not in council_data:
        return DEMOGRAPHIC_QUESTIONS
    chosen = check.string_list(council_data, "demographics", "council")
    for index, item in enumerate(chosen):
        if item not in DEMOGRAPHIC_QUESTIONS:
            check.problem(f"council.demographics[{index}]", f"{item!r} must be one of: {', '.join(DEMOGRAPHIC_QUESTIONS)}")
    return tuple(chosen)


def _themes(check: _Checker, value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.problem("council.themes", f"must map each theme to a list of phrases, got {_kind(value)}")
        return {}
    themes: dict[str, tuple[str, ...]] = {}
    for theme in value:
        themes[str(theme)] = tuple(check.string_list(value, theme, "council.themes", required=True))
    return themes


def _ward(check: _Checker, item: Any, path: str) -> Ward | None:
    data = check.mapping(item, path, WARD_FIELDS)
    if data is None:
        return None
    slug = check.text(data, "slug", path)
    if slug and not SLUG_PATTERN.match(slug):
        check.problem(f"{path}.slug", f"{slug!r} must use only lower-case letters, digits and single hyphens")
    population = check.number(data, "population", path, integer=True)
    if population is not None and population <= 0:
        check.problem(f"{path}.population", "must be a positive whole number")
    sectors = []
    for index, raw in enumerate(check.string_list(data, "postcode_sectors", path, required=True)):
        sector = normalise_sector(raw)
        if not SECTOR_PATTERN.match(sector):
            check.problem(f"{path}.postcode_sectors[{index}]", f"{raw!r} is not a postcode sector such as 'MB1 2'")
        sectors.append(sector)
    councillors = check.records(data, "councillors", path, lambda item, sub: _councillor(check, item, sub))
    return Ward(
        slug=slug,
        name=check.text(data, "name", path),
        postcode_sectors=tuple(sectors),
        councillors=tuple(councillors),
        population=population,
    )


def _councillor(check: _Checker, item: Any, path: str) -> Councillor | None:
    data = check.mapping(item, path, {"name", "party", "email"})
    if data is None:
        return None
    email = check.text(data, "email", path)
    if email and not EMAIL_PATTERN.match(email):
        check.problem(f"{path}.email", f"{email!r} is not an email address")
    return Councillor(name=check.text(data, "name", path), party=check.text(data, "party", path), email=email)
