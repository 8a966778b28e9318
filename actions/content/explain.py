"""Plain-English answers about consultations, built only from their own content.

Every function returns text (and suggested next steps) using nothing but the
consultation's fields. When the content doesn't answer a question we say so
and point to the documents and a contact route: never invent an answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from .model import Consultation, Council, Proposal, Ward


@dataclass
class Answer:
    text: str
    buttons: list[dict] = field(default_factory=list)


def long_date(day: dt.date) -> str:
    return day.strftime("%A %-d %B %Y")


def when(moment: dt.datetime) -> str:
    time = moment.strftime("%-I:%M%p").lower().replace(":00", "")
    return f"{moment.strftime('%A %-d %B %Y')} at {time}"


def payload(intent: str, slug: str | None = None) -> str:
    """A button payload that goes straight to an intent, carrying the consultation's slug."""
    return f"/{intent}" + (json.dumps({"consultation": slug}, separators=(",", ":")) if slug else "")


def next_step_buttons(consultation: Consultation, today: dt.date, exclude: str = "") -> list[dict]:
    slug = consultation.slug
    buttons = []
    if consultation.effective_status(today) == "open":
        buttons.append({"title": "Have my say", "payload": payload("start_response", slug)})
    candidates = [
        ("ask_proposals", "The options", bool(consultation.proposals)),
        ("ask_documents", "Documents", bool(consultation.documents)),
        ("ask_events", "Events", bool(consultation.events)),
        ("ask_deadline", "Closing date", consultation.effective_status(today) == "open"),
        ("ask_outcome", "What happened", consultation.effective_status(today) == "closed"),
    ]
    buttons += [
        {"title": title, "payload": payload(intent, slug)} for intent, title, show in candidates if show and intent != exclude
    ]
    return buttons[:5]


def status_phrase(consultation: Consultation, today: dt.date) -> str:
    status = consultation.effective_status(today)
    if status == "open":
        days = (consultation.closes - today).days
        soon = " (that's today!)" if days == 0 else " (tomorrow)" if days == 1 else f" ({days} days left)" if days <= 7 else ""
        return f"open until {long_date(consultation.closes)}{soon}"
    return f"closed on {long_date(consultation.closes)}"


def list_consultations(consultations: list[Consultation], today: dt.date, heading: str) -> Answer:
    lines = [heading]
    for number, consultation in enumerate(consultations, start=1):
        summary = first_sentence(consultation.summary)
        lines.append(f"{number}. {consultation.title}: {summary} ({status_phrase(consultation, today)})")
    lines.append('Which one would you like to hear about? You can say "the first one" or its name.')
    buttons = [{"title": c.title[:40], "payload": payload("ask_about", c.slug)} for c in consultations[:5]]
    return Answer("\n".join(lines), buttons)


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return (match.group(1) if match else text).strip()


def summary(consultation: Consultation, today: dt.date) -> Answer:
    if consultation.effective_status(today) == "closed":
        # For a finished consultation, what people want to know is what came of it.
        result = outcome(consultation, today)
        return Answer(
            f"{consultation.title} ({status_phrase(consultation, today)})\n{consultation.summary}\n\n{result.text}",
            result.buttons,
        )
    text = f"{consultation.title} ({status_phrase(consultation, today)})\n{consultation.summary}"
    if consultation.documents:
        text += f"\nFull details: {consultation.documents[0].url}"
    text += "\nWhat would you like to know? I can tell you about the options, documents, events, the closing date and what happens next."
    return Answer(text, next_step_buttons(consultation, today))


def background(consultation: Consultation, today: dt.date) -> Answer:
    if not consultation.background:
        return Answer(
            f"The consultation doesn't give more background than this: {consultation.summary}",
            next_step_buttons(consultation, today),
        )
    return Answer(f"Why the council is proposing this:\n{consultation.background}", next_step_buttons(consultation, today))


def proposals(consultation: Consultation, today: dt.date) -> Answer:
    if not consultation.proposals:
        return Answer(
            f'"{consultation.title}" doesn\'t set out separate options. {consultation.summary}',
            next_step_buttons(consultation, today, "ask_proposals"),
        )
    lines = [f"The options for {consultation.title}:"]
    lines += [f"• {proposal.title}: {proposal.description}" for proposal in consultation.proposals]
    return Answer("\n".join(lines), next_step_buttons(consultation, today, "ask_proposals"))


def proposal_answer(consultation: Consultation, today: dt.date, proposal: Proposal) -> Answer:
    return Answer(f"{proposal.title}\n{proposal.description}", next_step_buttons(consultation, today))


def retrieved(consultation: Consultation, today: dt.date, text: str, source: str, confident: bool = True) -> Answer:
    """A passage of the consultation's own content, said with where it comes from.

    When retrieval is not confident the passage is offered as the closest thing the content says,
    with the documents, so the resident is never told more than the content supports."""
    if confident:
        return Answer(f"{text}\n(From {source} for {consultation.title}.)", next_step_buttons(consultation, today))
    link = f" The full documents are at {consultation.documents[0].url}." if consultation.documents else ""
    return Answer(
        f"I'm not sure the information for {consultation.title} answers that exactly. The closest I found, from {source}:\n"
        f"{text}\nIf that doesn't answer it, please check the documents or ask the council.{link}",
        next_step_buttons(consultation, today),
    )


