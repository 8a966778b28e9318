"""Yes and no in ordinary words (consent, quote, outcome, yes/no questions), and the review step.

"No problem, go ahead" is a yes; "yes, but not with my name" to the quote
question is a yes too, since quotes never carry names. Conditions that can't
be met, and anything unclear, are asked again with the exact words to use.
At the review, "go ahead and send it" submits, and "change my travel answer"
or "change the second answer" opens that question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from .options import ORDINALS, expand, kind_of
from .result import Understanding, check, sure, unclear
from .words import clean, content_words, lemma, normalise, tokens

YES, NO = "yes", "no"

# Whole-message phrases, checked first (they contain words that would mislead: "no problem").
YES_PHRASES = re.compile(
    r"^(?:no (?:problem|probs|prob|worries|bother|issue|issues|objection|objections)|not a problem|why not|"
    r"i don'?t (?:mind|see why not|have a problem with (?:that|it)|object)|don'?t mind|no reason not to|"
    r"i have no objection|that'?s no problem|no problem at all|by all means|feel free|go for it|go on then|go on|"
    r"fire away|let'?s (?:go|do it|start|begin|get started)|carry on|crack on|proceed|"
    r"keep me (?:posted|informed|updated|in the loop)|let me know|tell me|i'?d like (?:that|to know|to hear)|would like (?:that|to)|"
    r"(?:text|message|email|send|ping) me|send it (?:to me|here|over)|"
    r"please do|do it)\b"
)
YES_WORDS = set(
    """yes y ya yeah yea yeh yep yup aye sure ok okay k kk alright alrighty fine agreed agree accept accepted consent
    definitely absolutely certainly course indeed happy gladly please correct right true yass yas yess yesss ye ja si
    deal cool great perfect lovely brilliant grand sound sounds good ta totally affirmative 👍 ✅""".split()
)
NO_WORDS = set("""no n nope nah naw nay never decline declined refuse don't dont not rather negative nein nty""".split())
NO_PHRASES = re.compile(
    r"^(?:no thanks?|no thank you|not (?:really|now|today|interested|keen|happy|bothered|fussed|for me|this time)|"
    r"i'?d rather (?:not|you didn'?t)|rather not|i don'?t (?:agree|consent|want|think so|accept)|"
    r"don'?t (?:want|bother|quote|use|send)|please don'?t|i do not|i'?m not|do not|leave it|skip (?:it|that)|"
    r"i'?ll pass|pass|nothing|none|not at all|absolutely not|definitely not|certainly not|no way|"
    r"i'?d prefer not|prefer not|i'?d prefer you didn'?t|not bothered|not fussed|keep (?:it|that|them|my (?:comments?|answers?)) "
    r"(?:private|confidential|to yourselves?)|private|confidential)\b"
)
# "yes, but only if it's anonymous": conditions that every quote already meets.
ANONYMOUS_CONDITION = re.compile(
    r"\b(?:anonymous(?:ly)?|without my name|not with my name|no names?|don'?t (?:use|put|give|include|mention) my name|"
    r"leave my name out|keep my name out|name(?:'s| is)? not (?:used|included|mentioned)|name (?:isn'?t|won'?t be|is not|will not be) "
    r"(?:used|included|mentioned|on it|published|given)|without naming me|not my name|"
    r"as long as (?:i'?m|it'?s) (?:not named|anonymous)|don'?t name me|no name)\b"
)
# Anywhere in the message: idioms that mean yes although they hold "no" or "not".
YES_IDIOM = re.compile(
    r"\b(?:why not|no problem|no worries|not a problem|go for it|wouldn'?t mind|would not mind|(?:would|i'?d) love (?:that|to|it)|"
    r"quote away|(?:you|u) (?:can|may)(?: do| quote me| use (?:it|that|them|my comments?))?$|i (?:suppose|guess|reckon) so|if you (?:must|like|want|need to)|"
    r"i'?m (?:fine|ok|okay|happy|good|alright) with (?:that|it|this)|(?:use|quote) (?:it|them|me) if|"
    r"(?:anonymi[sz]ed|anonymous|anon) is (?:fine|ok|okay)|(?:that|it|this)(?:'d| would) be "
    r"(?:great|nice|good|lovely|helpful|useful|brilliant|handy|grand|fine|ideal))\b"
)
# Polite refusals: "I'm good thanks", "I'll look it up myself".
NO_THANKS = re.compile(
    r"^i'?m (?:good|ok|okay|fine|alright|all right)(?: thanks| thank you| ta| cheers)|^(?:i'?d )?prefer (?:you|u) didn'?t|"
    r"^(?:i |we )?used to\b|\b(?:not any ?more|no longer|moved away)\b|"
    r"^i'?m not (?:ok|okay|happy|comfortable|fine) with|"
    r"\b(?:i'?ll|i will|i can) (?:check|look|find out|see|keep an eye)\b.*\b(?:myself|website|online|council site|paper)\b"
)
# "Not very happy": a feeling, which says no to "may we quote you?" but answers no factual question.
NEGATED_FEELING = re.compile(
    r"\b(?:not|n'?t)\s+(?:(?:very|really|too|that|so|overly|particularly|at all)\s+)?"
    r"(?:happy|pleased|keen|impressed|satisfied|thrilled|bothered|fussed|sure|convinced)\b"
)
HEDGE_ONLY = re.compile(
    r"^(?:maybe|perhaps|possibly|not sure|unsure|dunno|don'?t know|i don'?t know|idk|hmm+|um+|er+|depends|it depends)$"
)


