"""Rasa custom actions, served by ``python -m actions.servers actions`` (``make run``).

Actions stay thin: they read the tracker, call the domain layer (content,
store, text) and turn results into messages. Blocking store calls run in a
worker thread so the action server's event loop keeps serving other residents.
The action server warms everything up before it reports ready (``warm_up.py``),
so the first resident doesn't wait for the catalogue, the stance classifier or
the sentence encoder.
"""
