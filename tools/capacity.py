"""The capacity tool: what a host has (memory, CPUs, filesystems), its uptime and its disk I/O."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from domain.errors import InputError
from domain.models import Filesystem, HostCapacity, HostState, MetricKind, ToolResult, ToolStatus
from tools.context import ToolContext
from tools.hosts import HOST_FIELD, metrics_source, resolve_state
from tools.results import ByteSize, Quantity

#: What the disk I/O figures are averaged over (node_exporter counters as a one-minute rate).
DISK_IO_WINDOW = "1m average"


class HostCapacityArgs(BaseModel):
    """Arguments of ``host_capacity``."""

    host: str = Field(description=HOST_FIELD)
    mountpoint: str | None = Field(default=None, description="one filesystem by its mountpoint, e.g. /data")


class FilesystemUse(BaseModel):
    """One filesystem: its size, the share in use and the space left."""

    mountpoint: str
    device: str = ""
    size: ByteSize
    used: Quantity
    free: ByteSize


class CapacityReport(BaseModel):
    """``host_capacity``: what a host has and how long it has been up; None where it is not exposed."""

    host: HostState
    checked_at: datetime
    #: When the figures were read (None when the host is down).
    at: datetime | None = None
    memory_total: ByteSize | None = None
    memory_available: ByteSize | None = None
    cpus: int | None = None
    booted: datetime | None = None
    uptime: timedelta | None = None
    filesystems: list[FilesystemUse] = []
    disk_read: Quantity | None = None
    disk_write: Quantity | None = None


def _filesystem(f: Filesystem, at: datetime) -> FilesystemUse:
    used = Quantity(metric=MetricKind.DISK, value=f.used_percent, window="in use", at=at)
    return FilesystemUse(
        mountpoint=f.mountpoint,
        device=f.device,
        size=ByteSize(bytes=f.size_bytes),
        used=used,
        free=ByteSize(bytes=f.avail_bytes),
    )


def _bytes(value: float | None) -> ByteSize | None:
    return None if value is None else ByteSize(bytes=value)


def _report(state: HostState, cap: HostCapacity, filesystems: list[Filesystem], now: datetime) -> CapacityReport:
    def io(value: float | None) -> Quantity | None:
        return (
            None
            if value is None
            else Quantity(metric=MetricKind.DISK_IO, value=value, window=DISK_IO_WINDOW, at=cap.at)
        )

    has_io = cap.disk_read_mb_s is not None and cap.disk_write_mb_s is not None
    return CapacityReport(
        host=state,
        checked_at=now,
        at=cap.at,
        memory_total=_bytes(cap.memory_total_bytes),
        memory_available=_bytes(cap.memory_available_bytes) if cap.memory_total_bytes is not None else None,
        cpus=cap.cpus,
        booted=cap.boot_time,
        uptime=now - cap.boot_time if cap.boot_time is not None else None,
        filesystems=[_filesystem(f, cap.at) for f in filesystems],
        disk_read=io(cap.disk_read_mb_s) if has_io else None,
        disk_write=io(cap.disk_write_mb_s) if has_io else None,
    )


def host_capacity(ctx: ToolContext, args: HostCapacityArgs) -> ToolResult:
    """Total memory, CPU count, uptime, filesystems (size, used, free) and disk I/O of one host."""
    state = resolve_state(ctx, args.host)
    params = args.model_dump(mode="json", exclude_none=True)
    now = ctx.clock.now()
    if not state.up:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=CapacityReport(host=state, checked_at=now))
    cap = metrics_source(ctx).capacity(state.ref)
    filesystems = list(cap.filesystems)
    if args.mountpoint is not None:
        wanted = "/" + args.mountpoint.strip().strip("/")
        filesystems = [f for f in filesystems if f.mountpoint == wanted]
        if not filesystems:
            known = ", ".join(f.mountpoint for f in cap.filesystems) or "none"
            raise InputError(f"{state.ref.name} has no filesystem mounted at {wanted} (mounted: {known})")
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=_report(state, cap, filesystems, now))
