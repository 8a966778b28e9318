"""The website widget on the demo page, in headless Chromium, used by keyboard only, against the real servers."""

from __future__ import annotations

import pytest

from tests.browser_support import run_node
from tests.servers import RunningAssistant

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("widget"), extra_env={"HYS_TODAY": "2026-11-22"}).start()
    running.start_portal()
    yield running
    running.stop()


def test_a_keyboard_only_conversation_on_the_demo_page(site):
    report = run_node("tests/browser/widget_conversation.mjs", {"base": site.portal_url})
    steps = {step["name"]: step for step in report["steps"]}
    assert "error" not in steps, steps.get("error")
    assert steps["launcher reachable by Tab"] == {"name": "launcher reachable by Tab", "ok": True, "isButton": "BUTTON"}
    greeting = steps["greeting"]
    assert greeting["focusInInput"] and greeting["inLog"]
    assert greeting["live"] == {"role": "log", "live": "polite"}  # new bot messages are announced
    assert greeting["label"] == "Assistant:" and steps["asked what is open"]["userLabel"] == "You:"
    reply = steps["quick reply by keyboard"]
    assert reply["ok"] and reply["replyCount"] >= 3 and reply["links"] >= 1  # links in bot messages are clickable
    safe = steps["resident text stays text"]
    assert safe["text"] == "<img src=x onerror=alert(1)> hello" and safe["elements"] == 0
    axe = steps["axe with the chat open"]
    assert axe["axeVersion"].startswith("4.") and axe["violations"] == []
    reload = steps["reload keeps the conversation"]
    assert reload["session"] and reload["sameSession"] == reload["session"] and reload["local"] == []
    assert reload["restored"] == reload["before"]
    closed = steps["escape closes and returns focus"]
    assert "hys-launcher" in closed["focus"] and closed["expanded"] == "false"
    assert report["consoleErrors"] == []
