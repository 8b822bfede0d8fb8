"""Validate a batch of articles with Great Expectations 1.x before it is published.

Two suites live as JSON in ``expectations/``:

* ``articles.rows.json``: row expectations. A row failing one is quarantined; the reasons are the
  failed expectations' ``meta.name``.
* ``articles.batch.json``: batch expectations (columns and types match the schema, ids unique,
  quarantine share under the ceiling). If one fails, the batch must not be published.

Thresholds are GX suite parameters (``{"$PARAMETER": ...}``) filled from ``ValidationSettings`` at
run time, so the JSON stays reviewable and the limits configurable.

Great Expectations takes seconds to import (3 to 5 s of CPU), so it is imported lazily, and its
ephemeral context is built once per process. A caller that knows it will validate can start the
background validator first (flows/quality/background.py): one child process imports GX and loads
the suites while the caller does other work (the command line starts it before Prefect starts),
and `load_suites`, `validate_articles` and `write_data_docs` then run there, giving the same
results. Without it, everything runs in the calling process.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa

from flows.core.residue import ROW_SUITE_FILE, ResiduePatternError, parse_residue_patterns
from flows.core.resources import expectations_dir
from flows.core.schema import TableSchema, articles_schema

BATCH_SUITE_FILE = "articles.batch.json"

# Helper columns the validator adds to its own copy of the frame: a row key for row-level
# results (GX reports failing rows by a key column, which must not be the column under test) and
# the per-row quarantine flag the batch suite sums.
ROW_KEY = "_row"
QUARANTINED = "_quarantined"

# Every suite parameter the validator supplies; a suite naming another one is a startup error
# rather than a GX error on the first batch.
PARAMETERS = frozenset(
    {
        "min_body_chars",
        "max_body_chars",
        "min_word_count",
        "max_title_chars",
        "accepted_languages",
        "earliest_published_at",
        "now",
        "known_article_ids",
        "expected_columns",
        "max_quarantined_rows",
    }
)

# kwargs of GX expectations that name columns.
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list",)

# Raw results keep at most this much of a long value: bodies in unexpected_list would otherwise
# make the JSON report huge.
_MAX_RESULT_STRING = 300
_MAX_RESULT_LIST = 50


class SuiteError(Exception):
    """A suite file cannot be used: malformed JSON, unknown expectation, or not matching the schema."""


@dataclass(frozen=True)
class ValidationSettings:
    # A short real article is an article: news briefs and short posts run to 25 to 50 words
    # (2 or 3 sentences). Below this, a body is a caption, a slogan or a failed extraction.
    min_body_chars: int = 100
    max_body_chars: int = 200_000
    min_word_count: int = 25
    max_title_chars: int = 300
    languages: tuple[str, ...] = ()  # empty = every language accepted
    max_quarantine_share: float = 0.5
    # A share over a handful of rows says nothing about the batch (an hourly run with two new
    # pages, one of them not an article, is fine): the ceiling applies from this many rows on.
    min_rows_for_share: int = 20
    earliest_date: str = "1990-01-01"


@dataclass
class ValidationOutcome:
    row_failures: dict[int, list[str]]  # row position in the frame -> failed row expectations
    batch_failures: list[str]  # failed batch expectations
    results: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable GX results

    @property
    def publishable(self) -> bool:
        return not self.batch_failures


@dataclass(frozen=True)
class Suites:
    """The two loaded suites (GX ``ExpectationSuite`` objects) and the schema they were checked against."""

    rows: Any
    batch: Any
    schema_columns: tuple[str, ...]
    # Loaded and checked in the background validator instead (rows and batch are None here):
    # validate_articles sends its work there.
    in_background: bool = False

    def row_names(self) -> list[str]:
        return [_name(expectation) for expectation in self.rows.expectations]

    def batch_names(self) -> list[str]:
        return [_name(expectation) for expectation in self.batch.expectations]


# --- Loading ---------------------------------------------------------------------------------


def load_suites(directory: Path | None = None) -> Suites:
    """Load and check both suites; raise SuiteError with a one-line message if one is unusable."""
    if directory is None and (validator := _background_validator()) is not None:
        try:
            columns = validator.call("_load_default_suites")
        except BrokenProcessPool:
            _drop_background_validator()  # it died: load them here instead
        else:
            return Suites(rows=None, batch=None, schema_columns=columns, in_background=True)
    directory = expectations_dir() if directory is None else directory
    schema = articles_schema()
    columns = tuple(schema.names)
    rows = _load_suite(directory / ROW_SUITE_FILE, allowed_columns=set(columns))
    _check_residue_patterns(directory / ROW_SUITE_FILE)
    batch = _load_suite(directory / BATCH_SUITE_FILE, allowed_columns={*columns, QUARANTINED})
    _check_type_expectations(batch, schema, directory / BATCH_SUITE_FILE)
    _check_not_null_expectations([rows, batch], schema, directory)
    return Suites(rows=rows, batch=batch, schema_columns=columns)


def _load_suite(path: Path, *, allowed_columns: set[str]) -> Any:
    document = _read_suite_json(path)
    expectations = document["expectations"]
    _check_names(path, expectations)
    for expectation in expectations:
        _check_columns(path, expectation, allowed_columns)
        _check_parameters(path, expectation)
    suite, complaints = _build_suite(path, document)
    # GX logs and drops an expectation it cannot build (unknown type, invalid kwargs) instead of
    # raising: compare what survived.
    loaded = {_name(expectation) for expectation in suite.expectations}
    dropped = [e["meta"]["name"] for e in expectations if e["meta"]["name"] not in loaded]
    if dropped:
        reason = complaints[0] if complaints else "unknown reason"
        raise SuiteError(f"{path.name}: GX rejected {', '.join(dropped)}: {reason}")
    return suite


def _check_residue_patterns(path: Path) -> None:
    # The clean stage cuts with the same patterns (flows/core/residue.py): each must compile and
    # name its kind, or a run would fail in every worker instead of here. Each must also run the
    # way GX runs it: pandas hands a pattern it deems RE2-safe to pyarrow, where a Python-only
    # construct (a comment, say) fails on the first batch instead of at startup.
    try:
        patterns = parse_residue_patterns(_read_suite_json(path))
    except ResiduePatternError as error:
        raise SuiteError(f"{path.name}: {error}") from error
    probe = pd.Series(["x"], dtype="str")
    for residue in patterns:
        try:
            probe.str.contains(residue.pattern.pattern)
        except Exception as error:  # pyarrow raises its own error types for a bad pattern
            raise SuiteError(
                f"{path.name}: residue pattern {residue.pattern.pattern[:60]!r} does not run "
                f"on a pandas string column: {error}"
            ) from error


def _read_suite_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SuiteError(f"{path}: suite file is missing") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SuiteError(f"{path.name}: not valid JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("expectations"), list):
        raise SuiteError(f"{path.name}: expected an object with an 'expectations' list")
    if not all(isinstance(e, dict) for e in document["expectations"]):
        raise SuiteError(f"{path.name}: every expectation must be a JSON object")
    return document


def _check_names(path: Path, expectations: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for index, expectation in enumerate(expectations):
        meta = expectation.get("meta")
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(name, str) or not name:
            raise SuiteError(f"{path.name}: expectation #{index + 1} has no meta.name")
        if name in seen:
            raise SuiteError(f"{path.name}: two expectations are named {name!r}")
        seen.add(name)


def _check_columns(path: Path, expectation: dict[str, Any], allowed: set[str]) -> None:
    kwargs = expectation.get("kwargs") or {}
    named = [kwargs[key] for key in _COLUMN_KWARGS if key in kwargs]
    for key in _COLUMN_LIST_KWARGS:
        named.extend(kwargs.get(key) or [])
    for column in named:
        if column not in allowed:
            raise SuiteError(
                f"{path.name}: expectation {expectation['meta']['name']!r} names column "
                f"{column!r}, which the schema does not have"
            )


def _check_parameters(path: Path, expectation: dict[str, Any]) -> None:
    for value in (expectation.get("kwargs") or {}).values():
        parameter = value.get("$PARAMETER") if isinstance(value, dict) else None
        if parameter is not None and parameter not in PARAMETERS:
            raise SuiteError(
                f"{path.name}: expectation {expectation['meta']['name']!r} uses unknown "
                f"parameter {parameter!r}"
            )
    only_when = expectation["meta"].get("only_when")
    if only_when is not None and only_when not in PARAMETERS:
        raise SuiteError(
            f"{path.name}: expectation {expectation['meta']['name']!r} has unknown "
            f"meta.only_when {only_when!r}"
        )


def _build_suite(path: Path, document: dict[str, Any]) -> tuple[Any, list[str]]:
    """The GX suite, and GX's complaints about expectations it dropped (its log, captured)."""
    gx = _gx()
    document = {key: value for key, value in document.items() if key != "id"}
    gx_logger = logging.getLogger("great_expectations.core.expectation_suite")
    collector = _Collector()
    with _lock:  # the logger is process-wide
        gx_logger.addHandler(collector)
        propagate, gx_logger.propagate = gx_logger.propagate, False  # our one line is enough
        try:
            return gx.ExpectationSuite(**document), collector.messages
        except Exception as error:  # GX raises many types for a bad configuration
            # pydantic spreads one error over several lines (model, field, message): join them.
            detail = " ".join(line.strip() for line in str(error).splitlines()) or repr(error)
            raise SuiteError(f"{path.name}: invalid suite: {detail[:300]}") from error
        finally:
            gx_logger.removeHandler(collector)
            gx_logger.propagate = propagate


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0])


