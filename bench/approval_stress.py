"""Approval stress: randomized approve / reject / expire / replay events from several threads.

Every event goes through ``RemediationService`` exactly as a Slack click does. Afterwards an
oracle built only from what the callers saw checks the store's promises:

* each request that legitimately reached its quorum (distinct allowed approvers, none of
  them the requester, accepted before expiry, rejection or execution) ran exactly once;
* every other request ran zero times, and no approval by an unauthorized user was accepted.

The same workload runs first against the in-memory store (the baseline) and then against
Redis, and the ratio of their throughputs is printed.

    python -m bench.approval_stress                         # starts a throwaway redis-server
    SCO_REDIS__URL=redis://127.0.0.1:6379/0 python -m bench.approval_stress --events 10000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.files.audit import JsonlAuditSink
from adapters.memory.approvals import InMemoryApprovalStore
from domain.errors import ApprovalExpired, InvalidTransition, NotAllowedToApprove, PolicyError
from remediation import actions
from remediation.actions import ActionLimits
from remediation.approval import ApprovalRequest
from remediation.cloud_state import GroupState, InstanceState
from remediation.policy import ApprovalPolicy
from remediation.ports import ApprovalStore, AuditEvent, AuditSink
from remediation.service import RemediationService

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
EXPIRY = timedelta(minutes=15)
ALLOWED = ("U_A1", "U_A2", "U_A3", "U_A4")
INTRUDERS = ("U_X1", "U_X2", "U_X3")
LIMITS = ActionLimits(max_scale_step=50)
# approve, unauthorized approve, self-approval, reject, expire sweep, replay (approve a decided request)
MIX = (("approve", 45), ("intruder", 10), ("self", 5), ("reject", 8), ("expire", 2), ("replay", 30))


class SharedClock:
    """A clock every worker moves forward; reads and moves are atomic."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Current time."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        with self._lock:
            self._now += delta


class MemoryAudit:
    """Audit events kept in a list, to measure the store without the audit file's fsync."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self._lock = threading.Lock()

    def record(self, event: AuditEvent) -> None:
        """Keep the event."""
        with self._lock:
            self.events.append(event)


class CountingCloud:
    """A CloudActions that only counts executions, one Auto Scaling group per request."""

    def __init__(self) -> None:
        self.executions: Counter[str] = Counter()
        self._lock = threading.Lock()

    def describe_group(self, name: str) -> GroupState:
        """Every group has room to grow."""
        return GroupState(name=name, desired_capacity=2, min_size=1, max_size=100)

    def set_desired_capacity(self, name: str, desired: int) -> None:  # noqa: ARG002 - only the call counts
        """Count one execution of the request owning ``name``."""
        with self._lock:
            self.executions[name] += 1

    def send_restart(self, instance_id: str, service: str) -> str:
        """Not used by this workload."""
        raise NotImplementedError(f"{instance_id} {service}")

    def command_status(self, command_id: str, instance_id: str) -> str:
        """Not used by this workload."""
        raise NotImplementedError(f"{command_id} {instance_id}")

    def describe_instances(self, instance_ids: Sequence[str]) -> list[InstanceState]:
        """Not used by this workload."""
        raise NotImplementedError(",".join(instance_ids))


@dataclass
class Observed:
    """What the callers saw, per request id: the oracle's only input."""

    accepted: dict[str, list[str]] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    refusals: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Outcome:
    """Figures of one run."""

    store: str
    events: int
    seconds: float
    requests: int
    legit_quorum: int
    executions: int
    wrong_executions: int
    unauthorized_accepted: int
    refusals: Counter[str]

    @property
    def events_per_second(self) -> float:
        """Throughput."""
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        """True when every promise held."""
        return self.executions == self.legit_quorum and self.wrong_executions == 0 and self.unauthorized_accepted == 0


def plan_events(*, events: int, requests: int, seed: int, burst: int = 8) -> list[tuple[str, int, int]]:
    """The randomized event list: (kind, request number, random draw).

    Events come in bursts of ``burst`` on the same request, so the workers, which take
    consecutive events, click the same request at the same time (double clicks, Slack
    retries, two replicas).
    """
    rng = random.Random(seed)
    kinds = [k for k, weight in MIX for _ in range(weight)]
    out: list[tuple[str, int, int]] = []
    while len(out) < events:
        number = rng.randrange(requests)
        out.extend((rng.choice(kinds), number, rng.randrange(1 << 30)) for _ in range(burst))
    return out[:events]


