"""The progress line: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import io

import pytest

from flows.orchestration import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    progress.enable(True)
    progress.start(total_files=4)
    progress.advance(1)
    progress.advance(3)
    progress.finish()
    text = screen.getvalue()
    assert "1/4 files" in text and "4/4 files" in text
    assert "[" + "#" * 30 + "]" in text
    assert text.endswith("\n")


def test_progress_is_silent_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    progress.enable(True)
    progress.start(total_files=2)
    progress.advance(2)
    progress.finish()
    assert pipe.getvalue() == ""