def pandas_type_name(schema_type: str) -> str:
    """The type name expect_column_values_to_be_of_type checks for a schema type on pandas.

    GX compares the pandas dtype's scalar type (or, for object columns, each value's Python type):
    pandas 3 strings (python or pyarrow storage) have type ``str``, tz-aware datetimes
    ``Timestamp``, list cells are Python lists. GX cannot see the list's element types or a
    timestamp's unit and time zone, so those parts of the schema type are not checked here.
    """
    if schema_type == "string":
        return "str"
    if schema_type.startswith("list<"):
        return "list"
    if schema_type.startswith("timestamp["):
        return "Timestamp"
    return schema_type


def _check_type_expectations(suite: Any, schema: TableSchema, path: Path) -> None:
    declared: dict[str, str] = {}
    for expectation in suite.expectations:
        if expectation.expectation_type == "expect_column_values_to_be_of_type":
            declared[expectation.column] = expectation.type_
    for column in schema.columns:
        expected = pandas_type_name(column.type)
        found = declared.get(column.name)
        if found is None:
            raise SuiteError(f"{path.name}: no type check for schema column {column.name!r}")
        if found != expected:
            raise SuiteError(
                f"{path.name}: column {column.name!r} is checked as {found!r}, but the schema "
                f"type {column.type!r} needs {expected!r}"
            )


