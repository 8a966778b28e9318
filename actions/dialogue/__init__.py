"""Rasa custom actions. Started with ``rasa run actions --actions actions.dialogue``.

Actions stay thin: they read the tracker, call the domain layer (content,
store, text) and turn results into messages. Blocking store calls run in a
worker thread so the action server's event loop keeps serving other residents.
"""
