"""Messaging channels end to end: real webhook payloads, signed where the platform signs, posted to a running
Rasa server; outgoing messages land on a local stand-in for each platform's API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from actions.store.models import ResponseRow
from tests.conftest import PROJECT_ROOT
from tests.fake_platforms import FakePlatforms
from tests.servers import RunningAssistant
from tests.sms_residents import (
    SMS_SEGMENT_BUDGET,
    SMS_WALKTHROUGHS,
    SmsResident,
    billed_segments,
    complete_by_sms,
    sent_in_gsm7,
)

pytestmark = pytest.mark.e2e
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TELEGRAM_SECRET = "telegram-secret-for-tests"
FACEBOOK_SECRET = "facebook-app-secret"
SLACK_SECRET = "slack-signing-secret"


@pytest.fixture(scope="module")
def platforms():
    fake = FakePlatforms().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, platforms):
    running = RunningAssistant(tmp_path_factory.mktemp("channels"), extra_env={"HYS_TODAY": "2026-11-22"})
    base = running.base_url
    running.env.update(
        {
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_NUMBER": "+441632960000",
            "TWILIO_WEBHOOK_URL": f"{base}/webhooks/twilio/webhook",
            "TWILIO_API_BASE": platforms.url,
            "TELEGRAM_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "TELEGRAM_BOT_NAME": "MillbrookBot",
            "TELEGRAM_WEBHOOK_URL": f"{base}/webhooks/telegram/webhook",
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE": platforms.url,
            "FACEBOOK_VERIFY_TOKEN": "fb-verify",
            "FACEBOOK_APP_SECRET": FACEBOOK_SECRET,
            "FACEBOOK_PAGE_ACCESS_TOKEN": "fb-page-token",
            "FACEBOOK_GRAPH_URL": f"{platforms.url}/v12.0",
            "SLACK_TOKEN": "xoxb-test-token",
            "SLACK_CHANNEL": "C0123456",
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_BASE": f"{platforms.url}/api/",
        }
    )
    running.start()
    yield running
    running.stop()


def post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("nothing was sent to the platform in time")


# --- Twilio (SMS / WhatsApp) -------------------------------------------------------


def twilio_post(assistant, params: dict, signature: str | None):
    url = f"{assistant.base_url}/webhooks/twilio/webhook"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return post(url, urllib.parse.urlencode(params).encode(), headers)


_sids = itertools.count(1)


def sms(sender: str, body: str) -> dict:
    # The fields Twilio posts for an inbound SMS (abridged to those we read plus a few realistic others).
    sid = f"SM{next(_sids):032d}"  # every message has its own id; a retried delivery repeats it
    return {
        "ToCountry": "GB",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "From": sender,
        "To": "+441632960000",
        "Body": body,
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "MessageSid": sid,
    }


def test_twilio_signed_requests_are_answered_with_numbered_replies(assistant, platforms):
    url = f"{assistant.base_url}/webhooks/twilio/webhook"
    params = sms("+447700900001", "hello")
    status, _ = twilio_post(assistant, params, RequestValidator(TWILIO_TOKEN).compute_signature(url, params))
    assert status == 204
    sent = wait_for(lambda: [r for r in platforms.sent("/Messages.json") if r["body"].get("To") == "+447700900001"])
    text = sent[-1]["body"]["Body"]
    assert "Millbrook District Council" in text
    assert "1. What's open?" in text and "Reply 1, 2 or 3." in text
    before = len(platforms.sent("/Messages.json"))
    params = sms("+447700900001", "1")  # "1" means the first button: What's open?
    twilio_post(assistant, params, RequestValidator(TWILIO_TOKEN).compute_signature(url, params))
    reply = wait_for(lambda: platforms.sent("/Messages.json")[before:])
    assert any("Harbour Road cycle lane" in r["body"]["Body"] for r in reply)


@pytest.mark.parametrize("case", ["unsigned", "tampered", "wrong_token"])
def test_twilio_unsigned_or_tampered_requests_are_refused(assistant, platforms, case):
    url = f"{assistant.base_url}/webhooks/twilio/webhook"
    params = sms("+447700900002", "hello")
    signature = {
        "unsigned": None,
        "tampered": RequestValidator(TWILIO_TOKEN).compute_signature(url, {**params, "Body": "something else"}),
        "wrong_token": RequestValidator("not-the-token").compute_signature(url, params),
    }[case]
    before = len(platforms.requests)
    status, _ = twilio_post(assistant, params, signature)
    assert status == 403
    time.sleep(0.5)
    assert not [r for r in platforms.requests[before:] if r["body"].get("To") == "+447700900002"]


# --- Telegram -------------------------------------------------------------------------


def telegram_update(chat_id: int, text: str, update_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1700000000,
            "text": text,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Resident", "language_code": "en"},
            "chat": {"id": chat_id, "first_name": "Resident", "type": "private"},
        },
    }


def telegram_post(assistant, update: dict, secret: str | None):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return post(f"{assistant.base_url}/webhooks/telegram/webhook", json.dumps(update).encode(), headers)


def test_telegram_with_the_secret_token_gets_an_inline_keyboard(assistant, platforms):
    status, _ = telegram_post(assistant, telegram_update(555001, "what consultations are open", 1), TELEGRAM_SECRET)
    assert status == 200
    sent = wait_for(lambda: [r for r in platforms.sent("/sendMessage") if str(r["body"].get("chat_id")) == "555001"])
    message = sent[-1]["body"]
    assert "Harbour Road cycle lane" in message["text"]
    keyboard = json.loads(message["reply_markup"]) if isinstance(message["reply_markup"], str) else message["reply_markup"]
    first = keyboard["inline_keyboard"][0][0]
    assert first["callback_data"] == "1" and first["text"] == "Events in Market Square"
    before = len(platforms.sent("/sendMessage"))
    callback = {
        "update_id": 2,
        "callback_query": {
            "id": "cb1",
            "chat_instance": "1",
            "data": "1",
            "from": {"id": 555001, "is_bot": False, "first_name": "Resident"},
            "message": {"message_id": 9, "date": 1700000000, "chat": {"id": 555001, "type": "private"}, "text": "..."},
        },
    }
    telegram_post(assistant, callback, TELEGRAM_SECRET)
    reply = wait_for(lambda: platforms.sent("/sendMessage")[before:])
    assert any(r["body"]["text"].startswith("Events in Market Square") for r in reply)


def test_a_typed_1_on_telegram_answers_an_optional_number_question_instead_of_pressing_skip(assistant, platforms):
    chat = 555009
    steps = ["I want to have my say on the harbour road cycle lane", "yes", "no", "no", "agree", "b", "skip"]
    for update_id, text in enumerate(steps, start=900):
        assert telegram_post(assistant, telegram_update(chat, text, update_id), TELEGRAM_SECRET)[0] == 200
    sent = [r["body"] for r in platforms.sent("/sendMessage") if str(r["body"].get("chat_id")) == str(chat)]
    question = sent[-1]
    assert "trips a week" in question["text"]
    keyboard = json.loads(question["reply_markup"]) if isinstance(question["reply_markup"], str) else question["reply_markup"]
    assert [row[0]["callback_data"] for row in keyboard["inline_keyboard"]] == ["skip"]  # Skip is a word, never "1"
    assert telegram_post(assistant, telegram_update(chat, "1", 950), TELEGRAM_SECRET)[0] == 200
    survey = assistant.tracker(str(chat), channel="telegram")["slots"]["survey"]
    assert survey["answers"]["trips"] == 1


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_telegram_without_the_secret_token_is_refused(assistant, platforms, secret):
    before = len(platforms.requests)
    status, _ = telegram_post(assistant, telegram_update(555002, "hello", 3), secret)
    assert status == 403
    time.sleep(0.5)
    assert not [r for r in platforms.requests[before:] if str((r["body"] or {}).get("chat_id")) == "555002"]


# --- Facebook Messenger ---------------------------------------------------------------


def facebook_payload(user: str, text: str) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "PAGE1",
                    "time": 1700000000000,
                    "messaging": [
                        {
                            "sender": {"id": user},
                            "recipient": {"id": "PAGE1"},
                            "timestamp": 1700000000000,
                            "message": {"mid": f"m_{user}_{text}", "text": text},
                        }
                    ],
                }
            ],
        }
    ).encode()


def test_facebook_signed_messages_get_quick_replies_and_unsigned_are_refused(assistant, platforms):
    body = facebook_payload("fbuser1", "hello")
    signature = "sha1=" + hmac.new(FACEBOOK_SECRET.encode(), body, hashlib.sha1).hexdigest()
    status, _ = post(
        f"{assistant.base_url}/webhooks/facebook/webhook",
        body,
        {"Content-Type": "application/json", "X-Hub-Signature": signature},
    )
    assert status == 200
    sent = wait_for(
        lambda: [
            r
            for r in platforms.sent("/me/messages")
            if r["body"].get("recipient", {}).get("id") == "fbuser1" and "message" in r["body"]
        ]
    )
    message = sent[-1]["body"]["message"]  # (typing indicators and "seen" marks are separate requests)
    assert "Millbrook District Council" in message["text"]
    assert [q["title"] for q in message["quick_replies"]] == [
        "What's open?",
        "Who is my councillor",
        "Help",
    ]  # cut to 20 characters
    assert all(len(q["title"]) <= 20 for q in message["quick_replies"])
    unsigned, _ = post(
        f"{assistant.base_url}/webhooks/facebook/webhook",
        facebook_payload("fbuser2", "hello"),
        {"Content-Type": "application/json"},
    )
    assert unsigned == 403
    time.sleep(0.5)
    assert not [r for r in platforms.sent("/me/messages") if r["body"].get("recipient", {}).get("id") == "fbuser2"]


# --- Slack -------------------------------------------------------------------------------


def slack_post(assistant, event_text: str, user: str, secret: str):
    body = json.dumps(
        {
            "token": "verification",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{user}",
            "event_time": 1700000000,
            "event": {
                "type": "message",
                "channel": "D0123456",
                "user": user,
                "text": event_text,
                "ts": "1700000000.000100",
                "event_ts": "1700000000.000100",
                "channel_type": "im",
            },
        }
    ).encode()
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    return post(f"{assistant.base_url}/webhooks/slack/webhook", body, headers)


def test_slack_signed_messages_are_answered_and_bad_signatures_refused(assistant, platforms):
    status, _ = slack_post(assistant, "hello", "U0SLACK1", SLACK_SECRET)
    assert status == 200
    sent = wait_for(lambda: platforms.sent("chat.postMessage"))
    assert any("Millbrook District Council" in json.dumps(r["body"]) for r in sent)
    status, _ = slack_post(assistant, "hello", "U0SLACK2", "wrong-secret")
    assert status in (400, 401, 403)


def test_a_channel_without_its_variables_stays_off(tmp_path):
    from pathlib import Path

    from actions.channels.credentials import effective_credentials

    credentials, enabled, disabled = effective_credentials(
        Path("credentials.yml"), {"WEBSITE_ORIGINS": "https://www.millbrook.gov.uk"}
    )
    assert [name.rsplit(".", 1)[-1] for name in enabled] == ["ResidentRestInput", "ResidentSocketIOInput"]
    assert disabled["actions.channels.twilio.VerifiedTwilioInput"] == [
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_NUMBER",
        "TWILIO_WEBHOOK_URL",
    ]
    assert (
        credentials["actions.channels.socketio.ResidentSocketIOInput"]["cors_allowed_origins"] == "https://www.millbrook.gov.uk"
    )


def test_notify_outcome_pushes_once_per_respondent_and_queues_for_the_website(assistant, platforms, tmp_path):
    from actions.store.repository import Store
    from tests.conftest import SEEDS

    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    url = f"{assistant.base_url}/webhooks/twilio/webhook"
    phone = "+447700900777"
    params = sms(phone, "hello")  # the resident has talked to us by SMS, so Rasa knows the conversation
    twilio_post(assistant, params, RequestValidator(TWILIO_TOKEN).compute_signature(url, params))
    wait_for(lambda: [r for r in platforms.sent("/Messages.json") if r["body"].get("To") == phone])
    # The survey keeps the address, sealed with CONTACT_ENCRYPTION_KEY, only because the resident asked for the outcome.
    sealed = Fernet(assistant.env["CONTACT_ENCRYPTION_KEY"].encode()).encrypt(phone.encode()).decode()
    sms_ref = store.submit_response(
        consultation_slug="market-square-events",
        channel="twilio",
        sender_id=phone,
        answers={"support": "Agree"},
        notify_outcome=True,
        contact_sealed=sealed,
    )
    assistant.say("web-visitor", "hello")
    web_ref = store.submit_response(
        consultation_slug="market-square-events",
        channel="rest",
        sender_id="web-visitor",
        answers={"support": "Disagree"},
        notify_outcome=True,
    )
    store.submit_response(
        consultation_slug="market-square-events",
        channel="twilio",
        sender_id="+447700900778",
        answers={"support": "Agree"},
        notify_outcome=False,
    )

    not_yet = assistant.cli("notify-outcome", "market-square-events")
    assert not_yet.returncode == 1 and "no published outcome yet" in not_yet.stderr

    document = (SEEDS / "market-square-events.yml").read_text() + (
        "outcome:\n  published: 2027-01-20\n  you_said: Most of you backed up to 12 events, but asked for earlier finishes.\n"
        "  we_did: We approved 10 events a year, all finishing by 9:30pm.\n"
    )
    path = tmp_path / "market.yml"
    path.write_text(document)
    assert assistant.cli("load", str(path)).returncode == 0

    before = len(platforms.sent("/Messages.json"))
    first = assistant.cli("notify-outcome", "market-square-events")
    assert first.returncode == 0, first.stderr
    assert "twilio: 1 sent, 0 queued for their next visit, 0 failed" in first.stdout
    assert "rest: 0 sent, 1 queued for their next visit, 0 failed" in first.stdout
    pushed = wait_for(lambda: [r for r in platforms.sent("/Messages.json")[before:] if r["body"].get("To") == phone])
    assert sms_ref in pushed[0]["body"]["Body"] and "We did: We approved 10 events" in pushed[0]["body"]["Body"]
    assert not [r for r in platforms.sent("/Messages.json")[before:] if r["body"].get("To") == "+447700900778"]
    with store.session() as session:  # the address was kept only for this notice
        assert session.scalar(select(ResponseRow.contact_sealed).where(ResponseRow.reference == sms_ref)) is None

    again = assistant.cli("notify-outcome", "market-square-events")
    assert again.returncode == 0 and "Total: 0 sent, 0 queued, 0 failed; 2 already notified earlier." in again.stdout
    time.sleep(0.5)
    assert len([r for r in platforms.sent("/Messages.json") if r["body"].get("To") == phone]) == len(
        [r for r in platforms.sent("/Messages.json")[:before] if r["body"].get("To") == phone]
    ) + len(pushed)

    shown = assistant.texts("web-visitor", "/check_updates")
    assert web_ref in shown and "You said: Most of you backed" in shown
    assert assistant.texts("web-visitor", "/check_updates") == ""


def test_a_retried_twilio_delivery_is_answered_once(assistant, platforms):
    url = f"{assistant.base_url}/webhooks/twilio/webhook"
    params = {**sms("+447700900555", "what consultations are open"), "MessageSid": "SM" + "5" * 32}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    assert twilio_post(assistant, params, signature)[0] == 204
    wait_for(lambda: [r for r in platforms.sent("/Messages.json") if r["body"].get("To") == "+447700900555"])
    count = len([r for r in platforms.sent("/Messages.json") if r["body"].get("To") == "+447700900555"])
    assert twilio_post(assistant, params, signature)[0] == 204  # Twilio retries the very same message
    time.sleep(1.0)
    assert len([r for r in platforms.sent("/Messages.json") if r["body"].get("To") == "+447700900555"]) == count
    events = assistant.tracker("+447700900555", channel="twilio")["events"]
    assert sum(1 for e in events if e.get("event") == "user") == 1


def test_an_sms_resident_answers_a_new_consultation_in_their_own_words(assistant, platforms):
    """A consultation loaded at run time (not in seeds/), over SMS: own words, and a numbered reply to a confirmation."""
    loaded = assistant.cli("load", str(PROJECT_ROOT / "tests" / "understanding" / "consultations"))
    assert loaded.returncode == 0, loaded.stderr
    # The action server picks up new content within a couple of seconds (it checks the content version).
    wait_for(lambda: "Elm Street school street" in assistant.texts("sms-probe", "tell me about the elm street school street"))
    url = f"{assistant.base_url}/webhooks/twilio/webhook"
    number = "+447700900077"

    def text(body: str) -> str:
        before = len(platforms.sent("/Messages.json"))
        params = sms(number, body)
        twilio_post(assistant, params, RequestValidator(TWILIO_TOKEN).compute_signature(url, params))
        wait_for(lambda: [r for r in platforms.sent("/Messages.json")[before:] if r["body"].get("To") == number])
        time.sleep(0.5)  # a reply can come in more than one message
        return "\n".join(r["body"]["Body"] for r in platforms.sent("/Messages.json")[before:] if r["body"].get("To") == number)

    assert "Do you agree to go ahead" in text("i want to have my say on the elm street school street")
    assert "quote your comments" in text("go on then")
    assert "outcome" in text("yes but leave my name out")
    assert "Question 1 of 8" in text("no ta")
    offered = text("i dont agree with it")
    assert 'I\'ve put that as "Disagree". Is that right?' in offered and "1. Yes" in offered
    assert "Question 2 of 8" in text("1")  # the numbered reply to "Is that right?"
    assert "Question 3 of 8" in text("not a chance, we live miles away")
    assert "Question 4 of 8" in text("plan b")


# --- SMS: every text GSM-7, a whole survey within its segment budget, no carrier keyword offered or answered --------

# Carrier opt-out keywords: offering any of them as a command would get a resident unsubscribed by Twilio.
CARRIER_COMMANDS = re.compile(r"\b(stop|stopall|cancel|end|quit|unsubscribe|revoke|optout)\b", re.IGNORECASE)


def assert_fit_for_sms(messages: list[str]) -> None:
    assert messages
    assert [m for m in messages if not sent_in_gsm7(m)] == []  # one character outside GSM-7 makes a text UCS-2
    assert [m for m in messages if CARRIER_COMMANDS.search(m)] == []


@pytest.mark.parametrize("slug", sorted(SMS_WALKTHROUGHS))
def test_an_sms_only_resident_completes_a_response_in_gsm7_within_the_segment_budget(assistant, platforms, slug):
    number = f"+4477009003{sorted(SMS_WALKTHROUGHS).index(slug):02d}"
    messages, reference = complete_by_sms(SmsResident(assistant.base_url, platforms, number), slug)
    assert_fit_for_sms(messages)
    cost = [billed_segments(message) for message in messages]
    assert sum(cost) <= SMS_SEGMENT_BUDGET, f"{slug}: {sum(cost)} segments ({cost})"
    assert any("send you the outcome by text message" in m for m in messages)
    assert not any("this chat" in m for m in messages)
    # Stored as answered, read from the database: "1" to an optional number question is 1, not Skip.
    from actions.store.repository import Store

    stored = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"]).response_answers(reference)
    assert stored == SMS_WALKTHROUGHS[slug][2]


def test_a_carrier_stop_gets_no_reply_and_pauses_the_response(assistant, platforms):
    resident = SmsResident(assistant.base_url, platforms, "+447700900401")
    assert 'Say "pause" at any time' in "\n".join(resident.text("I want to have my say on the cycle lane"))
    assert "quote your comments" in "\n".join(resident.text("yes"))
    # Twilio has unsubscribed the number and told them so: anything more from us would be refused, or unwanted.
    assert resident.text("STOP", expect_reply=False) == []
    assert resident.text("START", expect_reply=False) == []  # Twilio confirms the opt-in itself
    resumed = "\n".join(resident.text("carry on"))  # the STOP paused the response in progress
    assert "Let's carry on with your response to Harbour Road cycle lane" in resumed and "quote your comments" in resumed
    paused = "\n".join(resident.text("pause"))  # the word we offer instead
    assert "paused your response" in paused and 'Say "carry on"' in paused
    assert "Harbour Road cycle lane" in "\n".join(resident.text("carry on"))
    assert resident.text("help")
    assert_fit_for_sms(resident.received)


def test_a_whatsapp_resident_is_promised_the_outcome_on_whatsapp(assistant, platforms):
    resident = SmsResident(assistant.base_url, platforms, "whatsapp:+447700900402")
    resident.text("i'd like to have a say about market square")
    assert "quote your comments" in "\n".join(resident.text("yes"))
    assert "send you the outcome on WhatsApp," in "\n".join(resident.text("no"))