def understand_yes_no(text: str, step: str = "yesno", question_text: str = "") -> Understanding:
    """``step`` is consent, quote, notify or yesno; the quote step accepts "yes, anonymously".

    For a yes/no survey question, ``question_text`` lets an answer in other words count:
    "always take the car" to "Do you usually drive?" is offered back as Yes."""
    wanted = re.sub(r"\bno\s*(?=\d)", "number ", normalise(text))  # "no. 23" is a house number, not a no
    hint = 'Please reply "yes" or "no".'
    if not wanted:
        return unclear(hint)
    if step == "quote" and ANONYMOUS_CONDITION.search(wanted) and not re.match(r"^(?:no|nope|nah|don'?t)\b(?! name)", wanted):
        return sure(YES, 0.9)
    if HEDGE_ONLY.match(wanted):
        return unclear(hint)
    if step == "yesno" and NEGATED_FEELING.search(wanted) and not _echoes_question(wanted, question_text):
        return unclear(hint)  # a survey question asks a fact ("have you used ...?"): how they feel is no answer
    if YES_PHRASES.match(wanted) or YES_IDIOM.search(wanted):
        return sure(YES, 0.95)
    if NO_THANKS.search(wanted):
        return sure(NO, 0.9)
    if NO_PHRASES.match(wanted):
        return sure(NO, 0.95)
    words = wanted.split()
    first = words[0]
    if first in ("1",) and len(words) == 1:
        return sure(YES)
    if first in ("2",) and len(words) == 1:
        return sure(NO)
    if first in YES_WORDS and not any(w in NO_WORDS for w in words[1:3]):
        # "yes but ..." with another condition: still yes for these steps.
        return sure(YES, 0.95 if len(words) <= 6 else 0.9)
    if first in NO_WORDS:
        return sure(NO, 0.95)
    if re.search(
        r"\b(?:i (?:agree|consent|accept|do|would|will|am|have)|happy (?:to|for|with)|go ahead|go on|that'?s fine|sounds good|fine by me|ok by me|okay by me|sure thing|of course|please do|yes please)\b",
        wanted,
    ) and not re.search(r"\b(?:not|don'?t|won'?t|wouldn'?t|never|no)\b", wanted):
        return sure(YES, 0.9)
    if re.search(
        r"\b(?:i don'?t|i do not|i won'?t|i wouldn'?t|i haven'?t|i'?m not|not happy|no thanks|don'?t want|rather not|leave me out|count me out)\b",
        wanted,
    ):
        return sure(NO, 0.9)
    if re.search(r"\b(?:yes|yeah|yep|yup)\b", wanted) and not re.search(r"\b(?:no|not|never|don'?t|nope|nah)\b", wanted):
        return sure(YES, 0.9)  # "would be nice, yes"
    if question_text:
        return _answered_in_other_words(wanted, question_text, hint)
    return unclear(hint)