def _check_not_null_expectations(suites: list[Any], schema: TableSchema, directory: Path) -> None:
    # A column the schema declares not nullable needs a not-null check in one of the suites:
    # a row check (quarantine the row) or a batch check (the pipeline broke its contract).
    checked = {
        expectation.column
        for suite in suites
        for expectation in suite.expectations
        if expectation.expectation_type == "expect_column_values_to_not_be_null"
    }
    for column in schema.columns:
        if not column.nullable and column.name not in checked:
            raise SuiteError(
                f"{directory}: no not-null check for column {column.name!r}, which the "
                "schema declares not nullable"
            )


def _name(expectation: Any) -> str:
    return str(expectation.meta["name"])


# --- GX context (once per process) ---------------------------------------------------------------

_lock = threading.RLock()
_batch_definition: Any = None


def _gx() -> Any:
    # Set before the first import: GX reads it at import time.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    _quiet_gx_logs()  # before the import too: it logs while importing
    import great_expectations as gx  # here: 3 to 5 s, paid only when validating

    _quiet_gx_logs()
    return gx


def _quiet_gx_logs() -> None:
    # GX logs routine steps at INFO ("Created temporary directory ... for ephemeral docs site"),
    # and some of its modules set their own logger to INFO at import, so lowering the package
    # logger is not enough: raise every GX logger below WARNING. Its warnings still show.
    logging.getLogger("great_expectations")  # exists before the import: its children inherit
    loggers = logging.Logger.manager.loggerDict
    for name in [name for name in loggers if name.split(".")[0] == "great_expectations"]:
        gx_logger = loggers[name]
        if isinstance(gx_logger, logging.Logger) and gx_logger.level < logging.WARNING:
            gx_logger.setLevel(logging.WARNING)


