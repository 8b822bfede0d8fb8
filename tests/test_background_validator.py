"""The background validator: the same verdicts, results and Data Docs as validating in-process,
and back to in-process when its child dies. No child outlives a test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_validate import NO_CEILING, NOW, base_frame, with_values

from flows.quality import background
from flows.quality.validate import (
    ValidationOutcome,
    load_suites,
    validate_articles,
    write_data_docs,
)

KNOWN = {"00000000000000aa", "0000000000000bbb"}  # ids already in the dataset


@pytest.fixture()
def validator() -> Iterator[background.BackgroundValidator]:
    background.start()
    active = background.active()
    assert active is not None
    try:
        yield active
    finally:
        background.stop()


def mixed_frame():  # type: ignore[no-untyped-def]
    """Five rows: one too short, one naming an unknown duplicate, one naming a known id."""
    frame = base_frame(5)
    frame = with_values("body", {1: "Too short to be an article."})(frame)
    frame = with_values("duplicate_of", {2: "ffffffffffffffff", 3: "00000000000000aa"})(frame)
    return frame


def verdicts(outcome: ValidationOutcome) -> tuple[object, ...]:
    return (
        outcome.row_failures,
        outcome.batch_failures,
        outcome.results["quarantine_share"],
        outcome.results["skipped"],
        [r["success"] for r in outcome.results["rows"]["results"]],
    )


def test_validation_in_the_background_gives_the_in_process_outcome(
    validator: background.BackgroundValidator,
) -> None:
    remote_suites = load_suites()
    assert remote_suites.in_background and remote_suites.rows is None
    remote = validate_articles(
        mixed_frame(), now=NOW, settings=NO_CEILING, suites=remote_suites, known_ids=KNOWN
    )
    background.stop()
    local = validate_articles(
        mixed_frame(), now=NOW, settings=NO_CEILING, suites=load_suites(), known_ids=KNOWN
    )
    assert sorted(remote.row_failures) == [1, 2]  # the short body; the unknown duplicate
    assert verdicts(remote) == verdicts(local)


def test_data_docs_are_written_by_the_background_validator(
    validator: background.BackgroundValidator, tmp_path: Path
) -> None:
    outcome = validate_articles(mixed_frame(), now=NOW, settings=NO_CEILING)
    index = write_data_docs([outcome.results], tmp_path / "docs", run_name="test-run")
    assert index == tmp_path / "docs" / "index.html" and index.is_file()
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert len(pages) == 2  # one per suite: rows and batch


def test_a_dead_background_validator_falls_back_to_validating_here(
    validator: background.BackgroundValidator,
) -> None:
    suites = load_suites()
    assert suites.in_background
    for pid in validator.pids():
        os.kill(pid, signal.SIGKILL)
    outcome = validate_articles(
        mixed_frame(), now=NOW, settings=NO_CEILING, suites=suites, known_ids=KNOWN
    )
    assert sorted(outcome.row_failures) == [1, 2]
    assert not load_suites().in_background


PARENT = """
import sys, time
from flows.quality import background

background.start()
print(background.active().pids()[0], flush=True)
time.sleep(300)
"""


def test_the_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    child = None
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        parent.kill()  # no atexit, no stop(): only the child's own watch can end it
        parent.wait()
        deadline = time.monotonic() + 30
        while _alive(child):
            assert time.monotonic() < deadline, "the background validator outlived its parent"
            time.sleep(0.2)
    finally:
        parent.kill()
        parent.wait()
        if child is not None and _alive(child):
            os.kill(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") == -1
