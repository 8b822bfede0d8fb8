"""A local Prefect server: started as a child process, found again by later runs, stopped by pid.

Two users: `newsclean serve` starts one for as long as it serves (and stops it on exit), and
`newsclean server start` starts one that outlives the command, recorded in a small state file in
PREFECT_HOME (its API URL, pid and log). A `newsclean run` that finds the recorded server healthy
uses it instead of Prefect's temporary API, which costs seconds (a server start, the SQLite
migrations check) on every run. Finding it costs a file read and one local HTTP request, and
happens before Prefect is imported: Prefect reads PREFECT_API_URL when its settings load.

Only the standard library here: this module runs before Prefect, pandas or anything heavy is
imported, on every `newsclean run`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from flows.orchestration import warm_runner

STOP_GRACE_SECONDS = 15.0
# Discovery runs on every `newsclean run`: a healthy local server answers in milliseconds, so a
# short limit bounds what a hung one costs.
DISCOVERY_TIMEOUT_SECONDS = 1.0
STATE_FILE = "newsclean-server.json"
SERVER_LOG = "newsclean-server.log"
RUNNER_LOG = "newsclean-runner.log"


class ServerError(RuntimeError):
    """The Prefect server could not be started or reached."""


@dataclass
class LocalServer:
    """A server started by this process: stopped with it (serve) or recorded (server start)."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.address}/api"


@dataclass(frozen=True)
class ServerRecord:
    """What the state file holds about the server `newsclean server start` left running."""

    api_url: str
    pid: int  # also its process group: the server and its uvicorn child stop together
    log: str
    started_at: str
    runner_pid: int | None = None  # the warm runner beside it (its own process group)
    runner_code: str | None = None  # the code fingerprint it was started with

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


# --- where things are -----------------------------------------------------------------------------


def prefect_home() -> Path:
    """PREFECT_HOME as Prefect resolves it (its default is ~/.prefect)."""
    return Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()


def state_file(home: Path | None = None) -> Path:
    return (home or prefect_home()) / STATE_FILE


# --- starting and stopping ----------------------------------------------------------------------


def start_local_server(
    timeout: float, *, home: Path | None = None, port: int | None = None, log_name: str = SERVER_LOG
) -> LocalServer:
    """`prefect server start` on 127.0.0.1 (a free port unless given), healthy within `timeout`.

    It runs in a session of its own, so the server and its uvicorn child are one process group,
    stopped together, and a Ctrl-C in the terminal that started it does not reach it.
    """
    port = port or free_port()
    home = home or prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    log = home / log_name
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env["DO_NOT_TRACK"] = "1"
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_SERVER_LOGGING_LEVEL"] = "WARNING"  # to the log file, shown if the start fails
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    print(f"newsclean: starting a Prefect server on port {port} (log: {log})", file=sys.stderr)
    process = _start_in_background(command, env, log)
    server = LocalServer(process, port, log)
    print(f"newsclean: Prefect server pid {process.pid}", file=sys.stderr, flush=True)
    try:
        wait_until_healthy(server.api_url, timeout=timeout, process=process, log=log)
    except BaseException:
        stop_local_server(server)
        raise
    return server


