"""Abuse limits in front of the channels: a sliding one-minute window per sender and per client IP.

In-process counters: with several Rasa servers, each enforces its own share,
so put the same limits on the reverse proxy too (docs/deployment.md).
A limit of 0 switches that check off (used by the load benchmark).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from ..settings import get_settings

WINDOW_SECONDS = 60.0
SLOW_DOWN_REPLY = (
    "You're sending messages faster than I can answer. Please wait a minute, then carry on: nothing you've told me is lost."
)


class SlidingWindowLimiter:
    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self.hits: dict[str, deque] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        window = self.hits[key]
        while window and now - window[0] > WINDOW_SECONDS:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        if len(self.hits) > 50_000:  # forget idle keys so memory stays bounded
            for stale in [k for k, v in self.hits.items() if not v or now - v[-1] > WINDOW_SECONDS][:10_000]:
                del self.hits[stale]
        return True


_sender_limiter: SlidingWindowLimiter | None = None
_ip_limiter: SlidingWindowLimiter | None = None


def sender_limiter() -> SlidingWindowLimiter:
    global _sender_limiter
    if _sender_limiter is None:
        _sender_limiter = SlidingWindowLimiter(get_settings().rate_limit_per_sender)
    return _sender_limiter


def ip_limiter() -> SlidingWindowLimiter:
    global _ip_limiter
    if _ip_limiter is None:
        _ip_limiter = SlidingWindowLimiter(get_settings().rate_limit_per_ip)
    return _ip_limiter
