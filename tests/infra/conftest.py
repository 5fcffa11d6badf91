"""Shared fixtures for the infrastructure tests.

These tests run in their own tool venv (.venv-tools/hcl, see mk/infra.mk) and import
nothing from the application.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hcl_loader import REPO_ROOT, load_module  # noqa: E402


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def tf() -> dict[str, list[dict[str, Any]]]:
    return load_module()
