"""Rasa custom actions. Started with ``rasa run actions --actions actions.dialogue``.

Actions stay thin: they read the tracker, call the domain layer (content,
store, text) and turn results into messages. Blocking store calls run in a
worker thread so the action server's event loop keeps serving other residents.
"""

import threading

from ..understanding import warm_up

# About two seconds of set-up (the stance classifier, the sentence encoder) happen in the
# background as the action server starts, so the first resident doesn't wait for them.
threading.Thread(target=warm_up, name="understanding-warm-up", daemon=True).start()
