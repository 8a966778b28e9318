"""Rasa's NLU components, doing less for each message; named in config.yml.

Measured with py-spy under `make bench` load (docs/performance.md), the NLU parse was about a third
of the Rasa server's CPU per message. Three things it did were not needed:

* **Parsing the same short message again.** Residents' answers are mostly a word or two ("yes",
  "agree", "skip", "2", "submit"), and the pipeline is deterministic: the same text always gets the
  same intents and confidences from the same model. :class:`RecallParse` (first) finds a short
  message parsed before by this model and gives it that parse, its tokens included; spaCy, the
  tokenizer, the featurizers and the classifiers below skip it; :class:`RememberParse` (last)
  remembers new short messages' parses.
  Texts are remembered by a keyed hash (the key is random per process), never as text.
* **Per-token features nobody reads.** The count-vector featurizers computed a feature row for
  every token as well as one for the sentence; the logistic-regression classifier reads only the
  sentence row (and nothing here extracts entities), so at inference only that row is made.
* **Building the classifier's one-row input** by deep-copying each featurizer's block and joining
  them pairwise: the same blocks are now joined once, in the same order.

None of this changes training: each class trains exactly as Rasa's does.
"""

import copy
import hashlib
import secrets
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

from .. import speedups
from ..settings import get_settings

# A message is "short" when it has at most this many words and characters.
SHORT_WORDS = 4
SHORT_CHARS = 40
# Message data that marks a message given a remembered parse; never part of the parse Rasa outputs.
RECALLED = "hys_recalled_parse"
# Not remembered as they are: the text is the message's own, and its tokens are remembered as spans.
_NOT_REMEMBERED = {TEXT, TEXT_TOKENS}
# Where a remembered parse keeps its tokens: (start, end, text, lemma) each, all the parse output says of them.
_REMEMBERED_SPANS = "hys_token_spans"

FEATURIZER = DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER
CLASSIFIER = DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER


def _lean(component: Any, name: str) -> bool:
    """Whether this component may do less (the switch and the Rasa version), decided once per instance."""
    decided = component.__dict__.get("_hys_lean")
    if decided is None:
        decided = component.__dict__["_hys_lean"] = speedups.allowed(name)
    return decided


# --- remembered parses of short messages ----------------------------------------------------


class ParseMemory:
    """Parses of short messages by one model, keyed by a keyed hash of the text; bounded, thread-safe."""

    def __init__(self, size: int | None = None) -> None:
        self.size = get_settings().parse_memory_size if size is None else size
        self._key = secrets.token_bytes(32)
        self._parses: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.recalled = 0
        self.remembered = 0

    def key(self, text: Any) -> bytes | None:
        if self.size <= 0 or not isinstance(text, str) or not text or text.startswith("/") or len(text) > SHORT_CHARS:
            return None  # "/intent{...}" payloads are Rasa's RegexMessageHandler's business
        if len(text.split()) > SHORT_WORDS:
            return None
        return hashlib.blake2b(text.encode("utf-8"), key=self._key, digest_size=16).digest()

    def recall(self, key: bytes) -> dict[str, Any] | None:
        with self._lock:
            parse = self._parses.get(key)
            if parse is None:
                return None
            self._parses.move_to_end(key)
            self.recalled += 1
        return _copied(parse)

    def remember(self, key: bytes, parse: dict[str, Any]) -> None:
        with self._lock:
            self._parses[key] = _copied(parse)
            self._parses.move_to_end(key)
            self.remembered += 1
            while len(self._parses) > self.size:
                self._parses.popitem(last=False)


