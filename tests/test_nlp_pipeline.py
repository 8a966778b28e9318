"""The project's own spaCy pipeline: built from project files, loadable by path, no downloads."""

from pathlib import Path

import spacy

from actions.settings import get_settings
from actions.text.pipeline import build_pipeline, lemma_table


def test_built_pipeline_loads_by_path_as_rasa_requires():
    path: Path = get_settings().spacy_model_path
    assert (path / "config.cfg").exists(), "run `make setup` to build the pipeline"
    nlp = spacy.load(path)
    # Rasa's SpacyNLP refuses a pipeline whose nlp.path is None (a blank one).
    assert nlp.path is not None
    assert nlp.pipe_names == ["attribute_ruler", "lemmatizer"]


def test_chat_shorthand_gets_a_norm_and_inflections_get_lemmas():
    nlp = build_pipeline()
    doc = nlp("pls tell me when the libraries are closing tbh")
    by_text = {token.text: token for token in doc}
    assert by_text["pls"].norm_ == "please"
    assert by_text["tbh"].norm_ == "honestly"
    assert by_text["libraries"].lemma_ == "library"
    assert by_text["closing"].lemma_ == "close"
    assert by_text["are"].lemma_ == "be"


def test_lemma_table_handles_common_spelling_rules():
    table = lemma_table({"base_words": ["library", "bus", "close", "plan"], "irregular": {"children": "child"}})
    assert table["libraries"] == "library"
    assert table["buses"] == "bus"
    assert table["closes"] == "close"
    assert table["closed"] == "close"
    assert table["planning"] == "plan"
    assert table["children"] == "child"
