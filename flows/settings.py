"""Run configuration, validated before any work starts, and hermetic defaults for Prefect."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_INPUT = "data/sample"
DEFAULT_OUTPUT = "output"

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
    ) -> RunConfig:
        paths = tuple(str(p) for p in (inputs or [DEFAULT_INPUT]))
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise ConfigError(f"input path does not exist: {', '.join(missing)}")
        out = Path(output)
        if out.exists() and not out.is_dir():
            raise ConfigError(f"output is not a directory: {output}")
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
        codes = tuple(sorted({code.strip().lower() for code in languages or [] if code.strip()}))
        bad = [code for code in codes if not _LANGUAGE.match(code)]
        if bad:
            raise ConfigError(
                f"--languages takes ISO 639-1 codes such as en,de; not {', '.join(bad)}"
            )
        return cls(
            inputs=paths,
            output=str(out),
            workers=workers or os.cpu_count() or 1,
            batch_size=batch_size,
            document_timeout=float(document_timeout),
            max_document_mb=float(max_document_mb),
            languages=codes,
            max_quarantine_share=float(max_quarantine_share),
            full_refresh=full_refresh,
        )
