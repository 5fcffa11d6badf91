"""Conversation stores keep a thread's context, and forget it when it expires or cannot be read."""

from __future__ import annotations

from pathlib import Path

from adapters.files.conversations import FileConversationStore
from adapters.memory.conversations import InMemoryConversationStore


def test_file_store_round_trip_and_thread_isolation(tmp_path: Path) -> None:
    store = FileConversationStore(tmp_path / "state")
    store.save("T1", {"host": "web-1"})
    assert {"host": "web-1"} == FileConversationStore(tmp_path / "state").load("T1")
    assert FileConversationStore(tmp_path / "state").load("T2") is None


def test_file_store_names_are_safe(tmp_path: Path) -> None:
    store = FileConversationStore(tmp_path / "state")
    store.save("../../etc/passwd", {"x": 1})
    assert [p.parent for p in (tmp_path / "state").iterdir()] == [tmp_path / "state"]


def test_ids_that_read_alike_once_made_safe_keep_their_own_context(tmp_path: Path) -> None:
    store = FileConversationStore(tmp_path / "state")
    ids = ["a/b", "a_b", "", " ", "🔥", "🚀", "x" * 300, "x" * 301]
    for n, thread in enumerate(ids):
        store.save(thread, {"n": n})

    assert [{"n": n} for n in range(len(ids))] == [store.load(thread) for thread in ids]
    assert all(len(p.name) < 120 for p in (tmp_path / "state").iterdir())


def test_file_store_ignores_a_corrupt_file(tmp_path: Path) -> None:
    store = FileConversationStore(tmp_path)
    store.save("T1", {"host": "web-1"})
    next(tmp_path.glob("thread-*.json")).write_text("{not json")
    assert store.load("T1") is None


def test_expired_context_is_forgotten(tmp_path: Path) -> None:
    store = FileConversationStore(tmp_path, ttl_seconds=-1)
    store.save("T1", {"host": "web-1"})
    assert store.load("T1") is None
    memory = InMemoryConversationStore(ttl_seconds=-1)
    memory.save("T1", {"host": "web-1"})
    assert memory.load("T1") is None
