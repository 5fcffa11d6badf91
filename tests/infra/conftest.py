"""Shared fixtures for the infrastructure tests.

These tests run in their own tool venv (.venv-tools/hcl, see mk/infra.mk) and import
nothing from the application. The app's venv has no python-hcl2, so when the app's
pytest walks into this folder it leaves these modules alone rather than failing to
import them; `make infra-check` is what runs them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("hcl2") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

    from hcl_loader import REPO_ROOT, load_module

    @pytest.fixture(scope="session")
    def repo_root() -> Path:
        return REPO_ROOT

    @pytest.fixture(scope="session")
    def tf() -> dict[str, list[dict[str, Any]]]:
        return load_module()
