"""The warm runner: a process with newsclean's libraries already imported, that runs commands
handed to it by `newsclean run` in a fork of itself.

A one-page run spends most of its start-up importing: Prefect, pandas and pyarrow in the run's
process, Great Expectations and trafilatura in its children (seconds of CPU on every run, however
small). `newsclean server start` therefore starts, beside the Prefect server, one process that
imports all of that once, loads the expectation suites and the models, and then waits on a Unix
socket in PREFECT_HOME. A `newsclean run` that finds it sends its command line, working folder,
environment and its own stdin/stdout/stderr (file descriptors passed over the socket); the runner
forks, and the fork runs the command exactly as the command line would, in-process, writing to
the caller's terminal. The caller forwards Ctrl-C and waits for the fork's exit code. The flow
run is an ordinary Prefect flow run, tracked by the recorded server.

Forking is safe because the runner never starts a thread: it imports and loads, then blocks in
`accept`; each fork starts its own threads (Prefect's) afterwards. The runner refuses a request,
and the caller runs in-process as before, when its Prefect settings differ from the caller's
(they were read when Prefect was imported), when newsclean's code or data files changed since it
started, or when anything about the request is wrong.

Only the standard library (and flows.core.resources) at module level: the calling side (`hand_over`) runs on every
`newsclean run` before anything heavy is imported.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from flows.core.resources import expectations_dir, schemas_dir

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # flows/
SOCKET_FILE = "newsclean-runner.sock"
# A Unix socket path is limited to 107 bytes; a deeper PREFECT_HOME gets no warm runner.
MAX_SOCKET_PATH = 100
CONNECT_TIMEOUT_SECONDS = 2.0
# Set in the fork (and honoured by `newsclean run`): run here, do not hand over again.
IN_RUNNER_ENV = "NEWSCLEAN_IN_WARM_RUNNER"
_REQUEST_LIMIT = 1 << 20
_STDIO = (0, 1, 2)

# What the fork runs: the command line's `main(argv) -> exit code`.
CommandMain = Callable[[list[str]], int]
# What the fork does first, while it still runs no thread (e.g. fork its own children).
BeforeThreads = Callable[[], None]


class RunnerRefused(Exception):
    """The runner would not take the command (the reason says why); run it in-process."""


@dataclass(frozen=True)
class Request:
    argv: list[str]
    cwd: str
    env: dict[str, str]
    umask: int
    fingerprint: str

    def encode(self) -> bytes:
        return json.dumps(self.__dict__).encode() + b"\n"

    @classmethod
    def decode(cls, line: bytes) -> Request:
        data = json.loads(line)
        return cls(
            argv=[str(a) for a in data["argv"]],
            cwd=str(data["cwd"]),
            env={str(k): str(v) for k, v in data["env"].items()},
            umask=int(data["umask"]),
            fingerprint=str(data["fingerprint"]),
        )


# --- where it is, and what code it runs -----------------------------------------------------------


def socket_path(home: Path) -> Path | None:
    """The runner's socket in PREFECT_HOME; None when that path is too long for a Unix socket."""
    path = home / SOCKET_FILE
    return path if len(os.fsencode(str(path))) <= MAX_SOCKET_PATH else None


def accepts(path: Path) -> bool:
    """Whether a runner listens at `path` (a connection, closed at once: it reads nothing)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_TIMEOUT_SECONDS)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def code_fingerprint(folders: Sequence[Path]) -> str:
    """Names, sizes and modification times of newsclean's code and data files: a runner started
    before an edit or an upgrade must not run the old code."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".json"} and "__pycache__" not in path.parts:
                with contextlib.suppress(OSError):
                    stat = path.stat()
                    digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def newsclean_fingerprint() -> str:
    """The fingerprint of this installation: its code, schemas and expectation suites."""
    return code_fingerprint([_PACKAGE_DIR, schemas_dir(), expectations_dir()])


