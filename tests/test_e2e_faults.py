"""Faults, end to end against the real servers: each ends with the resident told the truth and nothing lost or duplicated."""

from __future__ import annotations

import concurrent.futures
import os
import time
import urllib.parse

import pytest
from sqlalchemy import func, select, text

from actions.store.db import engine_for
from actions.store.identity import hash_sender
from actions.store.models import ResponseRow
from actions.store.repository import Store
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.servers import MARKET_SQUARE_TO_COMMENT, MARKET_SQUARE_TO_REVIEW, RunningAssistant, conversation_key, http

pytestmark = pytest.mark.e2e


def needs_postgres() -> str:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL must be set in CI")
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    return POSTGRES_URL


def submitted(store: Store, channel: str, sender: str) -> int:
    with store.session() as session:
        return session.scalar(
            select(func.count())
            .select_from(ResponseRow)
            .where(ResponseRow.status == "submitted", ResponseRow.sender_hash == hash_sender(store.sender_salt, channel, sender))
        )


def test_database_down_at_submit_then_back_saves_exactly_once(tmp_path):
    from tests.tcp_proxy import TcpProxy

    url = urllib.parse.urlsplit(needs_postgres())
    reset_postgres(POSTGRES_URL)
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 5432).start()
    proxied = POSTGRES_URL.replace(f"{url.hostname}:{url.port or 5432}", f"127.0.0.1:{proxy.port}")
    assistant = RunningAssistant(
        tmp_path,
        database_url=proxied,
        extra_env={"HYS_TODAY": "2026-11-22", "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"},
    ).start()
    try:
        for message in MARKET_SQUARE_TO_REVIEW:
            assistant.texts("db-fault", message)
        proxy.cut()
        failed = assistant.texts("db-fault", "submit")
        assert "couldn't save your response just now" in failed and "Your answers are kept" in failed
        proxy.restore()
        saved = assistant.texts("db-fault", "submit")
        assert "Your reference is MB-" in saved
        assert "Your reference is" not in assistant.texts("db-fault", "submit")
        store = Store(POSTGRES_URL, assistant.env["SENDER_HASH_SALT"])
        assert submitted(store, "rest", "db-fault") == 1
        reference = saved.split("Your reference is ")[1].split(".")[0]
        assert store.response_answers(reference)["support"] == "Agree"
    finally:
        assistant.stop()
        proxy.cut()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    running = RunningAssistant(
        tmp_path_factory.mktemp("faults"), extra_env={"HYS_TODAY": "2026-11-22", "RATE_LIMIT_PER_SENDER": "25"}
    ).start()
    yield running
    running.stop()


def test_restarting_the_rasa_server_mid_survey_resumes_at_the_same_question(assistant):
    for message in ["I want to have my say on the cycle lane", "yes", "no", "no", "agree"]:
        assistant.texts("rasa-restart", message)
    assistant.stop_process("rasa")
    assistant.start_process("rasa")
    assistant.wait_for("rasa", f"{assistant.base_url}/status?token={assistant.token}")
    reply = assistant.texts("rasa-restart", "the painted one")
    assert "Question 3 of 6" in reply


def test_two_tabs_answering_at_once_keep_one_consistent_response(assistant):
    who = "two-tabs"
    for message in ["i'd like to have a say about market square", "yes", "no", "no"]:
        assistant.texts(who, message)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda text: assistant.texts(who, text), ["agree", "disagree"]))
    # Rasa's lock store processes them one after the other: one tab answers question 1, and the
    # other tab's message is then read as an answer to question 2, where it doesn't fit and is re-asked.
    assert all("Question 2 of 4" in r for r in replies)
    assert sum("couldn't match" in r or "Please" in r for r in replies) == 1
    tracker = assistant.tracker(who)
    state = tracker["slots"]["survey"]
    assert state["answers"]["support"] in ("Agree", "Disagree") and list(state["answers"]).count("support") == 1


def test_the_per_sender_limit_asks_residents_to_slow_down_without_losing_anything(assistant):
    who = "too-fast"
    replies = [assistant.texts(who, "hello") for _ in range(27)]
    assert any("faster than I can answer" in r for r in replies)
    assert "Millbrook" in replies[0]


def test_delete_everything_in_the_chat_withdraws_and_erases_the_conversation(assistant):
    who = "erase-me"
    for message in MARKET_SQUARE_TO_REVIEW + ["submit"]:
        reply = assistant.texts(who, message)
    reference = reply.split("Your reference is ")[1].split(".")[0]
    assert "Shall I go ahead?" in assistant.texts(who, "delete everything you hold about me")
    done = assistant.texts(who, "yes")
    assert reference in done and "erased" in done
    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    assert store.response_summary(reference)["status"] == "withdrawn"
    deadline = time.monotonic() + 20
    while True:
        with engine_for(assistant.database_url).connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": conversation_key("rest", who)}
            ).scalar()
        if left == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert left == 0


def test_logs_never_contain_what_residents_typed(assistant):
    who = "log-check"
    for message in [*MARKET_SQUARE_TO_COMMENT, "Email me on secret.person@example.com or 07700 900999"]:
        assistant.texts(who, message)
    logs = assistant.log("rasa") + assistant.log("actions")
    assert "secret.person@example.com" not in logs and "07700 900999" not in logs


def test_health_endpoints(assistant):
    import urllib.request

    with urllib.request.urlopen(f"{assistant.base_url}/", timeout=10) as reply:
        assert reply.status == 200 and b"Hello from Rasa" in reply.read()
    assert http("GET", f"http://127.0.0.1:{assistant.action_port}/health")[0] == 200


def test_purge_deletes_only_idle_conversations(assistant):
    from actions.retention import purge

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    assistant.texts("purge-recent", "hello")
    far_future = time.time() + 40 * 86400
    report = purge(store, assistant.database_url, 30, dry_run=True, now=time.time())
    assert report.conversations == 0
    report = purge(store, assistant.database_url, 30, now=far_future)
    assert report.conversations >= 1 and report.events > 0
    with engine_for(assistant.database_url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar() == 0
    assert purge(store, assistant.database_url, 30, now=far_future).conversations == 0  # idempotent, safe for cron
