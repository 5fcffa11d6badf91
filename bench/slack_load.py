"""Slack ack latency: signed ``/ops`` slash commands at a steady rate against ``smartcloudops serve --http``.

The server runs as a subprocess on localhost with its Web API calls going to a fake Slack API in
another subprocess; the answers (placeholder + update per command) run lazily after the ack.
Latency is measured from each request's scheduled send time (open loop, so a stalled server
cannot hide its queueing). Three phases run against the same server at the same rate:
``GET /healthz`` (the baseline), ``/ops help`` (answered in the ack, no lazy work) and
``/ops <text>`` (acked, then answered lazily in the same process).

    uv run python -m bench.slack_load --rate 200 --duration 20
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from slack_sdk.signature import SignatureVerifier

SECRET = "bench-signing-secret-0123456789abcdef"  # noqa: S105 - signs requests to a local server
ROOT = Path(__file__).resolve().parents[1]
Request = tuple[str, str, bytes | None, dict[str, str]]


@dataclass(frozen=True)
class Result:
    """Latencies (seconds) of one phase."""

    name: str
    rate: float
    sent: int
    errors: int
    latencies: list[float]
    wall: float
    #: How late the client sent each request (its own scheduling delay, part of ``latencies``).
    lateness: list[float]

    def quantile(self, q: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies if values is None else values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def line(self) -> str:
        ms = 1000
        return (
            f"{self.name:<28} rate {self.rate:>5.0f}/s  sent {self.sent:>5}  errors {self.errors:>3}  "
            f"p50 {self.quantile(0.5) * ms:6.2f} ms  p99 {self.quantile(0.99) * ms:6.2f} ms  "
            f"max {max(self.latencies, default=0) * ms:7.2f} ms  throughput {len(self.latencies) / self.wall:6.1f}/s  "
            f"(client sent late by p99 {self.quantile(0.99, self.lateness) * ms:.1f} ms)"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def slash_command(text: str, user: str) -> tuple[bytes, dict[str, str]]:
    """A signed ``/ops`` request, as Slack sends it."""
    body = urllib.parse.urlencode(
        {
            "team_id": "T000",
            "channel_id": "C_BENCH",
            "user_id": user,
            "command": "/ops",
            "text": text,
            "api_app_id": "A000",
            "response_url": "https://hooks.slack.invalid/commands/1",
            "trigger_id": "1.2.3",
        }
    )
    ts = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": str(SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return body.encode(), headers


def run_phase(name: str, make: Callable[[int], Request], *, rate: float, duration: float, workers: int) -> Result:
    """Send ``rate`` requests per second for ``duration`` seconds; latency counts from the scheduled time."""
    count = int(rate * duration)
    prepared = [make(i) for i in range(count)]
    local = threading.local()
    latencies: list[float] = []
    lateness: list[float] = []
    errors = 0
    lock = threading.Lock()

    def send(i: int, due: float) -> None:
        nonlocal errors
        method, url, body, headers = prepared[i]
        target = urllib.parse.urlsplit(url)
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(target.netloc, timeout=10)
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        late = time.perf_counter() - due
        try:
            conn.request(method, target.path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            local.conn = None
            ok = False
        took = time.perf_counter() - due
        with lock:
            lateness.append(late)
            if ok:
                latencies.append(took)
            else:
                errors += 1

    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(workers) as pool:
        for i in range(count):
            due = start + i / rate
            # Submit slightly ahead of time; each worker sleeps until its request is due.
            ahead = due - 0.05 - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
            pool.submit(send, i, due)
    return Result(name, rate, count, errors, latencies, time.perf_counter() - start, lateness)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dispatch_buckets(url: str) -> dict[float, float]:
    """The server's own ``smartcloudops_request_duration_seconds`` buckets (cumulative counts by upper bound)."""
    text = requests.get(f"{url}/metrics", timeout=10).text
    out: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith("smartcloudops_request_duration_seconds_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            out[float(le)] = float(line.rsplit(" ", 1)[1])
    return out


def bucket_quantile(before: dict[float, float], after: dict[float, float], q: float) -> float:
    """Upper bound of the histogram bucket holding quantile ``q`` of what was observed between two scrapes."""
    delta = sorted((le, after[le] - before.get(le, 0.0)) for le in after)
    total = delta[-1][1] if delta else 0.0
    for le, cumulative in delta:
        if total and cumulative >= q * total:
            return le
    return float("nan")


def serve_fake_slack() -> int:
    """Child mode: the fake Slack Web API; prints its URL, then answers ``count METHOD`` lines on stdin."""
    sys.path.insert(0, str(ROOT))
    from tests.fakes.slack_api import FakeSlackApi

    server = FakeSlackApi().start()
    print(server.api_url, flush=True)
    for line in sys.stdin:
        method = line.strip().removeprefix("count ")
        print(len(server.received(method)), flush=True)
    server.stop()
    return 0


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve --http exited with {proc.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code in (200, 503):
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("serve --http did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=200, help="requests per second (default 200)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per phase (default 20)")
    parser.add_argument("--workers", type=int, default=64, help="client threads (default 64)")
    parser.add_argument("--users", type=int, default=2000, help="distinct Slack users sending commands")
    parser.add_argument("--text", default="status web-1", help="the /ops text sent (default 'status web-1')")
    parser.add_argument("--fake-slack", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fake_slack:
        return serve_fake_slack()
    if args.rate <= 0 or args.duration <= 0:
        parser.error("--rate and --duration must be positive")

    fake = subprocess.Popen(
        [sys.executable, "-m", "bench.slack_load", "--fake-slack"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if fake.stdin is None or fake.stdout is None:
        raise SystemExit("the fake Slack API did not start")
    fake_in, fake_out = fake.stdin, fake.stdout
    api_url = fake_out.readline().strip()
    port = free_port()
    state = tempfile.mkdtemp(prefix="sco-bench-")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SCO_", "SLACK_"))},
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SCO_SLACK__API_URL": api_url,
        "SCO_HTTP__PORT": str(port),
        "SCO_STATE__DIR": state,
        "SCO_AUDIT__DIR": str(Path(state) / "logs"),
    }
    for passthrough in ("SCO_PROMETHEUS__URL", "SCO_REDIS__URL"):
        if passthrough in os.environ:
            env[passthrough] = os.environ[passthrough]
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['serve', '--http']))"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def count(method: str) -> int:
        fake_in.write(f"count {method}\n")
        fake_in.flush()
        return int(fake_out.readline())

    try:
        wait_ready(url, server)
        print(f"serve --http on {url}; fake Slack API at {api_url}; {os.cpu_count()} CPUs", flush=True)
        warm = [("POST", f"{url}/slack/events", *slash_command(args.text, "U_WARM"))]
        for method, target, body, headers in warm * 5:
            requests.request(method, target, data=body, headers=headers, timeout=10)
        time.sleep(1)

        def healthz(_i: int) -> Request:
            return ("GET", f"{url}/healthz", None, {})

        def command(i: int) -> Request:
            body, headers = slash_command(args.text, f"U{i % args.users:06d}")
            return ("POST", f"{url}/slack/events", body, headers)

        def help_command(i: int) -> Request:
            body, headers = slash_command("help", f"U{i % args.users:06d}")
            return ("POST", f"{url}/slack/events", body, headers)

        cpu = cpu_seconds(server.pid)
        baseline = run_phase(
            "baseline GET /healthz", healthz, rate=args.rate, duration=args.duration, workers=args.workers
        )
        print(baseline.line(), flush=True)
        print(
            f"server CPU during the baseline: {(cpu_seconds(server.pid) - cpu) / baseline.wall:.2f} cores", flush=True
        )
        ack_only = run_phase(
            "signed /ops help (ack only)", help_command, rate=args.rate, duration=args.duration, workers=args.workers
        )
        print(ack_only.line(), flush=True)
        updates_before = count("chat.update")
        buckets_before = dispatch_buckets(url)
        cpu, fake_cpu = cpu_seconds(server.pid), cpu_seconds(fake.pid)
        load = run_phase(
            "signed /ops (lazy answer)", command, rate=args.rate, duration=args.duration, workers=args.workers
        )
        print(load.line(), flush=True)
        print(
            f"server CPU during the load: {(cpu_seconds(server.pid) - cpu) / load.wall:.2f} cores; "
            f"fake Slack API: {(cpu_seconds(fake.pid) - fake_cpu) / load.wall:.2f} cores",
            flush=True,
        )
        buckets_after = dispatch_buckets(url)
        print(
            "server-side dispatch (Bolt, from its own histogram): "
            f"p50 <= {bucket_quantile(buckets_before, buckets_after, 0.5) * 1000:g} ms, "
            f"p99 <= {bucket_quantile(buckets_before, buckets_after, 0.99) * 1000:g} ms",
            flush=True,
        )
        deadline = time.monotonic() + 120
        while count("chat.update") - updates_before < len(load.latencies) and time.monotonic() < deadline:
            time.sleep(0.5)
        answered = count("chat.update") - updates_before
        print(f"answers posted after the ack (placeholder replaced): {answered}/{len(load.latencies)}", flush=True)
        p99_ratio = load.quantile(0.99) / baseline.quantile(0.99)
        p50_ratio = load.quantile(0.5) / baseline.quantile(0.5)
        print(f"ratio vs baseline (lazy answer): p50 {p50_ratio:.2f}x  p99 {p99_ratio:.2f}x", flush=True)
        print(
            "ratio vs baseline (ack only): "
            f"p50 {ack_only.quantile(0.5) / baseline.quantile(0.5):.2f}x  "
            f"p99 {ack_only.quantile(0.99) / baseline.quantile(0.99):.2f}x",
            flush=True,
        )
        target = "met" if load.quantile(0.99) < 0.100 and load.errors == 0 else "NOT met"
        print(
            f"target p99 < 100 ms at {args.rate:.0f}/s: {target} "
            f"(median of per-request latency {statistics.median(load.latencies) * 1000:.2f} ms)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        fake_in.close()
        shutil.rmtree(state, ignore_errors=True)
        fake.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
