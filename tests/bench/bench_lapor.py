"""Benchmark: /lapor under 50 concurrent senders, Rekan against a bare Bolt app.

Runs `rekan run --http` (SQLite in a temporary folder) against the packaged Slack stand-in,
and, in the same way, a bare Bolt app whose /lapor only acknowledges, served by gunicorn with
threads. Prints requests per second and acknowledgement latency (p50/p95/p99) for both, and
for Rekan the time from each filing to the agent's DM recorded by the stand-in (p50/p99) and
how long the DMs took to drain after the load stopped.

    python tests/bench/bench_lapor.py [--senders 50] [--requests 2000] [--workers 1] [--floor]

`--workers N` runs every server with N processes (Rekan's --workers, gunicorn's -w). `--floor`
also runs floor_app.py the same way: one sqlite3 insert before the ack and one slack_sdk DM
after it, nothing else, which bounds what any implementation of /lapor can reach here. Also
printed: the CPU time each server spent per filing (its DM included), and the benchmark
process's own (load and the stand-in), which shares this machine's cores with them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.sandbox import SlackStandIn

SECRET = "bench-secret"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pid: int) -> list[int]:
    """A process and its children (workers)."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [pid, *(int(c) for c in f.read().split())]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load(
    port: int, senders: int, total: int, tag: str
) -> tuple[float, list[float], dict[int, float]]:
    """Send `total` distinct signed filings from `senders` threads; returns (rps, latencies, sent-at by ticket)."""
    verifier = SignatureVerifier(SECRET)
    latencies: list[float] = []
    sent_at: dict[int, float] = {}
    errors: list[str] = []
    lock = threading.Lock()
    per = total // senders

    def sender(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(per):
            user = f"U{tag}{k:03d}{i:04d}"
            body = urlencode(
                {
                    "team_id": "T0REKAN",
                    "channel_id": "C0GENERAL",
                    "user_id": user,
                    "user_name": user,
                    "command": "/lapor",
                    "text": f"masalah {tag} {k}-{i} tidak bisa",
                    "api_app_id": "A0",
                    "response_url": "http://127.0.0.1:9/r",
                    "trigger_id": f"{tag}.{k}.{i}",
                }
            )
            ts = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": str(verifier.generate_signature(timestamp=ts, body=body)),
            }
            start = time.time()
            try:
                conn.request("POST", "/slack/events", body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode()
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            elapsed = time.time() - start
            match = re.search(r"#(\d+)", text)
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    errors.append(str(response.status))
                if match:
                    sent_at[int(match.group(1))] = start
        conn.close()

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(senders)]
    began = time.time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.time() - began
    if errors:
        print(f"  {tag}: {len(errors)} errors, e.g. {errors[:3]}")
    return len(latencies) / wall, latencies, sent_at


def report(name: str, rps: float, latencies: list[float]) -> None:
    ms = [x * 1000 for x in latencies]
    print(
        f"{name:<24} {rps:6.0f} req/s   ack p50 {pct(ms, 50):6.1f} ms   p95 {pct(ms, 95):6.1f} ms   "
        f"p99 {pct(ms, 99):6.1f} ms   (n={len(ms)}, mean {statistics.mean(ms):.1f} ms)"
    )


