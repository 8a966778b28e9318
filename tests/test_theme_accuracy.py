"""Precision, recall and F1 of theme suggestions, with bootstrap intervals; expected values worked out by hand."""

from __future__ import annotations

import pytest

from actions.text.theme_accuracy import ALL_THEMES, format_table, macro_f1, score

# (suggested, confirmed) per comment.
PAIRS = [
    ({"parking"}, {"parking"}),
    ({"parking", "noise"}, {"noise"}),
    (set(), {"parking"}),
    ({"noise"}, set()),
    ({"not a council theme"}, {"also not one"}),
]


def by_theme(scores):
    return {item.theme: item for item in scores}


def test_each_theme_and_the_pooled_row_by_hand():
    scores = by_theme(score(PAIRS, ["parking", "noise", "cost"], resamples=0))
    parking, noise, cost, pooled = scores["parking"], scores["noise"], scores["cost"], scores[ALL_THEMES]
    # parking: suggested on comments 1 and 2, confirmed on 1 and 3, agreed on 1.
    assert (parking.suggested, parking.confirmed, parking.agreed) == (2, 2, 1)
    assert (parking.precision, parking.recall, parking.f1) == (0.5, 0.5, 0.5)
    # noise: suggested on 2 and 4, confirmed on 2.
    assert (noise.suggested, noise.confirmed, noise.agreed) == (2, 1, 1)
    assert noise.precision == 0.5 and noise.recall == 1.0 and noise.f1 == pytest.approx(2 / 3)
    # cost: neither suggested nor confirmed, so nothing can be said.
    assert (cost.precision, cost.recall, cost.f1, cost.f1_interval) == (None, None, None, None)
    # pooled: 2 agreed of 4 suggested and 3 confirmed.
    assert (pooled.agreed, pooled.suggested, pooled.confirmed) == (2, 4, 3)
    assert pooled.precision == 0.5 and pooled.recall == pytest.approx(2 / 3) and pooled.f1 == pytest.approx(4 / 7)
    assert macro_f1(list(scores.values())) == pytest.approx((0.5 + 2 / 3) / 2)


def test_a_theme_never_suggested_has_recall_zero_and_no_precision():
    (missed, _pooled) = score([(set(), {"cost"}), (set(), {"cost"})], ["cost"], resamples=0)
    assert (missed.precision, missed.recall, missed.f1) == (None, 0.0, 0.0)


def test_the_interval_is_reproducible_and_brackets_the_estimate():
    pairs = PAIRS * 10
    first = by_theme(score(pairs, ["parking", "noise"], resamples=500, seed=3))
    again = by_theme(score(pairs, ["parking", "noise"], resamples=500, seed=3))
    assert first == again
    for name in ("parking", "noise", ALL_THEMES):
        item = first[name]
        assert item.f1_interval.low <= item.f1 <= item.f1_interval.high
        assert item.f1_interval.low < item.f1_interval.high  # disagreement makes it uncertain
    perfect = by_theme(score([({"cost"}, {"cost"})] * 20 + [(set(), set())] * 20, ["cost"], resamples=200))
    assert (perfect["cost"].f1_interval.low, perfect["cost"].f1_interval.high) == (1.0, 1.0)


def test_the_table_shows_each_measure_with_its_interval():
    table = format_table(score(PAIRS * 10, ["parking", "noise", "cost"], resamples=200))
    lines = {line.split()[0]: line for line in table.splitlines() if line and line[0].isalpha()}
    assert "0.50 [" in lines["parking"] and lines["cost"].split()[4:] == ["–", "–", "–"]
    assert table.splitlines()[-1].startswith("all themes")
