"""A draft consultation for the preview tests (not in seeds/): residents must never see it."""

from __future__ import annotations

from pathlib import Path

SLUG = "riverside-allotments"
SUMMARY = "forty new allotment plots on the old Riverside depot"
# What an officer's saved edit changes: the summary (a new version of the same draft).
EDITED_SUMMARY = "sixty new allotment plots and a community orchard on the old Riverside depot"
DRAFT_YAML = """\
slug: {slug}
title: Riverside allotments
status: draft
opens: 2027-01-10
closes: 2027-02-28
wards: [all]
topics: [parks]
keywords: [allotments, allotment plots, riverside depot]
summary: We propose {summary}, with a shared shed and water supply.
faqs:
  - question: How much will a plot cost?
    answer: A full plot will cost 60 pounds a year, and half plots 30 pounds.
questions:
  - id: support
    type: scale
    text: How far do you agree with turning the depot into allotments?
    scale: agree5
  - id: size
    type: choice
    text: Which size of plot would you want?
    options: [Full plot, Half plot, No plot]
  - id: ideas
    type: text
    text: What else should the allotments have?
    required: false
"""


def write_draft(path: Path, summary: str = SUMMARY) -> Path:
    path.write_text(DRAFT_YAML.format(slug=SLUG, summary=summary), encoding="utf-8")
    return path
