"""`make bench`: measure Have Your Say against a stock `rasa init` assistant on this machine, side by side.

Both assistants are measured the same way: a cold run (20 residents at once, the first traffic after
the server says it is ready), then warm runs at 1, 20 and 100 residents, with start-up time and memory.
Prints a table and writes bench/results.json, including what a whole survey costs by SMS, in segments, on
each open seeded consultation. Options:
  --quick             smaller loads and no export/soak (a few minutes)
  --soak MINUTES      also run 100 residents for MINUTES and check memory stays flat
  --skip-baseline     reuse nothing from the baseline (ratios are then omitted)
  --speedups-off      also measure Have Your Say with HYS_SPEEDUPS=off (stock Rasa code), cold and warm
  --scaleout          also measure the production shape on one machine: Rasa with two Sanic workers
                      against one, sharing PostgreSQL and a Redis lock store (BENCH_DATABASE_URL or
                      TEST_DATABASE_URL, which is EMPTIED first, and BENCH_REDIS_URL or TEST_REDIS_URL);
                      on by itself when BENCH_DATABASE_URL and BENCH_REDIS_URL are both set
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import BASELINE_CONVERSATION, SURVEY_CONVERSATION, run_load  # noqa: E402
from bench.understanding import understanding_latency  # noqa: E402
from tests.servers import RunningAssistant, free_port  # noqa: E402

PYTHON = sys.executable
RASA = str(Path(PYTHON).parent / "rasa")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
TARGETS = {
    "throughput_ratio_20": 8.0,  # at least 8x the baseline's messages/s at 20 residents, cold and warm
    "p95_ratio_20": 1 / 6,  # p95 at most 1/6 of the baseline's, cold and warm
    "errors_100": 0,
    "startup_seconds": 15.0,
    "rasa_rss_mb": 800.0,
    "training_seconds": 60.0,
}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(child) for child in children)
        except (OSError, AttributeError):
            continue
    return round(total / 1024, 1)


def wait_http(url: str, timeout: float = 300) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback servers we started
                return time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def timed(command: list[str], cwd: Path, log: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of a command, measured with GNU time."""
    started = time.monotonic()
    with log.open("w") as out:
        result = subprocess.run(
            ["/usr/bin/time", "-f", "PEAK_KB=%M", *command], cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT
        )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed; see {log}")
    peak = re.findall(r"PEAK_KB=(\d+)", log.read_text())
    return round(seconds, 1), round(int(peak[-1]) / 1024, 1) if peak else 0.0


def load_levels(quick: bool) -> list[tuple[int, int]]:
    return [(1, 2), (20, 1), (100, 1)] if quick else [(1, 5), (20, 3), (100, 1)]


COLD_RESIDENTS = 20


def cold_and_warm(base_url: str, script, prefix: str, quick: bool, label: str, levels=None) -> tuple[dict, dict]:
    """The cold run (20 residents at once, the first traffic the server sees), then the warm levels."""
    cold = asyncio.run(run_load(base_url, COLD_RESIDENTS, script, f"{prefix}cold", 1)).summary()
    print(
        f"  {label} cold, {COLD_RESIDENTS} residents: {cold['messages_per_second']} msg/s, p95 {cold['p95_ms']} ms, "
        f"errors {cold['errors']}",
        flush=True,
    )
    loads = {}
    for residents, rounds in levels or load_levels(quick):
        loads[residents] = asyncio.run(run_load(base_url, residents, script, f"{prefix}{residents}", rounds)).summary()
        print(
            f"  {label} {residents:>3} residents: {loads[residents]['messages_per_second']} msg/s, "
            f"p95 {loads[residents]['p95_ms']} ms, errors {loads[residents]['errors']}",
            flush=True,
        )
    return cold, loads


# --- the stock rasa init assistant ------------------------------------------------------------


