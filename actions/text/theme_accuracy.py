"""How well suggested themes agree with the themes people confirmed: precision, recall and F1 per theme.

Used by ``make themes-eval`` (the labelled corpus in ``tests/themes/``) and by the portal's themes page
(suggestions against an officer's decisions on the comments they have reviewed). Pure: no I/O.

For each theme, over a set of comments:

* precision = comments suggested *and* confirmed / comments suggested (None when nothing was suggested);
* recall = comments suggested *and* confirmed / comments confirmed (None when nothing was confirmed);
* F1 = their harmonic mean (0 when nothing agreed; None when the theme was neither suggested nor confirmed).

The 95% interval is a percentile bootstrap: the comments are resampled with replacement (2,000 times, with
a fixed seed so the figures are reproducible), the measure is worked out on each resample, and the 2.5th and
97.5th percentiles are reported. "All themes" pools every theme's counts (micro-average).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

ALL_THEMES = "all themes"
RESAMPLES = 2000


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    confirmed: int  # comments people gave this theme
    suggested: int  # comments the tagger gave this theme
    agreed: int  # comments with both
    precision: float | None
    recall: float | None
    f1: float | None
    precision_interval: Interval | None
    recall_interval: Interval | None
    f1_interval: Interval | None


def _ratios(agreed: np.ndarray, suggested: np.ndarray, confirmed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 (NaN where undefined) from counts of any matching shape."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(suggested > 0, agreed / np.maximum(suggested, 1), np.nan)
        recall = np.where(confirmed > 0, agreed / np.maximum(confirmed, 1), np.nan)
        f1 = np.where(suggested + confirmed > 0, 2 * agreed / np.maximum(suggested + confirmed, 1), np.nan)
    return precision, recall, f1


def _value(number: float) -> float | None:
    return None if np.isnan(number) else float(number)


def _interval(samples: np.ndarray) -> Interval | None:
    defined = samples[~np.isnan(samples)]
    if defined.size == 0:
        return None
    low, high = np.percentile(defined, [2.5, 97.5])
    return Interval(float(low), float(high))


def score(
    pairs: Sequence[tuple[Iterable[str], Iterable[str]]],
    themes: Iterable[str],
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> list[ThemeScore]:
    """One score per theme (in the order given), then the pooled "all themes" score.

    ``pairs`` holds, per comment, (suggested themes, confirmed themes). Themes outside ``themes`` are ignored.
    """
    names = list(dict.fromkeys(themes))
    index = {name: position for position, name in enumerate(names)}
    suggested = np.zeros((len(pairs), len(names)), dtype=np.int64)
    confirmed = np.zeros_like(suggested)
    for row, (got, wanted) in enumerate(pairs):
        for name in set(got):
            if name in index:
                suggested[row, index[name]] = 1
        for name in set(wanted):
            if name in index:
                confirmed[row, index[name]] = 1
    agreed = suggested * confirmed
    # Pooled columns (micro-average) next to the per-theme ones.
    columns = [np.column_stack([matrix, matrix.sum(axis=1)]) for matrix in (agreed, suggested, confirmed)]
    totals = [column.sum(axis=0) for column in columns]
    point = _ratios(*totals)
    if pairs and resamples:
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(len(pairs), np.full(len(pairs), 1 / len(pairs)), size=resamples)  # resamples x comments
        sampled = _ratios(*(weights @ column for column in columns))  # each resamples x (themes + 1)
    else:
        sampled = tuple(np.full((0, len(names) + 1), np.nan) for _ in range(3))
    scores = []
    for position, name in enumerate([*names, ALL_THEMES]):
        scores.append(
            ThemeScore(
                theme=name,
                confirmed=int(totals[2][position]),
                suggested=int(totals[1][position]),
                agreed=int(totals[0][position]),
                precision=_value(point[0][position]),
                recall=_value(point[1][position]),
                f1=_value(point[2][position]),
                precision_interval=_interval(sampled[0][:, position]),
                recall_interval=_interval(sampled[1][:, position]),
                f1_interval=_interval(sampled[2][:, position]),
            )
        )
    return scores


def macro_f1(scores: Sequence[ThemeScore]) -> float | None:
    """The mean of the per-theme F1 scores that are defined (the pooled row is left out)."""
    values = [item.f1 for item in scores if item.theme != ALL_THEMES and item.f1 is not None]
    return sum(values) / len(values) if values else None


def format_table(scores: Sequence[ThemeScore]) -> str:
    """A plain-text table: theme, counts, and each measure with its 95% interval."""

    def measure(value: float | None, interval: Interval | None) -> str:
        if value is None:
            return "–"
        spread = f" [{interval.low:.2f}–{interval.high:.2f}]" if interval else ""
        return f"{value:.2f}{spread}"

    header = f"{'theme':<15} {'conf':>4} {'sugg':>4} {'both':>4}  {'precision':<18} {'recall':<18} {'F1':<18}"
    lines = [header, "-" * len(header)]
    for item in scores:
        if item.theme == ALL_THEMES:
            lines.append("-" * len(header))
        lines.append(
            f"{item.theme:<15} {item.confirmed:>4} {item.suggested:>4} {item.agreed:>4}  "
            f"{measure(item.precision, item.precision_interval):<18} {measure(item.recall, item.recall_interval):<18} "
            f"{measure(item.f1, item.f1_interval):<18}"
        )
    return "\n".join(lines)
