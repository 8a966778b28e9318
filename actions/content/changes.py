"""Which edits to a consultation would corrupt the answers already stored, and why.

Answers are stored by question id and by the option's label (a choice answer is ``"Bus"``, a
multi or rank answer a list of labels, a scale answer its label). Once a question has answers:

* it can't be removed (its answers would belong to no question);
* its type can't change (the stored answers have the old type's shape);
* an option (a scale's label, the "other, please specify" label) can't be removed or reworded,
  because the answers that chose it would then match no option;
* the options can't be put in another order (a scale runs from most positive; results, exports and
  the paper form read the stored answers against the order residents saw);
* a rank question's options can't be added to (the stored rankings would not rank the new one).

New options may be added to choice, multi and scale questions, and wording, help, skip logic and
everything else may change. A resident in the middle of a response still finishes the version they
started (``Store.consultation_version``). Every refusal ends with :data:`CLOSE_AND_DUPLICATE`, the way
to make the change anyway; ``Store.apply_bundle`` applies these rules, so ``haveyoursay load`` and the
portal's editor refuse the same edit with the same message.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Consultation, Question
from .validate import Problem

CLOSE_AND_DUPLICATE = "Close the consultation and duplicate it to make this change."


def is_harmful_edit(problem: Problem) -> bool:
    """Whether a problem is one of these refusals (so the editor offers "close and duplicate")."""
    return problem.message.endswith(CLOSE_AND_DUPLICATE)


def harmful_changes(
    current: Consultation, proposed: Consultation, answer_counts: Mapping[str, int], source: str = ""
) -> list[Problem]:
    """Every change from ``current`` to ``proposed`` that would corrupt stored answers.

    ``answer_counts`` is the number of stored answers per question id (questions with none may change freely).
    """
    problems: list[Problem] = []
    positions = {question.id: position for position, question in enumerate(proposed.questions)}
    for question in current.questions:
        count = answer_counts.get(question.id, 0)
        if not count:
            continue
        answers = f"{count} answer{'' if count == 1 else 's'}"
        if question.id not in positions:
            problems.append(
                Problem(
                    source,
                    "questions",
                    f"question {question.id!r} has {answers} and cannot be removed: its answers would belong to no "
                    f"question. {CLOSE_AND_DUPLICATE}",
                )
            )
            continue
        position = positions[question.id]
        new = proposed.questions[position]
        path = f"questions[{position}]"
        if new.type != question.type:
            problems.append(
                Problem(
                    source,
                    f"{path}.type",
                    f"cannot change from {question.type!r} to {new.type!r}: the question already has {answers}, "
                    f"stored as {question.type} answers. {CLOSE_AND_DUPLICATE}",
                )
            )
            continue
        problems.extend(_option_changes(question, new, path, answers, source))
    return problems


def _labels(question: Question) -> tuple[str, ...]:
    """The answers a question's residents could give by label: options (with "other") or a scale's labels."""
    if question.type == "scale":
        return question.scale_labels
    return question.options


def _option_changes(old: Question, new: Question, path: str, answers: str, source: str) -> list[Problem]:
    if old.type not in ("choice", "multi", "rank", "scale"):
        return []
    before, after = _labels(old), _labels(new)
    field = "scale" if old.type == "scale" else "options"
    removed = [label for label in before if label not in after]
    if removed:
        where = f"{path}.other" if removed == [old.other] else f"{path}.{field}"
        names = ", ".join(repr(label) for label in removed)
        one = len(removed) == 1
        return [
            Problem(
                source,
                where,
                f"can't remove or reword {names}: {old.id!r} has {answers}, stored by option label, so answers that "
                f"chose {'it' if one else 'them'} would match no option. {CLOSE_AND_DUPLICATE}",
            )
        ]
    kept = [label for label in after if label in before]
    if kept != list(before):
        return [
            Problem(
                source,
                f"{path}.{field}",
                f"can't change the order of the options: {old.id!r} has {answers}, and results, exports and the "
                f"paper form read them against the order residents saw. {CLOSE_AND_DUPLICATE}",
            )
        ]
    if old.type == "rank" and len(after) > len(before):
        return [
            Problem(
                source,
                f"{path}.{field}",
                f"can't add options to a rank question with {answers}: the rankings already given would not rank "
                f"the new option. {CLOSE_AND_DUPLICATE}",
            )
        ]
    return []
