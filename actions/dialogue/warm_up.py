"""Everything the first residents would otherwise wait for, done before the action server reports ready.

On a fresh start the first burst of residents used to find the catalogue unbuilt (and, before it
had a lock, built by several threads at once), the stance classifier untrained, the sentence
encoder unloaded and each consultation's retrieval passages unprepared: 1-3 s for the first reply.
``actions.servers`` runs :func:`warm_up` in a ``before_server_start`` listener, so the action
server only opens its port (and answers ``/health``) once all of it is ready. Nothing here writes
to the database.

Then, unless ``HYS_SPEEDUPS=off``, everything alive is moved into the garbage collector's permanent
generation (``gc.freeze``), as the Rasa server does after its warm-up: the spaCy pipelines, the
catalogue and the classifiers are millions of objects that are never garbage, and the first full
collection under the first residents' load walked them all (a 90 ms stall, in the middle of the
first burst of replies).
"""

from __future__ import annotations

import gc
import logging
import time

from .. import speedups
from ..text.redaction import redact
from ..understanding import understand_answer
from ..understanding import warm_up as warm_up_understanding
from ..understanding.retrieval import answer_question
from .services import current_catalogue
from .survey import survey_for

logger = logging.getLogger(__name__)

SAMPLE_QUESTION = "what is this consultation about"
SAMPLE_ANSWER = "the first one"
SAMPLE_COMMENT = "Please call me on 07700 900123 about the junction by the station"


def warm_up() -> float:
    """Build the catalogue and prepare every visible consultation; returns the seconds it took."""
    started = time.monotonic()
    warm_up_understanding()
    content = current_catalogue()
    content.finder.find(SAMPLE_QUESTION)
    redact(SAMPLE_COMMENT)
    for consultation in content.consultations:
        answer_question(consultation, SAMPLE_QUESTION)
    for consultation in content.open_now():
        for medium in ("chat", "sms"):
            survey_for(consultation, content, medium)
        for question in consultation.questions:
            understand_answer(question, SAMPLE_ANSWER, consultation=consultation)
    if speedups.enabled():
        gc.collect()
        gc.freeze()
    seconds = time.monotonic() - started
    logger.info("action_server.warm seconds=%.2f consultations=%d", seconds, len(content.consultations))
    return seconds
