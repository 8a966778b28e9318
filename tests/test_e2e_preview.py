"""Issue 18, live preview, end to end through the real Rasa server and action server over the widget's
socket.io channel: an officer's grant lets one conversation see one draft and run its whole survey, and
nothing is stored; a forged, expired, other-slug or other-conversation grant, a signed-out officer, and
residents see nothing of the draft."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sqlite3
import time
import uuid

import pytest
import socketio

from actions.dialogue.preview import PREVIEW_ENDED
from actions.retention import purge
from actions.store.accounts import add_user
from actions.store.models import ResponseRow, UnansweredRow
from actions.store.previews import mint_grant
from actions.store.repository import Store
from actions.store.sessions import end_session, start_session
from tests.preview_consultation import SLUG, SUMMARY, write_draft
from tests.servers import ACTION_TOKEN, E2E_SALT, RunningAssistant, conversation_key

pytestmark = pytest.mark.e2e
TODAY = "2026-11-22"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("preview")
    running = RunningAssistant(workdir, extra_env={"HYS_TODAY": TODAY}).start()
    loaded = running.cli("load", str(write_draft(workdir / "riverside-allotments.yml")))
    assert loaded.returncode == 0, loaded.stderr
    yield running
    running.stop()


@pytest.fixture(scope="module")
def store(assistant) -> Store:
    return Store(assistant.database_url, E2E_SALT)


@pytest.fixture(scope="module")
def officer(store) -> int:
    return add_user(store, "planning.officer@millbrook.gov.uk", "a long enough password", "officer").id


def signed_in(store: Store, user_id: int) -> str:
    return start_session(store, user_id)


class Chat:
    """One widget conversation over socket.io, as the browser holds it: a confirmed session, then messages."""

    def __init__(self, assistant, session_id: str, metadata: dict | None = None):
        self.assistant, self.session_id, self.metadata = assistant, session_id, dict(metadata or {})

    def run(self, messages: list[str]) -> list[str]:
        """Send each message and return, per message, everything the assistant said back (joined)."""

        async def talk() -> list[str]:
            client = socketio.AsyncClient()
            confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
            replies: list[dict] = []
            client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
            client.on("bot_uttered", lambda data: replies.append(data))
            origin = self.assistant.env["WEBSITE_ORIGINS"].split(",")[0]
            await client.connect(self.assistant.base_url, headers={"Origin": origin}, transports=["polling"])
            await client.emit("session_request", {"session_id": self.session_id})
            assert await asyncio.wait_for(confirmed, 20) == self.session_id
            said: list[str] = []
            for message in messages:
                replies.clear()
                metadata = dict(self.metadata, consultation=SLUG) if message == "/greet" else self.metadata
                await client.emit("user_uttered", {"message": message, "session_id": self.session_id, "metadata": metadata})
                waited = 0.0
                while not replies and waited < 30:
                    await asyncio.sleep(0.1)
                    waited += 0.1
                count = -1
                while count != len(replies):  # until the assistant has been quiet for a moment
                    count = len(replies)
                    await asyncio.sleep(0.8)
                said.append("\n".join(str(reply.get("text", "")) for reply in replies))
            await client.disconnect()
            return said

        return asyncio.run(talk())


def grant_for(store: Store, officer: int, slug: str = SLUG, **extra) -> tuple[str, str, str]:
    """(grant, widget session id, the officer's session token) for the latest version of ``slug``."""
    token = signed_in(store, officer)
    version = store.consultation(slug).version
    minted = mint_grant(ACTION_TOKEN, E2E_SALT, slug=slug, version=version, session_token=token, user_id=officer, **extra)
    return minted.grant, minted.session_id, token


def events_of(assistant, sender_key: str) -> list[dict]:
    path = assistant.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("select data from events where sender_id = ? order by id", (sender_key,)).fetchall()
    return [json.loads(row[0]) for row in rows]


def all_event_text(assistant) -> str:
    path = assistant.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return "\n".join(row[0] for row in connection.execute("select data from events"))


def counts(store: Store) -> tuple[int, int]:
    with store.session() as session:
        return session.query(ResponseRow).count(), session.query(UnansweredRow).count()


def test_an_officer_previews_the_draft_and_runs_the_whole_survey_and_nothing_is_stored(assistant, store, officer):
    grant, session_id, _token = grant_for(store, officer)
    before = counts(store)
    said = Chat(
        assistant, session_id, {"preview_grant": grant}
    ).run(
        [
            "/greet",
            "what is this about?",
            "how much will a plot cost?",
            "is there a swimming pool planned? email me at jo@example.com",  # not in the content: a resident's would be logged for officers
            "I'd like to have my say",
            "yes",
            "no",
            "no",
            "blue",  # not an answer to "how far do you agree", twice: a resident's would be logged too
            "purple",
            "agree",
            "half",
            "a tap near every plot",
            "MB1 2AB",
            "45-54",
            "submit",
        ]
    )
    assert SUMMARY in said[0]  # the deep link on /greet opens on the draft's summary
    assert SUMMARY in said[1]
    assert "60 pounds a year" in said[2]
    assert "can't find an answer" in said[3]
    assert "Great, let's start your response to Riverside allotments" in said[4]
    joined = "\n".join(said)
    for question in (
        "How far do you agree with turning the depot into allotments?",
        "Which size of plot would you want?",
        "What else should the allotments have?",
    ):
        assert question in joined
    assert "Here's a summary of your answers" in said[-2]
    assert "This is a preview: nothing was saved." in said[-1]
    assert "Your reference is" not in said[-1]

    assert counts(store) == before  # no response, no unanswered question
    assert store.unanswered_summary(SLUG) == []
    key = conversation_key("preview", session_id)
    stored = events_of(assistant, key)
    assert stored, "the preview conversation is kept under its own preview: key"
    assert not events_of(assistant, conversation_key("socketio", session_id))
    assert grant not in all_event_text(assistant) and "preview_grant" not in all_event_text(assistant)

    # Retention: an hour after its last event the preview conversation is deleted; residents' stay 30 days.
    resident = f"resident-{uuid.uuid4()}"
    assistant.texts(resident, "hello")
    purge(store, assistant.database_url, 30, now=time.time() + 2 * 3600)
    assert events_of(assistant, key) == []
    assert events_of(assistant, conversation_key("rest", resident))


def forged(grant: str, version: int) -> str:
    """A real grant for another consultation, rewritten to name this draft (its signature left as it was)."""
    body, signature = grant.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["slug"], payload["version"] = SLUG, version
    new_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{new_body}.{signature}"


def signed_with_another_key(grant: str) -> str:
    body, _ = grant.split(".")
    signature = hmac.new(b"not the server's key", body.encode(), hashlib.sha256).digest()
    return f"{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize("case", ["forged", "another key", "expired", "other slug", "other conversation", "signed out"])
def test_a_bad_grant_sees_nothing_of_the_draft(assistant, store, officer, case):
    grant, session_id, token = grant_for(store, officer)
    if case == "forged":
        grant, session_id, token = grant_for(store, officer, slug="westfield-leisure-centre")
        grant = forged(grant, store.consultation(SLUG).version)
    elif case == "another key":
        grant = signed_with_another_key(grant)
    elif case == "expired":
        grant, session_id, token = grant_for(store, officer, now=time.time() - 3600)
    elif case == "other slug":
        grant, session_id, token = grant_for(store, officer, slug="westfield-leisure-centre")
    elif case == "other conversation":
        session_id = str(uuid.uuid4())  # a valid grant, used from another widget session
    elif case == "signed out":
        end_session(store, token)
    before = counts(store)
    said = Chat(assistant, session_id, {"preview_grant": grant}).run(
        ["/greet", "tell me about the riverside allotments", "I'd like to have my say on the riverside allotments"]
    )
    joined = "\n".join(said)
    assert SUMMARY not in joined and "Riverside allotments" not in joined
    assert counts(store)[0] == before[0]
    if case != "signed out":
        assert "preview_grant" not in all_event_text(assistant)


def test_residents_never_see_the_draft(assistant, store, officer):
    said = Chat(assistant, str(uuid.uuid4())).run(["/greet", "tell me about the riverside allotments", "what's open?"])
    joined = "\n".join(said) + assistant.texts(f"resident-{uuid.uuid4()}", "tell me about the riverside allotments")
    assert SUMMARY not in joined and "Riverside allotments" not in joined


def test_an_officers_preview_does_not_change_what_residents_see_meanwhile(assistant, store, officer):
    grant, session_id, _ = grant_for(store, officer)
    previewing = Chat(assistant, session_id, {"preview_grant": grant})
    assert SUMMARY in previewing.run(["what is the riverside allotments consultation about?"])[0]
    resident = assistant.texts(f"resident-{uuid.uuid4()}", "what is the riverside allotments consultation about?")
    assert SUMMARY not in resident


def test_a_preview_that_ends_mid_survey_says_so_and_shows_nothing_more_of_the_draft(assistant, store, officer):
    """An officer who signs out (or whose grant runs out) mid-survey is told the preview ended, not that the
    consultation is gone; the next question of the draft is not shown."""
    grant, session_id, token = grant_for(store, officer)
    said = Chat(assistant, session_id, {"preview_grant": grant}).run(["/greet", "I'd like to have my say", "yes"])
    assert "Great, let's start your response to Riverside allotments" in said[1]
    end_session(store, token)
    after = Chat(assistant, session_id, {"preview_grant": grant}).run(["no"])[0]
    assert PREVIEW_ENDED in after
    assert "no longer available" not in after and "How far do you agree" not in after