def _get_batch_definition() -> Any:
    """An ephemeral context with one pandas dataframe asset, built on first use."""
    global _batch_definition
    with _lock:
        if _batch_definition is None:
            gx = _gx()
            # Imported here: GX (3 to 5 s): see _gx.
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            # GX progress bars ignore TQDM_DISABLE; they would clutter the pipeline's output.
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            asset = context.data_sources.add_pandas("newsclean").add_dataframe_asset("articles")
            _batch_definition = asset.add_batch_definition_whole_dataframe("batch")
        return _batch_definition


def gx_context() -> Any:
    """The process's ephemeral GX context (for reports)."""
    return _get_batch_definition().data_asset.datasource.data_context


# --- Validation ------------------------------------------------------------------------------


def frame_for_validation(table: pa.Table) -> pd.DataFrame:
    """A table as the pandas frame the expectation suites run on (list cells as Python lists).

    The pipeline's publish and the validate command both use it, so a row is judged the same way.
    """
    frame = table.to_pandas()
    for name in table.column_names:
        if pa.types.is_list(table.schema.field(name).type):
            cells = [list(value) if value is not None else [] for value in frame[name]]
            frame[name] = pd.Series(cells, index=frame.index, dtype=object)
    return frame


def validate_articles(
    frame: pd.DataFrame,
    *,
    now: datetime,
    settings: ValidationSettings = ValidationSettings(),  # frozen: a shared default is safe
    suites: Suites | None = None,
    known_ids: Collection[str] = (),
) -> ValidationOutcome:
    """Run the row suite, then the batch suite, over ``frame`` (the schema's columns)."""
    suites = load_suites() if suites is None else suites
    if suites.in_background:
        known = _referenced_known_ids(frame, known_ids)  # the same check, less to send
        validator = _background_validator()
        if validator is not None:
            try:
                outcome: ValidationOutcome = validator.call(
                    "_validate_with_default_suites", frame, now, settings, known
                )
                return outcome
            except BrokenProcessPool:
                _drop_background_validator()
        suites, known_ids = load_suites(), known  # it died or was stopped: validate here
    frame = frame.reset_index(drop=True)
    parameters = _parameters(frame, now=now, settings=settings, suites=suites, known_ids=known_ids)

    row_suite = _active_suite(suites.rows, parameters)
    row_result = _run(row_suite, frame.assign(**{ROW_KEY: range(len(frame))}), parameters, True)
    row_failures, unevaluated = _row_failures(row_result)

    flags = [1 if position in row_failures else 0 for position in range(len(frame))]
    parameters["max_quarantined_rows"] = _max_quarantined_rows(settings, len(frame))
    batch_result = _run(suites.batch, frame.assign(**{QUARANTINED: flags}), parameters, False)
    failed = {_name(r.expectation_config) for r in batch_result.results if not r.success}
    # GX returns results grouped by column; report them in the suite's order instead.
    batch_failures = unevaluated + [name for name in suites.batch_names() if name in failed]

    results = {
        "rows": _compact(row_result.to_json_dict()),
        "batch": _compact(batch_result.to_json_dict()),
        "quarantine_share": (sum(flags) / len(frame)) if len(frame) else 0.0,
        "skipped": sorted(set(suites.row_names()) - {_name(e) for e in row_suite.expectations}),
    }
    return ValidationOutcome(
        row_failures=row_failures, batch_failures=batch_failures, results=results
    )


def _parameters(
    frame: pd.DataFrame,
    *,
    now: datetime,
    settings: ValidationSettings,
    suites: Suites,
    known_ids: Collection[str],
) -> dict[str, Any]:
    return {
        "min_body_chars": settings.min_body_chars,
        "max_body_chars": settings.max_body_chars,
        "min_word_count": settings.min_word_count,
        "max_title_chars": settings.max_title_chars,
        "accepted_languages": sorted(settings.languages),
        "earliest_published_at": _utc(datetime.fromisoformat(settings.earliest_date)),
        "now": _utc(now),
        "known_article_ids": _referenced_known_ids(frame, known_ids),
        "expected_columns": [*suites.schema_columns, QUARANTINED],
    }


