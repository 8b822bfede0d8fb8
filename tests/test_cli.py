"""The command line: help, usage errors (exit 2, one line, no traceback), without starting Prefect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli.main import EXIT_USAGE, build_parser, main


def _newsclean(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ},
    )


def test_help_documents_every_run_option() -> None:
    run_help = build_parser()._subparsers._group_actions[0].choices["run"].format_help()  # type: ignore[union-attr]
    for option in (
        "--output",
        "--workers",
        "--batch-size",
        "--document-timeout",
        "--languages",
        "--full-refresh",
    ):
        assert option in run_help


def test_help_exits_zero() -> None:
    result = _newsclean("--help")
    assert result.returncode == 0
    assert "run" in result.stdout


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_USAGE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "/definitely/not/here"], "input path does not exist"),
        (["run", "--workers", "0"], "--workers must be at least 1"),
        (["run", "--languages", "english"], "ISO 639-1"),
        (["run", "--max-quarantine-share", "2"], "between 0 and 1"),
        (["run", "--document-timeout", "-1"], "must be positive"),
        (["run", "--output", "nosuchfs://bucket/out"], "no file system for nosuchfs://"),
        (
            ["run", "--output", "memory://out", "--task-runner", "dask"],
            "use it with --task-runner threads",
        ),
        (["run", "memory://no/such/corpus"], "input path does not exist"),
    ],
)
def test_bad_values_are_one_line_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_flag_is_a_usage_error_from_the_real_entry_point() -> None:
    result = _newsclean("run", "--frobnicate")
    assert result.returncode == 2
    assert "unrecognized arguments: --frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_output_that_is_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").write_text("not a folder")
    assert main(["run", "--output", str(tmp_path / "out")]) == EXIT_USAGE
    assert "not a directory" in capsys.readouterr().err


def test_flow_parameters_are_the_flow_signature() -> None:
    import inspect

    from flows.core.settings import RunConfig
    from flows.pipeline import clean_articles

    config = RunConfig.build(inputs=["data/sample"], output="out", workers=1, languages=["EN"])
    parameters = config.flow_parameters()
    assert set(parameters) == set(inspect.signature(clean_articles.fn).parameters)
    assert parameters["languages"] == ["en"] and parameters["inputs"] == ["data/sample"]


def test_validate_checks_its_languages_like_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "output", "--languages", "english"]) == EXIT_USAGE
    assert "ISO 639-1" in capsys.readouterr().err