def _answered_in_other_words(wanted: str, question_text: str, hint: str) -> Understanding:
    """Yes when the answer says what the question asks about ("always take the car" to "do you drive?"),
    no when it names an alternative of the same kind ("I get the bus"). Offered back, never stored outright."""
    asked, said = _asked_and_said(wanted, question_text)
    if not asked or not said or re.search(r"\b(?:not|never|don'?t|no|nope|nah|hardly|rarely)\b", wanted):
        return unclear(hint)
    asked_families = {member for word in asked for member in expand(word)}
    echoes = [word for word in said if word in asked_families]
    alternatives = [word for word in said if word not in asked_families and _same_kind(word, asked)]
    if echoes and not alternatives:
        return check(YES, 0.6)
    if alternatives and not echoes:
        return check(NO, 0.6)
    return unclear(hint)


def _asked_and_said(wanted: str, question_text: str) -> tuple[set[str], list[str]]:
    asked = {word for word in content_words(question_text) if word not in _GENERIC_QUESTION_WORDS}
    return asked, content_words(wanted)


def _echoes_question(wanted: str, question_text: str) -> bool:
    """Whether the answer takes up a word of the question (or one of its synonyms): "not happy driving"."""
    asked, said = _asked_and_said(wanted, question_text)
    families = {member for word in asked for member in expand(word)}
    return any(word in families for word in said)


# Words a yes/no question shares with too many answers to count as an echo of it.
_GENERIC_QUESTION_WORDS = {"usually", "often", "ever", "normally", "library", "school", "there", "get", "go", "use"}


def _same_kind(word: str, asked: set[str]) -> bool:
    """Both ways of getting about, say: their synonym groups share a kind in synonyms.yml."""
    kinds = kind_of(word)
    return bool(kinds) and any(kinds & kind_of(other) for other in asked)


# --- the review step -------------------------------------------------------------

SUBMIT = re.compile(
    r"\b(?:submit|send|post|lodge|file|finish|finished|done|complete|go ahead|all good|all fine|all correct|"
    r"looks (?:good|right|fine|great|ok|okay|correct|spot on)|that'?s (?:right|fine|correct|it|all|everything|good|great|perfect|spot on)|"
    r"all (?:right|ok|okay|spot on)|spot on|perfect|correct|happy with (?:that|it|them|those|my answers|everything)|"
    r"i'?m happy|lgtm|bang on|sorted|good to go|ready|confirm(?:ed)?|yes|yeah|yep|yup|sure|ok|okay|fine|great|lovely|"
    r"brilliant|brill|excellent|grand|cool|sound|smashing|cheers|go|finali[sz]e|that'?ll do|that will do|job done|all done|finished|"
    r"we'?re done|i'?m done)(?!\w)"
)
NOT_YET = re.compile(r"\b(?:don'?t (?:send|submit)|do not (?:send|submit)|not yet|wait|hold on|hang on|not ready|stop)\b")
CHANGE = re.compile(
    r"\b(?:change|changing|edit|amend|redo|re-do|fix|correct (?:my|the|that|question|q|answer|number)|update|alter|go back|"
    r"back to|revisit|modify|wrong|mistake|different answer|another answer|switch|swap|instead|i said|i put|i meant|"
    r"should (?:be|have been|say)|meant to|supposed to be|the (?:question|bit|one|part) (?:about|on|for)|amend|tweak|"
    r"is off|isn'?t right|is not right|looks wrong|needs fixing|add to)\b"
)
NO_CHANGE = re.compile(
    r"^(?:nothing else|that'?s me|that'?s all|that'?s everything|nothing more)\b|"
    r"\b(?:nothing (?:to|i want to|i'?d like to|needs?) (?:change|changing|edit|amend)|no changes?|don'?t (?:need|want) to (?:change|edit)|"
    r"no need to (?:change|edit)|(?:won'?t|wouldn'?t) change (?:a thing|anything))\b"
)
# Words for a kind of question rather than its topic: "redo the ranking", "change my comments".
TYPE_WORDS = {
    "rank": {"rank", "ranking", "order", "priority", "priorities", "importance"},
    "text": {"comment", "comments", "remark", "remarks", "anything else", "extra", "note", "idea", "ideas", "words"},
    "multi": set(),
    "number": set(),
}
# "question 3", "q3", "the 3rd", "change 3" name a question; a bare number elsewhere ("should be 4 not 5") is an answer.
QUESTION_NUMBER = re.compile(
    r"\b(?:question|q|qu|number|no|answer|#)\s*\.?\s*(\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)\b|"
    r"\b(?:change|edit|amend|redo|fix|update|back to)\s+(\d{1,2})\b|^(\d{1,2})\s+(?:is|was|needs|should|isn'?t|wasn'?t)\b"
)


