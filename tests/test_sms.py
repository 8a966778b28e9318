"""SMS without Rasa: GSM-7 conversion, segment counting, carrier keywords, numbered menus, the SMS wording.

Every expected value here is worked out by hand from the GSM 03.38 alphabet and the
concatenated-SMS limits (GSM-7: 160 septets alone, 153 per part; UCS-2: 70 and 67),
never by calling the code under test.
"""

from __future__ import annotations

import pytest

from actions.channels.render import numbered_buttons, numbered_menu
from actions.channels.sms import OPT_IN, OPT_OUT, carrier_keyword, is_gsm7, outgoing, segments, to_gsm7
from actions.content.files import read_bundle
from actions.survey.engine import Survey, new_state
from actions.survey.sms_wording import TextMessageSurvey, WhatsAppSurvey, survey_class
from tests.conftest import SEEDS

YES = {"title": "Yes", "payload": "yes"}
NO = {"title": "No", "payload": "no"}
SKIP = {"title": "Skip", "payload": "skip"}


# --- GSM-7 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("It’s “great” – really…", 'It\'s "great" - really...'),
        ("1. Support\n   → Agree", "1. Support\n   -> Agree"),
        ("• see what's open", "- see what's open"),
        ("naïve façade", "naive facade"),  # ï and ç are not in the alphabet; i and c are
        ("café £5 @ 10% Ærø ñ ü", "café £5 @ 10% Ærø ñ ü"),  # all in the basic table already
        ("€10 [draft] {x} ~ | ^ \\", "€10 [draft] {x} ~ | ^ \\"),  # the extension table is GSM-7 too
        ("½ mile", "1/2 mile"),
        ("a\u00a0b\tc\u200bd", "a b cd"),  # no-break space and tab become spaces; zero-width space goes
        ("thanks 👍🏽!", "thanks !"),  # emoji (and their skin tones) are left out
        ("中", "?"),
    ],
)
def test_text_is_converted_to_gsm7(text, plain):
    assert to_gsm7(text) == plain
    assert is_gsm7(plain)


def test_is_gsm7_knows_the_alphabet():
    assert is_gsm7("Hello @ £1, é è ù ì ò Ç Ø ø Å å Δ _ Φ Γ Λ Ω Π Ψ Σ Θ Ξ Æ æ ß É ¤ ¡ Ä Ö Ñ Ü § ¿ ä ö ñ ü à")
    assert is_gsm7("{}[]~|^\\€")
    for outside in ("’", "“", "…", "→", "•", "–", "ç", "á", "`", "\t", "😀"):
        assert not is_gsm7(f"abc{outside}"), outside


# --- segments ----------------------------------------------------------------------------------


def _case(text: str, count: int, why: str):
    return pytest.param(text, count, id=why)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        _case("", 0, "nothing"),
        _case("a", 1, "one character"),
        _case("a" * 160, 1, "160 septets fit one SMS"),
        _case("a" * 161, 2, "161 septets: concatenated, 153 a part"),
        _case("a" * 306, 2, "2 x 153"),
        _case("a" * 307, 3, "307 septets"),
        _case("€" * 80, 1, "80 extension characters are 160 septets"),
        _case("€" * 81, 2, "162 septets"),
        _case("a" * 152 + "€" + "a" * 152, 3, "306 septets but the escape pair can't straddle: 152 | 2+151 | 1"),
        _case("’" + "a" * 69, 1, "one character outside GSM-7: UCS-2, 70 in one SMS"),
        _case("’" + "a" * 70, 2, "71 UCS-2 units: 67 a part"),
        _case("’" * 134, 2, "2 x 67"),
        _case("’" * 135, 3, "135 units"),
        _case("😀" * 35, 1, "an emoji is two UTF-16 units: 70"),
        _case("😀" * 36, 2, "72 units: 33 emoji (66 units) a part"),
        _case("😀" * 67, 3, "134 units but no emoji is split: 33 | 33 | 1"),
        _case("a" * 160 + "’", 3, "one curly apostrophe: 161 UCS-2 units, three parts"),
        _case("a" * 160 + "'", 2, "the same text in GSM-7: two parts"),
    ],
)
def test_segments_as_billed(text, count):
    assert segments(text) == count


