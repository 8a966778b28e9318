"""A retired widget control (its step answered by typing in the message box) stays in the transcript, faded; its
hint and count are text, and keep WCAG AA contrast (axe-core in headless Chromium, on the real stylesheet).
Found by tests/test_consultation_journey_browser.py, where every answer is typed."""

from __future__ import annotations

from tests.browser_support import run_node


def test_hints_and_counts_of_retired_controls_keep_aa_contrast():
    result = run_node("tests/browser/widget_stale_contrast.mjs", {})
    assert result["axeVersion"].startswith("4.")
    assert {"#hint-multi", "#count-multi", "#hint-text", "#count-text"} <= set(result["passed"])  # really checked
    assert result["violations"] == []