def _question_number(text: str, count: int) -> int | None:
    wanted = normalise(text)
    for word in wanted.split():
        if word in ORDINALS and ORDINALS[word] != 1 or word in ("first", "1st"):
            number = ORDINALS[word]
            return count if number == -1 else number
    match = QUESTION_NUMBER.search(wanted)
    if match:
        return int(next(group for group in match.groups() if group))
    spelled = SPELLED_QUESTION_NUMBER.search(wanted)
    if spelled:
        return CARDINALS[spelled.group(1)]  # "change question four"
    return None


CARDINALS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), start=1)}
SPELLED_QUESTION_NUMBER = re.compile(rf"\b(?:question|q|number|no|answer)\s+({'|'.join(CARDINALS)})\b")


def _question_by_type(text: str, questions: Sequence[tuple]) -> int | None:
    """ "redo the ranking": the one question of the kind the words name."""
    words = set(tokens(text))
    for kind, names in TYPE_WORDS.items():
        if words & names or (kind == "number" and re.search(r"\b(?:number question|how many)\b", normalise(text))):
            matching = [index for index, question in enumerate(questions) if len(question) > 2 and question[2] == kind]
            if len(matching) == 1:
                return matching[0] + 1
    return None


def _question_by_topic(text: str, questions: Sequence[tuple]) -> tuple[int | None, str]:
    """The question whose words (its text and options) the request names: "my travel answer"."""
    topic_words = [lemma(word) for word in tokens(text) if word not in _REVIEW_STOP and len(word) > 2 and not word.isdigit()]
    if not topic_words:
        return None, ""
    scores = []
    for index, (question_text, option_labels, *rest) in enumerate(questions):
        question_id = rest[1] if len(rest) > 1 else ""
        # The question's words, and its id's ("services", "priorities"): officers name questions after their topic.
        own = {
            lemma(w) for w in tokens(f"{question_text} {question_id.replace('_', ' ')}") if w not in _REVIEW_STOP and len(w) > 2
        }
        options = {lemma(w) for label in option_labels for w in tokens(label) if w not in _REVIEW_STOP and len(w) > 2}
        score = 0.0
        for word in topic_words:
            family = expand(word)
            if word in own:
                score += 1.0
            elif family & own:
                score += 0.8  # the same thing in other words counts a little less than the question's own word
            elif word in options:
                score += 0.6
            elif family & options:
                score += 0.5
            elif len(word) > 4 and any(fuzz.ratio(word, o) >= 85 or (len(o) >= 6 and word[:6] == o[:6]) for o in own):
                score += 0.8  # a typo, or the same stem: "satisfaction" for "satisfied", "importance" for "important"
        if score:
            scores.append((score, index))
    if not scores:
        return None, ""
    scores.sort(reverse=True)
    if len(scores) > 1 and scores[1][0] >= scores[0][0]:
        first, second = scores[0][1] + 1, scores[1][1] + 1
        return None, f"Do you mean question {min(first, second)} or {max(first, second)}?"
    return scores[0][1] + 1, ""


