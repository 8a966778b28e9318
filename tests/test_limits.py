from actions.channels.limits import SlidingWindowLimiter
from actions.channels.render import numbered_menu, split_message


def test_sliding_window_allows_then_refuses_then_recovers():
    now = [0.0]
    limiter = SlidingWindowLimiter(3, clock=lambda: now[0])
    assert [limiter.allow("ip:1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("ip:2")  # other clients are unaffected
    now[0] += 61
    assert limiter.allow("ip:1")
    assert SlidingWindowLimiter(0).allow("x")  # 0 switches the limit off


def test_numbered_menu_for_text_only_channels():
    buttons = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]
    assert numbered_menu("Shall we?", buttons) == "Shall we?\n1. Yes\n2. No\nReply 1 or 2."
    listed = "Pick one\n1. Yes\n2. No"
    assert numbered_menu(listed, buttons) == listed + "\nReply 1 or 2."


def test_long_replies_are_split_for_sms_without_breaking_words():
    text = ("word " * 400).strip() + "\n\n" + "Second paragraph."
    parts = split_message(text, limit=500)
    assert all(len(part) <= 500 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert split_message("short") == ["short"]
