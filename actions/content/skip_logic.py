"""Skip logic: reading ``ask_if`` conditions and checking them against the other questions.

A condition is read in two steps. :func:`read_condition` checks its shape while
the question itself is read (one test and a question id, or ``all`` / ``any``
of conditions). Once every question is known, :func:`check_conditions` checks
what the condition refers to and reports, one line each, in the same style as
every other content problem:

* a question that doesn't exist, the question itself, or a later one;
* conditions that go round in a circle;
* a test that doesn't fit the question's type (``includes`` is for multi questions);
* a condition that can never be true: an answer that isn't one of the options,
  a number outside the question's range, tests that contradict each other, or
  a question that is never asked when the condition needs it.

Labels are matched without regard to case and returned as written in the
options, so ``includes: car`` is stored as ``Car``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .model import CONDITION_GROUPS, CONDITION_TESTS, DONT_KNOW, Condition, Question

# The tests each question type's answer can be put to. Text and rank answers can't be.
TESTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "multi": ("includes",),
    "choice": ("is", "is_not", "one_of"),
    "scale": ("is", "is_not", "one_of"),
    "yesno": ("is", "is_not", "one_of"),
    "number": ("at_least", "at_most", "is", "is_not"),
    "text": (),
    "rank": (),
}
NUMERIC_TESTS = ("at_least", "at_most")
# Beyond these, the search for answers that meet a condition stops and the condition is accepted.
MAX_COMBINATIONS = 50_000
MAX_MULTI_LABELS = 10

Problem = Callable[[str, str], None]  # (field path, message)


def read_condition(value: Any, path: str, problem: Problem) -> Condition | None:
    """The shape of one ``ask_if`` value; references are checked later by :func:`check_conditions`."""
    if not isinstance(value, dict):
        problem(path, f"must be a condition such as {{question: travel, includes: Car}}, got {_kind(value)}")
        return None
    groups = [key for key in value if key in CONDITION_GROUPS]
    if groups:
        if len(value) != 1:
            others = ", ".join(str(key) for key in value if key != groups[0])
            problem(path, f"{groups[0]} must be the only field of its condition (also found: {others})")
            return None
        test = groups[0]
        items = value[test]
        if not isinstance(items, list) or not items:
            problem(f"{path}.{test}", "must be a list of at least one condition")
            return None
        parts = [read_condition(item, f"{path}.{test}[{index}]", problem) for index, item in enumerate(items)]
        return Condition(test, parts=tuple(parts)) if all(part is not None for part in parts) else None
    for key in value:
        if key != "question" and key not in CONDITION_TESTS:
            problem(f"{path}.{key}", "unknown field (a condition has question and one of: " + ", ".join(CONDITION_TESTS) + ")")
            return None
    tests = [key for key in value if key in CONDITION_TESTS]
    question = value.get("question")
    if not isinstance(question, str) or not question.strip():
        problem(f"{path}.question", "is required: the id of an earlier question")
        return None
    if len(tests) != 1:
        found = f"found {', '.join(tests)}" if tests else "found none"
        problem(path, f"needs exactly one of {', '.join(CONDITION_TESTS)} ({found}); combine tests with all: [...]")
        return None
    test, wanted = tests[0], value[tests[0]]
    where = f"{path}.{test}"
    if test in NUMERIC_TESTS:
        if isinstance(wanted, bool) or not isinstance(wanted, (int, float)):
            problem(where, f"must be a number, got {wanted!r}")
            return None
    elif test == "one_of":
        if not isinstance(wanted, list) or not wanted:
            problem(where, "must be a list of at least one answer, like [Disagree, Strongly disagree]")
            return None
        bad = [item for item in wanted if not _is_answer(item)]
        if bad:
            problem(where, f"must list answers as text, got {bad[0]!r}")
            return None
        wanted = tuple(wanted)
    elif not _is_answer(wanted):
        problem(where, f"must be an answer (text, or a number for a number question), got {_kind(wanted)}")
        return None
    return Condition(test, question=question.strip(), value=wanted)


def check_conditions(questions: list[Question], paths: dict[str, str], problem: Problem) -> list[Question]:
    """Check every ``ask_if`` against the questions; return the questions with labels written as in their options.

    ``paths`` gives each question id's field path (``questions[3]``) for the problem lines.
    """
    order = {question.id: position for position, question in enumerate(questions)}
    by_id = {question.id: question for question in questions}
    in_cycle = _report_cycles(questions, order, paths, problem)
    resolved: list[Question] = []
    sound: set[str] = set()  # questions whose condition (if any) is free of problems so far
    for position, question in enumerate(questions):
        if question.ask_if is None:
            resolved.append(question)
            sound.add(question.id)
            continue
        path = f"{paths[question.id]}.ask_if"
        found: list[str] = []

        def report(where: str, message: str, found: list[str] = found) -> None:
            found.append(message)
            problem(where, message)

        condition = _resolve(question.ask_if, path, question, position, order, by_id, in_cycle, report)
        if condition is not None and not found:
            question = replace(question, ask_if=condition)
            sound.add(question.id)
        resolved.append(question)
    # With every single test sound, find whether any answers at all meet each condition.
    for question in resolved:
        if question.ask_if is None or question.id not in sound:
            continue
        needed = _needed_questions(question, resolved, order)
        if not all(other in sound for other in needed):
            continue
        if _can_be_true(question, [q for q in resolved if q.id in needed], resolved) is False:
            names = ", ".join(repr(other) for other in sorted(needed, key=order.get))
            problem(
                f"{paths[question.id]}.ask_if",
                f"can never be true, whatever the answers to {names} (check the tests against each other, "
                "and when those questions are asked)",
            )
    return resolved


# --- references, types and labels ------------------------------------------------


def _resolve(
    condition: Condition,
    path: str,
    question: Question,
    position: int,
    order: dict[str, int],
    by_id: dict[str, Question],
    in_cycle: set[tuple[str, str]],
    report: Problem,
) -> Condition | None:
    if condition.test in CONDITION_GROUPS:
        parts = [
            _resolve(part, f"{path}.{condition.test}[{index}]", question, position, order, by_id, in_cycle, report)
            for index, part in enumerate(condition.parts)
        ]
        return replace(condition, parts=tuple(parts)) if all(part is not None for part in parts) else None
    target = by_id.get(condition.question)
    where = f"{path}.question"
    if target is None:
        report(where, f"{condition.question!r} is not a question of this consultation")
        return None
    if (question.id, target.id) in in_cycle:
        return None  # reported once, as a cycle
    if order[target.id] > position:
        report(
            where,
            f"{target.id!r} comes later (question {order[target.id] + 1}); a condition can only use answers to earlier questions",
        )
        return None
    allowed = TESTS_BY_TYPE[target.type]
    test_path = f"{path}.{condition.test}"
    if not allowed:
        report(where, f"{target.id!r} is a {target.type} question; a condition can't use its answer")
        return None
    if condition.test not in allowed:
        report(test_path, f"can't be used with {target.id!r}, a {target.type} question; use {_or_list(allowed)}")
        return None
    if target.type == "number":
        return _resolve_number(condition, target, test_path, report)
    if condition.test == "one_of":
        labels = [_label(target, item) for item in condition.value]
        for index, (item, label) in enumerate(zip(condition.value, labels, strict=True)):
            if label is None:
                report(f"{test_path}[{index}]", _not_an_option(item, target))
        return replace(condition, value=tuple(labels)) if all(labels) else None
    label = _label(target, condition.value)
    if label is None:
        report(test_path, _not_an_option(condition.value, target, always=condition.test == "is_not"))
        return None
    return replace(condition, value=label)


def _resolve_number(condition: Condition, target: Question, path: str, report: Problem) -> Condition | None:
    value = condition.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        report(path, f"must be a number: {target.id!r} is a number question, got {value!r}")
        return None
    low, high = target.min, target.max
    if condition.test in ("at_least", "is") and high is not None and value > high:
        report(path, f"{_show(value)} is more than {target.id!r} allows ({_show(high)}), so this can never be true")
        return None
    if condition.test in ("at_most", "is") and low is not None and value < low:
        report(path, f"{_show(value)} is less than {target.id!r} allows ({_show(low)}), so this can never be true")
        return None
    return condition


def answer_labels(question: Question) -> tuple[str, ...]:
    """Every answer a condition may name: the options, with "Don't know" on scales and Yes / No."""
    if question.type == "scale":
        return (*question.scale_labels, DONT_KNOW)
    if question.type == "yesno":
        return ("Yes", "No")
    return question.options


def _label(question: Question, value: Any) -> str | None:
    if question.type == "yesno" and isinstance(value, bool):
        value = "Yes" if value else "No"  # YAML reads an unquoted yes / no as true / false
    wanted = str(value).strip().lower()
    return next((label for label in answer_labels(question) if label.lower() == wanted), None)


def _not_an_option(value: Any, question: Question, always: bool = False) -> str:
    shown = "Yes" if value is True else "No" if value is False else value
    outcome = "is true for every answer" if always else "can never be true"
    return f"{shown!r} is not an answer to {question.id!r} ({', '.join(answer_labels(question))}), so this {outcome}"


# --- cycles ---------------------------------------------------------------------------


def _report_cycles(questions: list[Question], order: dict[str, int], paths: dict[str, str], problem: Problem) -> set:
    """Report each circle of conditions once; return its edges (question id, referenced id)."""
    edges = {
        question.id: [ref for ref in question.ask_if.questions() if ref in order] if question.ask_if else []
        for question in questions
    }
    in_cycle: set[tuple[str, str]] = set()
    seen_cycles: set[frozenset] = set()

    def visit(start: str, node: str, trail: list[str]) -> None:
        for ref in edges[node]:
            if ref == start:
                cycle = [*trail, start]
                key = frozenset(zip(cycle, cycle[1:], strict=False))
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    in_cycle.update(key)
                    first = min(cycle[:-1], key=order.get)
                    turn = cycle[:-1].index(first)
                    ordered = [*cycle[turn:-1], *cycle[:turn], first]
                    if len(ordered) == 2:
                        message = f"{first!r} depends on its own answer; a condition can only use answers to earlier questions"
                    else:
                        message = (
                            "the conditions go round in a circle ("
                            + " → ".join(ordered)
                            + "); a condition can only use answers to earlier questions"
                        )
                    problem(f"{paths[first]}.ask_if", message)
            elif ref not in trail and order[ref] > order[start]:
                visit(start, ref, [*trail, ref])  # each circle is found from its earliest question

    for question in questions:
        visit(question.id, question.id, [question.id])
    return in_cycle


# --- can the condition ever be true? --------------------------------------------------


def _needed_questions(question: Question, questions: list[Question], order: dict[str, int]) -> set[str]:
    """The questions whose answers decide whether ``question`` is asked, directly or through their own conditions."""
    by_id = {q.id: q for q in questions}
    needed: set[str] = set()
    waiting = list(question.ask_if.questions()) if question.ask_if else []
    while waiting:
        current = waiting.pop()
        if current in needed or current not in by_id:
            continue
        needed.add(current)
        if by_id[current].ask_if is not None:
            waiting.extend(by_id[current].ask_if.questions())
    return needed


def _can_be_true(question: Question, needed: list[Question], everything: list[Question]) -> bool | None:
    """Search the answers that matter for one that asks ``question``: True, False, or None (too many to try).

    Only answers that could change a test are tried (each option, numbers around each threshold),
    so the search is exact. A skipped answer never helps: a test on a question with no answer is false.
    """
    tests = [test for q in everything if q.ask_if is not None for test in q.ask_if.tests()]
    domains = []
    for other in needed:
        domain = _candidate_answers(other, [test for test in tests if test.question == other.id])
        if domain is None:
            return None
        domains.append(domain)
    total = 1
    for domain in domains:
        total *= len(domain)
        if total > MAX_COMBINATIONS:
            return None
    for values in itertools.product(*domains):
        answers: dict[str, Any] = {}
        for other, value in zip(needed, values, strict=True):
            if other.is_asked(answers):
                answers[other.id] = value
        if question.is_asked(answers):
            return True
    return False


def _candidate_answers(question: Question, tests: list[Condition]) -> list | None:
    if question.type == "number":
        thresholds = sorted({float(test.value) for test in tests})
        points = set(thresholds)
        points.update((a + b) / 2 for a, b in zip(thresholds, thresholds[1:], strict=False))
        if thresholds:
            points.update((thresholds[0] - 1, thresholds[-1] + 1))
        points.update(bound for bound in (question.min, question.max) if bound is not None)
        inside = [
            point
            for point in points
            if (question.min is None or point >= question.min) and (question.max is None or point <= question.max)
        ]
        return sorted(inside) or [question.min if question.min is not None else 0]
    if question.type == "multi":
        mentioned = list(dict.fromkeys(test.value for test in tests if test.test == "includes"))
        if len(mentioned) > MAX_MULTI_LABELS:
            return None
        rest = [option for option in question.options if option not in mentioned]
        limit = question.max_choices or len(question.options)
        subsets: list[list[str]] = [[rest[0]]] if rest else []
        for size in range(1, min(limit, len(mentioned)) + 1):
            subsets.extend(list(chosen) for chosen in itertools.combinations(mentioned, size))
        return subsets
    return list(answer_labels(question))


def _is_answer(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and (not isinstance(value, str) or bool(value.strip()))


def _or_list(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