def _referenced_known_ids(frame: pd.DataFrame, known_ids: Collection[str]) -> list[str]:
    """The ids ``duplicate_of`` may name (the batch's and the dataset's), cut to those it names.

    The result of the check is the same as with every id, but GX copies the value_set for every
    metric it computes: 10,000 ids cost about 2 s per batch, and the dataset's ids grow without
    bound.
    """
    if "duplicate_of" not in frame.columns:
        return []
    referenced = set(frame["duplicate_of"].dropna())
    batch_ids = set(frame["article_id"].dropna()) if "article_id" in frame.columns else set()
    return sorted(referenced & (batch_ids | set(known_ids)))


def _utc(moment: datetime) -> datetime:
    # A naive datetime is taken as UTC, like every timestamp in the dataset.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _max_quarantined_rows(settings: ValidationSettings, rows: int) -> int:
    if rows < settings.min_rows_for_share:
        return rows
    # count <= floor(share * rows) is the same as count / rows <= share; the epsilon keeps float
    # error (0.29 * 100 == 28.999999999999996) from costing a row.
    return math.floor(settings.max_quarantine_share * rows + 1e-9)


def _active_suite(suite: Any, parameters: Mapping[str, Any]) -> Any:
    """The suite without expectations whose ``meta.only_when`` parameter is empty this run."""
    keep = [e for e in suite.expectations if _applies(e, parameters)]
    if len(keep) == len(suite.expectations):
        return suite
    return _gx().ExpectationSuite(name=suite.name, expectations=keep, meta=suite.meta)


def _applies(expectation: Any, parameters: Mapping[str, Any]) -> bool:
    only_when = expectation.meta.get("only_when")
    return only_when is None or bool(parameters.get(only_when))


def _run(suite: Any, frame: pd.DataFrame, parameters: dict[str, Any], rows: bool) -> Any:
    # One validation at a time: the shared context and its caches are not made for threads.
    with _lock:
        batch = _get_batch_definition().get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(
            suite, expectation_parameters=parameters, result_format=_result_format(rows)
        )


def _result_format(rows: bool) -> dict[str, Any]:
    # Row results list every failing row by its key. Batch results need verdicts and observed
    # values only: BASIC keeps those and costs about half of SUMMARY.
    if rows:
        return {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_KEY]}
    return {"result_format": "BASIC"}


def _row_failures(suite_result: Any) -> tuple[dict[int, list[str]], list[str]]:
    """Failed row expectations per row position, and the row expectations that raised.

    An expectation that raised (e.g. its column is missing) cannot name rows; it is reported as
    a batch failure instead so the batch is not published.
    """
    failures: dict[int, set[str]] = {}
    unevaluated: list[str] = []
    for result in suite_result.results:
        name = _name(result.expectation_config)
        if _raised(result.exception_info):
            unevaluated.append(name)
            continue
        for position in _failing_rows(result):
            failures.setdefault(position, set()).add(name)
    return {position: sorted(names) for position, names in sorted(failures.items())}, unevaluated


def _raised(exception_info: Mapping[str, Any] | None) -> bool:
    # GX puts {"raised_exception": ...} at the top for an error in the expectation itself, but
    # one such dict per metric (keyed by metric id) when a metric failed, e.g. a missing column.
    if not exception_info:
        return False
    if exception_info.get("raised_exception"):
        return True
    return any(
        isinstance(v, Mapping) and v.get("raised_exception") for v in exception_info.values()
    )


def _failing_rows(result: Any) -> Iterable[int]:
    for entry in result.result.get("unexpected_index_list") or []:
        yield int(entry[ROW_KEY])


def _compact(value: Any, *, cut_lists: bool = True) -> Any:
    """Shorten long strings, and long lists of unexpected values, in a JSON result.

    Lists are cut without a marker (Data Docs cannot render one inside a list of rows); the
    results keep the exact ``unexpected_count``. Lists in an expectation's configuration (value
    sets) are never cut: the report must show what was checked.
    """
    if isinstance(value, str) and len(value) > _MAX_RESULT_STRING:
        return f"{value[:_MAX_RESULT_STRING]}… [{len(value)} chars]"
    if isinstance(value, list):
        kept = value[:_MAX_RESULT_LIST] if cut_lists else value
        return [_compact(item, cut_lists=cut_lists) for item in kept]
    if isinstance(value, dict):
        return {
            key: _compact(item, cut_lists=cut_lists and key != "expectation_config")
            for key, item in value.items()
        }
    return value


