"""The consultation editor's form and the YAML-shaped document, each turned into the other.

The form is flat HTML fields named after where they sit: ``title``, ``proposals-0-id``,
``questions-2-options-1-label``, ``questions-2-ask_if-question``. :func:`read_form` reads them into a
*state* (nested dicts and lists of strings, the form as the officer left it, invalid input included),
:func:`apply_row_action` adds, removes and moves rows of it without JavaScript (the "Add a question"
button posts the form, which comes back with one more row), :func:`to_document` turns it into the
document ``consultation_problems`` validates, and :func:`from_document` turns a stored document back
into a state. :func:`anchor_for` maps a problem's field path (``questions[2].options``) to the id of the
form field to show it beside, and :func:`describe_path` names it for the error summary.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..content.model import CONDITION_GROUPS, CONDITION_TESTS, QUESTION_TYPES, SCALES
from ..content.validate import Problem

TOP_FIELDS = ("slug", "title", "opens", "closes", "summary", "background", "next_steps", "decision_expected")
LIST_FIELDS = ("topics", "keywords")  # one per line in a textarea
ROW_SECTIONS: dict[str, tuple[str, ...]] = {
    "proposals": ("id", "title", "description"),
    "documents": ("title", "url"),
    "events": ("title", "when", "where"),
    "faqs": ("question", "answer"),
}
OUTCOME_FIELDS = ("published", "you_said", "we_did")
QUESTION_TEXT_FIELDS = ("id", "type", "text", "help", "scale", "scale_labels", "max_choices", "max_length", "min", "max")
QUESTION_FIELDS = (*QUESTION_TEXT_FIELDS, "other_label", "ask_if_question", "ask_if_test", "ask_if_value", "ask_if_yaml")
OPTION_TYPES = ("choice", "multi", "rank")
CUSTOM = "custom"
SECTION_NAMES = {
    "proposals": "proposal",
    "documents": "document",
    "events": "event",
    "faqs": "FAQ",
    "questions": "question",
}
FIELD_NAMES = {
    "slug": "Short name for addresses (slug)",
    "title": "Title",
    "status": "Status",
    "opens": "Opens",
    "closes": "Closes",
    "wards": "Wards",
    "topics": "Topics",
    "keywords": "Keywords",
    "summary": "Summary",
    "background": "Background",
    "next_steps": "Next steps",
    "decision_expected": "Decision expected",
    "published": "published",
    "you_said": "you said",
    "we_did": "we did",
    "ask_if": "ask only if",
    "max_choices": "most choices",
    "max_length": "longest answer",
    "other": "other, please specify",
}


# --- the state ---------------------------------------------------------------------------------


def blank_question() -> dict[str, Any]:
    return {
        **dict.fromkeys(QUESTION_FIELDS, ""),
        "type": "choice",
        "scale": "agree5",
        "required": True,
        "other": False,
        "options": [blank_option(), blank_option()],
    }


def blank_option() -> dict[str, str]:
    return {"label": "", "aliases": ""}


def blank_state() -> dict[str, Any]:
    state: dict[str, Any] = dict.fromkeys(TOP_FIELDS, "")
    state.update({"wards": [], "topics": "", "keywords": "", "outcome": dict.fromkeys(OUTCOME_FIELDS, ""), "questions": []})
    state.update({section: [] for section in ROW_SECTIONS})
    return state


def _indices(form, prefix: str) -> list[int]:
    """The row numbers present in the form under ``prefix`` (``questions-`` finds 0, 1, 2...), in order."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)-")
    return sorted({int(match.group(1)) for key in form if (match := pattern.match(key))})


