"""Store throughput: approval writes and anomaly upserts per second on the in-memory, SQLite and Redis stores.

The same workload runs against each store in one run, and each figure is printed beside its
ratio to the in-memory baseline:

* approvals: ``add`` a request, then three compare-and-set transitions (approve, start,
  succeed), as one execution does; counted as store writes per second;
* anomaly upserts: a new anomaly, then two updates of it (the detection cycle re-stores an
  open incident each time it sees it again);
* the approval stress workload of ``bench.approval_stress`` (randomized approve, reject,
  expire and replay clicks from several threads, judged by its oracle) on each store.

SQLite runs on a file in a temporary directory, with the settings the product uses (WAL,
``synchronous=FULL``: each commit is on disk before it returns), and again with
``synchronous=NORMAL`` (``sqlite/normal``) to show what the fsync per commit costs. Redis is
``--redis-url`` (default ``SCO_REDIS__URL``) or a throwaway ``redis-server`` when one is
installed; without either, the run says Redis is absent.

    python -m bench.store_throughput
    python -m bench.store_throughput --approvals 5000 --anomalies 10000 --stress-events 10000
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.memory.approvals import InMemoryApprovalStore
from adapters.sqlite.anomalies import SqliteAnomalyStore
from adapters.sqlite.approvals import SqliteApprovalStore
from adapters.sqlite.database import FILE_NAME, StateDatabase
from bench.approval_stress import MemoryAudit, redis_store
from bench.approval_stress import run as stress_run
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from domain.ports import AnomalyStore
from remediation import actions
from remediation.approval import ApprovalRequest
from remediation.ports import ApprovalStore

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Figure:
    """One measured workload on one store."""

    store: str
    workload: str
    operations: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Throughput."""
        return self.operations / self.seconds if self.seconds else 0.0


def approval_writes(store: ApprovalStore, count: int) -> int:
    """Add ``count`` requests and take each through approve, start and succeed; returns the writes made."""
    call = actions.scale_to(group="web-asg", desired=3)
    for n in range(count):
        request = ApprovalRequest(
            id=f"r{n:06d}",
            call=call,
            fingerprint=call.fingerprint(),
            requested_by="U_REQ",
            requested_at=T0,
            expires_at=T0 + timedelta(minutes=15),
            updated_at=T0,
        )
        store.add(request)
        approved = request.approve("U_OK", T0)
        started = approved.start(T0)
        for before, after in ((request, approved), (approved, started), (started, started.succeed("done", T0))):
            if not store.compare_and_set(before.version, after):
                raise RuntimeError(f"compare-and-set refused on an uncontended request {request.id}")
    return 4 * count


def anomaly_upserts(store: AnomalyStore, count: int) -> int:
    """Store ``count`` anomalies on 100 hosts, each once new and twice updated; returns the upserts made."""
    for n in range(count):
        host = HostRef(instance=f"10.0.{n % 100 // 10}.{n % 10}:9100", host=f"web-{n % 100}")
        first = Anomaly(
            id=f"a{n:07d}",
            host=host,
            metric=MetricKind.CPU,
            detector="robust_zscore",
            status=AnomalyStatus.OPEN,
            severity=Severity.HIGH,
            score=7.5,
            value=93.2,
            started_at=T0 + timedelta(seconds=n),
            updated_at=T0 + timedelta(seconds=n),
        )
        store.upsert(first)
        store.upsert(first.model_copy(update={"value": 95.0, "updated_at": first.updated_at + timedelta(minutes=1)}))
        store.upsert(first.model_copy(update={"status": AnomalyStatus.RESOLVED}))
    return 3 * count


def timed(store: str, workload: str, fn: Callable[[], int]) -> Figure:
    """Run ``fn`` (which returns its operation count) and time it."""
    started = time.perf_counter()
    operations = fn()
    return Figure(store, workload, operations, time.perf_counter() - started)