# --- Reports ---------------------------------------------------------------------------------

_SITE_NAME = "newsclean_report"  # the ephemeral context's own site is "local_site"
_LEVELS = ("rows", "batch")


def write_results_json(outcome: ValidationOutcome, path: Path) -> Path:
    """Write the (compacted) GX results of both suites as one JSON file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outcome.results, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_data_docs(
    outcome: ValidationOutcome | Sequence[Mapping[str, Any]],
    report_dir: Path,
    *,
    run_name: str = "newsclean",
) -> Path:
    """Render suite results as one GX Data Docs site in ``report_dir``; return its index.html.

    ``outcome`` is one ValidationOutcome, or the ``results`` of several (one per validation unit
    of a run): every unit gets a page per suite, all listed on the one index.

    The results are rebuilt from plain JSON, so saved results can be rendered again later. They
    pass through the context's in-memory results store only for the build and are removed
    afterwards, so a long-running process does not accumulate them.
    """
    units = [outcome.results] if isinstance(outcome, ValidationOutcome) else list(outcome)
    if (validator := _background_validator()) is not None:
        try:
            index: Path = validator.call("write_data_docs", units, report_dir, run_name=run_name)
            return index
        except BrokenProcessPool:
            _drop_background_validator()  # it died: render here instead
    context = gx_context()
    report_dir.mkdir(parents=True, exist_ok=True)
    with _lock:
        store = context.validation_results_store
        keys = _store_results(store, units, run_name)
        context.add_data_docs_site(_SITE_NAME, _site_config(report_dir))
        try:
            context.build_data_docs(site_names=[_SITE_NAME], resource_identifiers=keys)
        finally:
            context.delete_data_docs_site(_SITE_NAME)
            for key in keys:
                store.remove_key(key)
    _readable_offline(report_dir, _page_status(units))
    return report_dir / "index.html"


def _batch_identifier(units: Sequence[Mapping[str, Any]], position: int, level: str) -> str:
    # One unit keeps the plain name; several are told apart by their position in the run.
    prefix = "articles" if len(units) == 1 else f"articles-unit{position:05d}"
    return f"{prefix}-{level}"


def _page_status(units: Sequence[Mapping[str, Any]]) -> dict[str, bool]:
    """Success per validation page, by the page's file stem (its batch identifier)."""
    return {
        _batch_identifier(units, position, level): bool(unit[level].get("success"))
        for position, unit in enumerate(units)
        for level in _LEVELS
    }


# Data Docs load their CSS, icon font and scripts from CDNs. Without them (offline, a CI artifact
# opened locally) the status icons are blank and the index's table, drawn by a script, is empty.
# These fallbacks come first in <head>, so the CDN's rules win whenever they load.
_FALLBACK_STYLE = """<style>/* newsclean: readable without the CDN */
.fa-check-circle::before { content: "\\2714  "; }
.fa-times::before { content: "\\2718  "; }
.text-success { color: #1e7e34; } .text-danger { color: #c82333; }
</style>"""
_INDEX_MARKER = '<div id="section-1-content-block-2-1-body-table-toolbar"'
_GX_WEB_ASSETS = "https://great-expectations-web-assets."
_HIDE_IF_UNLOADED = "onerror=\"this.style.display='none'\""


# GX's pages load Bootstrap's stylesheet from a CDN; a report read offline (a CI artifact, an
# air-gapped machine) has it from here instead: Bootstrap 4.3.1, MIT, assets/bootstrap-LICENSE.txt.
_ASSETS = Path(__file__).resolve().parent / "assets"
_VENDORED_STYLESHEETS = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1.min.css",
}
VENDORED_DIR = "static/vendor"


