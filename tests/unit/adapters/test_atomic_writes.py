"""Output files are replaced whole, devices and pipes are written in place, links are followed, modes kept."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from adapters.files.atomic import write_bytes_atomically, write_lines_atomically
from domain.errors import InputError


def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_lines_atomically(tmp_path / "alarms.csv", ["index,score", "0,1.0"])
    finally:
        os.umask(previous)

    assert "index,score\n0,1.0\n" == (tmp_path / "alarms.csv").read_text()
    assert 0o644 == stat.S_IMODE((tmp_path / "alarms.csv").stat().st_mode)
    assert ["alarms.csv"] == [p.name for p in tmp_path.iterdir()]


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "model.bin"
    out.write_bytes(b"old")
    out.chmod(0o640)

    write_bytes_atomically(out, b"new")

    assert (b"new", 0o640) == (out.read_bytes(), stat.S_IMODE(out.stat().st_mode))


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)

    write_lines_atomically(link, ["new"])

    assert link.is_symlink()
    assert "new\n" == real.read_text()


def test_a_pipe_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_bytes()))
    reader.start()

    write_lines_atomically(fifo, ["a", "b"])
    reader.join(timeout=10)

    assert [b"a\nb\n"] == read
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_stays_a_device() -> None:
    write_lines_atomically(Path("/dev/null"), ["x"])

    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


@pytest.mark.parametrize("name", ["", "missing/out.csv"])
def test_a_directory_or_an_unwritable_place_is_an_input_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match=r"is a directory|cannot write there"):
        write_lines_atomically(tmp_path / name, ["x"])
