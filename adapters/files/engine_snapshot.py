"""The detection engine's snapshot on disk: the ``.npz`` file and the JSON manifest beside it.

``engine_snapshot.npz`` holds the engine's state (``detectors.engine.snapshot``: plain arrays and
a JSON header, read without pickle); ``engine_snapshot.manifest.json`` records the format, its
version, the lanes, the period covered and the file's sha256. The manifest is written after the
file, each through a temporary file and a rename, so a reader never sees half of either; reading
checks the manifest and the sha256 before the file is decoded.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.files.atomic import write_bytes_atomically
from detectors.engine.snapshot import SnapshotError, manifest, verify


def manifest_path(path: Path) -> Path:
    """Where the manifest of the snapshot at ``path`` lives."""
    return path.with_name(path.stem + ".manifest.json")


def save_snapshot(path: Path, payload: bytes, *, created_at: datetime) -> dict[str, Any]:
    """Write the snapshot and then its manifest; returns the manifest.

    Raises:
        SnapshotError: the folder cannot be written, or ``payload`` is not a snapshot.
    """
    vouched = manifest(payload, file=path.name, created_at=created_at)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise SnapshotError(f"{path}: is a directory, give a file name for the snapshot")
        write_bytes_atomically(path, payload)
        write_bytes_atomically(manifest_path(path), (json.dumps(vouched, indent=2) + "\n").encode())
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot write the snapshot there ({exc.strerror or exc})") from exc
    return vouched


def read_snapshot(path: Path) -> bytes | None:
    """The snapshot's bytes once its manifest vouches for them; None when there is no snapshot at ``path``.

    Raises:
        SnapshotError: the manifest is missing, unreadable or not ours, or the bytes do not match it.
    """
    if not path.exists():
        return None
    mpath = manifest_path(path)
    try:
        payload = path.read_bytes()
        vouched = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SnapshotError(f"{path}: no manifest beside it ({mpath.name}); refusing an unvouched file") from exc
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{path}: unreadable snapshot or manifest ({exc})") from exc
    if not isinstance(vouched, dict):
        raise SnapshotError(f"{mpath}: not a SmartCloudOps engine snapshot manifest")
    try:
        verify(payload, vouched)
    except SnapshotError as exc:
        raise SnapshotError(f"{path}: {exc}") from exc
    return payload