def baseline(workdir: Path, quick: bool) -> dict:
    project = workdir / "baseline"
    project.mkdir()
    print("Baseline: rasa init --no-prompt (trains Rasa's default DIET + TED + UnexpecTED config)...", flush=True)
    train_seconds, _ = timed([RASA, "init", "--no-prompt", "--init-dir", str(project)], project, workdir / "baseline-init.log")
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [RASA, "run", "--enable-api", "--auth-token", "bench", "--port", str(port), "-i", "127.0.0.1", "--model", "models"],
        cwd=project,
        env=ENV,
        stdout=(workdir / "baseline-rasa.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/status?token=bench")
        startup = time.monotonic() - started
        base_url = f"http://127.0.0.1:{port}"
        cold, loads = cold_and_warm(base_url, BASELINE_CONVERSATION, "base", quick, "baseline")
        return {
            "training_seconds": train_seconds,
            "startup_seconds": round(startup, 1),
            "rasa_rss_mb": rss_mb(process.pid),
            "cold": cold,
            "load": loads,
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- Have Your Say ---------------------------------------------------------------------------------


def start_ours(workdir: Path, extra_env: dict[str, str] | None = None) -> tuple[RunningAssistant, float, float]:
    """Our assistant on SQLite, started as `make run` starts it; (assistant, action server start-up s, Rasa start-up s).

    Each start-up runs until the server answers, which it does only once warm."""
    # Every simulated resident comes from 127.0.0.1, so the per-IP limit is switched off for the load test.
    env = {"HYS_TODAY": "2026-11-22", "RATE_LIMIT_PER_IP": "0", **(extra_env or {})}
    assistant = RunningAssistant(workdir, extra_env=env)
    workdir.mkdir()
    assert assistant.cli("load", str(ROOT / "seeds")).returncode == 0
    started = time.monotonic()
    assistant.start_actions()
    actions_startup = time.monotonic() - started
    started = time.monotonic()
    assistant.start_process("rasa")
    assistant.wait_for("rasa", f"{assistant.base_url}/status?token={assistant.token}")
    return assistant, round(actions_startup, 1), round(time.monotonic() - started, 1)


def ours(workdir: Path, quick: bool, soak_minutes: float) -> dict:
    print("Have Your Say: training time...", flush=True)
    train_seconds, _ = timed(
        [PYTHON, "-m", "rasa", "train", "--force", "--fixed-model-name", "bench", "--out", str(workdir / "models")],
        ROOT,
        workdir / "train.log",
    )
    assistant, actions_startup, startup = start_ours(workdir / "ours")
    try:
        cold, loads = cold_and_warm(assistant.base_url, SURVEY_CONVERSATION, "res", quick, "ours    ")
        completed = cold["completed"] + sum(load["completed"] for load in loads.values())
        stored = stored_responses(assistant)
        out = {
            "training_seconds": train_seconds,
            "startup_seconds": startup,
            "action_startup_seconds": actions_startup,
            "rasa_rss_mb": rss_mb(assistant.processes["rasa"].pid),
            "action_rss_mb": rss_mb(assistant.processes["actions"].pid),
            "cold": cold,
            "load": loads,
            "completed_conversations": completed,
            "stored_responses": stored,
            "short_message_share": short_message_share(SURVEY_CONVERSATION),
        }
        if soak_minutes:
            out["soak"] = soak(assistant, soak_minutes, completed)
        return out
    finally:
        assistant.stop()


VARIANTS = {
    # What the speed-ups buy: stock Rasa code, no parse memory, no tracker cache.
    "speed-ups off": {"HYS_SPEEDUPS": "off"},
    # Every message parsed in full: the bench's residents all say the same short answers, which
    # real residents vary more, so this is the figure for residents who never repeat each other.
    "parse memory off": {"PARSE_MEMORY_SIZE": "0"},
}


def ours_variant(workdir: Path, quick: bool, name: str) -> dict:
    """Have Your Say again, cold and warm at 20 residents, with one setting changed (VARIANTS)."""
    print(f"Have Your Say, {name}...", flush=True)
    folder = workdir / ("ours-" + name.replace(" ", "-"))
    assistant, actions_startup, startup = start_ours(folder, VARIANTS[name])
    try:
        levels = [(20, 1 if quick else 3)]
        cold, loads = cold_and_warm(assistant.base_url, SURVEY_CONVERSATION, folder.name, quick, name, levels)
        return {"startup_seconds": startup, "rasa_rss_mb": rss_mb(assistant.processes["rasa"].pid), "cold": cold, "load": loads}
    finally:
        assistant.stop()


def short_message_share(script) -> float:
    """The share of a resident's messages short enough for the parse memory: after the first resident
    says them, every other resident's same words are recalled rather than parsed."""
    from actions.nlu.components import ParseMemory

    memory = ParseMemory()
    return round(sum(memory.key(text) is not None for text, _ in script) / len(script), 2)


def stored_responses(assistant: RunningAssistant) -> int:
    from sqlalchemy import text

    from actions.store.db import engine_for

    with engine_for(assistant.database_url).connect() as connection:
        return connection.execute(text("SELECT count(*) FROM responses WHERE status = 'submitted'")).scalar()


def soak(assistant: RunningAssistant, minutes: float, completed_before: int) -> dict:
    print(f"Soak: 100 residents for {minutes:g} minutes...", flush=True)
    samples: list[dict] = []

    def sample(round_number: int) -> None:
        samples.append(
            {
                "round": round_number,
                "rasa_mb": rss_mb(assistant.processes["rasa"].pid),
                "actions_mb": rss_mb(assistant.processes["actions"].pid),
            }
        )

    result = asyncio.run(
        run_load(assistant.base_url, 100, SURVEY_CONVERSATION, "soak", deadline=time.monotonic() + minutes * 60, on_round=sample)
    )
    summary = result.summary()
    warm = samples[min(2, len(samples) - 1)]
    last = samples[-1]
    growth = {key: round(last[key] - warm[key], 1) for key in ("rasa_mb", "actions_mb")}
    stored = stored_responses(assistant) - completed_before
    return {
        **summary,
        "memory_samples": samples,
        "growth_after_warm_up_mb": growth,
        "stored_responses": stored,
        "stored_equals_completed": stored == result.completed,
    }


# --- two Rasa servers against one (the scale-out shape) ------------------------------------------


def scaleout_urls(required: bool) -> tuple[str, str] | None:
    database = os.environ.get("BENCH_DATABASE_URL") or (os.environ.get("TEST_DATABASE_URL", "") if required else "")
    redis = os.environ.get("BENCH_REDIS_URL") or (os.environ.get("TEST_REDIS_URL", "") if required else "")
    if database.startswith("postgresql") and redis.startswith("redis://"):
        return database, redis
    if required:
        raise SystemExit(
            "--scaleout needs BENCH_DATABASE_URL (a throwaway PostgreSQL database, emptied first) and BENCH_REDIS_URL"
        )
    return None


def scaleout(workdir: Path, database_url: str, redis_url: str, quick: bool) -> dict:
    """The production shape on one machine (docs/deployment.md): the Rasa server with two Sanic workers,
    PostgreSQL and a Redis lock store, against one worker on the same services; cold and warm, 20
    residents, each keeping one connection as the website widget does."""
    import urllib.parse

    from tests.conftest import reset_postgres

    print("Production shape: Rasa with 1, then 2 Sanic workers, on PostgreSQL and a Redis lock store...", flush=True)
    redis = urllib.parse.urlsplit(redis_url)
    out: dict = {}
    for workers in (1, 2):
        reset_postgres(database_url)
        env = {
            "HYS_TODAY": "2026-11-22",
            "RATE_LIMIT_PER_IP": "0",
            "RASA_ENDPOINTS_FILE": "endpoints.scaleout.yml",
            "REDIS_HOST": redis.hostname or "127.0.0.1",
            "REDIS_PORT": str(redis.port or 6379),
            "REDIS_DB": (redis.path or "/0").strip("/") or "0",
            "SANIC_WORKERS": str(workers),
        }
        folder = workdir / f"scaleout-{workers}"
        folder.mkdir()
        assistant = RunningAssistant(folder, database_url=database_url, extra_env=env)
        try:
            started = time.monotonic()
            assistant.start()
            startup = round(time.monotonic() - started, 1)
            cold = asyncio.run(run_load(assistant.base_url, 20, SURVEY_CONVERSATION, f"w{workers}cold", 1, own_connections=True))
            warm = asyncio.run(
                run_load(assistant.base_url, 20, SURVEY_CONVERSATION, f"w{workers}", 1 if quick else 3, own_connections=True)
            )
            out[str(workers)] = {
                "cold": cold.summary(),
                "warm": warm.summary(),
                "startup_seconds": startup,
                "rasa_rss_mb": rss_mb(assistant.processes["rasa"].pid),
            }
            print(
                f"  {workers} worker(s), 20 residents: cold {cold.summary()['messages_per_second']} msg/s, "
                f"warm {warm.summary()['messages_per_second']} msg/s, p95 {warm.summary()['p95_ms']} ms, "
                f"errors {cold.errors + warm.errors}",
                flush=True,
            )
        finally:
            assistant.stop()
    out["two_vs_one"] = ratio(out["2"]["warm"]["messages_per_second"], out["1"]["warm"]["messages_per_second"])
    return out


# --- what a survey costs by SMS -----------------------------------------------------------------


def sms_cost(workdir: Path) -> dict:
    """A whole response by SMS to each open seeded consultation, through signed Twilio webhooks to the local Twilio
    stand-in: the segments every outgoing text is billed as, summed (GSM-7 160 / 153 a part, UCS-2 70 / 67)."""
    from actions.channels.sms import segments
    from tests.fake_platforms import FakePlatforms
    from tests.sms_residents import SMS_SEGMENT_BUDGET, SMS_WALKTHROUGHS, SmsResident, complete_by_sms, twilio_env

    print(f"SMS: a whole survey on each open consultation (budget {SMS_SEGMENT_BUDGET} segments)...", flush=True)
    (workdir / "sms").mkdir()
    platforms = FakePlatforms().start()
    assistant = RunningAssistant(workdir / "sms", extra_env={"HYS_TODAY": "2026-11-22"})
    assistant.env.update(twilio_env(assistant.base_url, platforms.url))
    try:
        assistant.start()
        out = {}
        for number, slug in enumerate(sorted(SMS_WALKTHROUGHS)):
            resident = SmsResident(assistant.base_url, platforms, f"+4477009008{number:02d}")
            texts, _reference = complete_by_sms(resident, slug)
            out[slug] = {"texts": len(texts), "segments": sum(segments(text) for text in texts), "budget": SMS_SEGMENT_BUDGET}
            print(f"  {slug}: {out[slug]['segments']} segments in {len(texts)} texts", flush=True)
        return out
    finally:
        assistant.stop()
        platforms.stop()


# --- NLU quality ---------------------------------------------------------------------------------


def nlu_quality(workdir: Path, config: Path, label: str) -> dict:
    out = workdir / f"nlu-{label}"
    model_dir = workdir / f"nlu-model-{label}"
    seconds, _ = timed(
        [
            PYTHON,
            "-m",
            "rasa",
            "train",
            "nlu",
            "-c",
            str(config),
            "--nlu",
            "data/nlu",
            "--out",
            str(model_dir),
            "--fixed-model-name",
            label,
        ],
        ROOT,
        workdir / f"nlu-train-{label}.log",
    )
    timed(
        [PYTHON, "-m", "rasa", "test", "nlu", "--nlu", "tests/nlu", "-m", str(model_dir / f"{label}.tar.gz"), "--out", str(out)],
        ROOT,
        workdir / f"nlu-test-{label}.log",
    )
    report = json.loads((out / "intent_report.json").read_text())
    errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").exists() else []
    total = sum(
        v["support"]
        for k, v in report.items()
        if isinstance(v, dict) and "support" in v and k not in ("macro avg", "weighted avg", "micro avg")
    )
    fell_back = sum(1 for error in errors if (error.get("intent_prediction") or {}).get("name") == "nlu_fallback")
    return {
        "config": str(config.relative_to(ROOT)),
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "fallback_percent": round(100 * fell_back / total, 1) if total else 0.0,
        "nlu_training_seconds": seconds,
    }


# --- exports -------------------------------------------------------------------------------------


def exports(workdir: Path, responses: int) -> dict:
    env_dir = workdir / "export"
    env_dir.mkdir()
    env = {
        **ENV,
        "HYS_VAR_DIR": str(env_dir),
        "DATABASE_URL": f"sqlite:///{env_dir / 'export.db'}",
        "SENDER_HASH_SALT": "bench",
        "HYS_TODAY": "2026-11-22",
    }
    cli = [str(Path(PYTHON).parent / "haveyoursay")]

    def run(*args: str, log: str) -> tuple[float, float]:
        started = time.monotonic()
        with (workdir / log).open("w") as out:
            result = subprocess.run(
                ["/usr/bin/time", "-f", "PEAK_KB=%M", *cli, *args], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        if result.returncode:
            raise RuntimeError(f"haveyoursay {' '.join(args)} failed")
        peak = re.findall(r"PEAK_KB=(\d+)", (workdir / log).read_text())
        return round(time.monotonic() - started, 1), round(int(peak[-1]) / 1024, 1)

    run("load", str(ROOT / "seeds"), log="export-load.log")
    demo = run("demo-data", "--consultation", "library-opening-hours", "--responses", str(responses), log="export-demo.log")
    csv_time = run("export", "--consultation", "library-opening-hours", "--out", str(env_dir / "out.csv"), log="export-csv.log")
    xlsx_time = run(
        "export",
        "--consultation",
        "library-opening-hours",
        "--format",
        "xlsx",
        "--out",
        str(env_dir / "out.xlsx"),
        log="export-xlsx.log",
    )
    return {
        "responses": responses,
        "demo_data": {"seconds": demo[0], "peak_mb": demo[1]},
        "csv": {"seconds": csv_time[0], "peak_mb": csv_time[1]},
        "xlsx": {"seconds": xlsx_time[0], "peak_mb": xlsx_time[1]},
    }


# --- report --------------------------------------------------------------------------------------


def ratio(ours_value: float, base_value: float) -> float | None:
    return round(ours_value / base_value, 2) if base_value else None


def table(results: dict) -> str:
    o, b = results["ours"], results.get("baseline")
    rows = [("metric", "Have Your Say", "rasa init baseline", "ratio")]
    runs = [("cold, 20 residents", o["cold"], (b or {}).get("cold", {}))]
    for residents in sorted(o["load"], key=int):
        runs.append((f"{residents} residents", o["load"][residents], (b or {}).get("load", {}).get(residents, {})))
    for label, mine, theirs in runs:
        rows.append(
            (
                f"{label}: messages/s",
                mine["messages_per_second"],
                theirs.get("messages_per_second", "-"),
                ratio(mine["messages_per_second"], theirs.get("messages_per_second", 0)) or "-",
            )
        )
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            rows.append((f"{label}: {key}", mine[key], theirs.get(key, "-"), ratio(mine[key], theirs.get(key, 0)) or "-"))
        rows.append((f"{label}: errors", mine["errors"], theirs.get("errors", "-"), ""))
    for name, variant in results.get("variants", {}).items():
        for label, run in (("cold", variant["cold"]), ("warm", variant["load"]["20"])):
            rows.append(
                (
                    f"{name}, {label}, 20 residents: messages/s / p95 ms",
                    f"{run['messages_per_second']} / {run['p95_ms']}",
                    "",
                    ratio(run["messages_per_second"], (o["cold"] if label == "cold" else o["load"]["20"])["messages_per_second"]),
                )
            )
    if "short_message_share" in o:
        rows.append(("share of a survey's messages the parse memory can recall", o["short_message_share"], "", ""))
    rows.append(("action server start-up, until warm (s)", o.get("action_startup_seconds", "-"), "-", ""))
    for key, label in (
        ("startup_seconds", "Rasa start-up, until warm (s)"),
        ("rasa_rss_mb", "Rasa server RSS (MB)"),
        ("training_seconds", "training (s)"),
    ):
        rows.append((label, o[key], (b or {}).get(key, "-"), ratio(o[key], (b or {}).get(key, 0)) or "-"))
    rows.append(("action server RSS (MB)", o["action_rss_mb"], "-", ""))
    rows.append(
        ("stored responses = completed conversations", f"{o['stored_responses']} = {o['completed_conversations']}", "-", "")
    )
    for label, quality in results.get("nlu", {}).items():
        rows.append(
            (
                f"NLU {label}: accuracy / macro-F1 / fallback %",
                f"{quality['accuracy']} / {quality['macro_f1']} / {quality['fallback_percent']}",
                "",
                "",
            )
        )
    if "exports" in results:
        e = results["exports"]
        rows.append(
            (f"export {e['responses']:,} responses to CSV (s / MB)", f"{e['csv']['seconds']} / {e['csv']['peak_mb']}", "", "")
        )
        rows.append(
            (f"export {e['responses']:,} responses to XLSX (s / MB)", f"{e['xlsx']['seconds']} / {e['xlsx']['peak_mb']}", "", "")
        )
    if "scaleout" in results:
        so = results["scaleout"]
        baseline_runs = {"cold": (b or {}).get("cold", {}), "warm": (b or {}).get("load", {}).get("20", {})}
        for workers in ("1", "2"):
            for label in ("cold", "warm"):
                run = so[workers][label]
                rows.append(
                    (
                        f"PostgreSQL + Redis, {workers} Sanic worker(s), {label}, 20 residents: msg/s / p95 ms",
                        f"{run['messages_per_second']} / {run['p95_ms']}",
                        "",
                        ratio(run["messages_per_second"], baseline_runs[label].get("messages_per_second", 0)) or "",
                    )
                )
            rows.append(
                (
                    f"PostgreSQL + Redis, {workers} Sanic worker(s): start-up (s) / Rasa RSS (MB)",
                    f"{so[workers]['startup_seconds']} / {so[workers]['rasa_rss_mb']}",
                    "",
                    "",
                )
            )
    for kind, timing in results.get("understanding", {}).items():
        rows.append((f"understanding one {kind} message: p50 / p95 ms", f"{timing['p50_ms']} / {timing['p95_ms']}", "", ""))
    for slug, cost in results.get("sms", {}).items():
        rows.append((f"SMS, whole survey on {slug}: segments / texts", f"{cost['segments']} / {cost['texts']}", "", ""))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)


def check_targets(results: dict) -> dict:
    o, b = results["ours"], results.get("baseline") or {}
    checks = {}
    if b:
        for label, mine, theirs in (("cold", o["cold"], b["cold"]), ("warm", o["load"]["20"], b["load"]["20"])):
            throughput = mine["messages_per_second"] / theirs["messages_per_second"]
            checks[f"{label}, 20 residents: throughput >= 8x baseline ({throughput:.2f}x)"] = (
                throughput >= TARGETS["throughput_ratio_20"]
            )
            p95 = mine["p95_ms"] / theirs["p95_ms"]
            checks[f"{label}, 20 residents: p95 <= 1/6 of baseline ({p95:.3f})"] = p95 <= TARGETS["p95_ratio_20"]
            checks[f"{label}, 20 residents: no errors"] = mine["errors"] == 0
    hundred = o["load"].get("100") or o["load"].get(100)
    checks["zero errors at 100 residents"] = hundred["errors"] == 0
    checks["Rasa ready in under 15 s"] = o["startup_seconds"] < TARGETS["startup_seconds"]
    checks["Rasa RSS under 800 MB"] = o["rasa_rss_mb"] < TARGETS["rasa_rss_mb"]
    checks["training under 60 s"] = o["training_seconds"] < TARGETS["training_seconds"]
    nlu = results.get("nlu", {})
    if "ours" in nlu and "rasa_default" in nlu:
        checks["held-out macro-F1 >= Rasa default DIET"] = nlu["ours"]["macro_f1"] >= nlu["rasa_default"]["macro_f1"]
    if "exports" in results:
        checks["CSV export of 100k under 20 s and 300 MB"] = (
            results["exports"]["csv"]["seconds"] < 20 and results["exports"]["csv"]["peak_mb"] < 300
        )
    if "understanding" in results:
        answers = [t["p95_ms"] for kind, t in results["understanding"].items() if kind != "explain"]
        checks["understanding: p95 under 10 ms per answer"] = max(answers) < 10
        checks["understanding: p95 under 50 ms per question explained"] = results["understanding"]["explain"]["p95_ms"] < 50
    if "sms" in results:
        budget = max(cost["budget"] for cost in results["sms"].values())
        checks[f"SMS: a whole survey in at most {budget} segments"] = all(
            cost["segments"] <= cost["budget"] for cost in results["sms"].values()
        )
    if "scaleout" in results:
        two = results["scaleout"]["2"]
        checks["PostgreSQL + Redis, two Sanic workers: no errors"] = two["cold"]["errors"] + two["warm"]["errors"] == 0
    if "soak" in o:
        checks["soak: zero errors, stored = completed"] = o["soak"]["errors"] == 0 and o["soak"]["stored_equals_completed"]
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--soak", type=float, default=0.0, metavar="MINUTES")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--export-responses", type=int, default=100_000)
    parser.add_argument("--scaleout", action="store_true")
    parser.add_argument("--speedups-off", action="store_true")
    args = parser.parse_args()
    if args.export_responses < 1:
        parser.error("--export-responses must be at least 1")
    if args.soak < 0:
        parser.error("--soak must not be negative")
    scaleout_config = scaleout_urls(required=args.scaleout)
    workdir = Path(tempfile.mkdtemp(prefix="hys-bench-"))
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M:%S"), "load_before": os.getloadavg()}
    }
    try:
        if not args.skip_baseline:
            results["baseline"] = baseline(workdir, args.quick)
        results["ours"] = ours(workdir, args.quick, args.soak)
        if args.speedups_off:
            results["variants"] = {name: ours_variant(workdir, args.quick, name) for name in VARIANTS}
        print("NLU quality on the held-out tests/nlu...", flush=True)
        results["nlu"] = {
            "ours": nlu_quality(workdir, ROOT / "config.yml", "ours"),
            "rasa_default": nlu_quality(workdir, ROOT / "bench" / "configs" / "rasa_default.yml", "rasa_default"),
        }
        print("Understanding layer, per message...", flush=True)
        results["understanding"] = understanding_latency(rounds=2 if args.quick else 5)
        results["sms"] = sms_cost(workdir)
        if scaleout_config:
            results["scaleout"] = scaleout(workdir, *scaleout_config, quick=args.quick)
        if not args.quick:
            print(f"Exports of {args.export_responses:,} demo responses...", flush=True)
            results["exports"] = exports(workdir, args.export_responses)
        results["machine"]["load_after"] = os.getloadavg()
        results = json.loads(json.dumps(results))  # normalise int keys to strings, as in the file
        results["targets"] = check_targets(results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n" + table(results))
    print("\nTargets:")
    for name, met in results["targets"].items():
        print(f"  [{'met' if met else 'NOT MET'}] {name}")
    print(f"\nWritten to {ROOT / 'bench' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