def gunicorn(module: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", "16"),
            *("-b", f"127.0.0.1:{port}", "--log-level", "warning", module),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@dataclass
class Run:
    """One server's numbers: throughput, ack latencies, CPU per filing, and its DMs when it sends any."""

    rps: float
    latencies: list[float]
    cpu: tuple[float, float]  # (server, benchmark process) seconds per filing
    to_dm: list[float] = field(default_factory=list)
    drain: float = float("nan")
    dms: int = 0
    filed: int = 0


def measure(
    proc: subprocess.Popen[bytes],
    port: int,
    args: argparse.Namespace,
    tag: str,
    standin: SlackStandIn | None = None,
    warm: bool = False,
) -> Run:
    """Load one server; with a stand-in, also wait for every filing's DM and time it."""
    try:
        wait_port(port, proc)
        if warm:
            _, _, warmed = load(port, args.senders, min(200, args.requests), "W" + tag)
            if standin is not None:  # its DMs must not count in the run
                standin.wait_for(lambda: len(standin.calls("chat.postMessage")) >= len(warmed), 30)
        if standin is not None:
            standin.clear()
        servers = family(proc.pid)
        before = sum(cpu_seconds(p) for p in servers), cpu_seconds(os.getpid())
        rps, lat, sent_at = load(port, args.senders, args.requests, tag)
        load_end = time.time()
        if standin is not None:
            standin.wait_for(lambda: len(standin.calls("chat.postMessage")) >= len(sent_at), 120)
        # per filing, its DM included (all were sent by now)
        cpu = (
            (sum(cpu_seconds(p) for p in servers) - before[0]) / args.requests,
            (cpu_seconds(os.getpid()) - before[1]) / args.requests,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    run = Run(rps, lat, cpu)
    if standin is None:
        return run
    dm_at: dict[int, float] = {}
    for call in standin.calls("chat.postMessage"):
        key = ((call.params.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        match = re.match(r"ticket:(\d+):card", key)
        if match and call.outcome == "ok":
            dm_at[int(match.group(1))] = call.at
    run.to_dm = [(dm_at[n] - sent_at[n]) * 1000 for n in sent_at if n in dm_at]
    run.drain = max((max(dm_at.values()) - load_end) if dm_at else float("nan"), 0.0)
    run.dms, run.filed = len(run.to_dm), len(sent_at)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--workers", type=int, default=1, help="processes for both servers (default 1)"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run floor_app.py: one sqlite3 insert and one DM per filing, nothing else",
    )
    args = parser.parse_args()

    with SlackStandIn() as standin, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.url,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "FLOOR_DATABASE": f"{tmp}/floor.db",
            "REKAN_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("SLACK_APP_TOKEN", None)
        csv = Path(tmp) / "people.csv"
        csv.write_text(
            "slack_id,name,email,team,lead_slack_id,timezone\n"
            + "".join(f"U0AGENT{c},Agent {c},a{c}@corp.id,IT,,Asia/Jakarta\n" for c in "ABC")
        )
        rekan = [sys.executable, "-m", "bot"]
        subprocess.run(
            [*rekan, "people", "import", str(csv)],
            env=env,
            check=True,
            cwd=tmp,
            capture_output=True,
        )
        for c in "ABC":
            subprocess.run(
                [*rekan, "agents", "add", f"U0AGENT{c}", "--tier", "1"],
                env=env,
                check=True,
                cwd=tmp,
                capture_output=True,
            )

        workers = args.workers
        port = free_port()
        runs = {
            f"bare ({workers}w×16t gunicorn)": measure(
                gunicorn("tests.bench.bare_app:app", port, workers, env), port, args, "B", warm=True
            )
        }
        if args.floor:
            port = free_port()
            runs[f"floor ({workers}w×16t gunicorn)"] = measure(
                gunicorn("tests.bench.floor_app:app", port, workers, env),
                *(port, args, "F", standin),
                warm=True,
            )
        port = free_port()
        rekan_server = subprocess.Popen(
            [
                *rekan,
                *("run", "--http", "--host", "127.0.0.1", "--port", str(port)),
                *("--workers", str(workers)),
            ],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        runs[f"rekan ({workers}w)"] = measure(rekan_server, port, args, "R", standin)

        print(
            f"/lapor, {args.senders} concurrent senders, {args.requests} distinct filings, {os.cpu_count()} cores"
        )
        bare = next(iter(runs.values()))
        for name, run in runs.items():
            report(name, run.rps, run.latencies)
        for name, run in runs.items():
            server, bench = run.cpu
            print(
                f"CPU per filing, {name.split()[0]}: server {server * 1000:.2f} ms, "
                f"load and stand-in {bench * 1000:.2f} ms"
            )
        for name, run in list(runs.items())[1:]:
            print(f"{name.split()[0]}/bare throughput: {run.rps / bare.rps:.2f}")
        for name, run in list(runs.items())[1:]:
            if run.to_dm:
                print(
                    f"{name.split()[0]}: filing→agent DM p50 {pct(run.to_dm, 50):.0f} ms   "
                    f"p99 {pct(run.to_dm, 99):.0f} ms   ({run.dms}/{run.filed} DMs), "
                    f"drained {run.drain:.2f} s after the load stopped"
                )


if __name__ == "__main__":
    main()
