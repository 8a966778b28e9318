"""Simulated residents over the REST webhook: concurrent conversations, per-message latency, errors."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

# A full response to the Harbour Road consultation: greet, list, explain, start, answer every question, submit.
SURVEY_CONVERSATION = [
    ("hello", "Millbrook"),
    ("what consultations are open", "Harbour Road"),
    ("the second one", "protected cycle lane"),
    ("I want to have my say on the cycle lane", "Do you agree"),
    ("yes", "quote"),
    ("no", "outcome"),
    ("no", "Question 1 of 6"),
    ("agree", "Question 2 of 6"),
    ("the painted one", "Question 3 of 6"),
    ("parking and cost", "Question 4 of 6"),
    ("about 12", "Question 5 of 6"),
    ("yes", "Question 6 of 6"),
    ("The junction by the station needs fixing first", "postcode"),
    ("MB1 2AB", "age group"),
    ("45-54", "summary"),
    ("submit", "Your reference is"),
]
# The stock `rasa init` bot's own happy and sad paths, for the baseline.
BASELINE_CONVERSATION = [
    ("hello", ""),
    ("I am sad", ""),
    ("no", ""),
    ("hi", ""),
    ("great", ""),
    ("bye", ""),
    ("hey", ""),
    ("very good", ""),
    ("are you a bot?", ""),
    ("goodbye", ""),
    ("hello there", ""),
    ("unhappy", ""),
    ("yes", ""),
    ("good evening", ""),
    ("perfect", ""),
    ("see you", ""),
]


@dataclass
class LoadResult:
    residents: int
    messages: int = 0
    errors: int = 0
    completed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        ordered = sorted(self.latencies) or [0.0]

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

        return {
            "residents": self.residents,
            "messages": self.messages,
            "errors": self.errors,
            "completed": self.completed,
            "seconds": round(self.seconds, 2),
            "messages_per_second": round(self.messages / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "error_samples": self.error_samples[:5],
        }


async def _resident(session: aiohttp.ClientSession, urls: list[str], sender: str, script, result: LoadResult) -> None:
    ok = True
    for step, (text, expected) in enumerate(script):
        # With several servers, consecutive messages go to different ones (a load balancer without stickiness).
        url = urls[step % len(urls)]
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as reply:
                body = await reply.json(content_type=None) if reply.status == 200 else None
                status = reply.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            body, status = None, repr(error)
        result.latencies.append(time.perf_counter() - started)
        result.messages += 1
        replies = " ".join(m.get("text", "") for m in body or [])
        if status != 200 or (expected and expected not in replies):
            result.errors += 1
            ok = False
            if len(result.error_samples) < 5:
                result.error_samples.append(f"{sender} {text!r}: {status} {replies[:200]!r}")
            break
    if ok:
        result.completed += 1


async def run_load(
    base_url: str | list[str],
    residents: int,
    script,
    prefix: str,
    rounds: int = 1,
    deadline: float | None = None,
    on_round: Callable[[int], None] | None = None,
    own_connections: bool = False,
) -> LoadResult:
    """``residents`` concurrent residents each walk ``script``; repeated ``rounds`` times (or until ``deadline``).

    ``base_url`` may list several Rasa servers; each resident's messages then alternate between them.
    Residents share a pool of kept-alive connections, so one resident's messages may travel on
    different connections; with ``own_connections`` each resident keeps one connection for the
    whole conversation, as the website widget's socket.io does (with several Sanic workers behind
    one port, a conversation then stays with one worker)."""
    result = LoadResult(residents)
    servers = [base_url] if isinstance(base_url, str) else base_url
    timeout = aiohttp.ClientTimeout(total=120)
    started = time.perf_counter()
    shared = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=residents * 2))
    async with shared:
        round_number = 0
        while True:
            sessions = [
                aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=1)) if own_connections else shared
                for _ in range(residents)
            ]
            await asyncio.gather(
                *(
                    _resident(
                        sessions[n],
                        [
                            f"{server}/webhooks/rest/webhook"
                            for server in servers[n % len(servers) :] + servers[: n % len(servers)]
                        ],
                        f"{prefix}-{round_number}-{n}",
                        script,
                        result,
                    )
                    for n in range(residents)
                )
            )
            if own_connections:
                await asyncio.gather(*(session.close() for session in sessions))
            round_number += 1
            if on_round:
                on_round(round_number)
            if deadline is None and round_number >= rounds:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
    result.seconds = time.perf_counter() - started
    return result
