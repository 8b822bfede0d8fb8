"""The warm runner's hand-over: a command runs in a fork of the runner with the caller's terminal,
folder, environment and umask, and its exit code comes back; Ctrl-C reaches it; a runner with
other code or other Prefect settings refuses before anything runs; a fork that dies is reported.

The runner here serves a stand-in command (no Prefect): the protocol is what is under test. The
real runner, with a real server and run, is tested in test_local_server.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO

from flows.core.records import RunContext, SourceDocument
from flows.orchestration import warm_runner
from flows.orchestration.isolation import WorkerPool
from flows.stages.document import ProcessSettings, reject
from flows.stages.process import DocumentResult

# A runner serving a stand-in command: `echo` prints what the fork sees, `exit N` returns N,
# `wait` blocks until interrupted, `die` kills its own process.
STAND_IN_RUNNER = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from flows.orchestration import warm_runner

    def command(argv):
        if argv[0] == "echo":
            print("out", os.getcwd(), os.environ.get("CALLER_ONLY"), oct(os.umask(0)))
            print("err line", file=sys.stderr)
            return 0
        if argv[0] == "exit":
            return int(argv[1])
        if argv[0] == "wait":
            try:
                print("waiting", flush=True)
                time.sleep(60)
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                return 7
            return 0
        if argv[0] == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        if argv[0] == "wait-for-file":
            try:
                print("waiting", flush=True)
                time.sleep(60)
            except KeyboardInterrupt:
                Path(argv[1]).write_text("interrupted")
                return 7
            return 0
        return 3

    os.environ["PREFECT_LOGGING_LEVEL"] = sys.argv[3]
    warm_runner.serve(Path(sys.argv[1]), command, sys.argv[2])
    """
)

# The calling side, in its own process: its stdin/stdout/stderr are what gets handed over.
CALLER = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from flows.orchestration import warm_runner

    path, fingerprint, level, *argv = sys.argv[1:]
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": level, "CALLER_ONLY": "from-the-caller"}
    try:
        code = warm_runner.hand_over(Path(path), argv, env, fingerprint)
    except warm_runner.RunnerRefused as refusal:
        print("REFUSED", refusal, file=sys.stderr)
        sys.exit(99)
    sys.exit(code)
    """
)


@pytest.fixture()
def runner(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "r.sock"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", STAND_IN_RUNNER, str(path), "code-1", "WARNING"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not warm_runner.accepts(path):
            assert process.poll() is None, "the stand-in runner exited"
            assert time.monotonic() < deadline, "the stand-in runner never listened"
            time.sleep(0.05)
        yield path
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def call(
    path: Path,
    *argv: str,
    fingerprint: str = "code-1",
    level: str = "WARNING",
    cwd: Path = REPO,
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", CALLER, str(path), fingerprint, level, *argv]
    return subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_the_command_runs_with_the_callers_terminal_folder_environment_and_umask(
    runner: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    caller = call(runner, "echo", cwd=folder)
    out, err = caller.communicate(timeout=30)
    assert caller.returncode == 0, err
    assert out.split() == ["out", str(folder), "from-the-caller", oct(_umask())]
    assert "err line" in err


@pytest.mark.parametrize("code", [0, 1, 2, 42])
def test_the_commands_exit_code_comes_back(runner: Path, code: int) -> None:
    caller = call(runner, "exit", str(code))
    _, err = caller.communicate(timeout=30)
    assert caller.returncode == code, err


def test_a_runner_with_other_code_refuses_and_runs_nothing(runner: Path) -> None:
    caller = call(runner, "echo", fingerprint="code-2")
    out, err = caller.communicate(timeout=30)
    assert caller.returncode == 99
    assert "REFUSED" in err and "other newsclean code" in err
    assert out == ""


def test_a_runner_with_other_prefect_settings_refuses_and_names_them(runner: Path) -> None:
    caller = call(runner, "echo", level="DEBUG")
    out, err = caller.communicate(timeout=30)
    assert caller.returncode == 99
    assert "PREFECT_LOGGING_LEVEL" in err
    assert out == ""


def test_no_runner_at_the_path_is_a_refusal(tmp_path: Path) -> None:
    caller = call(tmp_path / "nothing.sock", "echo")
    _, err = caller.communicate(timeout=30)
    assert caller.returncode == 99 and "no warm runner answers" in err


def test_ctrl_c_reaches_the_command(runner: Path) -> None:
    caller = call(runner, "wait")
    assert caller.stdout is not None
    assert caller.stdout.readline().strip() == "waiting"  # the fork runs the command now
    caller.send_signal(signal.SIGINT)
    _, err = caller.communicate(timeout=30)
    assert "interrupted" in err
    assert caller.returncode == 7


def test_a_caller_killed_outright_interrupts_its_command(runner: Path, tmp_path: Path) -> None:
    marker = tmp_path / "interrupted"
    caller = call(runner, "wait-for-file", str(marker))
    assert caller.stdout is not None
    assert caller.stdout.readline().strip() == "waiting"
    caller.kill()  # SIGKILL: nothing can be forwarded
    caller.wait()
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, "the command ran on after its caller was killed"
        time.sleep(0.05)
    assert marker.read_text() == "interrupted"


def test_a_closed_stdin_is_handed_over_as_empty(runner: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", CALLER, str(runner), "code-1", "WARNING", "exit", "4"]
    ran = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    assert ran.returncode == 4
    closed = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *command], env=env, capture_output=True, text=True
    )
    assert closed.returncode == 4, closed.stderr


def test_a_fork_that_dies_is_reported_as_a_failure(runner: Path) -> None:
    caller = call(runner, "die")
    _, err = caller.communicate(timeout=30)
    assert caller.returncode == 1
    assert "ended without an exit code" in err


def test_the_runner_keeps_serving_after_each_command(runner: Path) -> None:
    for code in (5, 6, 5):
        caller = call(runner, "exit", str(code))
        _, err = caller.communicate(timeout=30)
        assert caller.returncode == code, err


def test_a_runner_with_a_thread_running_does_not_start(tmp_path: Path) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with pytest.raises(RuntimeError, match="threads"):
            warm_runner.serve(tmp_path / "r.sock", lambda argv: 0, "code")
    finally:
        stop.set()
        thread.join()
    assert not (tmp_path / "r.sock").exists()


def test_too_deep_a_home_gets_no_socket(tmp_path: Path) -> None:
    assert warm_runner.socket_path(tmp_path) == tmp_path / warm_runner.SOCKET_FILE
    assert warm_runner.socket_path(tmp_path / ("x" * 120)) is None


def test_the_code_fingerprint_changes_with_a_file_and_ignores_bytecode(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "suite.json").write_text("{}\n")
    before = warm_runner.code_fingerprint([tmp_path])
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "a.cpython-311.pyc").write_bytes(b"\0")
    assert warm_runner.code_fingerprint([tmp_path]) == before
    (tmp_path / "suite.json").write_text('{"changed": true}\n')
    assert warm_runner.code_fingerprint([tmp_path]) != before


# --- workers forked ahead of a run -------------------------------------------------------------


def pid_of_worker(
    doc: SourceDocument, context: RunContext, settings: ProcessSettings
) -> DocumentResult:
    """A stand-in document task: the child's pid and the run it was told about."""
    return DocumentResult(reject(doc, "extract", "stand_in", f"{os.getpid()} {context.run_id}"))


