"""The printable paper form (.docx): generated for every seeded consultation, it lists every question with
its answers in order, the office-use reference box and the privacy notice, and says when to skip a question."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import docx
import pytest
import yaml

from actions.content.files import read_bundle
from actions.content.validate import validate_consultation
from actions.survey.paper_form import paper_form
from tests.conftest import PROJECT_ROOT, SEEDS
from tests.skip_logic_consultation import ferry_document

SEED_FILES = sorted(path for path in SEEDS.glob("*.yml") if path.name != "wards.yml")
PRIVACY_URL = yaml.safe_load((SEEDS / "wards.yml").read_text())["council"]["privacy_notice_url"]
BUILT_IN_SCALES = {
    "agree5": ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"],
    "satisfied5": ["Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied", "Very dissatisfied"],
    "likely5": ["Very likely", "Likely", "Neither likely nor unlikely", "Unlikely", "Very unlikely"],
    "support5": ["Strongly support", "Support", "Neither support nor oppose", "Oppose", "Strongly oppose"],
}


@pytest.fixture(scope="module")
def seeded():
    bundle = read_bundle([SEEDS], known_wards=set())
    return {consultation.slug: consultation for consultation in bundle.consultations}, bundle.council.council


def lines_of(data: bytes) -> list[str]:
    """Every paragraph and table cell of the document, in reading order (tables first: the office box)."""
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return cells + [paragraph.text for paragraph in document.paragraphs]


def expected_answers(question: dict) -> list[str]:
    """What a resident can tick, read from the YAML as the officer wrote it."""
    if question["type"] == "scale":
        scale = question.get("scale", "agree5")
        return [*(scale if isinstance(scale, list) else BUILT_IN_SCALES[scale]), "Don't know"]
    if question["type"] == "yesno":
        return ["Yes", "No"]
    return [option["label"] if isinstance(option, dict) else str(option) for option in question.get("options", [])]


@pytest.mark.parametrize("path", SEED_FILES, ids=[path.stem for path in SEED_FILES])
def test_every_seeded_consultation_has_a_paper_form_listing_every_question_in_order(seeded, path):
    written = yaml.safe_load(path.read_text())
    consultations, council = seeded
    lines = lines_of(paper_form(consultations[written["slug"]], council, retention_months=12))
    headings = [line for line in lines if line[:1].isdigit() and ". " in line]
    assert headings == [f"{number}. {question['text']}" for number, question in enumerate(written["questions"], start=1)]
    positions = [lines.index(heading) for heading in headings] + [lines.index("About you (optional)")]
    for number, question in enumerate(written["questions"]):
        section = lines[positions[number] + 1 : positions[number + 1]]  # up to the next question
        for answer in expected_answers(question):
            assert any(line.endswith(f"  {answer}") for line in section), (question["id"], answer)
    assert "Reference" in lines and "For office use" in lines  # the box staff write the keyed-in reference in
    assert f"Full privacy notice: {PRIVACY_URL}" in lines
    assert any("up to 12 months after the decision" in line for line in lines)


def test_skip_logic_and_other_please_specify_on_paper(seeded):
    _, council = seeded
    ferry = validate_consultation(ferry_document(), "ferry.yml")
    lines = lines_of(paper_form(ferry, council, retention_months=12))
    routing = [line for line in lines if line.startswith("Answer this question only if")]
    assert routing == [
        'Answer this question only if you ticked "Car" in question 1. Otherwise leave it blank and go on to the next question.',
        "Answer this question only if your answer to question 3 is 3 or more. "
        "Otherwise leave it blank and go on to the next question.",
        'Answer this question only if you answered "Disagree" or "Strongly disagree" to question 5. '
        "Otherwise leave it blank and go on to the next question.",
    ]
    assert "☐  Other (please specify): " + "_" * 40 in lines
    assert "☐  Something else (please tell us): " + "_" * 40 in lines


def test_the_command_writes_a_form_for_every_consultation(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "HYS_VAR_DIR": str(tmp_path)}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "actions.cli", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("load", str(SEEDS)).returncode == 0
    made = run("paper-form", "--out", str(tmp_path / "forms"))
    assert made.returncode == 0, made.stderr
    slugs = sorted(yaml.safe_load(path.read_text())["slug"] for path in SEED_FILES)
    assert sorted(path.name for path in (tmp_path / "forms").iterdir()) == [f"{slug}-paper-form.docx" for slug in slugs]
    assert run("paper-form", "no-such-consultation").returncode == 2
