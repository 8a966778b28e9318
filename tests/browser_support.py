"""Helpers for headless-Chromium tests (Debian's chromium driven by playwright-core from npm)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import PROJECT_ROOT


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
    if not path or not (PROJECT_ROOT / "node_modules" / "playwright-core").exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium and run npm ci (see .ci/run and make setup)")
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium) and `npm ci`")
    return path


def run_node(script: str, config: dict, timeout: int = 180) -> dict:
    env = {**os.environ, "CHROMIUM_PATH": chromium_path()}
    result = subprocess.run(
        ["node", script, json.dumps(config)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
