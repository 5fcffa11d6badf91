"""The capacity tool: what a host has (memory, CPUs, filesystems), its uptime and its disk I/O."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.durations import format_duration
from domain.errors import InputError
from domain.models import ToolResult, ToolStatus
from tools.context import ToolContext
from tools.formatting import minute, size
from tools.hosts import HOST_FIELD, metrics_source, resolve_state


class HostCapacityArgs(BaseModel):
    """Arguments of ``host_capacity``."""

    host: str = Field(description=HOST_FIELD)
    mountpoint: str | None = Field(default=None, description="one filesystem by its mountpoint, e.g. /data")


def host_capacity(ctx: ToolContext, args: HostCapacityArgs) -> ToolResult:
    """Total memory, CPU count, uptime, filesystems (size, used, free) and disk I/O of one host."""
    state = resolve_state(ctx, args.host)
    params = args.model_dump(mode="json", exclude_none=True)
    now = ctx.clock.now()
    if not state.up:
        down = {"host": state.ref.name, "state": state.describe_down(now)}
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=down)
    cap = metrics_source(ctx).capacity(state.ref)
    filesystems = list(cap.filesystems)
    if args.mountpoint is not None:
        wanted = "/" + args.mountpoint.strip().strip("/")
        filesystems = [f for f in filesystems if f.mountpoint == wanted]
        if not filesystems:
            known = ", ".join(f.mountpoint for f in cap.filesystems) or "none"
            raise InputError(f"{state.ref.name} has no filesystem mounted at {wanted} (mounted: {known})")
    data: dict[str, object] = {"host": state.ref.name, "at": minute(cap.at), "state": "up"}
    if cap.memory_total_bytes is not None:
        data["memory_total"] = size(cap.memory_total_bytes)
        if cap.memory_available_bytes is not None:
            data["memory_available"] = size(cap.memory_available_bytes)
    if cap.cpus is not None:
        data["cpus"] = cap.cpus
    if cap.boot_time is not None:
        data["uptime"] = f"{format_duration(now - cap.boot_time)} (booted {minute(cap.boot_time)})"
    data["filesystems"] = [
        {
            "mountpoint": f.mountpoint,
            "size": size(f.size_bytes),
            "used": f"{f.used_percent:.1f}%",
            "free": size(f.avail_bytes),
            "device": f.device,
        }
        for f in filesystems
    ]
    if cap.disk_read_mb_s is not None and cap.disk_write_mb_s is not None:
        data["disk_io"] = f"read {cap.disk_read_mb_s:.1f} MB/s, write {cap.disk_write_mb_s:.1f} MB/s (1m average)"
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