def prefect_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The Prefect settings in an environment: the runner's were read when it imported Prefect,
    so a caller with others must run in-process."""
    return {key: value for key, value in env.items() if key.startswith("PREFECT_")}


# --- the calling side -------------------------------------------------------------------------------


def hand_over(path: Path, argv: Sequence[str], env: Mapping[str, str], fingerprint: str) -> int:
    """Run `newsclean <argv>` in the warm runner at `path`; its exit code.

    Raises RunnerRefused when no runner answers there or it refuses the command; nothing has run
    then. Once the runner has started the command, its exit code is returned whatever happens.
    """
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(CONNECT_TIMEOUT_SECONDS)
        connection.connect(str(path))
        request = Request(list(argv), os.getcwd(), dict(env), _current_umask(), fingerprint)
        with _open_stdio() as stdio:
            socket.send_fds(connection, [request.encode()], stdio)
        replies = connection.makefile("rb")  # buffered: both lines may come in one packet
        reply = replies.readline(_REQUEST_LIMIT)
    except (OSError, ValueError) as error:
        connection.close()
        raise RunnerRefused(f"no warm runner answers at {path} ({error})") from error
    if not reply.startswith(b"started "):
        connection.close()
        raise RunnerRefused(reply.decode(errors="replace").removeprefix("refused ").strip())
    pid = int(reply.split()[1])
    connection.settimeout(None)  # a run takes as long as it takes
    with connection, replies, _forward_signals(pid):
        try:
            final = replies.readline(_REQUEST_LIMIT)
        except OSError:
            final = b""
    if final.startswith(b"exit "):
        return int(final.split()[1])
    print(
        f"newsclean: the run's process (pid {pid}) in the warm runner ended without an exit "
        "code (killed?)",
        file=sys.stderr,
    )
    return 1


@contextlib.contextmanager
def _open_stdio() -> Iterator[list[int]]:
    """This process's stdin, stdout and stderr; /dev/null for one that is closed (cron may
    close stdin), as a process started with it closed would read or write nothing."""
    opened: list[int] = []
    fds = []
    for fd in _STDIO:
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            opened.append(os.open(os.devnull, os.O_RDWR))
            fds.append(opened[-1])
    try:
        yield fds
    finally:
        for fd in opened:
            os.close(fd)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _forward_signals(pid: int) -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP reach the run's process, which stops as a terminal run would."""

    def forward(signum: int, _frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only handled in the main thread
        return
    wanted = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- the runner ------------------------------------------------------------------------------------


def serve(
    path: Path,
    command_main: CommandMain,
    fingerprint: str,
    before_threads: BeforeThreads | None = None,
) -> None:
    """Accept commands on `path` until killed, each run in a fork. Call it with no thread
    running (a fork copies only the forking thread)."""
    if threading.active_count() != 1:
        raise RuntimeError("the warm runner must not run threads: its forks would inherit locks")
    settings = prefect_settings(os.environ)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a dead runner's socket
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)  # the socket is this user's only: it runs commands as them
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_mask)
    listener.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    print(f"newsclean warm runner: ready on {path} (pid {os.getpid()})", flush=True)
    while True:
        connection, _ = listener.accept()
        fds: list[int] = []
        try:
            connection.settimeout(CONNECT_TIMEOUT_SECONDS)
            request, fds = _receive(connection)
            refusal = _refusal(request, settings, fingerprint, fds)
            if refusal:
                connection.sendall(f"refused {refusal}\n".encode())
                continue
            if os.fork() == 0:
                listener.close()
                _run_in_fork(connection, request, fds, command_main, before_threads)  # no return
        except (OSError, ValueError, KeyError, TypeError) as error:
            with contextlib.suppress(OSError):
                connection.sendall(f"refused bad request: {error}\n".encode())
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            connection.close()


def _receive(connection: socket.socket) -> tuple[Request, list[int]]:
    message, fds, _flags, _address = socket.recv_fds(connection, _REQUEST_LIMIT, len(_STDIO))
    fds = list(fds)
    while not message.endswith(b"\n"):
        chunk = connection.recv(_REQUEST_LIMIT)
        if not chunk:
            break
        message += chunk
    return Request.decode(message), fds


def _refusal(request: Request, settings: dict[str, str], fingerprint: str, fds: list[int]) -> str:
    if len(fds) != len(_STDIO):
        return "the caller's terminal did not arrive"
    if request.fingerprint != fingerprint:
        return (
            "it runs other newsclean code than this command (`newsclean server start` restarts it "
            "with this code)"
        )
    theirs = prefect_settings(request.env)
    if theirs != settings:
        names = sorted(
            k for k in theirs.keys() | settings.keys() if theirs.get(k) != settings.get(k)
        )
        return f"this command's Prefect settings differ from the runner's ({', '.join(names)})"
    return ""


def _run_in_fork(
    connection: socket.socket,
    request: Request,
    fds: list[int],
    command_main: CommandMain,
    before_threads: BeforeThreads | None,
) -> None:
    """The fork: become the caller's command, run it, report its exit code, exit."""
    code = 1
    try:
        # Said by the fork, not the runner: the caller must read it before the exit code.
        connection.sendall(f"started {os.getpid()}\n".encode())
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # subprocesses and pools wait for theirs
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd, target in zip(fds, _STDIO, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        _reopen_stdio()
        os.chdir(request.cwd)
        os.umask(request.umask)
        os.environ.clear()
        os.environ.update(request.env)
        os.environ[IN_RUNNER_ENV] = "1"
        if before_threads is not None:
            before_threads()
        _stop_when_caller_goes(connection)
        code = command_main(request.argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException as error:  # the fork must never return into the runner's loop
        with contextlib.suppress(Exception):
            print(f"newsclean: error in the warm runner: {error!r}", file=sys.stderr)
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()  # os._exit skips them: Prefect flushes its logs there
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(OSError):
            connection.sendall(f"exit {code}\n".encode())
        os._exit(code)


def _stop_when_caller_goes(connection: socket.socket) -> None:
    """A caller killed outright (SIGKILL, a scheduler's timeout) cannot forward anything: when
    its end of the socket closes, the command is interrupted as Ctrl-C would, rather than run on
    unseen and keep the output folder locked."""
    connection.settimeout(None)

    def watch() -> None:
        with contextlib.suppress(OSError):
            while connection.recv(1):
                pass  # the caller sends nothing more; only its end closing matters
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="newsclean-caller-watch", daemon=True).start()


def _reopen_stdio() -> None:
    """Python chose the runner's stream buffering when it started (a log file); the caller's may
    be a terminal, which wants lines as they come."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = open(  # noqa: SIM115  (lives as long as the process)
            fd,
            "w",
            buffering=1 if os.isatty(fd) or fd == 2 else -1,
            closefd=False,
            encoding=getattr(sys, name).encoding,
            errors="backslashreplace",
        )
        setattr(sys, name, stream)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
