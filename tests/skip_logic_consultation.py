"""A consultation with skip logic and "other, please specify", written for the tests (not in seeds/).

Questions, in order:
1. travel (multi, with other: true)            always
2. parking (scale, satisfied5)                    only if travel includes Car
3. trips (number 0-50)                            always
4. season (choice, other: "Something else ...")   only if trips is at least 3
5. support (scale, agree5)                        always
6. why_not (text, required)                       only if support is Disagree or Strongly disagree
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

SLUG = "ferry-terminal-timetable"
FERRY_YAML = f"""\
slug: {SLUG}
title: Ferry terminal timetable
status: open
opens: 2026-11-01
closes: 2026-12-20
wards: [all]
topics: [transport]
keywords: [ferry, ferry terminal]
summary: We propose a new winter timetable for the Millbrook ferry, with fewer early sailings and a later last boat.
questions:
  - id: travel
    type: multi
    text: How do you usually get to the ferry terminal?
    options: [Car, Bus, Bicycle, Walking]
    other: true
  - id: parking
    type: scale
    text: How satisfied are you with parking at the ferry terminal?
    scale: satisfied5
    ask_if: {{question: travel, includes: Car}}
  - id: trips
    type: number
    text: About how many ferry trips do you make in a month?
    min: 0
    max: 50
  - id: season
    type: choice
    text: When do you travel most?
    options: [Summer, Winter]
    other: "Something else (please tell us)"
    ask_if: {{question: trips, at_least: 3}}
  - id: support
    type: scale
    text: How far do you agree with the new winter timetable?
    scale: agree5
  - id: why_not
    type: text
    text: What worries you about the new timetable?
    ask_if: {{question: support, one_of: [Disagree, Strongly disagree]}}
"""


def ferry_document() -> dict:
    return yaml.safe_load(FERRY_YAML)


def write_ferry(path: Path, change=None) -> Path:
    """The consultation as a YAML file; ``change(document)`` edits it first (an officer's later version)."""
    document = copy.deepcopy(ferry_document())
    if change is not None:
        change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
