"""Train the Rasa model only when its inputs changed.

The fingerprint is a SHA-256 over config.yml, domain.yml and every file
under data/, stored next to the model. ``make run`` calls ``ensure_trained``;
``make train`` forces a retrain.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from .servers import MODEL_NAME
from .settings import PROJECT_ROOT, get_settings

TRAINING_INPUTS = ("config.yml", "domain.yml", "data")


def training_files(root: Path = PROJECT_ROOT) -> list[Path]:
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return files


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_is_current() -> bool:
    models = get_settings().models_dir
    stamp = models / f"{MODEL_NAME}.fingerprint"
    model = models / f"{MODEL_NAME}.tar.gz"
    return model.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint()


def train() -> None:
    models = get_settings().models_dir
    models.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    command = [sys.executable, "-m", "rasa", "train", "--fixed-model-name", MODEL_NAME, "--out", str(models), "--force"]
    subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True)
    (models / f"{MODEL_NAME}.fingerprint").write_text(fingerprint() + "\n")


def ensure_trained() -> bool:
    """Train if the model is missing or stale. Returns True if it trained."""
    if model_is_current():
        return False
    train()
    return True


if __name__ == "__main__":
    force = "--force" in sys.argv
    if force:
        train()
    elif ensure_trained():
        print("Model trained.")
    else:
        print("Model is up to date; not retraining.")