def run(
    *,
    store: ApprovalStore,
    store_name: str,
    events: int,
    requests: int,
    workers: int,
    seed: int,
    audit: AuditSink,
    progress: Callable[[str], None],
) -> Outcome:
    """Create the requests, replay the planned events from ``workers`` threads, and judge the result."""
    clock = SharedClock(T0)
    cloud = CountingCloud()
    service = RemediationService(
        store=store,
        cloud=cloud,
        audit=audit,
        policy=ApprovalPolicy(approvers={"*": frozenset(ALLOWED)}, risky_scale_to_above=10, risky_quorum=2),
        limits=LIMITS,
        clock=clock,
        expiry=EXPIRY,
        sleep=lambda _s: None,
    )
    rng = random.Random(seed)
    created = []
    for n in range(requests):
        # a third of the requests are risky (scale_to above 10: two approvers needed)
        group = f"g-{n:05d}"
        if n % 3 == 0:
            call = actions.scale_to(group=group, desired=12)
        else:
            call = actions.scale_up(group=group, by=1, limits=LIMITS)
        created.append(service.request(call, f"U_R{rng.randrange(50):02d}"))
        clock.advance(timedelta(seconds=1))
    observed = Observed()
    plan = plan_events(events=events, requests=requests, seed=seed)
    # The whole run spans twice the expiry, so many requests expire while being clicked.
    tick = (2 * EXPIRY) / max(1, events)
    queue = iter(enumerate(plan))
    queue_lock = threading.Lock()
    step = max(1, events // 10)

    def next_event() -> tuple[int, tuple[str, int, int]] | None:
        with queue_lock:
            return next(queue, None)

    def worker() -> None:
        while (item := next_event()) is not None:
            index, (kind, number, draw) = item
            clock.advance(tick)
            _apply(service, created[number], kind, draw, observed)
            if (index + 1) % step == 0:
                progress(f"  {store_name}: {index + 1}/{events} events")

    threads = [threading.Thread(target=worker, name=f"approver-{n}") for n in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return _judge(
        store_name=store_name,
        events=events,
        seconds=seconds,
        created=created,
        observed=observed,
        cloud=cloud,
        store=store,
    )


def _apply(service: RemediationService, request: ApprovalRequest, kind: str, draw: int, observed: Observed) -> None:
    """Play one event and record what the caller saw."""
    rid = request.id
    if kind == "expire":
        try:
            expired = service.expire_due()
        except PolicyError as exc:
            with observed.lock:
                observed.refusals[type(exc).__name__] += 1
            return
        with observed.lock:
            observed.closed.update(r.id for r in expired)
        return
    if kind == "approve" or kind == "replay":
        user = ALLOWED[draw % len(ALLOWED)]
    elif kind == "intruder":
        user = INTRUDERS[draw % len(INTRUDERS)]
    elif kind == "self":
        user = request.requested_by
    else:
        user = ALLOWED[draw % len(ALLOWED)]
    try:
        if kind == "reject":
            service.reject(rid, user)
            with observed.lock:
                observed.closed.add(rid)
        else:
            service.approve(rid, user)
            with observed.lock:
                observed.accepted.setdefault(rid, []).append(user)
    except (NotAllowedToApprove, InvalidTransition, ApprovalExpired) as exc:
        with observed.lock:
            observed.refusals[type(exc).__name__] += 1


def _judge(
    *,
    store_name: str,
    events: int,
    seconds: float,
    created: list[ApprovalRequest],
    observed: Observed,
    cloud: CountingCloud,
    store: ApprovalStore,
) -> Outcome:
    legit = executions = wrong = unauthorized = 0
    for request in created:
        accepted = observed.accepted.get(request.id, [])
        # an accepted approval by someone not allowed, by the requester, or a second one by the same person
        unauthorized += len(accepted) - len({u for u in accepted if u in ALLOWED and u != request.requested_by})
        final = store.get(request.id)
        late = final is None or any(a.at >= final.expires_at for a in final.approvals)
        reached = len(set(accepted)) >= request.required_approvals
        ran = cloud.executions[str(request.call.params["group"])]
        legit += int(reached)
        executions += ran
        if ran != int(reached) or late or (ran and request.id in observed.closed):
            wrong += 1
    return Outcome(
        store=store_name,
        events=events,
        seconds=seconds,
        requests=len(created),
        legit_quorum=legit,
        executions=executions,
        wrong_executions=wrong,
        unauthorized_accepted=unauthorized,
        refusals=observed.refusals,
    )


@contextmanager
def redis_store(url: str | None) -> Iterator[tuple[ApprovalStore, str]]:
    """A Redis approval store under a fresh key prefix, on ``url`` or on a throwaway redis-server."""
    from adapters.redis.approvals import RedisApprovalStore
    from adapters.redis.connection import connect

    server = None
    if url is None:
        from tests.servers import start_redis

        server = start_redis(Path(tempfile.mkdtemp(prefix="approval-stress-redis-")))
        url = server.extra["url"]
    client = connect(url)
    prefix = f"sco-bench-{uuid.uuid4().hex[:8]}"
    try:
        yield RedisApprovalStore(client, prefix=prefix), url
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
        client.close()
        if server is not None:
            server.stop()


def report(outcome: Outcome, out: Callable[[str], None]) -> None:
    """Print one run's figures."""
    refusals = ", ".join(f"{k} {v}" for k, v in sorted(outcome.refusals.items()))
    out(
        f"{outcome.store}: {outcome.events} events in {outcome.seconds:.2f} s "
        f"({outcome.events_per_second:,.0f} events/s); requests {outcome.requests}; "
        f"legitimately reached quorum {outcome.legit_quorum}; executions {outcome.executions}; "
        f"wrong executions {outcome.wrong_executions}; unauthorized approvals accepted {outcome.unauthorized_accepted}"
    )
    out(f"  refusals: {refusals}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stress test against the in-memory store and Redis; exit 1 if a promise broke."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.approval_stress",
        description="Randomized approve/reject/expire/replay events from several threads; "
        "checks that executions equal legitimately approved requests and that no unauthorized approval counts.",
    )
    parser.add_argument("--events", type=int, default=10_000, help="events to play (default 10000)")
    parser.add_argument("--requests", type=int, default=600, help="approval requests to create (default 600)")
    parser.add_argument("--workers", type=int, default=4, help="worker threads (default 4)")
    parser.add_argument("--seed", type=int, default=20260105, help="random seed (default 20260105)")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("SCO_REDIS__URL"),
        help="Redis to use (default SCO_REDIS__URL, else a throwaway redis-server)",
    )
    args = parser.parse_args(argv)
    if args.events < 1 or args.requests < 1 or args.workers < 1:
        parser.error("--events, --requests and --workers must be at least 1")

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    common = {"events": args.events, "requests": args.requests, "workers": args.workers, "seed": args.seed}
    say(f"approval stress: {args.events} events, {args.requests} requests, {args.workers} workers, seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="approval-stress-audit-") as audit_dir:
        baseline = run(
            store=InMemoryApprovalStore(), store_name="in-memory", audit=MemoryAudit(), progress=say, **common
        )
        with redis_store(args.redis_url) as (store, url):
            say(f"redis: {url}")
            redis_run = run(store=store, store_name="redis", audit=MemoryAudit(), progress=say, **common)
        with redis_store(args.redis_url) as (store, _url):
            file_run = run(
                store=store,
                store_name="redis+audit file",
                audit=JsonlAuditSink(Path(audit_dir)),
                progress=say,
                **common,
            )
    say("")
    for outcome in (baseline, redis_run, file_run):
        report(outcome, say)
    for outcome in (redis_run, file_run):
        ratio = outcome.events_per_second / baseline.events_per_second if baseline.events_per_second else 0.0
        say(f"{outcome.store} throughput is {ratio:.2f}x the in-memory baseline")
    ok = baseline.ok and redis_run.ok and file_run.ok
    say(
        "PASS: executions equal legitimately approved requests; 0 unauthorized" if ok else "FAIL: see the figures above"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
