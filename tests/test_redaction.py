"""Personal details are removed from residents' comments before storage (realistic and tricky cases)."""

from __future__ import annotations

import pytest

from actions.text.redaction import contains_contact_details, redact

CASES = [
    # (comment, must not contain, must contain)
    ("Email me at jane.doe@example.com about this", ["jane.doe@example.com"], ["[email]"]),
    ("my email is JOHN_SMITH+council@Mail.co.uk thanks", ["JOHN_SMITH", "Mail.co.uk"], ["[email]"]),
    ("contact bob (at) example (dot) com", ["bob", "example"], ["[email]"]),
    ("Call me on 07700 900123 if you need more", ["07700 900123"], ["[phone]"]),
    ("ring 07700900123", ["07700900123"], ["[phone]"]),
    ("my mobile: +44 7700 900 123", ["7700 900 123"], ["[phone]"]),
    ("landline (01632) 960 100 after 6pm", ["960 100"], ["[phone]"]),
    ("text 07700-900-123 pls", ["900-123"], ["[phone]"]),
    ("0044 7700 900123 is my number", ["900123"], ["[phone]"]),
    ("01632 960100.", ["960100"], ["[phone]."]),
    ("I live at MB3 4AB and the road is dangerous", ["4AB"], ["MB3 4[postcode]", "dangerous"]),
    ("postcode mb12ab", ["mb12ab", "2AB"], ["MB1 2[postcode]"]),
    ("My name is John Smith and I oppose this", ["John", "Smith"], ["My name is [name]", "oppose"]),
    ("my name is jane doe", ["jane", "doe"], ["[name]"]),
    ("Hi, I'm Sarah, a mum of two who cycles", ["Sarah"], ["I'm [name]", "mum of two"]),
    ("This is Mrs Patel from number 4", ["Patel"], ["This is [name]"]),
    ("Regards, Dave Wilkins", ["Dave", "Wilkins"], ["Regards, [name]"]),
    ("signed bob", ["bob"], ["signed [name]"]),
    ("Call me Margaret, I've lived here 40 years", ["Margaret"], ["Call me [name]"]),
    ("card 4111 1111 1111 1111 was charged", ["4111"], ["[number]"]),
    # things that must survive
    ("I'm worried about parking on Harbour Road", [], ["I'm worried about parking on Harbour Road"]),
    ("I am disabled and use a wheelchair", [], ["I am disabled and use a wheelchair"]),
    ("I'm Against option A", [], ["I'm Against option A"]),
    ("I live in Harbourside and love the idea", [], ["I live in Harbourside and love the idea"]),
    ("The lane is 1.2 km and costs £1.6 million", [], ["1.2 km", "£1.6 million"]),
    ("32 hours a week in 2027 is not enough, 28 spaces lost", [], ["32 hours a week in 2027", "28 spaces"]),
    ("Buses at 19:40 and 21:10 matter to shift workers", [], ["19:40 and 21:10"]),
    ("Route 7 is the only bus from MB3 to the hospital", [], ["MB3 to the hospital"]),
    ("I'm not sure this is a good use of money", [], ["I'm not sure"]),
    ("see https://www.millbrook.gov.uk/consultations", [], ["https://www.millbrook.gov.uk/consultations"]),
    ("Both: email a@b.org and phone 07700 900 456, I'm Tom", ["a@b.org", "900 456", "Tom"], ["[email]", "[phone]", "[name]"]),
    ("<b>bold</b> text from Carl", [], ["<b>bold</b> text"]),
]


@pytest.mark.parametrize("comment, absent, present", CASES, ids=[c[0][:40] for c in CASES])
def test_redaction(comment, absent, present):
    result = redact(comment)
    for fragment in absent:
        assert fragment not in result, result
    for fragment in present:
        assert fragment in result, result


def test_redaction_is_idempotent():
    for comment, _absent, _present in CASES:
        once = redact(comment)
        assert redact(once) == once


def test_contact_details_detector():
    assert contains_contact_details("mail me a@b.com")
    assert contains_contact_details("07700 900123")
    assert not contains_contact_details("I like the idea")
