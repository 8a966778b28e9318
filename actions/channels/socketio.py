"""Rasa's socket.io channel for the website widget, restricted to the council's own sites.

Rasa 3.6 builds its socket.io server with CORS checks switched off
(``cors_allowed_origins=[]``), so any website could open a chat. This
connector is Rasa's, with three changes: the server only accepts connections
from ``cors_allowed_origins`` (WEBSITE_ORIGINS in .env); a session id is a
random UUID (a client can't choose "+447700900111" or any other string), and a
socket can only speak in the session it was confirmed in; and every message
passes the guard in guard.py, which keys the conversation by a salted hash.
Replies go through widget.py, which attaches each survey step's answer control
to its message.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from socketio import AsyncServer

from .guard import Handler, guarded
from .limits import SLOW_DOWN_REPLY, ip_limiter
from .widget import WidgetOutput

logger = logging.getLogger(__name__)

UUID_SHAPED = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


class ResidentSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = dict(credentials or {})
        origins = credentials.pop("cors_allowed_origins", "")
        channel = super().from_credentials(credentials)
        channel.cors_allowed_origins = [
            o.strip().rstrip("/") for o in (origins.split(",") if isinstance(origins, str) else origins) if o and o.strip()
        ]
        return channel

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = guarded(on_new_message, self.name())
        origins = getattr(self, "cors_allowed_origins", None) or []
        if not origins:
            logger.warning("socketio: no WEBSITE_ORIGINS configured, so no website can open a chat")
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins or ["null-origin-disabled"])
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_request):
            return response.json({"status": "ok"})

        client_ips: dict[str, str] = {}
        sessions: dict[str, str] = {}  # socket id -> the session id this socket was confirmed in

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            # The origin was already checked by the socket.io server.
            client_ips[sid] = str(environ.get("REMOTE_ADDR") or environ.get("HTTP_X_FORWARDED_FOR") or "unknown")
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            client_ips.pop(sid, None)
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            # A reload may carry on its session (session persistence), but only a random UUID-shaped one:
            # anything else ("+447700900111", "admin") gets a new server-issued id instead.
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and UUID_SHAPED.match(requested) else str(uuid.uuid4())
            if self.session_persistence:
                sio.enter_room(sid, session_id)
            sessions[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: dict) -> None:
            if not isinstance(data, dict):
                return
            output_channel = WidgetOutput(sio, self.bot_message_evt)
            if not ip_limiter().allow(f"ip:{client_ips.get(sid, 'unknown')}"):
                await output_channel.send_text_message(str(data.get("session_id") or sid), SLOW_DOWN_REPLY)
                return
            if self.session_persistence:
                # The session this socket was confirmed in, whatever the message claims.
                sender_id = sessions.get(sid)
                if sender_id is None or data.get("session_id") not in (None, sender_id):
                    logger.warning("socketio: message outside the socket's confirmed session ignored")
                    return
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key, {})
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            message = UserMessage(
                str(data.get("message", "")), output_channel, sender_id, input_channel=self.name(), metadata=metadata
            )
            await handle(message)

        return socketio_webhook