def _start_in_background(
    command: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """A process in a session of its own (its own process group, stopped as one; a Ctrl-C in
    this terminal does not reach it), its output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_local_server(server: LocalServer) -> None:
    """Stop a server this process started (and reap it)."""
    stop_process_group(server.process.pid, exited=_waiter(server.process))
    server.process.wait()


def stop_process_group(
    pgid: int, *, exited: Callable[[float], bool] | None = None, grace: float = STOP_GRACE_SECONDS
) -> bool:
    """SIGTERM to the group, SIGKILL after `grace`: no orphan left. Whether it was running.

    `exited(timeout)` waits for the group's leader; for a process this one did not start (a
    recorded server), the group is polled instead.
    """
    wait = exited or (lambda timeout: _wait_group_gone(pgid, timeout))
    running = group_alive(pgid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        if not wait(grace):
            continue
        if not group_alive(pgid):
            break
        time.sleep(1)  # the leader is gone; give its children a moment before SIGKILL
        if not group_alive(pgid):
            break
    return running


def _waiter(process: subprocess.Popen[bytes]) -> Callable[[float], bool]:
    def exited(timeout: float) -> bool:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    return exited


def _wait_group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process reuses the number: not our server
        return False
    return True


def wait_until_healthy(
    api_url: str,
    *,
    timeout: float,
    process: subprocess.Popen[bytes] | None,
    log: Path | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise ServerError(
                f"the Prefect server exited with code {process.returncode} while starting"
                f"{_log_tail(log)}"
            )
        if healthy(api_url):
            return
        if time.monotonic() > deadline:
            raise ServerError(
                f"the Prefect server at {api_url} did not answer /health within {timeout:g} s"
                f"{_log_tail(log)}"
            )
        time.sleep(0.5)


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(log: Path | None, lines: int = 15) -> str:
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"; last lines of {log}:\n" + "\n".join(tail) if tail else ""


# --- the recorded server ------------------------------------------------------------------------


def read_record(home: Path | None = None) -> ServerRecord | None:
    """The state file's record; None when there is none or it cannot be read (then it is stale)."""
    try:
        data = json.loads(state_file(home).read_text(encoding="utf-8"))
        return ServerRecord(
            api_url=str(data["api_url"]),
            pid=int(data["pid"]),
            log=str(data["log"]),
            started_at=str(data["started_at"]),
            runner_pid=int(data["runner_pid"]) if data.get("runner_pid") else None,
            runner_code=str(data["runner_code"]) if data.get("runner_code") else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(record: ServerRecord, home: Path | None = None) -> None:
    path = state_file(home)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(asdict(record), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # atomic: a run reading it sees the old record or the new one


def forget_record(home: Path | None = None) -> None:
    state_file(home).unlink(missing_ok=True)


def find_running_server(
    home: Path | None = None, timeout: float = DISCOVERY_TIMEOUT_SECONDS
) -> ServerRecord | None:
    """The recorded server when it answers /health; else None, and a stale record is removed.

    A record is stale when its process is gone (a reboot, a kill) or the file is unreadable. A
    live process that does not answer is left recorded: it may be busy, and `server stop`
    still needs its pid.
    """
    path = state_file(home)
    if not path.exists():
        return None
    record = read_record(home)
    if record is None or not server_alive(record):
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return record if healthy(record.api_url, timeout=timeout) else None


def server_alive(record: ServerRecord) -> bool:
    """Whether the recorded process still runs and is a Prefect server (after a reboot, its pid
    may be another process's, which must never be signalled)."""
    if not group_alive(record.pid):
        return False
    try:
        command = Path(f"/proc/{record.pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc/self").exists()  # no /proc to look in: trust the pid
    return b"prefect" in command


@contextlib.contextmanager
def _start_lock(home: Path) -> Iterator[None]:
    """One `server start` at a time per PREFECT_HOME: two would leave two servers, one recorded."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".newsclean-server.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def start_recorded_server(
    timeout: float, *, home: Path | None = None, port: int | None = None, code: str | None = None
) -> tuple[ServerRecord, bool]:
    """The recorded server, started and recorded unless one is already running; whether it was
    started now. The server outlives this process until `stop_recorded_server`. `code` is the
    code fingerprint of the caller: a warm runner started with other code is replaced, one that
    died is started again (without `code`, no warm runner is started)."""
    home = home or prefect_home()
    with _start_lock(home):
        running = find_running_server(home)
        if running is not None:
            if code is not None and not (runner_alive(running) and running.runner_code == code):
                if runner_alive(running) and running.runner_pid is not None:
                    stop_process_group(running.runner_pid)
                running = _with_runner(running, home, timeout, code)
            return running, False
        stale = read_record(home)
        if stale is not None:  # alive but not answering: replace it, not run two side by side
            if server_alive(stale):
                stop_process_group(stale.pid)
            forget_record(home)
        server = start_local_server(timeout, home=home, port=port)
        record = ServerRecord(
            api_url=server.api_url,
            pid=server.process.pid,
            log=str(server.log),
            started_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )
        write_record(record, home)  # the server is usable now, with or without the runner
        if code is not None:
            record = _with_runner(record, home, timeout, code)
        return record, True


def _with_runner(record: ServerRecord, home: Path, timeout: float, code: str) -> ServerRecord:
    pid = start_warm_runner(record, home, timeout)
    record = replace(record, runner_pid=pid, runner_code=code if pid else None)
    write_record(record, home)
    return record


def stop_recorded_server(home: Path | None = None) -> ServerRecord | None:
    """Stop the recorded server and remove its record; the record if it was running."""
    home = home or prefect_home()
    record = read_record(home)
    forget_record(home)
    if record is None:
        return None
    if runner_alive(record) and record.runner_pid is not None:
        stop_process_group(record.runner_pid)
    if not server_alive(record):
        return None
    stop_process_group(record.pid)
    return record


# --- the warm runner beside the recorded server (flows/orchestration/warm_runner.py) -----------


def start_warm_runner(record: ServerRecord, home: Path, timeout: float) -> int | None:
    """Start the warm runner for the recorded server; its pid once it accepts commands, or None
    (runs then work in-process, as without it) with a line saying why."""
    path = warm_runner.socket_path(home)
    if path is None:
        print(
            f"newsclean: no warm runner: PREFECT_HOME {home} is too deep a folder for its socket; "
            "runs start without it",
            file=sys.stderr,
        )
        return None
    log = home / RUNNER_LOG
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": record.api_url}
    command = [sys.executable, "-m", "flows.cli.warm_runner", "--socket", str(path)]
    print(f"newsclean: starting the warm runner (log: {log})", file=sys.stderr, flush=True)
    process = _start_in_background(command, env, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(f"newsclean: the warm runner exited{_log_tail(log)}", file=sys.stderr)
            return None
        if warm_runner.accepts(path):
            return process.pid
        time.sleep(0.1)
    stop_process_group(process.pid, exited=_waiter(process))
    print(
        f"newsclean: the warm runner was not ready in {timeout:g} s{_log_tail(log)}",
        file=sys.stderr,
    )
    return None


def runner_alive(record: ServerRecord) -> bool:
    """Whether the record's warm runner still runs (and is one: a pid may be reused)."""
    if record.runner_pid is None or not group_alive(record.runner_pid):
        return False
    try:
        command = Path(f"/proc/{record.runner_pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc/self").exists()
    return b"warm_runner" in command


def warm_runner_socket(home: Path | None = None) -> Path | None:
    """The socket of the recorded server's warm runner, when a run uses that server (no other
    API is configured) and the runner is running."""
    home = home or prefect_home()
    record = read_record(home)
    if record is None or configured_api_url(home) != record.api_url or not runner_alive(record):
        return None
    return warm_runner.socket_path(home)


# --- which API a run uses -----------------------------------------------------------------------


def configured_api_url(home: Path | None = None) -> str | None:
    """PREFECT_API_URL as the user set it: the environment, else the active Prefect profile.

    Either always wins over the recorded server. (A prefect.toml or pyproject.toml setting in
    the working folder wins too: Prefect reads them itself.)
    """
    if url := os.environ.get("PREFECT_API_URL", "").strip():
        return url
    for found in (_profile_api_url(home), _project_api_url(Path.cwd())):
        if found:
            return found
    return None


def _profile_api_url(home: Path | None) -> str | None:
    path = Path(
        os.environ.get("PREFECT_PROFILES_PATH") or (home or prefect_home()) / "profiles.toml"
    )
    try:
        document = tomllib.loads(path.expanduser().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or document.get("active") or "ephemeral"
    profile = (document.get("profiles") or {}).get(active) or {}
    url = profile.get("PREFECT_API_URL") if isinstance(profile, dict) else None
    return str(url) if url else None


def _project_api_url(folder: Path) -> str | None:
    for name, keys in (("prefect.toml", ("api",)), ("pyproject.toml", ("tool", "prefect", "api"))):
        try:
            section: object = tomllib.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for key in keys:
            section = section.get(key, {}) if isinstance(section, dict) else {}
        if isinstance(section, dict) and section.get("url"):
            return str(section["url"])
    return None


def use_running_server(home: Path | None = None) -> str | None:
    """Point this process (and its children) at the recorded server if it is running.

    Returns the API URL the run will use when it is known before Prefect starts: the user's own
    setting, or the recorded server's; None means Prefect's temporary API. Call it before
    Prefect is imported.
    """
    if configured := configured_api_url(home):
        return configured
    record = find_running_server(home)
    if record is None:
        return None
    os.environ["PREFECT_API_URL"] = record.api_url
    return record.api_url
