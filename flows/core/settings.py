"""The run's options, declared once, and hermetic defaults for Prefect.

`RunConfig` is the single declaration of every run option: each field names an option, its type
is the checked value's type, and `option(...)` gives its default, help text, command-line flags and
its check. Everything else is derived from it: the options of `newsclean run` and `newsclean serve`
(flows/cli/run.py), the flow's parameters (`RunConfig.flow_parameters`), and tests prove that the
flow's signature (flows/pipeline.py) and prefect.yaml's parameters agree with it.

A run is checked once, before any work starts: `RunConfig.build` runs every option's check. The
command line builds the config before paying for Prefect's start-up and hands it to the flow with
`handover()`, so the flow run takes it as it is (`RunConfig.for_flow_run`) instead of checking
again (which for a URL input means asking the remote store again). A flow called directly from
Python, or started by a deployment in another process, has nothing handed over and checks its
parameters itself.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, get_args, get_origin, get_type_hints

DEFAULT_INPUT = "data/sample"
DEFAULT_OUTPUT = "output"
# Rows per validation unit (publish, validate): enough for a meaningful quarantine share, small
# enough that validating one (a pandas frame, the suites' metrics over it: about 70 kB a row) is
# no bigger a peak on a large run than on a run of a thousand pages.
VALIDATION_UNIT_ROWS = 1000
# Rows per file that `newsclean compact` writes: big enough that readers pay little per file.
COMPACT_TARGET_ROWS = 100_000

# Quiet, offline-safe Prefect and GX unless the user says otherwise. The temporary local API
# server needs longer than Prefect's default 20 s to start on a fresh PREFECT_HOME (migrations).
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_ENABLED": "true",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}

TASK_RUNNERS = ("threads", "dask")
# Estimated Jaccard at or above which two bodies are near duplicates (flows/run_steps/duplicates.py);
# chosen with benchmarks/dedup.py (docs/benchmarks.md): a copy truncated to 70 % still reaches it.
NEAR_DUPLICATE_THRESHOLD = 0.6

_LANGUAGE = re.compile(r"^[a-z]{2}$")
_DASK_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc)://[^\s/:]+(:\d{1,5})?/?$")


class ConfigError(ValueError):
    """A run parameter is out of range: a usage error, reported before any work starts."""


def apply_prefect_defaults() -> None:
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


# -- the declaration of one option ------------------------------------------------------------


@dataclass(frozen=True)
class RunOption:
    """One run option as declared on its `RunConfig` field (name and type come from the field).

    `default` is what a caller gets when it does not give the option (None: decided by the
    check, e.g. every core for `workers`); `check` turns a given value into the config's value
    or raises ConfigError. `flags` are the command line's (none: the positional argument);
    `parse` reads the command line's text when the type alone does not say how.
    """

    default: Any
    help: str
    check: Callable[[Any], Any]
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    parse: Callable[[str], Any] | None = None
    choices: tuple[str, ...] | None = None
    name: str = ""
    type: Any = None

    @property
    def parameter_type(self) -> Any:
        """The type a caller passes: a list where the config holds a tuple (Prefect and JSON
        speak lists), and None allowed when None is the default."""
        kind = self.type
        if get_origin(kind) is tuple:
            kind = list[get_args(kind)[0]]  # type: ignore[misc]
        if self.default is None and not _allows_none(kind):
            kind = kind | None
        return kind


def option(
    *,
    default: Any,
    help: str,
    check: Callable[[Any], Any],
    flags: tuple[str, ...] = (),
    metavar: str | None = None,
    parse: Callable[[str], Any] | None = None,
    choices: tuple[str, ...] | None = None,
) -> Any:
    """Declare a `RunConfig` field as a run option (see RunOption)."""
    declared = RunOption(default, help, check, flags, metavar, parse, choices)
    return field(metadata={"option": declared})


def _allows_none(kind: Any) -> bool:
    return isinstance(kind, UnionType) and NoneType in get_args(kind)


# -- the checks, one per option: the given value in, the config's value out ------------------


def input_exists(name: str) -> bool:
    """A local path, or an fsspec URL whose file system answers that it exists."""
    # storage imports pyarrow: imported here so `newsclean --help` stays fast
    from flows.core.storage import LocationError, is_url, url_exists

    if is_url(name):
        try:
            return url_exists(name)
        except LocationError as error:
            raise ConfigError(str(error)) from error
    return Path(name).exists()


def check_inputs(inputs: Sequence[str] | None) -> tuple[str, ...]:
    paths = tuple(str(p) for p in (inputs or [DEFAULT_INPUT]))
    missing = [p for p in paths if not input_exists(p)]
    if missing:
        raise ConfigError(f"input path does not exist: {', '.join(missing)}")
    return paths


def check_output(output: str) -> str:
    """A local folder (need not exist yet) or an fsspec URL whose file system is installed."""
    if "://" not in output or output.startswith("file://"):
        local = Path(output.removeprefix("file://"))
        if local.exists() and not local.is_dir():
            raise ConfigError(f"output is not a directory: {output}")
        return output
    # fsspec is imported here so `newsclean --help` stays fast
    import fsspec

    protocol = output.split("://", 1)[0]
    try:
        fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as error:
        raise ConfigError(
            f"--output {output}: no file system for {protocol}:// ({error}); "
            f"install its fsspec package (s3fs, gcsfs, adlfs...)"
        ) from error
    return output.rstrip("/")


def check_workers(workers: int | None) -> int:
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    return workers or os.cpu_count() or 1


def check_batch_size(batch_size: int | None) -> int | None:
    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {batch_size}")
    return batch_size


def check_document_timeout(seconds: float) -> float:
    if not seconds > 0:
        raise ConfigError(f"--document-timeout must be positive, got {seconds}")
    return float(seconds)


def check_max_document_mb(megabytes: float) -> float:
    if not megabytes > 0:
        raise ConfigError(f"--max-document-mb must be positive, got {megabytes}")
    return float(megabytes)


def language_codes(value: str) -> list[str]:
    """A comma-separated --languages value ("en, de") as codes; checked by check_languages."""
    return [code.strip() for code in value.split(",") if code.strip()]


def check_languages(codes: Sequence[str] | None) -> tuple[str, ...]:
    """--languages codes lower-cased, de-duplicated and sorted; ConfigError on a bad one.
    `newsclean validate --languages` parses and checks its codes the same way."""
    normalized = tuple(sorted({code.strip().lower() for code in codes or () if code.strip()}))
    bad = [code for code in normalized if not _LANGUAGE.match(code)]
    if bad:
        raise ConfigError(f"--languages takes ISO 639-1 codes such as en,de; not {', '.join(bad)}")
    return normalized


def check_max_quarantine_share(share: float) -> float:
    if not 0 <= share <= 1:
        raise ConfigError(f"--max-quarantine-share must be between 0 and 1, got {share}")
    return float(share)


def check_near_duplicate_threshold(threshold: float) -> float:
    if not 0 < threshold <= 1:
        raise ConfigError(f"--near-duplicate-threshold must be in (0, 1], got {threshold}")
    return float(threshold)


def check_full_refresh(full_refresh: bool) -> bool:
    return bool(full_refresh)


def check_fast_extraction(fast: bool) -> bool:
    return bool(fast)


def check_task_runner(task_runner: str) -> str:
    if task_runner not in TASK_RUNNERS:
        raise ConfigError(
            f"--task-runner must be one of {', '.join(TASK_RUNNERS)}, got {task_runner!r}"
        )
    return task_runner


def check_dask_address(address: str | None) -> str | None:
    if address and not _DASK_ADDRESS.match(address):
        raise ConfigError(
            f"--dask-address takes a scheduler address such as tcp://host:8786, not {address!r}"
        )
    return address or None


def check_together(config: RunConfig) -> None:
    """The rules that involve two options."""
    if config.output.startswith("memory://") and config.task_runner != "threads":
        raise ConfigError(
            "--output memory:// lives in this process only: use it with --task-runner threads"
        )
    if config.dask_address and config.task_runner != "dask":
        raise ConfigError("--dask-address needs --task-runner dask")


# -- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """A run's options, checked. Build one with `RunConfig.build(**parameters)`.

    The fields are the options in the order the command line lists them (and checks them).
    """

    inputs: tuple[str, ...] = option(
        default=None,
        metavar="INPUT",
        help=f"files or folders to read (default: {DEFAULT_INPUT})",
        check=check_inputs,
    )
    output: str = option(
        default=DEFAULT_OUTPUT,
        flags=("-o", "--output"),
        metavar="DIR",
        help=f"dataset folder; created when missing (default: {DEFAULT_OUTPUT})",
        check=check_output,
    )
    workers: int = option(
        default=None,
        flags=("-w", "--workers"),
        metavar="N",
        help=f"worker processes (default: the machine's cores, {os.cpu_count()})",
        check=check_workers,
    )
    batch_size: int | None = option(
        default=None,
        flags=("--batch-size",),
        metavar="N",
        help="files per batch (default: sized so each worker gets several batches, at most 256)",
        check=check_batch_size,
    )
    document_timeout: float = option(
        default=60.0,
        flags=("--document-timeout",),
        metavar="SECONDS",
        help="time limit per document; a document over it is quarantined as 'timeout' (default: 60)",
        check=check_document_timeout,
    )
    max_document_mb: float = option(
        default=5.0,
        flags=("--max-document-mb",),
        metavar="MB",
        help="larger documents are quarantined as 'too_large' (default: 5)",
        check=check_max_document_mb,
    )
    languages: tuple[str, ...] = option(
        default=None,
        flags=("--languages",),
        metavar="CODES",
        parse=language_codes,
        help="comma-separated ISO 639-1 codes to accept, e.g. en,de; others are quarantined "
        "(default: every language)",
        check=check_languages,
    )
    max_quarantine_share: float = option(
        default=0.5,
        flags=("--max-quarantine-share",),
        metavar="FRACTION",
        help="a batch with a larger share of rows failing validation is not published (default: 0.5)",
        check=check_max_quarantine_share,
    )
    near_duplicate_threshold: float = option(
        default=NEAR_DUPLICATE_THRESHOLD,
        flags=("--near-duplicate-threshold",),
        metavar="JACCARD",
        help="a body whose estimated Jaccard similarity (5-word shingles) to an earlier one is "
        f"at or above this is flagged as its near duplicate (default: {NEAR_DUPLICATE_THRESHOLD})",
        check=check_near_duplicate_threshold,
    )
    full_refresh: bool = option(
        default=False,
        flags=("--full-refresh",),
        help="process every input again and replace the dataset's rows",
        check=check_full_refresh,
    )
    fast_extraction: bool = option(
        default=False,
        flags=("--fast-extraction",),
        help="skip trafilatura's fallback extractors (readability, jusText): less CPU a page for "
        "slightly lower recall; see docs/benchmarks.md, 'Throughput' (default: off)",
        check=check_fast_extraction,
    )
    task_runner: str = option(
        default="threads",
        flags=("--task-runner",),
        choices=TASK_RUNNERS,
        help="where batch tasks run: threads in this process, or a Dask cluster "
        "(a local one of --workers processes unless --dask-address is given) (default: threads)",
        check=check_task_runner,
    )
    dask_address: str | None = option(
        default=None,
        flags=("--dask-address",),
        metavar="tcp://HOST:PORT",
        help="scheduler of an existing Dask cluster (with --task-runner dask); its workers need "
        "DASK_DISTRIBUTED__WORKER__DAEMON=False, PREFECT_API_URL and access to the output folder",
        check=check_dask_address,
    )

    @classmethod
    def build(cls, **parameters: Any) -> RunConfig:
        """Check the given options (the others take their defaults); ConfigError when one is
        out of range, TypeError for a name that is not an option."""
        declared = run_options()
        unknown = sorted(set(parameters) - {o.name for o in declared})
        if unknown:
            raise TypeError(f"not a run option: {', '.join(unknown)}")
        config = cls(**{o.name: o.check(parameters.get(o.name, o.default)) for o in declared})
        check_together(config)
        return config

    def flow_parameters(self) -> dict[str, Any]:
        """The parameters of the `clean_articles` flow (its names are this class's fields)."""
        return {key: list(v) if isinstance(v, tuple) else v for key, v in asdict(self).items()}

    def handover(self) -> dict[str, Any]:
        """The flow parameters, with this config marked as checked: the next flow run in this
        process with exactly these parameters takes it without checking again."""
        parameters = self.flow_parameters()
        with _handed_over_lock:
            _handed_over[_key(parameters)] = self
        return parameters

    @classmethod
    def for_flow_run(cls, **parameters: Any) -> RunConfig:
        """The config of a flow run: the one handed over for these parameters (each serves one
        run), else built and checked now."""
        with _handed_over_lock:
            handed_over = _handed_over.pop(_key(parameters), None)
        return handed_over if handed_over is not None else cls.build(**parameters)


@cache
def run_options() -> tuple[RunOption, ...]:
    """Every run option, in declaration order, with its name and type."""
    types = get_type_hints(RunConfig)
    return tuple(
        replace(f.metadata["option"], name=f.name, type=types[f.name]) for f in fields(RunConfig)
    )


# Configs checked in this process and handed to a flow run (by their parameters). An entry is
# taken by the run it was handed to, so the map holds at most the runs about to start.
_handed_over: dict[tuple[tuple[str, Any], ...], RunConfig] = {}
_handed_over_lock = threading.Lock()


def _key(parameters: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        sorted((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in parameters.items())
    )