def _copied(value: Any) -> Any:
    """A deep copy of a parse (dicts, lists and tuples of plain values), several times faster than
    ``copy.deepcopy``, whose generic machinery was most of the cost of recalling a parse."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return copy.deepcopy(value)  # anything else a component may add: copied the general way


_memories: OrderedDict[str, ParseMemory] = OrderedDict()
_memories_lock = threading.Lock()


def memory_for(model_id: str | None) -> ParseMemory:
    """One memory per loaded model (a new model starts empty); the last two models are kept."""
    name = model_id or "unknown model"
    with _memories_lock:
        memory = _memories.get(name)
        if memory is None:
            memory = _memories[name] = ParseMemory()
            while len(_memories) > 2:
                _memories.popitem(last=False)
        return memory


class _ParseMemoryComponent:
    """Shared by RecallParse and RememberParse: no training, no change to training data."""

    def __init__(self, config: dict[str, Any], model_id: str | None) -> None:
        self.component_config = config
        self.memory = memory_for(model_id)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.model_id)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(FEATURIZER, is_trainable=False)
class RecallParse(_ParseMemoryComponent, GraphComponent):
    """Gives a short message this model has parsed before that same parse; later components skip it."""

    def process(self, messages: list[Message]) -> list[Message]:
        if not _lean(self, "RecallParse"):
            return messages
        for message in messages:
            key = self.memory.key(message.get(TEXT))
            parse = self.memory.recall(key) if key is not None else None
            if parse is not None:
                spans = parse.pop(_REMEMBERED_SPANS, [])
                for name, value in parse.items():
                    message.set(name, value, add_to_output=True)
                message.set(TEXT_TOKENS, [Token(text, start, end, lemma=lemma) for start, end, text, lemma in spans])
                message.set(RECALLED, True)
        return messages


@DefaultV1Recipe.register(CLASSIFIER, is_trainable=False)
class RememberParse(_ParseMemoryComponent, GraphComponent):
    """Last in the pipeline: remembers the parse of each short message parsed in full."""

    def process(self, messages: list[Message]) -> list[Message]:
        if not _lean(self, "RememberParse"):
            return messages
        for message in messages:
            if message.get(RECALLED):
                continue
            key = self.memory.key(message.get(TEXT))
            if key is not None:
                parse = {
                    name: value
                    for name, value in message.data.items()
                    if name in message.output_properties and name not in _NOT_REMEMBERED and value is not None
                }
                tokens = message.get(TEXT_TOKENS) or []
                parse[_REMEMBERED_SPANS] = [(token.start, token.end, token.text, token.lemma) for token in tokens]
                self.memory.remember(key, parse)
        return messages


def _not_recalled(messages: list[Message]) -> list[Message]:
    return [message for message in messages if not message.get(RECALLED)]


# --- Rasa's components, skipping recalled messages and doing less at inference ----------------


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MODEL_LOADER, FEATURIZER], is_trainable=False, model_from="LeanSpacyNLP")
class LeanSpacyNLP(SpacyNLP):
    """Rasa's SpacyNLP (the spaCy pipeline over each message); skips messages given a remembered parse."""

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        to_do = _not_recalled(messages)
        if to_do:
            super().process(to_do, model)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LeanSpacyTokenizer(SpacyTokenizer):
    """Rasa's SpacyTokenizer; skips messages given a remembered parse (which brings their tokens)."""

    def process(self, messages: list[Message]) -> list[Message]:
        to_do = _not_recalled(messages)
        if to_do:
            super().process(to_do)
        return messages


@DefaultV1Recipe.register(FEATURIZER, is_trainable=True)
class LeanRegexFeaturizer(RegexFeaturizer):
    """Rasa's RegexFeaturizer; skips messages given a remembered parse."""

    def process(self, messages: list[Message]) -> list[Message]:
        to_do = _not_recalled(messages)
        if to_do:
            super().process(to_do)
        return messages


@DefaultV1Recipe.register(FEATURIZER, is_trainable=True)
class LeanCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's CountVectorsFeaturizer; at inference it makes only the sentence row (the classifier's
    input) and skips messages given a remembered parse. Training data gets every feature, as before."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        super().process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if not _lean(self, "LeanCountVectorsFeaturizer") or self.vectorizers is None:
            return super().process(messages)
        for message in _not_recalled(messages):
            for attribute in self._attributes:
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                sentence = self._sentence_row(attribute, tokens)
                self.add_features_to_message(None, sentence, attribute, message)
        return messages

    def _sentence_row(self, attribute: str, tokens: list[str]):
        """The sentence part of ``CountVectorsFeaturizer._create_features`` for one message."""
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer or not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
            return None
        row = vectorizer.transform([" ".join(tokens)])
        row.sort_indices()
        return row.tocoo()


@DefaultV1Recipe.register(CLASSIFIER, is_trainable=True)
class LeanLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier; builds its input row in one step and skips messages given
    a remembered parse."""

    def process(self, messages: list[Message]) -> list[Message]:
        to_do = _not_recalled(messages)
        if to_do:
            super().process(to_do)
        return messages

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        if not _lean(self, "LeanLogisticRegressionClassifier"):
            return super()._create_X(messages)
        rows = [_sparse_sentence_blocks(message) for message in messages]
        if not rows or any(blocks is None for blocks in rows):
            return super()._create_X(messages)
        stacked = [_one_row(blocks) for blocks in rows]
        return stacked[0] if len(stacked) == 1 else vstack(stacked, format="csr")


def _sparse_sentence_blocks(message: Message) -> list | None:
    """The message's sparse sentence blocks in featurizer order; None when Rasa's own path is needed."""
    blocks = []
    for features in message.features:
        if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
            continue
        if not features.is_sparse():
            return None
        blocks.append(features.features)
    return blocks or None


def _one_row(blocks: list) -> csr_matrix:
    """``hstack(blocks, format="csr")`` for one-row blocks, without scipy's general machinery."""
    if any(block.shape[0] != 1 for block in blocks):
        return hstack(blocks, format="csr")
    data, columns, width = [], [], 0
    for block in blocks:
        block = block.tocoo()
        data.append(block.data)
        columns.append(block.col + width)
        width += block.shape[1]
    data = np.concatenate(data)
    return csr_matrix((data, np.concatenate(columns), np.array([0, len(data)])), shape=(1, width))


@DefaultV1Recipe.register(CLASSIFIER, is_trainable=False)
class LeanFallbackClassifier(FallbackClassifier):
    """Rasa's FallbackClassifier; skips messages given a remembered parse (already decided)."""

    def process(self, messages: list[Message]) -> list[Message]:
        to_do = _not_recalled(messages)
        if to_do:
            super().process(to_do)
        return messages
