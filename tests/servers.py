"""Start the real Rasa server and action server on free ports with a throwaway database.

Used by the end-to-end tests: they talk to the assistant over its REST
webhook exactly as a channel would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# A short, complete response to the Events in Market Square consultation, up to the review (then "submit").
MARKET_SQUARE_TO_REVIEW = [
    "i'd like to have a say about market square",
    "yes",
    "no",
    "no",
    "agree",
    "1",
    "no",
    "skip",
    "skip",
    "prefer not to say",
]
# ...and the same walk-through up to its comment question.
MARKET_SQUARE_TO_COMMENT = MARKET_SQUARE_TO_REVIEW[:7]


E2E_SALT = "e2e-salt"
ACTION_TOKEN = "e2e-action-server-token"


def conversation_key(channel: str, sender: str, salt: str = E2E_SALT) -> str:
    """The tracker key the channel edge gives a resident, written out here independently of actions/."""
    digest = hmac.new(salt.encode(), f"{channel}:{sender}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}:{digest}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, timeout: float = 30) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - loopback test servers
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


class RunningAssistant:
    def __init__(self, workdir: Path, database_url: str | None = None, extra_env: dict[str, str] | None = None):
        self.workdir = workdir
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.token = "e2e-test-token"
        self.database_url = database_url or f"sqlite:///{workdir / 'hys.db'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.database_url,
            "HYS_VAR_DIR": str(workdir),
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "RASA_AUTH_TOKEN": self.token,
            "SENDER_HASH_SALT": E2E_SALT,
            "ACTION_SERVER_TOKEN": ACTION_TOKEN,
            "CONTACT_ENCRYPTION_KEY": "q0mQ8dG7sUe3xHc2nW9yJ4kP6tZ1vB5aR8fL3oN0iE4=",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.portal_port = free_port()
        self.env.update(
            {
                "PORTAL_PORT": str(self.portal_port),
                "PORTAL_SECRET_KEY": "2v6b3nL0mZr8pQ4xK9sT1uW7yA5cE3gH6jN8qR0tV2w=",
                "PORTAL_ALLOW_HTTP": "true",  # the test portal is served over plain http://127.0.0.1
                "CHAT_SERVER_URL": f"http://127.0.0.1:{self.rasa_port}",
                "WEBSITE_ORIGINS": f"http://127.0.0.1:{self.portal_port}",
                **(extra_env or {}),
            }
        )
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "-m", "actions.cli", *args], cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )

    def start_process(self, name: str) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        module = ["-m", "actions.portal.app"] if name == "portal" else ["-m", "actions.servers", name]
        self.processes[name] = subprocess.Popen(
            [PYTHON, *module], cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start_portal(self) -> None:
        self.start_process("portal")
        self.wait_for("portal", f"http://127.0.0.1:{self.portal_port}/health")

    @property
    def portal_url(self) -> str:
        return f"http://127.0.0.1:{self.portal_port}"

    def wait_for(self, name: str, url: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited early; log:\n{self.log(name)[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise RuntimeError(f"{name} did not become ready; log:\n{self.log(name)[-3000:]}")

    def start(self) -> RunningAssistant:
        result = self.cli("load", str(PROJECT_ROOT / "seeds"))
        assert result.returncode == 0, result.stderr
        self.start_actions()
        self.start_process("rasa")
        self.wait_for("rasa", f"{self.base_url}/status?token={self.token}")
        return self

    def start_actions(self) -> None:
        self.start_process("actions")
        self.wait_for("actions", f"http://127.0.0.1:{self.action_port}/health")

    def stop_process(self, name: str, kill: bool = False) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.kill() if kill else process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def say(self, sender: str, text: str) -> list[dict]:
        status, body = http("POST", f"{self.base_url}/webhooks/rest/webhook", {"sender": sender, "message": text})
        assert status == 200, body
        return body

    def texts(self, sender: str, text: str) -> str:
        return "\n".join(message.get("text", "") for message in self.say(sender, text))

    def tracker(self, sender: str, channel: str = "rest") -> dict:
        """The conversation of ``sender`` on ``channel``, found by its key (channel + salted hash)."""
        status, body = http(
            "GET", f"{self.base_url}/conversations/{conversation_key(channel, sender)}/tracker?token={self.token}"
        )
        assert status == 200, body
        return body