def read_form(form) -> dict[str, Any]:
    """The state of a posted editor form (a MultiDict), exactly as typed."""

    def text(name: str) -> str:
        value = form.get(name, "")
        return value.replace("\r\n", "\n") if isinstance(value, str) else ""

    state = blank_state()
    for name in (*TOP_FIELDS, *LIST_FIELDS):
        state[name] = text(name)
    state["wards"] = [ward for ward in form.getall("wards", []) if isinstance(ward, str)]
    for section, fields in ROW_SECTIONS.items():
        state[section] = [{field: text(f"{section}-{i}-{field}") for field in fields} for i in _indices(form, f"{section}-")]
    state["outcome"] = {field: text(f"outcome-{field}") for field in OUTCOME_FIELDS}
    for i in _indices(form, "questions-"):
        prefix = f"questions-{i}-"
        question = {field: text(prefix + field) for field in QUESTION_FIELDS}
        question["required"] = bool(form.get(prefix + "required"))
        question["other"] = bool(form.get(prefix + "other"))
        question["options"] = [
            {"label": text(f"{prefix}options-{j}-label"), "aliases": text(f"{prefix}options-{j}-aliases")}
            for j in _indices(form, f"{prefix}options-")
        ]
        state["questions"].append(question)
    return state


def from_document(document: dict[str, Any]) -> dict[str, Any]:
    """The state for a stored (or imported) document, to fill the form with."""
    state = blank_state()
    for name in TOP_FIELDS:
        state[name] = _show(document.get(name))
    for name in LIST_FIELDS:
        state[name] = "\n".join(str(item) for item in document.get(name) or [])
    state["wards"] = [str(ward) for ward in document.get("wards") or []]
    for section, fields in ROW_SECTIONS.items():
        state[section] = [{field: _show(row.get(field)) for field in fields} for row in document.get(section) or []]
    state["outcome"] = {field: _show((document.get("outcome") or {}).get(field)) for field in OUTCOME_FIELDS}
    state["questions"] = [_question_state(question) for question in document.get("questions") or []]
    return state


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _question_state(question: dict[str, Any]) -> dict[str, Any]:
    state = blank_question()
    state["options"] = []
    for name in ("id", "type", "text", "help", "max_choices", "max_length", "min", "max"):
        state[name] = _show(question.get(name))
    scale = question.get("scale", "agree5")
    if isinstance(scale, list):
        state["scale"], state["scale_labels"] = CUSTOM, "\n".join(str(label) for label in scale)
    else:
        state["scale"] = _show(scale)
    state["required"] = question.get("required", True) is not False
    other = question.get("other")
    state["other"] = other not in (None, False)
    state["other_label"] = other if isinstance(other, str) else ""
    for option in question.get("options") or []:
        if isinstance(option, dict):
            aliases = ", ".join(str(alias) for alias in option.get("aliases") or [])
            state["options"].append({"label": _show(option.get("label")), "aliases": aliases})
        else:
            state["options"].append({"label": _show(option), "aliases": ""})
    condition = question.get("ask_if")
    if isinstance(condition, dict):
        tests = [key for key in condition if key in CONDITION_TESTS]
        if set(condition) == {"question", *tests} and len(tests) == 1 and not (set(condition) & set(CONDITION_GROUPS)):
            value = condition[tests[0]]
            state["ask_if_question"] = _show(condition.get("question"))
            state["ask_if_test"] = tests[0]
            state["ask_if_value"] = "; ".join(str(item) for item in value) if isinstance(value, list) else _show(value)
        else:
            state["ask_if_yaml"] = yaml.safe_dump(condition, default_flow_style=None, sort_keys=False, allow_unicode=True).strip()
    return state