def test_a_typographic_review_costs_far_more_than_its_gsm7_form():
    line = "1. How far do you agree or disagree with the plan?\n   → Agree\n"  # 62 characters, one outside GSM-7
    review = line * 10  # 620 characters: UCS-2, 67 per part -> 10 parts (9 x 67 = 603 < 620 <= 670)
    assert segments(review) == 10
    assert segments(to_gsm7(review)) == 5  # "→" becomes "->": 630 septets, 153 per part -> 5 (612 < 630 <= 765)


# --- carrier keywords --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "STOPALL", "Unsubscribe", "cancel", "END", "quit!"])
def test_opt_out_keywords(text):
    assert carrier_keyword(text) == OPT_OUT


@pytest.mark.parametrize("text", ["START", "unstop"])
def test_opt_in_keywords(text):
    assert carrier_keyword(text) == OPT_IN


@pytest.mark.parametrize("text", ["stop please", "please cancel", "pause", "carry on", "yes", "1", "the end of the road", ""])
def test_other_messages_are_not_carrier_keywords(text):
    assert carrier_keyword(text) is None


def test_only_sms_is_converted_to_gsm7():
    sms = {"to": "+447700900001", "from_": "+441632960000", "body": "It’s → fine"}
    assert outgoing(sms)["body"] == "It's -> fine"
    whatsapp = {"to": "whatsapp:+447700900001", "from_": "whatsapp:+441632960000", "body": "It’s → fine"}
    assert outgoing(whatsapp)["body"] == "It’s → fine"


# --- numbered menus: Skip is a word, never a number ---------------------------------------------


def test_skip_is_offered_as_a_word_and_never_numbered():
    assert numbered_menu("Shall we?", [YES, NO, SKIP]) == 'Shall we?\n1. Yes\n2. No\nReply 1 or 2, or "skip".'
    optional_number = 'Question 4 of 6 (optional: you can say "skip")\nHow many trips?'
    assert numbered_menu(optional_number, [SKIP]) == optional_number  # nothing to number, "skip" already said
    assert numbered_menu("How many trips?", [SKIP]) == 'How many trips?\nOr reply "skip".'
    assert numbered_buttons([YES, SKIP, NO]) == [YES, NO]
    options = [{"title": t, "payload": t} for t in ("A", "B", "C", "D")]
    assert numbered_menu("Pick", options) == "Pick\n1. A\n2. B\n3. C\n4. D\nReply 1 to 4."


# --- the survey worded for SMS and WhatsApp -----------------------------------------------------


@pytest.fixture(scope="module")
def harbour():
    bundle = read_bundle([SEEDS], known_wards=set())
    consultation = next(c for c in bundle.consultations if c.slug == "harbour-road-cycle-lane")
    return consultation, bundle.council.council


def test_the_outcome_is_promised_on_the_residents_own_channel(harbour):
    state = dict(new_state(harbour[0]), stage="notify")
    assert "send you the outcome by text message," in TextMessageSurvey(*harbour).prompt(state).text
    assert "send you the outcome on WhatsApp," in WhatsAppSurvey(*harbour).prompt(state).text
    assert "here, on this chat" in Survey(*harbour).prompt(state).text
    assert (survey_class("sms"), survey_class("whatsapp"), survey_class("chat")) == (TextMessageSurvey, WhatsAppSurvey, Survey)


def test_the_sms_review_is_compact_and_gsm7(harbour):
    survey = TextMessageSurvey(*harbour)
    answers = {
        "support": "Agree",
        "design": "Option B - painted lane with wands",
        "concerns": ["Loss of parking", "Cost"],
        "trips": 1,
        "cycle_more": None,
        "comments": "It’s fine but I’m worried about deliveries to the shops on Harbour Road in the mornings",
    }
    review = survey.prompt(dict(new_state(harbour[0]), stage="review", answers=answers)).text
    assert review == (
        "Your answers:\n1. Agree\n2. Option B - painted lane with wands\n3. Loss of parking; Cost\n4. 1\n5. (skipped)\n"
        "6. It’s fine but I’m worried about deliveries to the shops...\n\n1. Submit\n2. Change an answer"
    )
    assert segments(to_gsm7(review)) == 2  # 196 septets: over 160, within 2 x 153


def test_the_sms_wording_never_offers_a_carrier_keyword(harbour):
    survey = TextMessageSurvey(*harbour)
    consent = survey.prompt(new_state(harbour[0])).text
    assert 'Say "pause" at any time' in consent and "stop" not in consent.lower()
