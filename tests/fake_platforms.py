"""A stand-in for the messaging platforms' APIs (Telegram, Twilio, Facebook Graph, Slack) on loopback.

Outgoing messages from the channels are pointed here, so tests can read exactly
what would have been sent, and nothing reaches the internet.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePlatforms:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", errors="replace")
                content_type = self.headers.get("Content-Type", "")
                if "json" in content_type:
                    body = json.loads(raw or "{}")
                elif "form" in content_type:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                else:
                    body = raw
                outer.requests.append({"path": self.path, "body": body})
                self._reply(outer.answer(self.path, body))

            def _reply(self, payload):
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, body) -> dict:
        if "/bot" in path:  # Telegram Bot API
            chat = (body.get("chat_id") if isinstance(body, dict) else None) or 1
            return {
                "ok": True,
                "result": {
                    "message_id": len(self.requests),
                    "date": 1700000000,
                    "chat": {"id": int(chat), "type": "private"},
                    "text": "ok",
                },
            }
        if "/Messages.json" in path:  # Twilio
            return {"sid": f"SM{len(self.requests):032d}", "status": "queued", "body": body.get("Body", "")}
        if "chat.postMessage" in path:  # Slack
            return {"ok": True, "ts": "1700000000.000100"}
        return {"recipient_id": "1", "message_id": f"m{len(self.requests)}"}  # Facebook Send API

    def start(self) -> FakePlatforms:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def sent(self, fragment: str) -> list[dict]:
        return [request for request in self.requests if fragment in request["path"]]
