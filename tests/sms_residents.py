"""A resident who only has SMS: signed Twilio webhooks in, the local Twilio stand-in's record of what was sent out.

Shared by the end-to-end channel tests and `make bench` (which prints what a whole survey costs in segments).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from twilio.request_validator import RequestValidator

TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_NUMBER = "+441632960000"
TWILIO_SID = "AC" + "0" * 32

# A whole response by SMS to each open seeded consultation, as residents text it: (opener, replies from consent to
# the review, the answers that must be stored). Bare numbers answer number, multi and rank questions; "1" on an
# optional number question is the number 1, never the Skip button.
SMS_WALKTHROUGHS = {
    "harbour-road-cycle-lane": (
        "I want to have my say on the cycle lane",
        [
            "yes",  # consent
            "no",  # quote
            "yes",  # tell me the outcome
            "agree",
            "2",
            "1",  # concerns (multi, optional): the first option
            "1",  # trips (number, optional): one trip
            "yes",
            "It’s fine but I’m worried about deliveries… “loading bays” please",  # a phone's curly quotes
            "MB1 2AB",
            "4",
        ],
        {
            "support": "Agree",
            "design": "Option B - painted lane with wands",
            "concerns": ["Loss of parking"],
            "trips": 1,
            "cycle_more": "Yes",
            "comments": "It’s fine but I’m worried about deliveries… “loading bays” please",
        },
    ),
    "library-opening-hours": (
        "can I comment on the library plans",
        ["yes", "no", "yes", "yes", "satisfied", "option b", "3 1 2 4", "skip", "1", "skip", "MB1 2AB", "prefer not to say"],
        {
            "use_library": "Yes",
            "satisfaction": "Satisfied",
            "preferred_option": "Option B - staffed core hours plus open access",
            "important_services": [
                "Children's activities",
                "Borrowing books",
                "Computers and wifi",
                "Warm and quiet space to study",
            ],
            "open_access_likely": None,
            "visits": 1,
            "comments": None,
        },
    ),
    "market-square-events": (
        "i'd like to have a say about market square",
        ["yes", "no", "yes", "strongly disagree", "1", "no", "skip", "skip", "9"],
        {
            "support": "Strongly disagree",
            "event_types": ["Christmas market"],
            "live_nearby": "No",
            "comments": None,
        },
    ),
}
SMS_SEGMENT_BUDGET = 25  # what a whole survey may cost by SMS, from the opener to the reference

# GSM 03.38, written out here independently of actions/channels/sms.py: the default alphabet in code order, row by
# row (0x1B is the escape code, never text), then the extension table reached through it (two septets each).
GSM7_DEFAULT = (
    "@£$¥èéùìòÇ\nØø\rÅå" "Δ_ΦΓΛΩΠΨΣΘΞ" "ÆæßÉ" " !\"#¤%&'()*+,-./" "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO" "PQRSTUVWXYZÄÖÑÜ§" "¿abcdefghijklmno" "pqrstuvwxyzäöñüà"
)  # fmt: skip
GSM7_ESCAPED = "\f^{}\\[~]|€"


def sent_in_gsm7(text: str) -> bool:
    return all(ch in GSM7_DEFAULT or ch in GSM7_ESCAPED for ch in text)


def billed_segments(text: str) -> int:
    """What one outgoing SMS is billed as: GSM-7 160 septets alone or 153 per part, UCS-2 70 or 67 UTF-16 units;
    a two-unit character (escape pair, surrogate pair) never straddles two parts."""
    if sent_in_gsm7(text):
        sizes, alone, per_part = [2 if ch in GSM7_ESCAPED else 1 for ch in text], 160, 153
    else:
        sizes, alone, per_part = [len(ch.encode("utf-16-le")) // 2 for ch in text], 70, 67
    if sum(sizes) <= alone:
        return 1 if sizes else 0
    parts, room = 1, per_part
    for size in sizes:
        if size > room:
            parts, room = parts + 1, per_part
        room -= size
    return parts


def twilio_env(base_url: str, api_base: str) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_WEBHOOK_URL": f"{base_url}/webhooks/twilio/webhook",
        "TWILIO_API_BASE": api_base,
    }


def sms(sender: str, body: str) -> dict:
    """The fields Twilio posts for an inbound SMS (abridged to those we read plus a few realistic others)."""
    sid = f"SM{uuid.uuid4().hex}"  # every message has its own id (a retried delivery repeats it)
    return {
        "ToCountry": "GB",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "From": sender,
        "To": TWILIO_NUMBER,
        "Body": body,
        "AccountSid": TWILIO_SID,
        "ApiVersion": "2010-04-01",
        "MessageSid": sid,
    }


def signed_post(base_url: str, params: dict, signature: str | None = "sign") -> int:
    url = f"{base_url}/webhooks/twilio/webhook"
    if signature == "sign":
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310 - loopback test server
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


class SmsResident:
    """One phone number texting the assistant; ``text`` returns what came back to it."""

    def __init__(self, base_url: str, platforms, number: str) -> None:
        self.base_url, self.platforms, self.number = base_url, platforms, number
        self.received: list[str] = []

    def _sent_to_me(self) -> list[str]:
        return [r["body"]["Body"] for r in self.platforms.sent("/Messages.json") if r["body"].get("To") == self.number]

    def text(self, body: str, expect_reply: bool = True) -> list[str]:
        before = len(self._sent_to_me())
        assert signed_post(self.base_url, sms(self.number, body)) == 204
        # The webhook answers once Rasa has handled the message and the replies have been sent; a short grace
        # period catches anything sent later.
        deadline = time.monotonic() + (20 if expect_reply else 1.0)
        while time.monotonic() < deadline and (len(self._sent_to_me()) == before or not expect_reply):
            time.sleep(0.1)
        time.sleep(0.2)
        replies = self._sent_to_me()[before:]
        assert replies or not expect_reply, f"no reply to {body!r}"
        self.received.extend(replies)
        return replies


def complete_by_sms(resident: SmsResident, slug: str) -> tuple[list[str], str]:
    """Walk through a whole response by SMS; returns every message sent to the resident and the reference."""
    opener, replies, _expected = SMS_WALKTHROUGHS[slug]
    start = len(resident.received)
    resident.text(opener)
    for reply in replies:
        resident.text(reply)
    receipt = "\n".join(resident.text("submit"))
    assert "Your reference is " in receipt, receipt
    reference = receipt.split("Your reference is ")[1].split(".")[0].strip()
    return resident.received[start:], reference
