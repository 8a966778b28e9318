"""The action server's HTTP app: rasa-sdk's ActionExecutor behind a small Sanic app of our own.

What it adds to rasa-sdk's own app (``rasa_sdk.endpoint.create_app``), which it otherwise follows:

* every call but ``/health`` must carry ``Authorization: Bearer ACTION_SERVER_TOKEN``;
* every action sees the current turn only (actions/current_turn.py): each call's events are trimmed
  here, so what an action receives is the same whether Rasa sent the whole history (stock Rasa,
  ``HYS_SPEEDUPS=off``) or only the current turn (``speedups.send_actions_the_current_turn``);
* the port opens only once everything is warm (actions/dialogue/warm_up.py), so ``/health``
  answering means the first resident is served at full speed.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import logging
import zlib
from typing import Any

from rasa_sdk import utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from .current_turn import current_turn

logger = logging.getLogger(__name__)
ACTIONS_PACKAGE = "actions.dialogue"
_app_numbers = itertools.count(1)  # Sanic wants a new name for every app made in one process


def require_action_token(token: str):
    """Sanic request middleware: every call but /health must carry ``Authorization: Bearer <token>``.

    Rasa sends it from the action endpoint's ``headers`` in endpoints.yml (ACTION_SERVER_TOKEN),
    so a forged call to /webhook from anything else on the host is refused with 401.
    """
    expected = f"Bearer {token}".encode()

    async def check(request: Request):
        if request.path.rstrip("/") == "/health":
            return None
        sent = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(sent, expected):
            return response.json({"error": "this action server only answers the Rasa server (bad or missing token)"}, status=401)
        return None

    return check


def trimmed_to_the_current_turn(action_call: dict[str, Any]) -> dict[str, Any]:
    """The call with its tracker's events cut to the current turn (in place)."""
    tracker = action_call.get("tracker")
    if isinstance(tracker, dict) and isinstance(tracker.get("events"), list):
        tracker["events"] = current_turn(tracker["events"])
    return action_call


async def warm_before_listening(app: Sanic, loop) -> None:
    """Build the catalogue and every other cache before the port opens. If the database can't be read
    yet, start anyway: the first call then builds the catalogue, once, under its lock."""
    from sqlalchemy.exc import SQLAlchemyError

    from .dialogue.warm_up import warm_up

    try:
        await asyncio.to_thread(warm_up)
    except SQLAlchemyError as error:
        logger.warning("action_server.not_warm reason=database_unavailable error=%s", type(error).__name__)


def create_app(token: str, package: str = ACTIONS_PACKAGE, warm_up: bool = True) -> Sanic:
    app = Sanic(f"haveyoursay_actions_{next(_app_numbers)}", configure_logging=False)
    executor = ActionExecutor()
    executor.register_package(package)
    app.register_middleware(require_action_token(token), "request")
    if warm_up:
        app.register_listener(warm_before_listening, "before_server_start")

    @app.get("/health")
    async def health(_request: Request):
        return response.json({"status": "ok"})

    @app.post("/webhook")
    async def webhook(request: Request):
        if request.headers.get("Content-Encoding") == "deflate":
            action_call = json.loads(zlib.decompress(request.body))
        else:
            action_call = request.json
        if not isinstance(action_call, dict):
            return response.json({"error": "Invalid body request"}, status=400)
        utils.check_version_compatibility(action_call.get("version"))
        try:
            result = await executor.run(trimmed_to_the_current_turn(action_call))
        except ActionExecutionRejection as error:
            logger.debug(error)
            return response.json({"error": error.message, "action_name": error.action_name}, status=400)
        except ActionNotFoundException as error:
            logger.error(error)
            return response.json({"error": error.message, "action_name": error.action_name}, status=404)
        return response.json(result)

    @app.get("/actions")
    async def actions(_request: Request):
        return response.json([{"name": name} for name in executor.actions])

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception):
        if isinstance(exception, SanicException):  # 404, 405, a bad body: Sanic's own status
            return response.json({"error": str(exception)}, status=exception.status_code)
        # Unlike rasa-sdk's app, the request body (the resident's conversation) is not echoed back.
        logger.error("action_server.error path=%s", request.path, exc_info=exception)
        return response.json({"error": str(exception)}, status=500)

    return app
