"""Fit the retrieval weights (actions/understanding/data/retrieval_weights.json) on the DEV half only.

    python -m tests.understanding.fit_retrieval [--answer-at 0.6]

Two small logistic regressions over generic features (see retrieval.FEATURES): one ranks a
consultation's passages for a question, the other judges whether the best one really answers it.
The threshold is chosen on dev to keep wrong answers out first and right answers in second.
The held-out test half is never read here.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

import numpy as np
from sklearn.linear_model import LogisticRegression

from actions.understanding import retrieval
from tests.understanding.measure import CONFIRMED, REASKED, RIGHT, WRONG, fixtures, load, measure


def dataset():
    consultations = fixtures()
    rows, labels, groups = [], [], []
    for number, case in enumerate(c for c in load("dev") if c["step"] == "explain"):
        consultation = consultations[case["consultation"]]
        if retrieval.find_proposal(consultation, str(case["say"])) is not None:
            continue  # answered by reference, not by scoring
        expected = case["expect"] if isinstance(case["expect"], list) else [case["expect"]]
        found, features = retrieval.features(consultation, str(case["say"]))
        for passage, row in zip(found, features, strict=True):
            right = passage.source in expected and (not case.get("contains") or str(case["contains"]) in passage.text)
            rows.append(row)
            labels.append(int(right))
            groups.append(number)
    return np.array(rows), np.array(labels), np.array(groups)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answer-at", type=float, default=None, help="fix the threshold instead of choosing it on dev")
    args = parser.parse_args(argv)
    rows, labels, groups = dataset()
    ranker = LogisticRegression(C=1.0, class_weight={0: 1.0, 1: 8.0}, max_iter=5000).fit(rows, labels)
    ranker_weights, ranker_bias = ranker.coef_[0], float(ranker.intercept_[0])
    # Second step, one row per question: is the best passage right (1), or wrong / not covered (0)?
    summaries, answered = [], []
    for group in sorted(set(groups)):
        mine = groups == group
        group_rows, group_labels = rows[mine], labels[mine]
        scores = 1 / (1 + np.exp(-(group_rows @ ranker_weights + ranker_bias)))
        order = np.argsort(-scores)
        lead = float(scores[order[0]] - scores[order[1]])
        summaries.append(retrieval.answered_features(group_rows, scores, int(order[0]), lead))
        answered.append(int(group_labels[order[0]]))
    judge = LogisticRegression(C=1.0, max_iter=5000).fit(np.array(summaries), np.array(answered))
    fitted = {
        "features": list(retrieval.FEATURES),
        "answered_features": list(retrieval.ANSWERED_FEATURES),
        "ranker": [round(float(w), 4) for w in ranker_weights],
        "ranker_bias": round(ranker_bias, 4),
        "answered": [round(float(w), 4) for w in judge.coef_[0]],
        "answered_bias": round(float(judge.intercept_[0]), 4),
        "answer_at": 0.5,
    }
    best = None
    for threshold in [args.answer_at] if args.answer_at is not None else [x / 100 for x in range(30, 91, 5)]:
        fitted["answer_at"] = threshold
        _write(fitted)
        counts = Counter(o.verdict for o in measure("dev") if o.kind == "explain")
        print(
            f"answer_at {threshold:.2f}: right {counts[RIGHT]}, tentative and right {counts[CONFIRMED]}, "
            f"re-asked {counts[REASKED]}, wrong {counts[WRONG]}"
        )
        # A confident wrong answer costs three right ones; a right answer offered tentatively is worth half.
        score = counts[RIGHT] + 0.5 * counts[CONFIRMED] - 3 * counts[WRONG]
        if best is None or score > best[0]:
            best = (score, threshold)
    fitted["answer_at"] = best[1]
    _write(fitted)
    print(f"written {retrieval.WEIGHTS_PATH} (answer_at {best[1]:.2f})")


def _write(fitted: dict) -> None:
    retrieval.WEIGHTS_PATH.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    retrieval.weights.cache_clear()


if __name__ == "__main__":
    main()