# In a fresh process: pytest's own process may run threads left by other tests, and prefork
# (rightly) does nothing then.
PREFORK_THEN_LEND = textwrap.dedent(
    """
    import os, sys
    from datetime import UTC, datetime
    from flows.core.records import RunContext
    from flows.orchestration.isolation import WorkerPool
    from flows.stages.document import ProcessSettings
    from test_warm_runner import _doc, pid_of_worker

    pool = WorkerPool()
    pool.prefork(2, RunContext("placeholder", datetime.now(UTC), ""), work=pid_of_worker)
    print("idle after prefork", pool.idle)
    run = RunContext("the-run", datetime.now(UTC), "v")
    with pool.lend(run, ProcessSettings(), 30.0, work=pid_of_worker) as worker:
        detail = worker.process(_doc()).outcome.detail
    print("worker said", detail, "parent", os.getpid())
    print("idle after the batch", pool.idle)
    pool.close()
    print("idle after close", pool.idle)
    """
)


def test_preforked_workers_serve_the_next_batch_with_its_own_run() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    ran = subprocess.run(
        [sys.executable, "-c", PREFORK_THEN_LEND],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    lines = dict(line.rsplit(" ", 1) for line in ran.stdout.splitlines() if "said" not in line)
    assert lines["idle after prefork"] == "2"
    assert lines["idle after the batch"] == "2"  # the lent worker came back; none was started
    assert lines["idle after close"] == "0"
    said = next(line for line in ran.stdout.splitlines() if "said" in line).split()
    pid, run_id, parent = said[2], said[3], said[5]
    assert run_id == "the-run"  # told the batch's run before its document
    assert pid != parent


def test_no_prefork_while_a_thread_runs() -> None:
    pool = WorkerPool()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        pool.prefork(2, RunContext("placeholder", _now(), ""), work=pid_of_worker)
        assert pool.idle == 0
    finally:
        stop.set()
        thread.join()
        pool.close()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _now() -> datetime:
    return datetime.now(UTC)


def _doc() -> SourceDocument:
    return SourceDocument("id-1", "memory://a.txt", "text", "text", "Some words here.", 16)
