"""Text tools built on spaCy: the project's own pipeline, matching, redaction and themes."""
