"""Measure how well residents' own words are understood, on the corpus in this folder.

    make understanding            # both halves, a table each
    python -m tests.understanding.measure --half dev --show wrong,reask

Each case is run through the real survey engine (answers, consent, quote,
outcome, review) or the real retrieval (explaining), exactly as the action
server runs them, on the fixture consultations in ``consultations/``. See
README.md for the format and the scoring.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.content.files import read_bundle
from actions.content.model import Consultation
from actions.survey.engine import Survey, new_state
from actions.understanding.retrieval import answer_question

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "seeds"
RIGHT, CONFIRMED, REASKED, WRONG = "right", "confirmed", "re-asked", "wrong"


@dataclass
class Outcome:
    case: dict
    kind: str  # question type, or the step
    verdict: str  # RIGHT, CONFIRMED (right after a confirmation), REASKED or WRONG
    got: Any


def fixtures() -> dict[str, Consultation]:
    bundle = read_bundle([SEEDS / "wards.yml", HERE / "consultations"], known_wards=set())
    return {consultation.slug: consultation for consultation in bundle.consultations}


def load(half: str) -> list[dict]:
    """The cases of one half. The dev half is ``dev.yml`` plus any ``dev_*.yml`` batches added later."""
    files = [HERE / "test.yml"] if half == "test" else [HERE / "dev.yml", *sorted(HERE.glob("dev_*.yml"))]
    cases: list[dict] = []
    for path in files:
        cases += yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return cases


def _same(expected: Any, got: Any, kind: str) -> bool:
    if kind == "multi" and isinstance(expected, list) and isinstance(got, list):
        return sorted(expected) == sorted(got)
    if kind == "number" and not isinstance(expected, str) and isinstance(got, (int, float)):
        return float(expected) == float(got)
    if isinstance(expected, str) and isinstance(got, str):
        return expected.strip().lower() == got.strip().lower()
    return expected == got


def _verdict(expected: Any, stored: Any, offered: Any, kind: str) -> str:
    """``stored`` is what was kept (None when nothing was); ``offered`` a value offered for confirmation."""
    if expected == "reask":
        return RIGHT if stored is None else WRONG
    if stored is not None:
        return RIGHT if _same(expected, stored, kind) else WRONG
    if offered is not None and _same(expected, offered, kind):
        return CONFIRMED
    return REASKED


NOTHING = object()


def run_question(survey: Survey, consultation: Consultation, case: dict) -> Outcome:
    index = next(i for i, q in enumerate(consultation.questions) if q.id == case["question"])
    question = consultation.questions[index]
    state = dict(new_state(consultation), stage="question", index=index)
    step = survey.handle(state, str(case["say"]))
    answers = step.state["answers"]
    expected = case["expect"]
    if question.id in answers:
        stored = "skip" if answers[question.id] is None else answers[question.id]
    else:
        stored = None
    offered = step.state.get("pending")
    kind = "skip" if expected == "skip" else question.type
    return Outcome(case, kind, _verdict(expected, stored, offered, question.type), stored if stored is not None else offered)


def run_step(survey: Survey, consultation: Consultation, case: dict) -> Outcome:
    step_name = case["step"]
    state = dict(new_state(consultation), stage={"notify": "notify"}.get(step_name, step_name))
    if step_name == "review":
        state.update(answers={q.id: None for q in consultation.questions}, ward="x", age_band="x")
    step = survey.handle(state, str(case["say"]))
    after = step.state
    stored: Any = None
    if step_name == "consent":
        stored = "yes" if after["stage"] == "quote" else "no" if after["stage"] == "declined" else None
    elif step_name == "quote":
        stored = None if after["quote"] is None else ("yes" if after["quote"] else "no")
    elif step_name == "notify":
        stored = None if after["notify"] is None else ("yes" if after["notify"] else "no")
    elif step_name == "review":
        if step.submit:
            stored = "submit"
        elif after["stage"] == "question":
            stored = f"change {after['index'] + 1}"
    return Outcome(case, step_name, _verdict(case["expect"], stored, None, step_name), stored)


def run_explain(consultation: Consultation, case: dict) -> Outcome:
    """Confident answers are right or wrong; a tentative one ("I'm not sure that answers it exactly. The
    closest I found, from ...") is counted like a confirmation: right when it is the expected passage,
    otherwise re-asked, since the resident was told it may not answer the question."""
    found = answer_question(consultation, str(case["say"]), closest=True)
    expected = case["expect"]
    wanted = expected if isinstance(expected, list) else [expected]
    got = found.source if found else "none"
    right = got in wanted
    if right and found and case.get("contains"):
        right = str(case["contains"]) in found.text
    if found is not None and not found.confident:
        verdict = CONFIRMED if right and got != "none" else REASKED
        return Outcome(case, "explain", verdict, f"{got} (tentative)")
    if right:
        verdict = RIGHT
    elif got == "none":
        verdict = REASKED  # an honest "the information doesn't cover it" where it does
    else:
        verdict = WRONG
    return Outcome(case, "explain", verdict, got)


def measure(half: str) -> list[Outcome]:
    consultations = fixtures()
    outcomes = []
    for case in load(half):
        consultation = consultations[case["consultation"]]
        survey = Survey(consultation, None)
        if case["step"] == "question":
            outcomes.append(run_question(survey, consultation, case))
        elif case["step"] == "explain":
            outcomes.append(run_explain(consultation, case))
        else:
            outcomes.append(run_step(survey, consultation, case))
    return outcomes


def table(half: str, outcomes: list[Outcome]) -> str:
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for outcome in outcomes:
        by_kind[outcome.kind][outcome.verdict] += 1
        by_kind["all"][outcome.verdict] += 1
    lines = [
        f"{half}: {len(outcomes)} cases",
        f"{'type':<10}{'cases':>7}{'right':>8}{'(confirmed)':>13}{'re-asked':>10}{'wrong':>7}{'right %':>9}",
    ]
    for kind in sorted(by_kind, key=lambda k: (k == "all", k)):
        counts = by_kind[kind]
        total = sum(counts.values())
        right = counts[RIGHT] + counts[CONFIRMED]
        lines.append(
            f"{kind:<10}{total:>7}{right:>8}{counts[CONFIRMED]:>13}{counts[REASKED]:>10}{counts[WRONG]:>7}{100 * right / total:>8.1f}%"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--show", default="", help="comma-separated verdicts to list case by case, e.g. wrong,re-asked")
    args = parser.parse_args(argv)
    halves = ["dev", "test"] if args.half == "both" else [args.half]
    show = {word.strip() for word in args.show.split(",") if word.strip()}
    for half in halves:
        outcomes = measure(half)
        print(table(half, outcomes))
        for outcome in outcomes:
            if outcome.verdict in show:
                case = outcome.case
                print(
                    f"  [{outcome.verdict}] {outcome.kind} {case.get('question', '')} {case['say']!r} expected {case['expect']!r} got {outcome.got!r}"
                )
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
