"""Turn credentials.yml into the file Rasa reads: only channels whose variables are all set.

Rasa fails at start-up if a ${VARIABLE} in credentials.yml is unset, so a
council that has not set up, say, Slack could not start at all. Instead each
channel section is kept only when every variable it uses is set; optional keys
(OPTIONAL_KEYS) are dropped when their variable is unset.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

VARIABLE = re.compile(r"\$\{(\w+)\}")
OPTIONAL_KEYS = {"api_base", "graph_url"}  # test stand-ins and gateways; the real service when unset


def _variables(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(VARIABLE.findall(value))
    if isinstance(value, dict):
        return set().union(*(_variables(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_variables(v) for v in value)) if value else set()
    return set()


def _expand(value: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return VARIABLE.sub(lambda match: environ.get(match.group(1), ""), value)
    if isinstance(value, dict):
        return {key: _expand(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, environ) for item in value]
    return value


def effective_credentials(
    template: Path, environ: Mapping[str, str] | None = None
) -> tuple[dict, list[str], dict[str, list[str]]]:
    """Returns (credentials for Rasa, enabled channel classes, {disabled class: missing variables})."""
    environ = os.environ if environ is None else environ
    document = yaml.safe_load(template.read_text(encoding="utf-8")) or {}
    enabled: list[str] = []
    disabled: dict[str, list[str]] = {}
    result: dict[str, Any] = {}
    for channel, settings in document.items():
        settings = dict(settings or {})
        for key in OPTIONAL_KEYS & set(settings):
            if any(not environ.get(name) for name in _variables(settings[key])):
                del settings[key]
        missing = sorted(name for name in _variables(settings) if not environ.get(name))
        if missing:
            disabled[channel] = missing
            continue
        result[channel] = _expand(settings, environ) or None
        enabled.append(channel)
    return result, enabled, disabled


def write_effective_credentials(
    template: Path, target: Path, environ: Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, list[str]]]:
    credentials, enabled, disabled = effective_credentials(template, environ)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(credentials, sort_keys=False), encoding="utf-8")
    target.chmod(0o600)  # it holds channel secrets
    return enabled, disabled
