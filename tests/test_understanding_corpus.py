"""The held-out corpus: residents' own phrasings on consultations not in seeds/ (tests/understanding/).

The test half was written from the issue alone, before the implementation,
and is only measured here: never tuned against. These tests hold the issue's
targets: at least 97% right, no wrong stored answer, and every explaining
question answered from the right passage or honestly not answered.
"""

from __future__ import annotations

import pytest

from tests.understanding.measure import CONFIRMED, RIGHT, WRONG, measure


@pytest.fixture(scope="module")
def test_half():
    return measure("test")


def test_the_test_half_has_at_least_400_phrasings_with_the_dev_half_and_covers_every_step(test_half):
    dev = measure("dev")
    assert len(test_half) + len(dev) >= 400
    kinds = {outcome.kind for outcome in test_half}
    assert {"scale", "choice", "multi", "rank", "number", "yesno", "consent", "quote", "notify", "review", "explain"} <= kinds


def test_no_wrong_answer_is_stored_on_the_test_half(test_half):
    wrong = [f"{o.kind}: {o.case['say']!r} -> {o.got!r} (expected {o.case['expect']!r})" for o in test_half if o.verdict == WRONG]
    assert wrong == []


def test_at_least_97_percent_of_the_test_half_is_understood(test_half):
    right = sum(1 for outcome in test_half if outcome.verdict in (RIGHT, CONFIRMED))
    assert right / len(test_half) >= 0.97, f"{right}/{len(test_half)} right"


def test_every_explain_case_is_answered_from_the_right_passage_or_honestly_not(test_half):
    explained = [o for o in test_half if o.kind == "explain"]
    assert explained
    assert [o.case["say"] for o in explained if o.verdict == WRONG] == []