def _readable_offline(report_dir: Path, status: Mapping[str, bool]) -> None:
    pages = sorted((report_dir / "validations").rglob("*.html"))
    vendored = report_dir / VENDORED_DIR
    vendored.mkdir(parents=True, exist_ok=True)
    for name in (*_VENDORED_STYLESHEETS.values(), "bootstrap-LICENSE.txt"):
        shutil.copyfile(_ASSETS / name, vendored / name)
    for page in [report_dir / "index.html", *pages]:
        html = page.read_text(encoding="utf-8").replace("<head>", "<head>" + _FALLBACK_STYLE, 1)
        for url, name in _VENDORED_STYLESHEETS.items():
            local = os.path.relpath(vendored / name, page.parent).replace(os.sep, "/")
            html = html.replace(f'href="{url}"', f'href="{local}"')
        # GX's logo comes from its web assets: offline it would be a broken-image icon, so an
        # image that cannot load hides itself (online nothing changes).
        html = html.replace(f'src="{_GX_WEB_ASSETS}', f'{_HIDE_IF_UNLOADED} src="{_GX_WEB_ASSETS}')
        if page.name == "index.html":
            html = html.replace(
                _INDEX_MARKER, _page_list(report_dir, pages, status) + _INDEX_MARKER, 1
            )
        page.write_text(html, encoding="utf-8")


def _page_list(report_dir: Path, pages: Sequence[Path], status: Mapping[str, bool]) -> str:
    """A plain list of the run's validation pages: the index without its script-drawn table."""
    items = []
    for page in pages:
        ok = status.get(page.stem)
        mark = "" if ok is None else ("&#10004; passed" if ok else "&#10008; failed")
        color = "" if ok is None else ("#1e7e34" if ok else "#c82333")
        link = page.relative_to(report_dir).as_posix()
        items.append(
            f'<li><a href="{link}">{page.stem}</a> <span style="color: {color}">{mark}</span></li>'
        )
    return '<ul class="newsclean-pages mt-2">' + "".join(items) + "</ul>"


def _store_results(store: Any, units: Sequence[Mapping[str, Any]], run_name: str) -> list[Any]:
    # Imported here: GX (3 to 5 s): see _gx.
    from great_expectations.core.expectation_validation_result import (
        expectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run_id = RunIdentifier(run_name=run_name)
    keys = []
    for position, unit in enumerate(units):
        for level in _LEVELS:
            result = expectationSuiteValidationResultSchema.load(unit[level])
            # batch.validate leaves the run id out: the page would say __none__.
            result.meta["run_id"] = run_id
            # The page reads the asset's name from the batch spec, where a dataframe batch has
            # none ("Data asset: None"); the batch definition holds it.
            asset = (result.meta.get("active_batch_definition") or {}).get("data_asset_name")
            result.meta["batch_spec"] = {
                **(result.meta.get("batch_spec") or {}),
                "data_asset_name": asset or "articles",
            }
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
                run_id=run_id,
                batch_identifier=_batch_identifier(units, position, level),
            )
            store.set(key, result)
            keys.append(key)
    return keys


def _site_config(report_dir: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(report_dir.resolve()),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


# --- The background validator (flows/quality/background.py) -------------------------------------


class BackgroundCalls(Protocol):
    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """This module's `function`, run in the background validator's process."""
        ...

    def close(self) -> None: ...


# Set by flows/quality/background.py while a background validator runs.
_background: BackgroundCalls | None = None


def use_background_validator(validator: BackgroundCalls | None) -> None:
    """Send this process's validation to `validator` from now on (None: validate here)."""
    global _background
    with _lock:
        _background = validator


def _background_validator() -> BackgroundCalls | None:
    with _lock:
        return _background


def _drop_background_validator() -> None:
    """The background validator died: validate here from now on."""
    global _background
    with _lock:
        validator, _background = _background, None
    if validator is not None:
        validator.close()


# In the background validator's process:

# The default suites, loaded once per process (the directory is the package's own).
_default_suites: Suites | None = None


def warm_up() -> None:
    """GX imported, the default suites loaded and the context built: what the first validation
    would otherwise pay."""
    _load_default_suites()
    _get_batch_definition()


def _load_default_suites() -> tuple[str, ...]:
    global _default_suites
    with _lock:
        if _default_suites is None:
            _default_suites = load_suites()
        return _default_suites.schema_columns


def _validate_with_default_suites(
    frame: pd.DataFrame, now: datetime, settings: ValidationSettings, known_ids: list[str]
) -> ValidationOutcome:
    _load_default_suites()
    return validate_articles(
        frame, now=now, settings=settings, suites=_default_suites, known_ids=known_ids
    )
