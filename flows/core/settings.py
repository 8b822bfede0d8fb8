"""Run configuration, validated before any work starts, and hermetic defaults for Prefect."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_INPUT = "data/sample"
DEFAULT_OUTPUT = "output"
# Rows per validation unit (publish, validate): enough for a meaningful quarantine share, small
# enough to hold in memory.
VALIDATION_UNIT_ROWS = 5000
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

_LANGUAGE = re.compile(r"^[a-z]{2}$")


class ConfigError(ValueError):
    """A run parameter is out of range: a usage error, reported before any work starts."""


def language_codes(value: str) -> list[str]:
    """A comma-separated --languages value ("en, de") as codes; checked by RunConfig.build."""
    return [code.strip() for code in value.split(",") if code.strip()]


def normalize_languages(codes: Sequence[str]) -> tuple[str, ...]:
    """--languages codes lower-cased, de-duplicated and sorted; ConfigError on a bad one."""
    normalized = tuple(sorted({code.strip().lower() for code in codes if code.strip()}))
    bad = [code for code in normalized if not _LANGUAGE.match(code)]
    if bad:
        raise ConfigError(f"--languages takes ISO 639-1 codes such as en,de; not {', '.join(bad)}")
    return normalized


def _input_exists(name: str) -> bool:
    from flows.core.storage import is_url

    if is_url(name):
        from flows.readers import InputError, url_exists

        try:
            return url_exists(name)
        except InputError as error:
            raise ConfigError(str(error)) from error
    return Path(name).exists()


def apply_prefect_defaults() -> None:
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


@dataclass(frozen=True)
class RunConfig:
    inputs: tuple[str, ...]
    output: str
    workers: int
    batch_size: int | None = None
    document_timeout: float = 60.0
    max_document_mb: float = 5.0
    languages: tuple[str, ...] = field(default_factory=tuple)
    max_quarantine_share: float = 0.5
    full_refresh: bool = False
    task_runner: str = "threads"
    dask_address: str | None = None

    def flow_parameters(self) -> dict[str, Any]:
        """The parameters of the `clean_articles` flow (its names are this class's fields)."""
        values = asdict(self)
        return {key: list(v) if isinstance(v, tuple) else v for key, v in values.items()}

    @classmethod
    def build(
        cls,
        *,
        inputs: Sequence[str] | None,
        output: str,
        workers: int | None,
        batch_size: int | None = None,
        document_timeout: float = 60.0,
        max_document_mb: float = 5.0,
        languages: Sequence[str] | None = None,
        max_quarantine_share: float = 0.5,
        full_refresh: bool = False,
        task_runner: str = "threads",
        dask_address: str | None = None,
    ) -> RunConfig:
        paths = tuple(str(p) for p in (inputs or [DEFAULT_INPUT]))
        missing = [p for p in paths if not _input_exists(p)]
        if missing:
            raise ConfigError(f"input path does not exist: {', '.join(missing)}")
        output = _check_output(output, task_runner)
        if workers is not None and workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {workers}")
        if batch_size is not None and batch_size < 1:
            raise ConfigError(f"--batch-size must be at least 1, got {batch_size}")
        if not document_timeout > 0:
            raise ConfigError(f"--document-timeout must be positive, got {document_timeout}")
        if not max_document_mb > 0:
            raise ConfigError(f"--max-document-mb must be positive, got {max_document_mb}")
        if not 0 <= max_quarantine_share <= 1:
            raise ConfigError(
                f"--max-quarantine-share must be between 0 and 1, got {max_quarantine_share}"
            )
        codes = normalize_languages(languages or [])
        _check_task_runner(task_runner, dask_address)
        return cls(
            inputs=paths,
            output=output,
            workers=workers or os.cpu_count() or 1,
            batch_size=batch_size,
            document_timeout=float(document_timeout),
            max_document_mb=float(max_document_mb),
            languages=codes,
            max_quarantine_share=float(max_quarantine_share),
            full_refresh=full_refresh,
            task_runner=task_runner,
            dask_address=dask_address or None,
        )


def _check_output(output: str, task_runner: str) -> str:
    """A local folder (need not exist yet) or an fsspec URL whose file system is installed."""
    if "://" not in output or output.startswith("file://"):
        local = Path(output.removeprefix("file://"))
        if local.exists() and not local.is_dir():
            raise ConfigError(f"output is not a directory: {output}")
        return output
    import fsspec

    protocol = output.split("://", 1)[0]
    try:
        fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as error:
        raise ConfigError(
            f"--output {output}: no file system for {protocol}:// ({error}); "
            f"install its fsspec package (s3fs, gcsfs, adlfs...)"
        ) from error
    if protocol == "memory" and task_runner != "threads":
        raise ConfigError(
            "--output memory:// lives in this process only: use it with --task-runner threads"
        )
    return output.rstrip("/")


TASK_RUNNERS = ("threads", "dask")
_DASK_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc)://[^\s/:]+(:\d{1,5})?/?$")


def _check_task_runner(task_runner: str, dask_address: str | None) -> None:
    if task_runner not in TASK_RUNNERS:
        raise ConfigError(
            f"--task-runner must be one of {', '.join(TASK_RUNNERS)}, got {task_runner!r}"
        )
    if dask_address and task_runner != "dask":
        raise ConfigError("--dask-address needs --task-runner dask")
    if dask_address and not _DASK_ADDRESS.match(dask_address):
        raise ConfigError(
            f"--dask-address takes a scheduler address such as tcp://host:8786, not {dask_address!r}"
        )