def documents(consultation: Consultation, today: dt.date, council: Council | None) -> Answer:
    if not consultation.documents:
        contact = contact_line(council)
        return Answer(
            f"There are no documents listed for this consultation. {contact}",
            next_step_buttons(consultation, today, "ask_documents"),
        )
    lines = [f"Documents for {consultation.title}:"]
    lines += [f"• {document.title}: {document.url}" for document in consultation.documents]
    return Answer("\n".join(lines), next_step_buttons(consultation, today, "ask_documents"))


def events(consultation: Consultation, today: dt.date) -> Answer:
    upcoming = [event for event in consultation.events if event.when.date() >= today]
    if not consultation.events:
        return Answer(
            "There are no events listed for this consultation, but you can still read the documents and give your views here.",
            next_step_buttons(consultation, today, "ask_events"),
        )
    if not upcoming:
        return Answer(
            "All the events for this consultation have now taken place.", next_step_buttons(consultation, today, "ask_events")
        )
    lines = ["Upcoming events:"] + [f"• {event.title}: {when(event.when)}, {event.where}" for event in upcoming]
    return Answer("\n".join(lines), next_step_buttons(consultation, today, "ask_events"))


def deadline(consultation: Consultation, today: dt.date, in_survey: bool = False) -> Answer:
    status = consultation.effective_status(today)
    if status == "open" and in_survey:
        return Answer(f"{consultation.title} is {status_phrase(consultation, today)}.")
    if status == "open":
        text = (
            f"{consultation.title} is {status_phrase(consultation, today)}. You can give your views here in a few minutes, "
            "one question at a time. Would you like to start?"
        )
        return Answer(text, next_step_buttons(consultation, today, "ask_deadline"))
    return Answer(
        f"{consultation.title} {status_phrase(consultation, today)}, so it's no longer taking responses.",
        next_step_buttons(consultation, today, "ask_deadline"),
    )


def next_steps(consultation: Consultation, today: dt.date) -> Answer:
    if consultation.next_steps:
        text = f"After it closes: {consultation.next_steps}"
    elif consultation.decision_expected:
        text = f"A decision is expected on {long_date(consultation.decision_expected)}."
    else:
        text = "The consultation doesn't say yet when a decision will be made. The council publishes results on its website."
    return Answer(text, next_step_buttons(consultation, today))


def outcome(consultation: Consultation, today: dt.date) -> Answer:
    if consultation.outcome:
        result = consultation.outcome
        text = (
            f"{consultation.title}: we asked, you said, we did (published {long_date(result.published)}).\n"
            f"You said: {result.you_said}\nWe did: {result.we_did}"
        )
        return Answer(text, [{"title": "What's open now?", "payload": "/list_consultations"}])
    if consultation.effective_status(today) == "open":
        after = f" {consultation.next_steps}" if consultation.next_steps else ""
        return Answer(
            f"{consultation.title} is still open, so there's no outcome yet. It's {status_phrase(consultation, today)}.{after}",
            next_step_buttons(consultation, today),
        )
    if consultation.decision_expected:
        return Answer(
            f"The outcome of {consultation.title} hasn't been published yet. A decision is expected on {long_date(consultation.decision_expected)}.",
            [{"title": "What's open now?", "payload": "/list_consultations"}],
        )
    return Answer(
        f"The outcome of {consultation.title} hasn't been published yet.",
        [{"title": "What's open now?", "payload": "/list_consultations"}],
    )


def contact_line(council: Council | None) -> str:
    if council is None:
        return "Please contact the council for help."
    return f"You can contact {council.name} on {council.contact_phone} or {council.contact_email} ({council.contact_hours})."


def no_answer(consultation: Consultation, today: dt.date, council: Council | None) -> Answer:
    link = f" The full documents are at {consultation.documents[0].url}." if consultation.documents else ""
    return Answer(
        f"I'm sorry, I can't find an answer to that in the information for {consultation.title}, and I don't want to guess.{link} "
        f"{contact_line(council)}",
        next_step_buttons(consultation, today),
    )


def councillors(ward: Ward) -> Answer:
    if not ward.councillors:
        return Answer(f"You're in {ward.name} ward. There's no councillor listed for it at the moment.")
    lines = [f"You're in {ward.name} ward. Your councillor{'s are' if len(ward.councillors) > 1 else ' is'}:"]
    lines += [f"• {c.name} ({c.party}): {c.email}" for c in ward.councillors]
    return Answer(
        "\n".join(lines),
        [{"title": f"What's happening in {ward.name}?", "payload": f"what consultations are there in {ward.name}"}],
    )