@contextmanager
def sqlite_database(synchronous: str) -> Iterator[StateDatabase]:
    """A fresh state database in a temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="store-throughput-sqlite-"))
    db = StateDatabase(directory / FILE_NAME, synchronous=synchronous)
    try:
        yield db
    finally:
        db.close()
        shutil.rmtree(directory, ignore_errors=True)


def measure(args: argparse.Namespace, say: Callable[[str], None]) -> list[Figure]:
    """Every workload on every store available."""
    stress = {"events": args.stress_events, "requests": args.stress_requests, "workers": args.workers, "seed": 7}

    def quiet(_line: str) -> None:
        return None

    def stress_figure(store_name: str, store: ApprovalStore) -> Figure:
        outcome = stress_run(store=store, store_name=store_name, audit=MemoryAudit(), progress=quiet, **stress)
        if not outcome.ok:
            raise RuntimeError(f"approval stress on {store_name} broke a promise: {outcome}")
        return Figure(store_name, "approval stress events", outcome.events, outcome.seconds)

    figures = [
        timed("in-memory", "approval writes", lambda: approval_writes(InMemoryApprovalStore(), args.approvals)),
        timed("in-memory", "anomaly upserts", lambda: anomaly_upserts(InMemoryAnomalyStore(), args.anomalies)),
        stress_figure("in-memory", InMemoryApprovalStore()),
    ]
    say("in-memory: done")
    for synchronous, name in (("FULL", "sqlite"), ("NORMAL", "sqlite/normal")):
        with sqlite_database(synchronous) as db:
            figures.append(
                timed(name, "approval writes", lambda: approval_writes(SqliteApprovalStore(db), args.approvals))
            )
            figures.append(
                timed(name, "anomaly upserts", lambda: anomaly_upserts(SqliteAnomalyStore(db), args.anomalies))
            )
        with sqlite_database(synchronous) as db:
            figures.append(stress_figure(name, SqliteApprovalStore(db)))
    say("sqlite: done")
    if args.redis_url is None and shutil.which("redis-server") is None:
        say("redis: absent (no --redis-url, SCO_REDIS__URL or redis-server)")
        return figures
    from adapters.redis.anomalies import RedisAnomalyStore
    from adapters.redis.connection import connect

    with redis_store(args.redis_url) as (store, url):
        say(f"redis: {url}")
        figures.append(timed("redis", "approval writes", lambda: approval_writes(store, args.approvals)))
        anomalies = RedisAnomalyStore(connect(url), prefix=f"sco-bench-{os.getpid()}")
        figures.append(timed("redis", "anomaly upserts", lambda: anomaly_upserts(anomalies, args.anomalies)))
    with redis_store(args.redis_url) as (store, _url):
        figures.append(stress_figure("redis", store))
    say("redis: done")
    return figures


def table(figures: list[Figure]) -> list[str]:
    """The figures as rows, each with its ratio to the in-memory figure of the same workload."""
    baseline = {f.workload: f.per_second for f in figures if f.store == "in-memory"}
    head = f"{'workload':<24} {'store':<14} {'operations':>10} {'seconds':>8} {'per second':>11} {'vs memory':>9}"
    rows = [head]
    for workload in dict.fromkeys(f.workload for f in figures):
        for f in (f for f in figures if f.workload == workload):
            ratio = f.per_second / baseline[workload] if baseline.get(workload) else 0.0
            counts = f"{f.operations:>10,} {f.seconds:>8.2f} {f.per_second:>11,.0f}"
            rows.append(f"{workload:<24} {f.store:<14} {counts} {ratio:>8.3f}x")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.store_throughput",
        description="Approval writes and anomaly upserts per second on the in-memory, SQLite and Redis stores.",
    )
    parser.add_argument("--approvals", type=int, default=2_000, help="requests taken through their life (default 2000)")
    parser.add_argument("--anomalies", type=int, default=5_000, help="anomalies stored (default 5000)")
    parser.add_argument("--stress-events", type=int, default=5_000, help="approval stress events (default 5000)")
    parser.add_argument("--stress-requests", type=int, default=300, help="approval stress requests (default 300)")
    parser.add_argument("--workers", type=int, default=4, help="approval stress worker threads (default 4)")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("SCO_REDIS__URL"),
        help="Redis to use (default SCO_REDIS__URL, else a throwaway redis-server)",
    )
    args = parser.parse_args(argv)
    if min(args.approvals, args.anomalies, args.stress_events, args.stress_requests, args.workers) < 1:
        parser.error("every count must be at least 1")

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    say(
        f"store throughput: {args.approvals} approvals, {args.anomalies} anomalies, "
        f"{args.stress_events} stress events on {args.stress_requests} requests with {args.workers} workers"
    )
    for row in table(measure(args, say)):
        say(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
