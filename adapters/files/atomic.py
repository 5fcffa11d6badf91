"""Writing a file so no reader ever sees half of it: a temporary file beside it, then a rename.

``check_output_file`` refuses, before a command does any work, an output path it could not write.

A path that names something other than a regular file (``/dev/null``, ``/dev/stdout``, a FIFO)
is written in place: renaming over it would replace the device or pipe with a file. A symlink is
followed, so the file it points to is replaced and the link stays. The new file gets the mode
the file it replaces had, or for a new file what the umask allows, as ``open`` would give it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from domain.errors import InputError


def check_output_file(path: Path, *, option: str = "--output", create_folder: bool = False) -> None:
    """Refuse, before any work, an output path that cannot become a file.

    Args:
        path: the output file.
        option: the option to name in the message.
        create_folder: the caller creates a missing folder; only the nearest existing one is checked.

    Raises:
        InputError: the path is empty, names a directory, its folder is missing (unless
            ``create_folder``), not a folder or not writable.
    """
    if not path.name or str(path) in ("", "."):
        raise InputError(f"{option}: give a file name for the output ('{path}' is a directory)")
    try:
        target = path.resolve()
        try:
            mode: int | None = target.stat().st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            raise InputError(f"{option} {path}: is a directory, give a file name for the output")
        if mode is not None and not stat.S_ISREG(mode):
            return  # a device or a pipe is written in place
        folder = target.parent
        while create_folder and not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            missing = "is not a folder" if folder.exists() else "does not exist"
            raise InputError(f"{option} {path}: {folder} {missing}")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(f"{option} {path}: cannot write there (permission denied)")
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from exc


def write_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to ``path`` through a temporary file in the same folder and a rename.

    Raises:
        InputError: ``path`` is a directory, or its folder cannot be written (nothing is left behind).
    """
    target = path.resolve()
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InputError(f"{path}: cannot write there ({exc.strerror})") from exc
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, give a file name for the output")
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(path, target, chunks)
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write there ({exc.strerror})") from exc
    try:
        os.fchmod(fd, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomically(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` as ``write_atomically`` does."""
    write_atomically(path, (payload,))


def write_lines_atomically(path: Path, lines: Iterable[str]) -> None:
    """Write text lines (UTF-8, each ended by a newline) to ``path`` as ``write_atomically`` does."""
    write_atomically(path, ((line + "\n").encode("utf-8") for line in lines))


def _write_in_place(path: Path, target: Path, chunks: Iterable[bytes]) -> None:
    """Write to a device or pipe as it is."""
    try:
        with target.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot write there ({exc.strerror})") from exc


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    current = os.umask(0)
    os.umask(current)
    return current
