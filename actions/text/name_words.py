"""The words that name finding relies on: the name gazetteer, and words that are never names.

The gazetteer (``data/names.tsv``) lists first names and surnames common in
the UK; see its header for its source, licence and columns. It is read once
per process, on first use. The word sets below are fixed at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .street_addresses import STREET_TYPES

NAMES_PATH = Path(__file__).resolve().parent / "data" / "names.tsv"


@dataclass(frozen=True)
class Gazetteer:
    first: frozenset[str]  # first names that are not everyday words
    ambiguous: frozenset[str]  # first names that are also words or places: only after a cue
    surnames: frozenset[str]  # for a lower-case surname after a lower-case first name


@lru_cache(maxsize=1)
def gazetteer(path: Path = NAMES_PATH) -> Gazetteer:
    """The first-name and surname list, read once per process."""
    kinds: dict[str, set[str]] = {"first": set(), "ambiguous": set(), "surname": set()}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, kind = line.split("\t")
            kinds[kind].add(name.strip().lower())
    return Gazetteer(frozenset(kinds["first"]), frozenset(kinds["ambiguous"]), frozenset(kinds["surname"]))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are never a name, whatever their case.
FUNCTION_WORDS = _words(
    """
    a an the and or but nor if so then than as because though although while whether of to in on at by for from with
    into onto upon about above below over under after before between through during without within near past off up
    down out around across along against i me my mine we us our you your he him his she her they them their it its
    this that these those there here who whom whose which what when where why how all any both each every either
    neither some such no not none nothing one two three four five six seven eight nine ten first second last next
    other another same own very too also just only still even ever never always often sometimes really quite rather
    more most less least much many few lots lot is are was were be been being am has have had having do does did
    doing done will would shall should can could may might must can't won't don't doesn't didn't isn't aren't wasn't
    weren't hasn't haven't hadn't couldn't wouldn't shouldn't says said say thinks think thought lives live lived
    living works work worked uses use used goes go went gone walks walk walked drives drive drove cycles cycle takes
    take took needs need wants want loves love hates hate likes like agrees agree disagrees disagree feels feel gets
    get got makes make made knows know told tells asked asks helps help
    yes yeah no nope ok okay please thanks thank cheers hi hello hey dear bye sorry well oh also again everyone
    everybody anyone anybody someone somebody all guys folks team council councils officer officers staff resident
    residents people neighbours family families friends kids children parents locals member members public
    today tonight tomorrow yesterday now soon later back anytime asap x xx xxx
    """
)
CALENDAR_WORDS = _words(
    """
    january february march april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri
    sat sun christmas easter xmas bank holiday weekend weekday morning afternoon evening night year years week weeks
    month months day days
    """
)
# Places, buildings and organisations: "Stanley Park", "Albert Hall Road", "Westfield Residents Association".
PLACE_WORDS = STREET_TYPES | _words(
    """
    centre center library school academy college university hospital surgery clinic practice pharmacy station stop
    hall house church chapel cathedral mosque temple gurdwara synagogue ward wards council borough district county
    city town village estate bridge market leisure pool baths museum theatre cinema club association society group
    trust team committee forum partnership ltd limited plc shop shops stores store supermarket arms inn pub hotel cafe
    café restaurant garage primary secondary nursery infants juniors north south east west upper lower common bay
    beach harbour port dock docks island airport line cross bus buses route routes tower towers building buildings
    mill lodge home homes care medical community sports field meadow wood woods forest lake river valley fair
    festival appeal fund foundation hospice campus office offices services service department police fire ambulance
    nhs gp rail railway metro tram
    """
)
# A surname can be a street type or a place word ("Sarah Green", "Mary Hill", "Tom Hall", "Jo Ward").
SURNAME_PLACE_WORDS = _words("green hill hall ward wood woods fields banks gates dale lane")
RELATION_WORDS = _words(
    """
    neighbour neighbours neighbor neighbors husband hubby wife missus son sons daughter daughters mum mums mom mother
    dad dads father parent parents friend friends mate mates pal partner carer carers brother brothers sister sisters
    nan nana nanna gran granny grandma grandmother grandad granddad grandpa grandfather grandson grandsons
    granddaughter granddaughters grandchild grandchildren grandkids boyfriend girlfriend fiance fiancé fiancee fiancée
    colleague colleagues landlord landlady tenant tenants aunt auntie aunty uncle cousin cousins nephew nephews niece
    nieces child kid kids boy boys girl girls lad lads lass stepson stepdaughter stepmum stepdad lodger flatmate
    housemate cleaner childminder ex in-laws mother-in-law father-in-law son-in-law daughter-in-law baby toddler
    teenager youngest eldest other half
    """
)
TITLE_WORDS = _words("mr mrs ms miss mx dr prof mstr sir dame lady lord cllr councillor councilor mayor")
# Words that follow "I'm" / "I am" but are not names ("I'm Worried", "I am Disabled"), and the
# demo council's places.
NOT_NAMES = _words(
    """
    a an the not very really so just also still worried concerned disabled happy unhappy against for in on at from
    sure afraid glad sorry writing retired pleased opposed supportive fine ok okay totally strongly fully going
    thinking living resident local blind deaf elderly old young new unable able aware angry fed tired scared
    frightened told here there millbrook harbourside riverside westfield hillcrest thornby and but with by all
    """
)
# Shops and brands that look like a first name and a surname.
NOT_PEOPLE = frozenset({"john lewis", "harvey nichols", "william hill", "ted baker", "dorothy perkins", "thomas cook"})
# A first name right after one of these is part of a place or a public figure's title: "St John", "Queen Elizabeth".
NOT_AFTER = _words(
    "st st. saint king queen prince princess duke lady lord sir dame cllr councillor councilor hms mount lake loch"
)

NEVER_FIRST = FUNCTION_WORDS | CALENDAR_WORDS | PLACE_WORDS | RELATION_WORDS | TITLE_WORDS | NOT_NAMES
NEVER_SURNAME = FUNCTION_WORDS | CALENDAR_WORDS | (PLACE_WORDS - SURNAME_PLACE_WORDS) | RELATION_WORDS | TITLE_WORDS | NOT_NAMES
# After a name, these show it is a public figure ("Sarah Jenkins MP").
PUBLIC_SUFFIXES = _words("MP MPs MSP MS MEP AM MBE OBE CBE")
