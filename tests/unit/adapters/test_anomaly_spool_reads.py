"""While the anomaly store is down, people's reads (``/ops anomalies``, the digest) come from the spool."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.clock import ManualClock
from adapters.files.anomaly_spool import SpoolingAnomalyStore
from adapters.memory.anomalies import InMemoryAnomalyStore
from bot.config.settings import AuditSettings, Settings
from bot.slack.ops_answers import answer_command
from bot.slack.ops_command import parse_ops
from domain.errors import StoreUnavailable
from domain.models import HostRef, Severity
from tests.factories import simulated_cloud
from tests.unit.bot.simulated_services import simulated_services
from tests.unit.bot.test_digest import NOW, anomaly


class DownStore(InMemoryAnomalyStore):
    """The AnomalyStore port of a Redis that stopped answering."""

    def __getattribute__(self, name: str) -> Any:
        if name in {"upsert", "get", "recent", "for_host", "between", "open_for", "open_anomalies", "acknowledge"}:

            def down(*_args: object, **_kwargs: object) -> Any:
                raise StoreUnavailable("redis://127.0.0.1:1: connection refused")

            return down
        return super().__getattribute__(name)


def spooled_store(tmp_path: Path) -> SpoolingAnomalyStore:
    store = SpoolingAnomalyStore(DownStore(), tmp_path / "spool.jsonl")
    store.upsert(anomaly(1, "web-1", Severity.HIGH, age=timedelta(hours=2)))
    store.upsert(anomaly(2, "db-1", Severity.HIGH, age=timedelta(minutes=5)))
    return store


def test_recent_for_host_and_between_answer_from_the_spool(tmp_path: Path) -> None:
    store = spooled_store(tmp_path)

    assert 2 == store.spooled
    assert ["a2", "a1"] == [a.id for a in store.recent(10)]
    assert ["a2"] == [a.id for a in store.recent(1)]
    assert ["a1"] == [a.id for a in store.for_host(HostRef(instance="10.0.0.1:9100", host="web-1"), 10)]
    assert ["a2"] == [a.id for a in store.between(NOW - timedelta(hours=1), NOW)]


def test_ops_anomalies_shows_the_spooled_anomalies_instead_of_an_error(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    services = simulated_services(
        Settings(audit=AuditSettings(dir=tmp_path / "audit")), clock=clock, cloud=simulated_cloud()
    )
    store = spooled_store(tmp_path)
    services = dataclasses.replace(
        services, anomalies=store, tools=dataclasses.replace(services.tools, anomalies=store)
    )

    reply = answer_command(services, parse_ops("anomalies"), user="U1")

    assert "db-1" in reply.text
    assert "web-1" in reply.text
    assert "unavailable" not in reply.text.lower()
