"""Several Rasa processes sharing PostgreSQL (tracker store and responses) and a Redis lock store.

The production shape on one machine (docs/deployment.md): the first Rasa server runs two Sanic
workers behind one port, and a second Rasa server runs beside it, so three Rasa processes share
the conversations. One conversation's messages alternate between the two servers (and so reach
whichever worker accepts the connection); the dialogue state and the stored response must come out
exactly as with one process. Then erasure and purge are checked against the PostgreSQL tracker store.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import text

from actions.store.db import engine_for
from actions.store.repository import Store
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.servers import MARKET_SQUARE_TO_REVIEW, PROJECT_ROOT, PYTHON, RunningAssistant, conversation_key, free_port, http

pytestmark = pytest.mark.e2e
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not (POSTGRES_URL and REDIS_URL):
        if os.environ.get("CI"):
            pytest.fail("CI must set TEST_DATABASE_URL and TEST_REDIS_URL")
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (Redis)")
    reset_postgres(POSTGRES_URL)
    redis = urllib.parse.urlsplit(REDIS_URL)
    env = {
        "HYS_TODAY": "2026-11-22",
        "RASA_ENDPOINTS_FILE": "endpoints.scaleout.yml",
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": (redis.path or "/0").strip("/") or "0",
        "SANIC_WORKERS": "2",
    }
    first = RunningAssistant(tmp_path_factory.mktemp("scale"), database_url=POSTGRES_URL, extra_env=env).start()
    second_port = free_port()
    second_env = {**first.env, "RASA_PORT": str(second_port), "SANIC_WORKERS": "1"}
    log = open(first.workdir / "rasa2.log", "ab")
    second = subprocess.Popen(
        [PYTHON, "-m", "actions.servers", "rasa"], cwd=PROJECT_ROOT, env=second_env, stdout=log, stderr=subprocess.STDOUT
    )
    second_url = f"http://127.0.0.1:{second_port}"
    deadline = time.monotonic() + 240
    while not _ready(f"{second_url}/status?token={first.token}"):
        assert second.poll() is None, "the second Rasa server exited"
        assert time.monotonic() < deadline, "the second Rasa server did not start"
        time.sleep(0.5)
    yield first, second_url
    second.terminate()
    second.wait(timeout=30)
    first.stop()


def _ready(url: str) -> bool:
    try:
        return http("GET", url, timeout=2)[0] == 200
    except OSError:
        return False


def say(url: str, sender: str, message: str) -> str:
    status, body = http("POST", f"{url}/webhooks/rest/webhook", {"sender": sender, "message": message})
    assert status == 200, body
    return "\n".join(m.get("text", "") for m in body)


def worker_processes(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()]


def test_the_first_server_runs_two_warm_sanic_workers(cluster):
    first, _second_url = cluster
    assert len(worker_processes(first.processes["rasa"].pid)) == 2
    deadline = time.monotonic() + 60  # a worker can still be warming up when the other answers first
    while first.log("rasa").count("rasa_server.warm") < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert first.log("rasa").count("rasa_server.warm") == 2, "each worker loads the model and warms up"


def test_one_conversation_alternating_between_two_servers(cluster):
    first, second_url = cluster
    urls = [first.base_url, second_url]
    script = [
        "I want to have my say on the cycle lane",
        "yes",
        "no",
        "yes",
        "agree",
        "the painted one",
        "parking and cost",
        "12",
        "no",
        "The junction needs a crossing",
        "MB1 2AB",
        "45-54",
        "submit",
    ]
    replies = [say(urls[i % 2], "scale-resident", message) for i, message in enumerate(script)]
    assert "Question 2 of 6" in replies[4] and "Question 3 of 6" in replies[5] and "postcode" in replies[9]
    reference = replies[-1].split("Your reference is ")[1].split(".")[0]
    store = Store(POSTGRES_URL, first.env["SENDER_HASH_SALT"])
    assert store.response_answers(reference) == {
        "support": "Agree",
        "design": "Option B - painted lane with wands",
        "concerns": ["Loss of parking", "Cost"],
        "trips": 12,
        "cycle_more": "No",
        "comments": "The junction needs a crossing",
    }
    key = conversation_key("rest", "scale-resident")
    tracker_a = http("GET", f"{first.base_url}/conversations/{key}/tracker?token={first.token}")[1]
    tracker_b = http("GET", f"{second_url}/conversations/{key}/tracker?token={first.token}")[1]
    assert len(tracker_a["events"]) == len(tracker_b["events"])  # both read the same shared conversation

    # Erasure by reference, against the PostgreSQL tracker store.
    erased = first.cli("erase", reference)
    assert erased.returncode == 0, erased.stderr
    with engine_for(POSTGRES_URL).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": key}).scalar() == 0
    assert store.response_summary(reference)["status"] == "withdrawn"


def test_delete_everything_in_the_chat_on_postgresql(cluster):
    first, second_url = cluster
    who = "scale-eraser"
    for message in MARKET_SQUARE_TO_REVIEW:
        say(first.base_url, who, message)
    reference = say(second_url, who, "submit").split("Your reference is ")[1].split(".")[0]
    assert "Shall I go ahead?" in say(first.base_url, who, "delete everything you hold about me")
    assert reference in say(second_url, who, "yes")
    store = Store(POSTGRES_URL, first.env["SENDER_HASH_SALT"])
    assert store.response_summary(reference)["status"] == "withdrawn" and store.response_answers(reference) == {}
    deadline = time.monotonic() + 20
    while True:
        with engine_for(POSTGRES_URL).connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": conversation_key("rest", who)}
            ).scalar()
        if left == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert left == 0


def test_purge_on_postgresql(cluster):
    from actions.retention import purge

    first, _second = cluster
    say(first.base_url, "scale-idle", "hello")
    store = Store(POSTGRES_URL, first.env["SENDER_HASH_SALT"])
    assert purge(store, POSTGRES_URL, 30).conversations == 0
    report = purge(store, POSTGRES_URL, 30, now=time.time() + 40 * 86400)
    assert report.conversations >= 1
    with engine_for(POSTGRES_URL).connect() as connection:
        idle = {"s": conversation_key("rest", "scale-idle")}
        assert connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), idle).scalar() == 0
