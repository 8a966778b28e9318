"""What SMS costs and what carriers do with it: the GSM-7 alphabet, segment counting, carrier keywords.

* **GSM-7.** A text message is sent in GSM-7 (7-bit, 160 characters) unless a
  single character in it is outside that alphabet; then the *whole* message is
  sent as UCS-2 (70 characters). One curly apostrophe typed by a resident, or an
  arrow in a summary, more than doubles the cost. :func:`to_gsm7` converts text
  at the SMS edge: typographic quotes, dashes, ellipses, arrows and bullets
  become their plain forms, accents not in the alphabet are dropped from their
  letters, and emoji are left out.
* **Segments.** :func:`segments` counts what a message is billed as: GSM-7 160
  septets in one segment, 153 per segment once concatenated, the extension
  table's characters (``^ { } \\ [ ~ ] | €``) taking two septets that are never
  split across segments; UCS-2 70 code units in one, 67 per segment after
  (an emoji, a surrogate pair, is never split either).
* **Carrier keywords.** A message that is just STOP, STOPALL, UNSUBSCRIBE,
  CANCEL, END or QUIT (Twilio also honours REVOKE and OPTOUT) opts the number
  out: Twilio answers it and then refuses to deliver anything else to that
  number until it sends START or UNSTOP (Twilio answers those too). HELP and INFO
  get Twilio's own help reply as well. See :func:`carrier_keyword`.
"""

from __future__ import annotations

import re
import unicodedata

# GSM 03.38 default alphabet (basic table), in code order.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
) - {"\x1b"}  # the escape code itself is never text
# The extension table: each is sent as ESC plus a character, so it counts as two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7, PART_GSM7 = 160, 153  # septets: one message; each part of a concatenated one (7 go to its header)
SINGLE_UCS2, PART_UCS2 = 70, 67  # UTF-16 code units, likewise

# Plain forms for characters outside GSM-7 that turn up in our wording and in what residents type.
_PLAIN = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    **dict.fromkeys("•·●▪◦‣∙", "-"),
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t", " "),
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
    "…": "...",
    "→": "->",
    "⇒": "->",
    "➔": "->",
    "←": "<-",
    "≤": "<=",
    "≥": ">=",
    "×": "x",
    "÷": "/",
    "⁄": "/",
    "©": "(c)",
    "®": "(R)",
    "™": "TM",
    "°": " degrees",
    "\u2028": "\n",
    "\u2029": "\n",
}


def is_gsm7(text: str) -> bool:
    """True if every character of ``text`` can be sent in GSM-7 (basic or extension table)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def to_gsm7(text: str) -> str:
    """``text`` with every character in GSM-7: plain forms for typography, accents dropped where the
    alphabet lacks the letter, emoji and other symbols left out, anything else shown as "?"."""
    if is_gsm7(text):
        return text
    return "".join(_gsm7_char(ch) for ch in text.replace("\r\n", "\n"))


def _gsm7_char(ch: str) -> str:
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    if ch in _PLAIN:
        return _PLAIN[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(part for part in decomposed if unicodedata.category(part) != "Mn")
    if kept and kept != ch and all(part in GSM7_BASIC or part in GSM7_EXTENSION or part in _PLAIN for part in kept):
        return "".join(_PLAIN.get(part, part) for part in kept)  # "ê" -> "e", "ﬁ" -> "fi", "½" -> "1/2"
    if unicodedata.category(ch)[0] in "SCM":  # emoji, symbols, controls, lone combining marks
        return ""
    return "?"


def _units(text: str) -> tuple[list[int], int, int]:
    """Per-character cost and the single / per-part limits of the encoding ``text`` is sent in."""
    if is_gsm7(text):
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text], SINGLE_GSM7, PART_GSM7
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text], SINGLE_UCS2, PART_UCS2


def segments(text: str) -> int:
    """How many SMS segments ``text`` is billed as (0 for nothing)."""
    units, single, part = _units(text)
    if not units:
        return 0
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for unit in units:  # a two-unit character (escape pair, surrogate pair) is never split between parts
        if used + unit > part:
            count, used = count + 1, 0
        used += unit
    return count


def encoding(text: str) -> str:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


# --- carrier keywords --------------------------------------------------------------------------

OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
# YES is also an opt-in keyword for Twilio, but here it is an answer, so it is never swallowed.
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
OPT_OUT, OPT_IN, HELP = "opt_out", "opt_in", "help"
_KEYWORD_EDGES = re.compile(r"^[\s.!?,;:'\"]+|[\s.!?,;:'\"]+$")


def carrier_keyword(text: str) -> str | None:
    """``OPT_OUT``, ``OPT_IN`` or ``HELP`` when the whole message is that carrier keyword, in any case and with
    any surrounding spaces or punctuation ("Stop.", " STOP "); ``None`` for anything else ("stop please")."""
    word = _KEYWORD_EDGES.sub("", text or "").upper()
    if word in OPT_OUT_KEYWORDS:
        return OPT_OUT
    if word in OPT_IN_KEYWORDS:
        return OPT_IN
    if word in HELP_KEYWORDS:
        return HELP
    return None


def is_whatsapp(address: str | None) -> bool:
    """Twilio gives WhatsApp senders as "whatsapp:+44..."; a plain number is SMS."""
    return (address or "").startswith("whatsapp:")


def medium(address: str | None) -> str:
    """The medium of a Twilio address: "whatsapp" or "sms"."""
    return "whatsapp" if is_whatsapp(address) else "sms"


def outgoing(message: dict) -> dict:
    """A Twilio message as it is sent: when neither end is on WhatsApp it is an SMS, so its body goes out in GSM-7."""
    if is_whatsapp(str(message.get("to") or "")) or is_whatsapp(str(message.get("from_") or "")):
        return message
    return {**message, "body": to_gsm7(str(message.get("body") or ""))}
