"""Rasa's Rule policy, skipping a search that can never match our rules and reading each rule once; named in config.yml."""

from typing import Any

from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, ENTITIES, INTENT

from .components import _lean


def _constrains(value: Any) -> bool:
    return bool(value) and value != SHOULD_NOT_BE_SET


def could_match_a_text_turn(rule_key: str) -> bool:
    """Whether a rule could match the Rule policy's end-to-end search, in which the latest turn
    has the resident's text but no intent and no entities."""
    last_state = RulePolicy._rule_key_to_state(rule_key)[-1]
    previous_action = last_state.get(PREVIOUS_ACTION)
    if not previous_action or previous_action.get(ACTION_NAME) not in (None, ACTION_LISTEN_NAME):
        return False  # a conversation start, or a step after some other action
    user = last_state.get(USER, {})
    return not _constrains(user.get(INTENT)) and not _constrains(user.get(ENTITIES))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class LeanRulePolicy(RulePolicy):
    """Rasa's RulePolicy, without its search for rules written with residents' exact words when no
    trained rule could match that search.

    After every message the Rule policy rebuilds the dialogue states of the whole conversation
    twice: once with the message's text in place of its intent (for end-to-end rules) and once with
    its intent. The text search was 11% of the Rasa server's CPU, and with intent-only rules it can
    never match (:func:`could_match_a_text_turn`). Whether the trained rules include any rule that
    could is checked once per set of rules; if one does, Rasa's search runs as before.
    """

    def _rule_key_to_state(self, rule_key: str) -> list[dict]:  # type: ignore[override]
        """A rule's states, read from its JSON key once rather than at every check. Rasa reads the key
        again for every rule at every turn of the conversation it looks back over (4% of the Rasa
        server's CPU near the end of a survey); the states are only ever read."""
        if not _lean(self, "LeanRulePolicy"):
            return RulePolicy._rule_key_to_state(rule_key)
        parsed = self.__dict__.setdefault("_hys_rule_states", {})
        states = parsed.get(rule_key)
        if states is None:
            states = parsed[rule_key] = RulePolicy._rule_key_to_state(rule_key)
        return states

    def _get_possible_keys(self, lookup: dict[str, str], states: list[dict]) -> set[str]:
        """Rasa's filter of the rules that fit the conversation's states, newest first, stopping once it
        is further back than every rule still possible is long: from there Rasa's check keeps them all."""
        if not _lean(self, "LeanRulePolicy"):
            return super()._get_possible_keys(lookup, states)
        known = self.__dict__.get("_hys_rule_lengths")
        if known is None or known[0] is not lookup:
            known = self.__dict__["_hys_rule_lengths"] = (lookup, {key: len(self._rule_key_to_state(key)) for key in lookup})
        lengths = known[1]
        possible = set(lookup)
        for turn, state in enumerate(reversed(states)):
            if turn >= max((lengths[key] for key in possible), default=0):
                break
            possible = {key for key in possible if self._is_rule_applicable(key, turn, state)}
        return possible

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        # Rasa's validator checks a policy whose class *is* RulePolicy against the domain; do it here.
        RulePolicy.raise_if_incompatible_with_domain(self.config, domain)
        return super().train(training_trackers, domain, **kwargs)

    def _find_action_from_rules(
        self, tracker: DialogueStateTracker, domain: Domain, use_text_for_last_user_input: bool
    ) -> tuple[str | None, str | None, bool]:
        if use_text_for_last_user_input and _lean(self, "LeanRulePolicy"):
            rules = self.lookup.get(RULES, {})
            known = self.__dict__.get("_text_turn_rules")
            if known is None or known[0] is not rules:
                known = self.__dict__["_text_turn_rules"] = (rules, any(map(could_match_a_text_turn, rules)))
            if not known[1]:
                return None, None, False
        return super()._find_action_from_rules(tracker, domain, use_text_for_last_user_input)
