"""The trained model still understands residents: held-out intent accuracy stays above a floor.

The held-out examples in tests/nlu/ are never trained on. The exact numbers
are reported in the README and by `make bench`; this guards against regressions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e
MODEL = PROJECT_ROOT / "models" / "haveyoursay.tar.gz"


def test_held_out_intent_accuracy(tmp_path: Path):
    assert MODEL.exists(), "train first: make train"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run(
        [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "tests/nlu", "--model", str(MODEL), "--out", str(tmp_path)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    report = json.loads((tmp_path / "intent_report.json").read_text())
    assert report["accuracy"] >= 0.9, report["accuracy"]
    assert report["macro avg"]["f1-score"] >= 0.9
    weak = {
        intent: scores["f1-score"]
        for intent, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and scores["f1-score"] < 0.6
    }
    assert not weak, f"intents the model barely understands: {weak}"