_REVIEW_STOP = set(
    """change changing edit amend redo fix correct update alter back revisit modify wrong mistake answer answers question
    questions bit part one thing the my a an to about on for of i i'd id i'm want would like can could please go need
    let me mine that this which what how do did actually sorry oh wait hmm and with it its it's just think rather
    different another instead switch swap said put gave say should would could is was be been off right wrong much many
    how what when where who which there here""".split()
)


def understand_review(text: str, questions: Sequence[tuple]) -> Understanding:
    """At the review: ``submit``, ``("change", n)`` (1-based), ``change`` (ask which), or not understood.

    ``questions`` holds each question's text, option labels and type, in order."""
    wanted = normalise(text)
    count = len(questions)
    hint = f'Reply "submit" to send your response, or "change" and a question number (like "change 2"), from 1 to {count}.'
    if not wanted:
        return unclear(hint)
    if NO_CHANGE.search(wanted) and not NOT_YET.search(wanted):
        return sure("submit", 0.9)
    bare = re.fullmatch(r"(?:q|question|number|no)?\s*(\d{1,2})", wanted)
    if bare:  # "3" or "number 3" at the review: change that question
        number = int(bare.group(1))
        return sure(("change", number)) if 1 <= number <= count else unclear(f"There's no question {number}. {hint}")
    if re.fullmatch(r"(?:back|go back|undo|edit|amend)", wanted):
        return sure("change", 0.9)
    if CHANGE.search(wanted) or re.match(rf"^(?:q|question)\s*(?:\d|{'|'.join(CARDINALS)}\b)", wanted):
        number = _question_number(wanted, count)
        if number is not None:
            if 1 <= number <= count:
                return sure(("change", number))
            return unclear(f"There's no question {number}. Please choose from 1 to {count}.")
        by_type = _question_by_type(wanted, questions)
        if by_type:
            return sure(("change", by_type), 0.9)
        by_topic, ambiguity = _question_by_topic(wanted, questions)
        if by_topic:
            return sure(("change", by_topic), 0.9)
        if ambiguity:
            return unclear(ambiguity)
        return sure("change", 0.9)
    if NOT_YET.search(wanted):
        return sure("change", 0.9)
    if SUBMIT.search(wanted) and not re.search(r"\b(?:not|don'?t|no)\s+(?:submit|send|ready|yet|right|correct|happy)\b", wanted):
        return sure("submit", 0.95)
    if re.fullmatch(r"(?:no|nope|nah|n)", wanted):
        return sure("change", 0.9)
    if len(wanted.split()) <= 2 and any(fuzz.ratio(word, verb) >= 80 for word in wanted.split() for verb in ("submit", "send")):
        return sure("submit", 0.9)  # "submitt", "sned it"
    if re.search(r"\b(?:answer|one|question|bit|part|number|figure)\b", wanted) and not SUBMIT.search(wanted):
        by_topic, _ = _question_by_topic(wanted, questions)  # "the days answer": that question
        if by_topic:
            return sure(("change", by_topic), 0.9)
    agreed = understand_yes_no(text, "review")
    if agreed.decision == "store":  # "go for it", "no problem": a yes is a submit, a no opens the list
        return sure("submit" if agreed.value == YES else "change", 0.9)
    return unclear(hint)


def looks_like_yes(text: str) -> bool:
    return understand_yes_no(clean(text)).value == YES
