"""Convert validated content to and from the JSON document kept in the store.

The stored document has the same shape as the YAML an officer writes, so the
store can be read back through the same validator (one definition of the format).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, replace
from typing import Any

from .model import Consultation, Question
from .validate import validate_consultation


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def question_document(question: Question) -> dict:
    return {"id": question.id, "type": question.type, "text": question.text, "required": question.required, **question.spec()}


def consultation_document(consultation: Consultation) -> dict:
    """The YAML-shaped document for a consultation, with optional empties left out."""
    data = asdict(consultation)
    data.pop("version")  # where the store keeps it, not part of the content
    data["questions"] = [question_document(question) for question in consultation.questions]
    document = _jsonable(data)
    return {key: value for key, value in document.items() if value not in (None, "", [])}


def consultation_from_document(document: dict, version: int | None = None) -> Consultation:
    consultation = validate_consultation(document, source="store")
    return replace(consultation, version=version) if version is not None else consultation


def content_hash(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def consultation_yaml(consultation: Consultation) -> str:
    """The consultation as a YAML file that `haveyoursay validate` and `load` accept (fields in the format's order)."""
    import yaml

    header = f"# {consultation.title}: version {consultation.version} exported from the review portal\n"
    return header + yaml.safe_dump(consultation_document(consultation), sort_keys=False, allow_unicode=True, width=100)
