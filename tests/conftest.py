"""Test-wide set-up: a throwaway PREFECT_HOME and one temporary Prefect API for the session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Prefect: its settings and home folder are fixed at import time.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsclean-prefect-home-"))
from flows.core.settings import apply_prefect_defaults

apply_prefect_defaults()

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "data" / "sample"


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """Prefect's test harness: a fresh SQLite-backed API, started once (20-30 s), for every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