# --- the document --------------------------------------------------------------------------------


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _number(value: str) -> Any:
    """A number typed in a field: int or float when it reads as one, else the text (the validator names it)."""
    value = value.strip()
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def to_document(state: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The document the state describes, in the YAML's shape, and any problem reading the form itself
    (a combined condition that is not YAML). Empty optional fields are left out."""
    problems: list[Problem] = []
    document: dict[str, Any] = {}
    for name in TOP_FIELDS:
        if state[name].strip():
            document[name] = state[name].strip()
    for name in ("title", "summary"):
        document.setdefault(name, "")
    if state["wards"]:
        document["wards"] = list(state["wards"])
    for name in LIST_FIELDS:
        if _lines(state[name]):
            document[name] = _lines(state[name])
    for section, fields in ROW_SECTIONS.items():
        rows = [{field: row[field].strip() for field in fields} for row in state[section]]
        if rows:
            document[section] = rows
    if any(value.strip() for value in state["outcome"].values()):
        document["outcome"] = {field: state["outcome"][field].strip() for field in OUTCOME_FIELDS}
    questions = [_question_document(question, i, state, problems) for i, question in enumerate(state["questions"])]
    if questions:
        document["questions"] = questions
    return document, problems


def _question_document(question: dict[str, Any], index: int, state: dict[str, Any], problems: list[Problem]) -> dict:
    qtype = question["type"].strip()
    data: dict[str, Any] = {"id": question["id"].strip(), "type": qtype, "text": question["text"].strip()}
    data["required"] = bool(question["required"])
    if question["help"].strip():
        data["help"] = question["help"].strip()
    if qtype == "scale":
        data["scale"] = _lines(question["scale_labels"]) if question["scale"] == CUSTOM else question["scale"]
    if qtype in OPTION_TYPES:
        options: list[Any] = []
        for option in question["options"]:
            aliases = [alias.strip() for alias in option["aliases"].split(",") if alias.strip()]
            options.append({"label": option["label"].strip(), "aliases": aliases} if aliases else option["label"].strip())
        data["options"] = options
    fields = {"multi": ("max_choices",), "text": ("max_length",), "number": ("min", "max")}.get(qtype, ())
    for name in fields:
        if question[name].strip():
            data[name] = _number(question[name])
    if question["other"]:
        data["other"] = question["other_label"].strip() or True
    condition = _condition(question, index, state, problems)
    if condition is not None:
        data["ask_if"] = condition
    return data


def _condition(question: dict[str, Any], index: int, state: dict[str, Any], problems: list[Problem]) -> Any:
    written = question["ask_if_yaml"].strip()
    if written:
        try:
            return yaml.safe_load(written)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(error, "problem", None) or "not readable"
            problems.append(Problem("", f"questions[{index}].ask_if", f"invalid YAML{where}: {problem}"))
            return None
    earlier = question["ask_if_question"].strip()
    if not earlier:
        return None
    test = question["ask_if_test"].strip() or "is"
    value: Any = question["ask_if_value"].strip()
    if test == "one_of":
        value = [part.strip() for part in value.split(";") if part.strip()]
    elif test in ("at_least", "at_most"):
        value = _number(value)
    elif test in ("is", "is_not"):
        types = {q["id"].strip(): q["type"].strip() for q in state["questions"]}
        if types.get(earlier) == "number":
            value = _number(value)
    return {"question": earlier, test: value}


# --- adding, removing and moving rows --------------------------------------------------------------

ROW_ACTION = re.compile(r"^(add|remove|up|down):([a-z_]+)(?:-(\d+))?(?:-(options))?(?:-(\d+))?$")


def apply_row_action(state: dict[str, Any], action: str) -> str | None:
    """Do ``add:questions``, ``remove:faqs-2``, ``up:questions-1``, ``add:questions-0-options``,
    ``down:questions-0-options-1``... on the state. Returns the id of the field to focus next, or None
    when the action is not one of these."""
    match = ROW_ACTION.match(action)
    if not match:
        return None
    verb, section, row, options, option = match.groups()
    if section not in (*ROW_SECTIONS, "questions"):
        return None
    rows: list = state[section]
    prefix = section
    if options:
        if row is None or int(row) >= len(rows):
            return None
        prefix = f"{section}-{row}-options"
        rows, row = rows[int(row)]["options"], option
    first_field = "label" if options else "id" if section in ("questions", "proposals") else ROW_SECTIONS[section][0]
    if verb == "add":
        if row is not None:
            return None
        rows.append(
            blank_option()
            if options
            else blank_question()
            if section == "questions"
            else dict.fromkeys(ROW_SECTIONS[section], "")
        )
        return f"{prefix}-{len(rows) - 1}-{first_field}"
    if row is None or int(row) >= len(rows):
        return None
    position = int(row)
    if verb == "remove":
        rows.pop(position)
        return f"add-{prefix}"
    target = position - 1 if verb == "up" else position + 1
    if not 0 <= target < len(rows):
        return f"{prefix}-{position}-{first_field}"
    rows[position], rows[target] = rows[target], rows[position]
    return f"{prefix}-{target}-{first_field}"


# --- where a problem is shown -------------------------------------------------------------------------


def _tokens(path: str) -> list[str]:
    return re.findall(r"[A-Za-z_]+|\d+", path)


def anchor_for(path: str, state: dict[str, Any], editing: bool = False) -> str:
    """The id of the form field a problem's path belongs beside (``questions[2].options[1]`` ->
    ``questions-2-options-1-label``); the nearest section or the form when there is no such field."""
    tokens = _tokens(path)
    if not tokens:
        return "editor-form"
    head = tokens[0]
    if head in (*TOP_FIELDS, *LIST_FIELDS, "wards", "status"):
        return head
    if head in ROW_SECTIONS:
        if len(tokens) > 1 and tokens[1].isdigit() and int(tokens[1]) < len(state[head]):
            field = tokens[2] if len(tokens) > 2 and tokens[2] in ROW_SECTIONS[head] else ROW_SECTIONS[head][0]
            return f"{head}-{tokens[1]}-{field}"
        return f"add-{head}"
    if head == "outcome":
        field = tokens[1] if len(tokens) > 1 and tokens[1] in OUTCOME_FIELDS else "published"
        return f"outcome-{field}"
    if head != "questions" or len(tokens) < 2 or not tokens[1].isdigit() or int(tokens[1]) >= len(state["questions"]):
        return "add-questions" if head == "questions" else "editor-form"
    i, rest = int(tokens[1]), tokens[2:]
    question = state["questions"][i]
    prefix = f"questions-{i}"
    if not rest:
        return f"{prefix}-id"
    field = rest[0]
    if field in ("id", "type", "text", "required", "help", "max_choices", "max_length", "min", "max", "other"):
        return f"{prefix}-{field}"
    if field == "scale":
        return f"{prefix}-scale_labels" if question["scale"] == CUSTOM else f"{prefix}-scale"
    if field == "options":
        if len(rest) > 1 and rest[1].isdigit() and int(rest[1]) < len(question["options"]):
            return f"{prefix}-options-{rest[1]}-{'aliases' if 'aliases' in rest else 'label'}"
        return f"{prefix}-options-0-label" if question["options"] else f"add-{prefix}-options"
    if field == "ask_if":
        if question["ask_if_yaml"].strip():
            return f"{prefix}-ask_if_yaml"
        if any(test in rest for test in CONDITION_TESTS):
            return f"{prefix}-ask_if_value"
        return f"{prefix}-ask_if_question"
    return f"{prefix}-id"


def describe_path(path: str) -> str:
    """A field path in words, for the error summary: ``questions[2].options[1]`` -> "Question 3, option 2"."""
    tokens = _tokens(path)
    words: list[str] = []
    index = 0
    while index < len(tokens):
        part = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if following.isdigit():
            singular = SECTION_NAMES.get(part, "option" if part == "options" else part.replace("_", " "))
            words.append(f"{singular} {int(following) + 1}")
            index += 2
            continue
        words.append(FIELD_NAMES.get(part, part.replace("_", " ")))
        index += 1
    text = ", ".join(words)
    return text[:1].upper() + text[1:] if text else "The consultation"


def field_errors(problems: list[Problem], state: dict[str, Any]) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
    """Messages by field id, to show beside each field, and the error summary's links, in order."""
    by_field: dict[str, list[str]] = {}
    summary: list[dict[str, str]] = []
    for problem in problems:
        anchor = anchor_for(problem.path, state)
        by_field.setdefault(anchor, []).append(problem.message)
        summary.append({"anchor": anchor, "text": f"{describe_path(problem.path)}: {problem.message}"})
    return by_field, summary


def question_types() -> tuple[str, ...]:
    return QUESTION_TYPES


def scale_names() -> tuple[str, ...]:
    return (*SCALES, CUSTOM)
