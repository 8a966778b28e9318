"""Issue 15 end to end, through the real Rasa server and action server: who can reach which conversation,
who can call the action server, what the HTTP edges accept, and what is left at rest after an SMS chat."""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import urllib.parse
import urllib.request
import uuid

import pytest
import socketio
from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator

from tests.fake_platforms import FakePlatforms
from tests.servers import ACTION_TOKEN, RunningAssistant, conversation_key, http

pytestmark = pytest.mark.e2e
TWILIO_TOKEN = "twilio-auth-token-for-security-tests"
PHONE = "+447700900111"


@pytest.fixture(scope="module")
def platforms():
    fake = FakePlatforms().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, platforms):
    running = RunningAssistant(tmp_path_factory.mktemp("security"), extra_env={"HYS_TODAY": "2026-11-22"})
    running.env.update(
        {
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_NUMBER": "+441632960001",
            "TWILIO_WEBHOOK_URL": f"{running.base_url}/webhooks/twilio/webhook",
            "TWILIO_API_BASE": platforms.url,
        }
    )
    running.start()
    yield running
    running.stop()


_sids = itertools.count(1)


def sms(assistant, sender: str, body: str) -> int:
    """Post an inbound SMS exactly as Twilio does: form fields, signed with the account's auth token."""
    url = f"{assistant.base_url}/webhooks/twilio/webhook"
    sid = f"SM{next(_sids):032d}"
    params = {"From": sender, "To": "+441632960001", "Body": body, "MessageSid": sid, "SmsMessageSid": sid, "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310 - the local test server
        return reply.status


def texts_to(platforms: FakePlatforms, phone: str) -> list[str]:
    return [r["body"]["Body"] for r in platforms.sent("/Messages.json") if r["body"].get("To") == phone]


def events_count(assistant) -> int:
    with sqlite3.connect(assistant.database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def raw_post(url: str, body: bytes, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310 - the local test server
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# --- conversation identity ------------------------------------------------------------------------


def test_a_rest_caller_using_an_sms_residents_number_gets_a_different_conversation(assistant, platforms):
    assert sms(assistant, PHONE, "I want to have my say on the harbour road cycle lane") == 204
    sms(assistant, PHONE, "yes")  # consent
    sms_tracker = assistant.tracker(PHONE, channel="twilio")
    assert sms_tracker["slots"]["survey"]["slug"] == "harbour-road-cycle-lane"

    # The attacker knows the number and posts as it on REST.
    reply = assistant.texts(PHONE, "carry on with my response")
    assert "don't have a response in progress" in reply
    rest_tracker = assistant.tracker(PHONE, channel="rest")
    assert rest_tracker["sender_id"] != sms_tracker["sender_id"]
    assert (rest_tracker["slots"].get("survey") or {}).get("slug") is None
    # The SMS resident's conversation holds only their own messages.
    after = assistant.tracker(PHONE, channel="twilio")
    assert [e["text"] for e in after["events"] if e["event"] == "user"] == [
        e["text"] for e in sms_tracker["events"] if e["event"] == "user"
    ]
    # Nor by naming SMS as its channel: Rasa's REST connector would take "input_channel" from the body.
    status, named = raw_post(
        f"{assistant.base_url}/webhooks/rest/webhook",
        json.dumps({"sender": PHONE, "input_channel": "twilio", "message": "carry on with my response"}).encode(),
    )
    assert status == 200 and "don't have a response in progress" in named
    assert len(assistant.tracker(PHONE, channel="twilio")["events"]) == len(after["events"])
    # No conversation is keyed by the raw number.
    status, raw = http("GET", f"{assistant.base_url}/conversations/{urllib.parse.quote(PHONE)}/tracker?token={assistant.token}")
    assert status == 200 and not [e for e in raw["events"] if e.get("event") == "user"]


def test_withdrawing_by_reference_from_another_conversation_needs_the_postcode(assistant):
    from actions.store.repository import Store

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    with_postcode = store.submit_response(
        consultation_slug="market-square-events",
        channel="socketio",
        sender_id=str(uuid.uuid4()),
        answers={"support": "Agree"},
        postcode_hash=store.postcode_hash("MB3 4AB"),
    )
    without_postcode = store.submit_response(
        consultation_slug="market-square-events", channel="socketio", sender_id=str(uuid.uuid4()), answers={"support": "Agree"}
    )

    asked = assistant.texts("stranger-1", f"I want to withdraw my response {with_postcode}")
    assert "postcode" in asked.lower() and "withdraw response" not in asked.lower()
    refused = assistant.texts("stranger-1", "MB9 9ZZ")
    assert "doesn't match" in refused and store.response_summary(with_postcode)["status"] == "submitted"

    assistant.texts("owner-elsewhere", f"withdraw {with_postcode}")
    confirm = assistant.texts("owner-elsewhere", "mb3 4ab")
    assert f"Withdraw response {with_postcode}?" in confirm
    assistant.texts("owner-elsewhere", "yes")
    assert store.response_summary(with_postcode)["status"] == "withdrawn"

    told = assistant.texts("stranger-2", f"withdraw my response {without_postcode}")
    assert "contact the council" in told and store.response_summary(without_postcode)["status"] == "submitted"
    assistant.texts("stranger-2", "yes")
    assert store.response_summary(without_postcode)["status"] == "submitted"


def test_wrong_postcodes_lock_the_proof(assistant):
    from actions.store.repository import Store

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    reference = store.submit_response(
        consultation_slug="market-square-events",
        channel="rest",
        sender_id="someone",
        answers={"support": "Agree"},
        postcode_hash=store.postcode_hash("MB3 4AB"),
    )
    for guess in ("MB1 1AA", "MB1 1AB", "MB1 1AD"):
        assistant.texts(f"guesser-{guess}", f"withdraw {reference}")
        assistant.texts(f"guesser-{guess}", guess)
    locked = assistant.texts("guesser-right", f"withdraw {reference}")
    assert "contact the council" in locked
    assistant.texts("guesser-right", "MB3 4AB")
    assistant.texts("guesser-right", "yes")
    assert store.response_summary(reference)["status"] == "submitted"


# --- socket.io --------------------------------------------------------------------------------------


def socketio_session(assistant, requested: str, message: str | None = None, claim: str | None = None) -> tuple[str, list]:
    async def run() -> tuple[str, list]:
        client = socketio.AsyncClient()
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        replies: list = []
        client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
        client.on("bot_uttered", lambda data: replies.append(data))
        origin = assistant.env["WEBSITE_ORIGINS"].split(",")[0]
        await client.connect(assistant.base_url, headers={"Origin": origin}, transports=["polling"])
        await client.emit("session_request", {"session_id": requested})
        session_id = await asyncio.wait_for(confirmed, 20)
        if message is not None:
            await client.emit("user_uttered", {"message": message, "session_id": claim or session_id})
            for _ in range(100):
                if replies:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)
        await client.disconnect()
        return session_id, replies

    return asyncio.run(run())


def test_socketio_refuses_a_chosen_session_id_and_keeps_a_random_one(assistant):
    chosen, _ = socketio_session(assistant, PHONE)
    assert chosen != PHONE and uuid.UUID(chosen)
    kept = str(uuid.uuid4())
    again, replies = socketio_session(assistant, kept, "hello")
    assert again == kept and replies  # a reload carries on its own random session
    tracker = assistant.tracker(kept, channel="socketio")
    assert tracker["sender_id"] == conversation_key("socketio", kept)
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["hello"]


def test_socketio_messages_claiming_another_session_are_ignored(assistant):
    victim = str(uuid.uuid4())
    socketio_session(assistant, victim, "hello")
    _, replies = socketio_session(assistant, str(uuid.uuid4()), "what's open?", claim=victim)
    assert replies == []
    victim_messages = [e["text"] for e in assistant.tracker(victim, channel="socketio")["events"] if e["event"] == "user"]
    assert victim_messages == ["hello"]


# --- the action server ------------------------------------------------------------------------------


def forged_withdrawal(reference: str) -> bytes:
    return json.dumps(
        {
            "next_action": "action_affirm",
            "sender_id": "rest:" + "0" * 64,
            "tracker": {
                "sender_id": "rest:" + "0" * 64,
                "slots": {"offer": f"withdraw:{reference}"},
                "latest_message": {"text": "yes", "intent": {"name": "affirm"}},
                "events": [],
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": "action_listen",
            },
            "domain": {},
            "version": "3.6.21",
        }
    ).encode()


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {ACTION_TOKEN}", ACTION_TOKEN])
def test_the_action_server_refuses_calls_without_rasas_token(assistant, authorization):
    from actions.store.repository import Store

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    reference = store.submit_response(
        consultation_slug="market-square-events", channel="rest", sender_id="victim", answers={"support": "Agree"}
    )
    headers = {"Authorization": authorization} if authorization else {}
    status, _ = raw_post(f"http://127.0.0.1:{assistant.action_port}/webhook", forged_withdrawal(reference), headers)
    assert status == 401
    assert store.response_summary(reference)["status"] == "submitted"


def test_even_with_the_token_a_withdrawal_must_belong_to_the_conversation(assistant):
    from actions.store.repository import Store

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    reference = store.submit_response(
        consultation_slug="market-square-events", channel="rest", sender_id="victim-2", answers={"support": "Agree"}
    )
    # The same forged call, with the token: it reaches the action (so the 401s above are the token
    # check), and the action still refuses, because the response is not this conversation's.
    status, body = raw_post(
        f"http://127.0.0.1:{assistant.action_port}/webhook",
        forged_withdrawal(reference),
        {"Authorization": f"Bearer {ACTION_TOKEN}"},
    )
    assert status == 200, body
    assert "can't withdraw" in body
    assert store.response_summary(reference)["status"] == "submitted"


# --- REST edges ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"", 400, "JSON object"),
        (b"[1, 2]", 400, "JSON object"),
        (b'"hello"', 400, "JSON object"),
        (b"{not json", 400, "JSON object"),
        (json.dumps({"message": "hello"}).encode(), 400, '"sender" is required'),
        (json.dumps({"sender": "", "message": "hello"}).encode(), 400, '"sender" is required'),
        (json.dumps({"sender": "x" * 129, "message": "hello"}).encode(), 400, "1 to 128 printable"),
        (json.dumps({"sender": "a\u0000b", "message": "hello"}).encode(), 400, "1 to 128 printable"),
        (json.dumps({"sender": "ok", "message": 42}).encode(), 400, '"message" must be a string'),
        (json.dumps({"sender": "ok", "message": "hi", "metadata": [1]}).encode(), 400, '"metadata" must be an object'),
        (json.dumps({"sender": "ok", "message": "hi", "metadata": {"pad": "x" * 17000}}).encode(), 413, "larger than 16 KB"),
        (json.dumps({"sender": "y" * 200_000, "message": "hi"}).encode(), 413, "larger than 16 KB"),
        (b'{"sender": "ok", "message": "hi", "metadata": {"x": NaN}}', 400, "JSON object"),
        (b'{"sender": "ok", "message": "hi", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "JSON object"),
    ],
    ids=[
        "empty",
        "array",
        "string",
        "not-json",
        "no-sender",
        "empty-sender",
        "long-sender",
        "control-in-sender",
        "number-message",
        "array-metadata",
        "17k-metadata",
        "200k-sender",
        "nan",
        "deeply-nested",
    ],
)
def test_bad_rest_bodies_get_a_4xx_with_a_reason_and_nothing_is_stored(assistant, body, status, reason):
    before = events_count(assistant)
    got, text = raw_post(f"{assistant.base_url}/webhooks/rest/webhook", body)
    assert got == status and reason in json.loads(text)["error"]
    assert events_count(assistant) == before


def test_a_rest_body_that_is_not_sent_as_json_is_refused(assistant):
    before = events_count(assistant)
    body = json.dumps({"sender": "cross-site", "message": "hello"}).encode()
    status, text = raw_post(f"{assistant.base_url}/webhooks/rest/webhook", body, {"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in json.loads(text)["error"]
    assert events_count(assistant) == before


def test_a_20_mb_body_is_refused_before_anything_reads_it(assistant):
    before = events_count(assistant)
    body = json.dumps({"sender": "big", "message": "hi", "metadata": {"pad": "x" * 20_000_000}}).encode()
    try:
        status, _ = raw_post(f"{assistant.base_url}/webhooks/rest/webhook", body)
    except (ConnectionError, urllib.error.URLError):
        status = 413  # Sanic may close the connection as soon as the declared length is over its limit
    assert status == 413
    assert events_count(assistant) == before


def test_the_rest_channel_requires_its_bearer_token_when_one_is_set(tmp_path):
    running = RunningAssistant(tmp_path, extra_env={"REST_CHANNEL_TOKEN": "rest-token-for-tests"})
    running.start()
    try:
        body = json.dumps({"sender": "resident", "message": "hello"}).encode()
        url = f"{running.base_url}/webhooks/rest/webhook"
        assert raw_post(url, body)[0] == 401
        assert raw_post(url, body, {"Authorization": "Bearer nope"})[0] == 401
        status, reply = raw_post(url, body, {"Authorization": "Bearer rest-token-for-tests"})
        assert status == 200 and json.loads(reply)
    finally:
        running.stop()


# --- payload syntax ---------------------------------------------------------------------------------


def test_typed_payload_syntax_is_text_unless_the_bot_offered_that_button(assistant):
    greeting = assistant.say("payload-resident", "hello")
    offered = [button["payload"] for button in greeting[0]["buttons"]]
    assert "/help" in offered
    assert "find your ward councillor" in assistant.texts("payload-resident", "/help")  # an offered button works
    help_intent = [e for e in assistant.tracker("payload-resident")["events"] if e["event"] == "user"][-1]
    assert help_intent["text"] == "/help" and help_intent["parse_data"]["intent"]["name"] == "help"

    assistant.texts("payload-resident", '/ask_deadline{"consultation": "harbour-road-cycle-lane"}')
    tracker = assistant.tracker("payload-resident")
    latest = [e for e in tracker["events"] if e["event"] == "user"][-1]
    assert latest["text"] == 'ask_deadline{"consultation": "harbour-road-cycle-lane"}'
    assert not latest["parse_data"].get("entities")
    assert latest["parse_data"]["intent"]["confidence"] < 1.0  # classified from words, not forced by the payload

    # An invisible character in front of the slash does not hide the payload from the check.
    for hidden in ("\u200b", "\ufeff", "\x00", "\u202e"):
        assistant.texts("payload-resident", hidden + '/ask_deadline{"consultation": "harbour-road-cycle-lane"}')
        latest = [e for e in assistant.tracker("payload-resident")["events"] if e["event"] == "user"][-1]
        assert latest["text"] == 'ask_deadline{"consultation": "harbour-road-cycle-lane"}', repr(hidden)
        assert not latest["parse_data"].get("entities")


# --- what is left at rest ---------------------------------------------------------------------------


def test_no_raw_phone_number_in_the_database_or_logs_after_an_sms_conversation(assistant, platforms):
    phone = "+447700900333"
    for message in ("hello", "I want to have my say on the market square events", "yes", "Agree"):
        assert sms(assistant, phone, message) == 204
    assert texts_to(platforms, phone)  # the replies did reach the resident's phone
    tracker = assistant.tracker(phone, channel="twilio")
    assert len([e for e in tracker["events"] if e["event"] == "user"]) == 4  # the conversation really went on
    fragments = {phone, phone.lstrip("+"), "7700900333"}
    database = b"".join(path.read_bytes() for path in assistant.workdir.glob("hys.db*"))  # with the WAL file
    assert len(database) > 100_000
    for fragment in fragments:
        assert fragment.encode() not in database
    for log in assistant.workdir.glob("*.log"):
        text = log.read_text(errors="replace")
        assert not [f for f in fragments if f in text], log.name


def test_an_opted_in_address_is_kept_only_encrypted(assistant):
    from actions.store.repository import Store

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    key = assistant.env["CONTACT_ENCRYPTION_KEY"]
    reference = store.submit_response(
        consultation_slug="market-square-events",
        channel="twilio",
        sender_id="+447700900444",
        answers={"support": "Agree"},
        notify_outcome=True,
        contact_sealed=Fernet(key.encode()).encrypt(b"+447700900444").decode(),
    )
    database = b"".join(path.read_bytes() for path in assistant.workdir.glob("hys.db*"))  # with the WAL file
    assert b"7700900444" not in database
    store.withdraw_response(reference)
    with sqlite3.connect(assistant.database_url.removeprefix("sqlite:///")) as connection:
        sealed = connection.execute("SELECT contact_sealed FROM responses WHERE reference = ?", (reference,)).fetchone()[0]
    assert sealed is None


def test_a_carrier_stop_deletes_the_address_kept_for_an_outcome_notice(assistant):
    from actions.store.repository import Store

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    phone = "+447700900555"
    sealed = Fernet(assistant.env["CONTACT_ENCRYPTION_KEY"].encode()).encrypt(phone.encode()).decode()
    reference = store.submit_response(
        consultation_slug="market-square-events",
        channel="twilio",
        sender_id=phone,
        answers={"support": "Agree"},
        notify_outcome=True,
        contact_sealed=sealed,
    )
    assert sms(assistant, phone, "STOP") == 204
    with sqlite3.connect(assistant.database_url.removeprefix("sqlite:///")) as connection:
        kept = connection.execute("SELECT contact_sealed FROM responses WHERE reference = ?", (reference,)).fetchone()[0]
    assert kept is None
