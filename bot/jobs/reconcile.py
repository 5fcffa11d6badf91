"""The outcome-reconciliation job: requests left ``executing`` finished from the audit log and AWS.

Run once at start-up (a crash is the usual cause) and then periodically (a store outage that
outlasted the outcome write's retries). See ``remediation/reconcile.py`` for the decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import structlog
from pydantic import ValidationError

from adapters.files.audit import read_records
from bot.services import Services
from domain.errors import OpsError
from domain.ports import Notifier
from remediation.ports import AuditEvent
from remediation.reconcile import OutcomeReconciler

log = structlog.get_logger(__name__)

#: How often the periodic reconciliation runs.
RECONCILE_EVERY = timedelta(minutes=5)


def audit_events(directory: Path) -> Iterator[AuditEvent]:
    """The audit log's events, oldest first (lines that are not audit events are skipped)."""
    for record in read_records(directory):
        try:
            yield AuditEvent.model_validate(record)
        except ValidationError:
            continue


def build_outcome_reconciler(services: Services, notifier: Notifier | None) -> OutcomeReconciler | None:
    """The reconciler of the configured remediation (None without it).

    A run counts as stale once every SSM poll it could make and a minute more have passed.
    """
    remediation = services.remediation
    if remediation is None:
        return None
    directory = services.settings.audit.dir
    return OutcomeReconciler(
        store=remediation.store,
        cloud=remediation.cloud,
        trail=remediation.trail,
        clock=remediation.clock,
        audit_events=lambda: audit_events(directory),
        stale_after=timedelta(seconds=remediation.command_polls * remediation.poll_seconds + 60),
        notifier=notifier,
    )


def reconcile_at_start(services: Services, notifier: Notifier | None) -> None:
    """Reconcile once before serving; an outage is logged and left to the periodic job."""
    reconciler = build_outcome_reconciler(services, notifier)
    if reconciler is None:
        return
    try:
        finished = reconciler.run_once()
    except OpsError as exc:
        log.warning("outcome_reconcile_failed", error=str(exc))
        return
    for request in finished:
        log.warning("outcome_reconciled", request_id=request.id, state=request.state.value, error=request.error)
