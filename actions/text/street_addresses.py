"""Find UK street addresses in residents' words: a house or flat number with a street name and type.

"12 Mill Lane", "12a mill lane", "3-5 Station Rd", "Flat 4, 14 Harbour Road",
"No. 7 The Green", "flat 2b, 14 Quay Street", "Mill Lane, number 12" and
"number 12 on Mill Lane" are addresses. A street named without a house number
("parking on Mill Lane is awful") is a public place and is not matched, nor
are numbers that only look like house numbers: "12 parking spaces", "the 7
bus", "£70 fine", "20mph", "12 March", "a 10 minute walk", "since 2019 Mill
Lane has...". A house name on its own line ("Rose Cottage") is out of scope.

Used by ``actions.text.redaction``; the patterns are compiled once at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Street types, as written in full and abbreviated. A street type must follow the street's name.
STREET_TYPES = frozenset(
    """
    road rd street st lane ln avenue ave av close cl crescent cres drive dr way court ct place pl terrace terr tce
    gardens gdns grove gr quay row walk hill square sq mews parade pde view rise park green vale wharf yard
    boulevard broadway chase circus cottages croft dale drove embankment esplanade fields gate gardens glade
    heights hollow lea meadow meadows mount orchard passage path promenade ridge villas wynd approach causeway
    """.split()
)

# Street types that are also everyday words ("a 3 schools walk", "2 dogs park"). In lower case
# they need an address cue before the number: "I live at 5 oak walk".
EVERYDAY_STREET_TYPES = frozenset(
    """
    walk park green view rise row way hill drive dr place pl court ct close cl grove gr square sq yard mount path gate
    chase fields dale approach passage ridge hollow meadow meadows orchard heights circus drove av
    """.split()
)
_ADDRESS_CUE = re.compile(
    r"(?:\b(?:at|address(?:[ \t]+is)?:?|(?:live[sd]?|living|moved|house|home|flat|property)[ \t]+(?:at|on|in|to)))[ \t]*,?[ \t]*$",
    re.IGNORECASE,
)

# Words that cannot be part of a street's name between a number and a street type, so that
# "a 10 minute walk", "20 cars park here" and "5 people on the green" are not addresses.
NOT_STREET_NAME_WORDS = frozenset(
    """
    a an the and or but of to in on at by for from with into onto near past about over under than as is are was were be
    been being it its this that these those there here my our your his her their we you they i he she them us me
    not no yes very more less most least other another extra new big small large little few many some all any each
    every both only just also even still minute minutes min mins hour hours hr hrs second seconds sec secs mile miles
    metre metres meter meters km kms yard yards foot feet inch inches day days week weeks month months year years yr
    yrs time times people person persons resident residents house houses home homes flat flats car cars vehicle
    vehicles bike bikes bicycle bicycles bus buses lorry lorries van vans kid kids child children pupil pupils student
    students dog dogs space spaces bay bays tree trees shop shops business businesses percent per cent pound pounds
    pence quid mph storey storeys bed beds bedroom bedrooms step steps stop stops seat seats lane lanes spot spots
    parking way acre acres up down along through via toward towards behind beside outside inside opposite round around
    across off beyond go goes went gone run runs ran come comes came turn turns left right
    extra separate different local public private free paid daily weekly hourly am pm
    """.split()
)


def _alternation(words: frozenset[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=lambda w: (-len(w), w)))


_TYPE = rf"(?:{_alternation(STREET_TYPES)})"
_GAP = r"[ \t]+"
_NAME_WORD = rf"(?!(?:{_alternation(NOT_STREET_NAME_WORDS)})\b)(?:St\.|[a-z][a-z'’]*(?:-[a-z][a-z'’]*)*)"
# "Mill Lane", "St John's Road", "The Green", "The Old Mill Lane": up to three words before the type.
_STREET = rf"(?P<street>(?:(?-i:The){_GAP}(?:{_NAME_WORD}{_GAP}){{0,2}}|(?:{_NAME_WORD}{_GAP}){{1,3}})(?P<type>{_TYPE}))\b"
# Title-case only, for the street-first form where nothing anchors the start of the name.
_CAPITAL_WORD = r"(?-i:St\.|[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)*)"
_TITLE_STREET = rf"(?:{_CAPITAL_WORD}{_GAP}){{1,3}}{_TYPE}\b"
# 12, 12a, 3-5, 14/16, but not a year such as 2019.
_NUMBER = r"(?!(?:1[89]|20)\d\d(?![\da-z]))\d{1,4}[a-z]?(?:[ \t]*[-–/][ \t]*\d{1,4}[a-z]?)?\b"
_HOUSE = rf"(?:(?:no\.?|number)[ \t]*)?{_NUMBER}"
_FLAT = r"(?:flat|apartment|apt\.?|unit|maisonette)[ \t]*\d{1,4}[a-z]?\b"
_LEAD = rf"(?:{_FLAT}(?:(?:,[ \t]*|{_GAP}){_HOUSE})?|{_HOUSE})"
_NOT_AFTER = r"(?<![\w£$€.,:/+\-])"
# A number after one of these words is not a house number: "route 7 Harbour Road", "option 2 Mill Lane".
_NOT_AFTER_WORDS = frozenset("route bus buses service services phase option options stage section part zone plan site".split())
_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)[ \t]*$")

# "12 Mill Lane", "Flat 4, 14 Harbour Road", "no. 7 the green"
# ("the 12 Harbour Road bus" is a bus route, not an address)
NUMBER_THEN_STREET = re.compile(
    rf"{_NOT_AFTER}{_LEAD}(?:,[ \t]*|{_GAP}){_STREET}(?!{_GAP}(?:bus|buses|service|route)\b)", re.IGNORECASE
)
# "Mill Lane, number 12", "Mill Lane at no. 12"
STREET_THEN_NUMBER = re.compile(
    rf"(?<![\w-]){_TITLE_STREET}(?:,[ \t]*|{_GAP}at{_GAP}|{_GAP})(?:no\.?|number)[ \t]*\d{{1,4}}[a-z]?\b", re.IGNORECASE
)
# "number 12 on Mill Lane"
NUMBER_ON_STREET = re.compile(
    rf"{_NOT_AFTER}(?:no\.?|number)[ \t]*\d{{1,4}}[a-z]?{_GAP}(?:on|in|along|up|down){_GAP}{_STREET}", re.IGNORECASE
)


def address_spans(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each street address in ``text``; spans may overlap."""
    for pattern in (NUMBER_THEN_STREET, NUMBER_ON_STREET):
        for match in pattern.finditer(text):
            if _plausible(text, match):
                yield match.span()
    for match in STREET_THEN_NUMBER.finditer(text):
        yield match.span()


def _plausible(text: str, match: re.Match[str]) -> bool:
    """Whether a number before a street is a house number.

    Not after "route", "bus", "option" and the like, nor "the number 7 on Harbour Road" (a bus).
    A lower-case street whose type is also an everyday word needs a cue: "I live at 5 oak walk".
    """
    window = max(0, match.start() - 40)
    previous = _PREVIOUS_WORD.search(text, window, match.start())
    if previous:
        word = previous.group(1).lower()
        if word in _NOT_AFTER_WORDS or (word == "the" and match.group(0)[:1].lower() == "n"):
            return False
    if match.group("type").lower() not in EVERYDAY_STREET_TYPES or match.group("street")[0].isupper():
        return True
    return bool(_ADDRESS_CUE.search(text, window, match.start()))
