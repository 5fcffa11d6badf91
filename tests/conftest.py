"""Shared test configuration: integration tests are marked by folder, and no test sees the developer's SCO_ settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_ENV_PREFIXES = ("SCO_", "SLACK_", "AWS_")


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SCO_STATE__DIR", str(tmp_path / "state"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
