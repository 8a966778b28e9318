"""`make bench`: measure Have Your Say against a stock `rasa init` assistant on this machine, side by side.

Prints a table and writes bench/results.json, including what a whole survey costs by SMS, in segments, on
each open seeded consultation. Options:
  --quick             smaller loads and no export/soak (a few minutes)
  --soak MINUTES      also run 100 residents for MINUTES and check memory stays flat
  --skip-baseline     reuse nothing from the baseline (ratios are then omitted)
  --scaleout          also measure two Rasa servers against one, sharing PostgreSQL and Redis
                      (BENCH_DATABASE_URL or TEST_DATABASE_URL, which is EMPTIED first, and
                      BENCH_REDIS_URL or TEST_REDIS_URL)
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
    "throughput_ratio_20": 5.0,  # at least 5x the baseline's messages/s at 20 residents
    "p95_ratio_20": 0.25,  # p95 at most 1/4 of the baseline's
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
        loads = {}
        for residents, rounds in load_levels(quick):
            result = asyncio.run(run_load(base_url, residents, BASELINE_CONVERSATION, f"base{residents}", rounds))
            loads[residents] = result.summary()
            print(
                f"  baseline {residents:>3} residents: {loads[residents]['messages_per_second']} msg/s, p95 {loads[residents]['p95_ms']} ms",
                flush=True,
            )
        return {
            "training_seconds": train_seconds,
            "startup_seconds": round(startup, 1),
            "rasa_rss_mb": rss_mb(process.pid),
            "load": loads,
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- Have Your Say ---------------------------------------------------------------------------------


def ours(workdir: Path, quick: bool, soak_minutes: float) -> dict:
    print("Have Your Say: training time...", flush=True)
    train_seconds, _ = timed(
        [PYTHON, "-m", "rasa", "train", "--force", "--fixed-model-name", "bench", "--out", str(workdir / "models")],
        ROOT,
        workdir / "train.log",
    )
    # Every simulated resident comes from 127.0.0.1, so the per-IP limit is switched off for the load test.
    assistant = RunningAssistant(workdir / "ours", extra_env={"HYS_TODAY": "2026-11-22", "RATE_LIMIT_PER_IP": "0"})
    (workdir / "ours").mkdir()
    assert assistant.cli("load", str(ROOT / "seeds")).returncode == 0
    assistant.start_actions()
    started = time.monotonic()
    assistant.start_process("rasa")
    assistant.wait_for("rasa", f"{assistant.base_url}/status?token={assistant.token}")
    startup = time.monotonic() - started
    try:
        loads = {}
        for residents, rounds in load_levels(quick):
            result = asyncio.run(run_load(assistant.base_url, residents, SURVEY_CONVERSATION, f"res{residents}", rounds))
            loads[residents] = result.summary()
            print(
                f"  ours     {residents:>3} residents: {loads[residents]['messages_per_second']} msg/s, p95 {loads[residents]['p95_ms']} ms, "
                f"errors {loads[residents]['errors']}",
                flush=True,
            )
        completed = sum(load["completed"] for load in loads.values())
        stored = stored_responses(assistant)
        out = {
            "training_seconds": train_seconds,
            "startup_seconds": round(startup, 1),
            "rasa_rss_mb": rss_mb(assistant.processes["rasa"].pid),
            "action_rss_mb": rss_mb(assistant.processes["actions"].pid),
            "load": loads,
            "completed_conversations": completed,
            "stored_responses": stored,
        }
        if soak_minutes:
            out["soak"] = soak(assistant, soak_minutes, completed)
        return out
    finally:
        assistant.stop()


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


def scaleout_urls() -> tuple[str, str]:
    database = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL", "")
    redis = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL", "")
    if not database.startswith("postgresql") or not redis.startswith("redis://"):
        raise SystemExit(
            "--scaleout needs BENCH_DATABASE_URL (a throwaway PostgreSQL database, emptied first) and BENCH_REDIS_URL"
        )
    return database, redis


def scaleout(workdir: Path, database_url: str, redis_url: str, rounds: int) -> dict:
    """20 residents on one Rasa server, then on two (messages alternate between them), same PostgreSQL and Redis."""
    import urllib.parse

    from tests.conftest import reset_postgres

    print("Scale-out: one Rasa server, then two, sharing PostgreSQL and a Redis lock store...", flush=True)
    reset_postgres(database_url)
    redis = urllib.parse.urlsplit(redis_url)
    env = {
        "HYS_TODAY": "2026-11-22",
        "RATE_LIMIT_PER_IP": "0",
        "RASA_ENDPOINTS_FILE": "endpoints.scaleout.yml",
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": (redis.path or "/0").strip("/") or "0",
    }
    (workdir / "scaleout").mkdir()
    first = RunningAssistant(workdir / "scaleout", database_url=database_url, extra_env=env).start()
    second_port = free_port()
    second = subprocess.Popen(
        [PYTHON, "-m", "actions.servers", "rasa"],
        cwd=ROOT,
        env={**first.env, "RASA_PORT": str(second_port)},
        stdout=(workdir / "scaleout" / "rasa2.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    second_url = f"http://127.0.0.1:{second_port}"
    try:
        wait_http(f"{second_url}/status?token={first.token}")
        asyncio.run(run_load(first.base_url, 20, SURVEY_CONVERSATION, "so-warm", 1))
        asyncio.run(run_load(second_url, 20, SURVEY_CONVERSATION, "so-warm2", 1))
        out = {}
        for label, servers in (("one", [first.base_url]), ("two", [first.base_url, second_url])):
            out[label] = asyncio.run(run_load(servers, 20, SURVEY_CONVERSATION, f"so-{label}", rounds)).summary()
            print(
                f"  {label} Rasa server(s), 20 residents: {out[label]['messages_per_second']} msg/s, "
                f"p95 {out[label]['p95_ms']} ms, errors {out[label]['errors']}",
                flush=True,
            )
        out["two_vs_one"] = ratio(out["two"]["messages_per_second"], out["one"]["messages_per_second"])
        return out
    finally:
        second.terminate()
        second.wait(timeout=30)
        first.stop()


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
    for residents in sorted(o["load"], key=int):
        mine, theirs = o["load"][residents], (b or {}).get("load", {}).get(residents, {})
        rows.append(
            (
                f"{residents} residents: messages/s",
                mine["messages_per_second"],
                theirs.get("messages_per_second", "-"),
                ratio(mine["messages_per_second"], theirs.get("messages_per_second", 0)) or "-",
            )
        )
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            rows.append(
                (f"{residents} residents: {key}", mine[key], theirs.get(key, "-"), ratio(mine[key], theirs.get(key, 0)) or "-")
            )
        rows.append((f"{residents} residents: errors", mine["errors"], theirs.get("errors", "-"), ""))
    for key, label in (
        ("startup_seconds", "start-up (s)"),
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
        for label in ("one", "two"):
            rows.append(
                (
                    f"scale-out, {label} Rasa server(s), 20 residents: msg/s / p95 ms",
                    f"{so[label]['messages_per_second']} / {so[label]['p95_ms']}",
                    "",
                    so["two_vs_one"] if label == "two" else "",
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
        mine, theirs = o["load"]["20"] if "20" in o["load"] else o["load"][20], b["load"].get("20") or b["load"].get(20)
        checks["throughput at 20 residents >= 5x baseline"] = (
            ratio(mine["messages_per_second"], theirs["messages_per_second"]) >= TARGETS["throughput_ratio_20"]
        )
        checks["p95 at 20 residents <= 1/4 of baseline"] = ratio(mine["p95_ms"], theirs["p95_ms"]) <= TARGETS["p95_ratio_20"]
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
        checks["scale-out: zero errors with two Rasa servers"] = results["scaleout"]["two"]["errors"] == 0
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
    args = parser.parse_args()
    if args.export_responses < 1:
        parser.error("--export-responses must be at least 1")
    if args.soak < 0:
        parser.error("--soak must not be negative")
    scaleout_config = scaleout_urls() if args.scaleout else None
    workdir = Path(tempfile.mkdtemp(prefix="hys-bench-"))
    results: dict = {"machine": {"cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}}
    try:
        if not args.skip_baseline:
            results["baseline"] = baseline(workdir, args.quick)
        results["ours"] = ours(workdir, args.quick, args.soak)
        print("NLU quality on the held-out tests/nlu...", flush=True)
        results["nlu"] = {
            "ours": nlu_quality(workdir, ROOT / "config.yml", "ours"),
            "rasa_default": nlu_quality(workdir, ROOT / "bench" / "configs" / "rasa_default.yml", "rasa_default"),
        }
        print("Understanding layer, per message...", flush=True)
        results["understanding"] = understanding_latency(rounds=2 if args.quick else 5)
        results["sms"] = sms_cost(workdir)
        if scaleout_config:
            results["scaleout"] = scaleout(workdir, *scaleout_config, rounds=1 if args.quick else 3)
        if not args.quick:
            print(f"Exports of {args.export_responses:,} demo responses...", flush=True)
            results["exports"] = exports(workdir, args.export_responses)
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
