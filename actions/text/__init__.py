"""Text tools built on spaCy: the project's own pipeline, matching, redaction and themes."""

import sys


def avoid_tensorflow() -> None:
    """Stop spaCy's thinc from importing TensorFlow (seconds of start-up and hundreds of MB) in our own processes.

    thinc imports TensorFlow opportunistically when it is installed (Rasa
    installs it). Our spaCy pipeline never uses it. Only call this at the
    start of a process that will not run Rasa itself (CLI, action server, portal).
    """
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
