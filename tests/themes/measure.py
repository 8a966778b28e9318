"""Measure the automatic theme suggestions against hand-confirmed themes, on the corpus in this folder.

    make themes-eval                                   # both halves: per-theme precision, recall, F1, 95% intervals
    python -m tests.themes.measure --half dev --show   # and each comment the tagger got wrong

Each comment goes through the same redaction and tagger (the council's themes in seeds/wards.yml) as a
resident's comment in the survey. See README.md for the corpus and the labelling rules, and
docs/themes.md for the reported figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from actions.content.files import read_bundle
from actions.text import avoid_tensorflow
from actions.text.theme_accuracy import ALL_THEMES, format_table, macro_f1, score

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "seeds"


def council_themes() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """The seeded council's themes and its ward names (kept by redaction, as in the survey)."""
    bundle = read_bundle([SEEDS / "wards.yml"], known_wards=set())
    return dict(bundle.council.council.themes), tuple(ward.name for ward in bundle.council.wards)


def load(half: str) -> list[dict]:
    return yaml.safe_load((HERE / f"{half}.yml").read_text(encoding="utf-8"))["comments"]


def suggestions(comments: list[dict]) -> list[tuple[list[str], list[str]]]:
    """(suggested, confirmed) themes per comment."""
    avoid_tensorflow()  # before spaCy is first imported: the tagger never needs it
    from actions.text.redaction import redact
    from actions.text.themes import tagger_for

    themes, wards = council_themes()
    tagger = tagger_for(themes)
    return [(tagger.tags(redact(comment["text"], keep=wards)), list(comment["themes"])) for comment in comments]


def measure(half: str):
    themes, _wards = council_themes()
    comments = load(half)
    pairs = suggestions(comments)
    return comments, pairs, score(pairs, sorted(themes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--show", action="store_true", help="list each comment where suggestion and label differ")
    args = parser.parse_args(argv)
    for half in ["dev", "test"] if args.half == "both" else [args.half]:
        comments, pairs, scores = measure(half)
        pooled = next(item for item in scores if item.theme == ALL_THEMES)
        print(f"{half}: {len(comments)} comments; 'conf' = confirmed by hand, 'sugg' = suggested, 'both' = agreed")
        print(format_table(scores))
        macro = macro_f1(scores)
        print(f"pooled (micro) F1 {pooled.f1:.3f}; mean of per-theme F1 (macro) {macro:.3f}" if macro is not None else "")
        if args.show:
            for comment, (got, wanted) in zip(comments, pairs, strict=True):
                if set(got) != set(wanted):
                    extra, missing = sorted(set(got) - set(wanted)), sorted(set(wanted) - set(got))
                    print(f"  {comment['text']!r}\n      wrongly suggested {extra}, missed {missing}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
