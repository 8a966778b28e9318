"""What the website widget receives: Rasa's socket.io messages, with each survey step's answer control.

The survey sends its prompt as text and buttons on every channel, plus, on
socket.io only, the step as data (``{"question": {...}}``, Rasa's custom
payload; see survey/controls.py). Rasa's own socket.io output would emit the
text and the custom payload as separate events, and would emit a custom
payload without a ``data`` key as nothing useful. Here the control is attached
to the message it belongs to, so the widget draws the question and its control
as one message, announced once.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.socketio import SocketIOOutput


class WidgetOutput(SocketIOOutput):
    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        custom = message.get("custom")
        control = custom.get("question") if isinstance(custom, dict) else None
        if not isinstance(control, dict):
            await super().send_response(recipient_id, message)
            return
        # As Rasa splits text into parts at blank lines, with the buttons on the last part; the control goes there too.
        parts = (message.get("text") or "").strip().split("\n\n")
        events: list[dict[str, Any]] = [{"text": part} for part in parts]
        events[-1]["quick_replies"] = [
            {"content_type": "text", "title": button["title"], "payload": button["payload"]}
            for button in message.get("buttons") or []
        ]
        events[-1]["question"] = control
        for event in events:
            await self._send_message(recipient_id, event)
