"""The understanding layer's own cost per message, on the corpus's fixture consultations (for `make bench`).

It runs on every survey message in the action server, so it has its own line in the table: the median
and 95th percentile milliseconds for one message of each kind, warm (the classifier trained and the
sentence encoder loaded, as the action server does at start-up).
"""

from __future__ import annotations

import statistics
import time

from actions.survey.engine import Survey, new_state
from actions.understanding import warm_up
from actions.understanding.retrieval import answer_question
from tests.understanding.measure import fixtures, load


def understanding_latency(rounds: int = 5) -> dict:
    warm_up()
    consultations = fixtures()
    timings: dict[str, list[float]] = {}
    cases = load("dev")
    for _ in range(rounds):
        for case in cases:
            consultation = consultations[case["consultation"]]
            text = str(case["say"])
            if case["step"] == "explain":
                started = time.perf_counter()
                answer_question(consultation, text, closest=True)
                kind = "explain"
            else:
                survey = Survey(consultation, None)
                state = new_state(consultation)
                if case["step"] == "question":
                    index = next(i for i, q in enumerate(consultation.questions) if q.id == case["question"])
                    state.update(stage="question", index=index)
                    kind = consultation.questions[index].type
                else:
                    state.update(stage=case["step"])
                    kind = case["step"]
                started = time.perf_counter()
                survey.handle(state, text)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return {
        kind: {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(sorted(values)[int(0.95 * (len(values) - 1))], 2)}
        for kind, values in sorted(timings.items())
    }
