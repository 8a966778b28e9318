"""The buttons offered in a conversation's last turn (actions/store/offered.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from actions.store.models import OfferedPayloadsRow
from actions.store.repository import Store

KEY = "rest:0123abcd"


def row(store: Store) -> OfferedPayloadsRow | None:
    with store.session() as session:
        return session.scalars(select(OfferedPayloadsRow)).one_or_none()


def test_an_offer_is_kept_replaced_and_cleared(store):
    assert store.offered_payloads(KEY) == []
    store.remember_offered_payloads(KEY, [])
    assert row(store) is None, "nothing offered to a new conversation writes nothing"
    store.remember_offered_payloads(KEY, ["/start_response", "/ask_documents"])
    assert store.offered_payloads(KEY) == ["/start_response", "/ask_documents"]
    store.remember_offered_payloads(KEY, ["/help"])
    assert store.offered_payloads(KEY) == ["/help"]
    store.remember_offered_payloads(KEY, [])
    assert store.offered_payloads(KEY) == [] and row(store) is not None
    store.remember_offered_payloads(KEY, [f"/p{n}" for n in range(80)])
    assert len(store.offered_payloads(KEY)) == 50
    assert store.offered_payloads("rest:someone-else") == []


def test_the_same_offer_again_writes_nothing(store):
    store.remember_offered_payloads(KEY, ["/help"])
    first = row(store).updated_at
    store.remember_offered_payloads(KEY, ["/help"])
    assert row(store).updated_at == first
    store.remember_offered_payloads(KEY, ["/help", "/greet"])
    assert row(store).updated_at >= first and store.offered_payloads(KEY) == ["/help", "/greet"]


def test_the_offer_holds_whichever_process_handles_the_next_message(store):
    """Two Store objects stand for two Rasa processes: each must see and replace the other's offer."""
    first, second = store, Store(store.url, store.sender_salt)
    first.remember_offered_payloads(KEY, ["/a"])
    assert second.offered_payloads(KEY) == ["/a"]
    second.remember_offered_payloads(KEY, ["/b"])
    assert first.offered_payloads(KEY) == ["/b"]
    first.remember_offered_payloads(KEY, ["/a"])  # the first process offers /a again: not "unchanged"
    assert second.offered_payloads(KEY) == ["/a"]
    second.remember_offered_payloads(KEY, [])
    assert first.offered_payloads(KEY) == []
