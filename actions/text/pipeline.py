"""Build and load the project's own spaCy pipeline.

The official ``en_core_web_*`` packages cannot be installed from a package
registry here, and nothing may be downloaded at run time. So ``make setup``
builds a small pipeline from ``spacy.blank("en")`` plus the project's own
word lists (``data/lexicon.yml``) and saves it to ``build/spacy/``. Rasa's
``SpacyNLP`` loads it by path (Rasa refuses ``blank:en`` because a blank
pipeline has no ``nlp.path``), and the action server loads the same one.

Components:
* ``attribute_ruler`` - sets token norms for chat shorthand (pls -> please).
* ``lemmatizer`` (lookup mode) - a lemma table generated from the lexicon.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import spacy
import yaml
from spacy.language import Language
from spacy.lookups import Lookups

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.yml"
PIPELINE_NAME = "en_haveyoursay"
PIPELINE_VERSION = "1.0.0"


def inflections(base: str) -> set[str]:
    """Regular English inflections of a base word; over-generation is harmless in a lookup table."""
    forms = {base + "s", base + "ing", base + "ed"}
    if base.endswith(("s", "x", "z", "ch", "sh")):
        forms |= {base + "es"}
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    if base.endswith("e"):
        forms |= {base + "s", base[:-1] + "ing", base + "d"}
    if len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
        forms |= {base + base[-1] + "ing", base + base[-1] + "ed"}
    return forms - {base}


def lemma_table(lexicon: dict) -> dict[str, str]:
    table: dict[str, str] = {}
    for base in lexicon.get("base_words", []):
        for form in inflections(base):
            table.setdefault(form, base)
    table.update(lexicon.get("irregular", {}))
    table.update({word.capitalize(): lemma for word, lemma in list(table.items())})
    return table


def build_pipeline(lexicon_path: Path = LEXICON_PATH) -> Language:
    lexicon = yaml.safe_load(lexicon_path.read_text(encoding="utf-8"))
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    for short, norm in lexicon.get("chat_norms", {}).items():
        ruler.add(patterns=[[{"LOWER": short}]], attrs={"NORM": norm})
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lookups = Lookups()
    lookups.add_table("lemma_lookup", lemma_table(lexicon))
    lemmatizer.initialize(lookups=lookups)
    nlp.meta.update(
        {
            "name": PIPELINE_NAME.removeprefix("en_"),
            "version": PIPELINE_VERSION,
            "description": "Have Your Say: blank English plus the project's own norms and lemma table.",
        }
    )
    return nlp


def save_pipeline(target: Path) -> Path:
    nlp = build_pipeline()
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


@lru_cache(maxsize=1)
def load_pipeline(path: str | None = None) -> Language:
    """Load the built pipeline once per process (building it in memory if it is missing)."""
    from ..settings import get_settings

    location = Path(path) if path else get_settings().spacy_model_path
    if (location / "config.cfg").exists():
        return spacy.load(location)
    return build_pipeline()


if __name__ == "__main__":
    from ..settings import get_settings

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else get_settings().spacy_model_path
    print(f"spaCy pipeline written to {save_pipeline(out)}")
