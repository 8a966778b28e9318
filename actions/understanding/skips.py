"""Saying "skip": explicit words always skip; softer ones only when they are not a real answer."""

from __future__ import annotations

import re

from .words import normalise

# Said only to move on: these skip even where a word like "none" could be a real answer.
EXPLICIT_SKIP = re.compile(
    r"^(?:skip|skip (?:it|this|this one|that|question|this question|that one)|pass|i'?ll pass|next|next question|"
    r"move on|no comment|no comments|prefer not to say|rather not say|i'?d rather not say|id rather not say|"
    r"i'?d rather not answer|rather not answer|prefer not to answer|i'?d prefer not to say|not answering|"
    r"(?:i )?(?:don'?t|do not) (?:want|wish) to (?:answer|say|rank|choose|pick)(?: (?:that|this|it|them|one))?|"
    r"(?:i'?d )?rather not (?:answer|say|rank|choose|pick|rank them|order them)(?: (?:that|this|it|them|one))?|n/a|na|not applicable|doesn'?t apply|"
    r"does not apply|not relevant|leave it blank|leave blank|no answer|none of your business|next q|next one|move on|go on to the next)"
    r"(?:[ ,]+(?:thanks|thank you|please|move on|next|skip|ta|cheers))*$"
)
# Also skips, but only where they aren't a valid answer ("none" is 0 for a number question).
_SOFT = (
    r"(?:none|nothing|nothing to add|nothing else|nothing more|no thanks|no thank you|nope|nah|no|not really|not sure|"
    r"nothing really|no more|that'?s all|that'?s it|all good|i'?m good|no comment)"
)
# "no, nothing else", "not really no thanks": soft words, in any combination.
SOFT_SKIP = re.compile(rf"^{_SOFT}(?:[ ,]+(?:{_SOFT}|thanks|thank you|ta|cheers))*$")


def is_explicit_skip(text: str) -> bool:
    return bool(EXPLICIT_SKIP.match(normalise(text)))


def is_skip(text: str) -> bool:
    wanted = normalise(text)
    return bool(EXPLICIT_SKIP.match(wanted) or SOFT_SKIP.match(wanted))
