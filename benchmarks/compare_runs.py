"""Behaviour equality: the pipeline of a past commit and of the working tree, on the same inputs,
must write the same rows.

Each version runs in its own Python process through the one public entry point every version
keeps, `from flows.pipeline import clean_articles`, called with keyword arguments. The baseline's
sources come from `git archive <commit> flows schemas expectations` (the package, with its line
model under flows/, plus the schema and suite files it reads beside flows/) unpacked into a
scratch folder; the working tree runs from this checkout. Either folder is put first on
PYTHONPATH, ahead of the editable install's .pth entry (a .pth path is appended to sys.path after
PYTHONPATH's), and the child reports where it imported `flows` from, which is checked.

Then the three tables (articles, quarantine, inputs) of the two output folders are compared row
by row, rows matched by the table's key, every column except the ones a run makes up itself
(RUN_COLUMNS below). Reports, commit journals and the dataset card are not rows: not compared.

Used by tests/test_behaviour_equality.py (the sample and the awkward fixtures) and by
benchmarks/behaviour_equality.py (the development corpora).
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from flows.core.settings import PREFECT_DEFAULTS

REPO_ROOT = Path(__file__).resolve().parents[1]

# The last commit whose behaviour the working tree must reproduce. A commit that changes behaviour
# on purpose moves this to itself (in the next commit). History: 9826cab, the flat `flows/`
# package before the layout of issue 10 (the refactor reproduced it row for row); then 4cc4369,
# issue 14's credit folding (sample authors and the credit rules' versions changed on purpose);
# then 0f8967f, issue 11 (the block model, residue cutting and checks, metadata, the line model);
# then abf8b8c, the block model retrained (pages weighted equally); then 72e67c1, issues 12 and 13
# (language from a bounded sample, duplicate_kind/duplicate_similarity and story_id columns);
# then 14e96a5, the line model v3; then 64eea9b, the line model v4 and the trailing-credit rule.
BASELINE_COMMIT = "64eea9bd00c5a2410e603203765bee74e300957a"

# What the baseline needs at run time: the package (its line model is flows/models/*.json) and
# the schema and expectation files, which a checkout reads beside flows/.
BASELINE_PATHS = ("flows", "schemas", "expectations")

# The tables and the key that identifies a row in each (the schemas' row_key). Named here, not
# imported from flows, because they are the output's public contract: a version that renamed a
# folder or a key would be caught by the comparison, not followed by it.
TABLE_KEYS = {"articles": "article_id", "quarantine": "record_id", "inputs": "source_uri"}

# Columns a run makes up itself, so two runs of the same code on the same inputs differ there:
# - run_id: the run's start time and a random suffix;
# - ingested_at: the run's start time.
# The Hive partition folder (ingested_month=YYYY-MM) is derived from ingested_at too; files are
# read one by one, so it never becomes a column here. Everything else is compared, including
# pipeline_version (both runs use the one installed version) and source_uri (both runs are given
# the same input paths). Row order and file names are not compared: rows are matched by key, and
# a file's name carries the run id. (The start time is also the "now" that a published date may
# not be later than; runs minutes apart agree on it unless a page is dated between the two.)
RUN_COLUMNS = frozenset({"run_id", "ingested_at"})

# quarantine.article is the would-be article row as JSON, and that row carries the run's run_id
# and ingested_at: it is compared as parsed JSON (an object's key order carries no meaning)
# without those keys, so every real field of the rejected article is still compared.
JSON_ROW_COLUMNS = {("quarantine", "article")}

RUNNER = """\
import json, sys
import flows
from flows.pipeline import clean_articles
jobs = json.loads(sys.argv[1])
summaries = {}
for name, kwargs in jobs.items():
    summaries[name] = clean_articles(**kwargs)
print(json.dumps({"flows": flows.__file__, "summaries": summaries}, default=str))
"""


class BaselineMissing(Exception):
    """The baseline commit cannot be had from this checkout's git history."""


class RunFailed(Exception):
    """A version's pipeline process failed, or imported `flows` from the wrong place."""


# --- running a version ---------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One run of the pipeline: a name (its output folder) and the inputs it is given."""

    name: str
    inputs: tuple[str, ...]


@dataclass
class VersionRun:
    label: str
    code_root: Path
    outputs: dict[str, Path]  # job name -> output folder
    summaries: dict[str, dict[str, Any]]
    seconds: float


def baseline_sources(commit: str, target: Path, repo: Path = REPO_ROOT) -> Path:
    """The commit's files the pipeline needs, unpacked into `target` (emptied first);
    BaselineMissing when the commit is not in the clone's history."""
    found = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        raise BaselineMissing(
            f"baseline commit {commit[:12]} is not in this clone's history "
            "(clone with full history, or git fetch --unshallow)"
        )
    shutil.rmtree(target, ignore_errors=True)  # no file left from another commit
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit, *BASELINE_PATHS],
        capture_output=True,
        check=True,
    ).stdout
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def pipeline_env(code_root: Path, prefect_home: Path) -> dict[str, str]:
    """The child's environment: `code_root` first on the import path, and the hermetic Prefect
    set-up of the test suite (a throwaway home, no telemetry, quiet logs) whatever the caller's
    environment says about Prefect."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PREFECT_") and key != "PYTHONPATH"
    }
    env.update(PREFECT_DEFAULTS)
    env["PREFECT_HOME"] = str(prefect_home)
    env["PYTHONPATH"] = str(code_root)
    return env


def run_version(
    label: str,
    code_root: Path,
    jobs: Sequence[Job],
    out_root: Path,
    *,
    prefect_home: Path,
    workers: int,
    timeout: float | None = None,
) -> VersionRun:
    """Run every job with the code under `code_root`, in one child process (one Prefect API
    start for all jobs), into out_root/<job name>; out_root is emptied first (a second run into
    an output folder would be an incremental run, skipping every input)."""
    shutil.rmtree(out_root, ignore_errors=True)
    out_root.mkdir(parents=True)
    outputs = {job.name: out_root / job.name for job in jobs}
    parameters = {
        job.name: {"inputs": list(job.inputs), "output": str(outputs[job.name]), "workers": workers}
        for job in jobs
    }
    # -P and a working folder without a flows/ in it: nothing but PYTHONPATH decides which
    # flows is imported (python -c would otherwise put the working folder first).
    command = [sys.executable, "-P", "-c", RUNNER, json.dumps(parameters)]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=out_root,
            env=pipeline_env(code_root, prefect_home),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RunFailed(f"{label}: the pipeline ran past {timeout:.0f} s") from error
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-20:])
        raise RunFailed(f"{label}: the pipeline exited {done.returncode}:\n{tail}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    imported = Path(result["flows"]).resolve()
    if not imported.is_relative_to(code_root.resolve()):
        raise RunFailed(f"{label}: imported flows from {imported}, not from {code_root}")
    return VersionRun(label, code_root, outputs, result["summaries"], seconds)


# --- reading and comparing tables ----------------------------------------------------------


@dataclass
class TableData:
    rows: list[dict[str, Any]]
    columns: dict[str, str]  # name -> Arrow type, " not null" when so declared, in file order


def read_table(output: Path, table: str) -> TableData:
    """Every row of the table's Parquet files under output/<table>, partition folders included
    (hidden and underscore files, such as the folder's _README.md, are not data)."""
    rows: list[dict[str, Any]] = []
    columns: dict[str, str] = {}
    folder = output / table
    files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    for path in files:
        if any(part.startswith((".", "_")) for part in path.relative_to(folder).parts):
            continue
        data = pq.read_table(path)
        for column in data.schema:
            declared = f"{column.type}{'' if column.nullable else ' not null'}"
            previous = columns.setdefault(column.name, declared)
            if previous != declared:
                columns[column.name] = f"{previous} | {declared}"
        rows.extend(data.to_pylist())
    return TableData(rows, columns)


@dataclass
class TableDiff:
    """How one table of the new output differs from the old, rows matched by key."""

    table: str
    key: str
    old_rows: int
    new_rows: int
    identical: int = 0
    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    # key -> column -> (old value, new value), for rows in both outputs that differ
    differing: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    schema_changes: list[str] = field(default_factory=list)
    repeated_keys: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (
            self.only_old
            or self.only_new
            or self.differing
            or self.schema_changes
            or self.repeated_keys
        )

    def column_counts(self) -> Counter[str]:
        """Differing rows per column."""
        return Counter(column for columns in self.differing.values() for column in columns)

    def describe(self, max_rows: int = 10) -> str:
        """A few lines saying what differs: which rows, which columns, old and new values."""
        lines = [
            f"{self.table}: {self.old_rows} rows old, {self.new_rows} new; {self.identical} "
            f"identical, {len(self.differing)} differ, {len(self.only_old)} only old, "
            f"{len(self.only_new)} only new"
        ]
        lines += [f"  schema: {change}" for change in self.schema_changes]
        if self.repeated_keys:
            lines.append(f"  {self.key} not unique: {_some(self.repeated_keys, max_rows)}")
        if self.differing:
            counts = ", ".join(f"{c} ({n})" for c, n in self.column_counts().most_common())
            lines.append(f"  differing columns: {counts}")
        for key, columns in list(self.differing.items())[:max_rows]:
            lines.append(f"  {self.key}={key}:")
            for column, (old, new) in columns.items():
                old_text, new_text = shorten_pair(old, new)
                lines.append(f"    {column}: old {old_text}")
                lines.append(f"    {' ' * len(column)}  new {new_text}")
        if len(self.differing) > max_rows:
            lines.append(f"  ... and {len(self.differing) - max_rows} more differing rows")
        if self.only_old:
            lines.append(f"  only in old: {self.key}={_some(self.only_old, max_rows)}")
        if self.only_new:
            lines.append(f"  only in new: {self.key}={_some(self.only_new, max_rows)}")
        return "\n".join(lines)


def compare_tables(table: str, old: TableData, new: TableData) -> TableDiff:
    """The new table against the old: rows matched by the table's key, run columns left out."""
    key = TABLE_KEYS[table]
    diff = TableDiff(table, key, len(old.rows), len(new.rows))
    diff.schema_changes = _schema_changes(old.columns, new.columns)
    old_by_key = _by_key(old.rows, key, diff.repeated_keys, "old")
    new_by_key = _by_key(new.rows, key, diff.repeated_keys, "new")
    diff.only_old = sorted(old_by_key.keys() - new_by_key.keys())
    diff.only_new = sorted(new_by_key.keys() - old_by_key.keys())
    for row_key in sorted(old_by_key.keys() & new_by_key.keys()):
        changed = _row_changes(table, old_by_key[row_key], new_by_key[row_key])
        if changed:
            diff.differing[row_key] = changed
        else:
            diff.identical += 1
    return diff


def compare_outputs(old: Path, new: Path) -> list[TableDiff]:
    """Every table of two output folders, in TABLE_KEYS order."""
    return [compare_tables(t, read_table(old, t), read_table(new, t)) for t in TABLE_KEYS]


MISSING = "<no such column>"


def _row_changes(table: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changes = {}
    for column in [*old, *(c for c in new if c not in old)]:
        if column in RUN_COLUMNS:
            continue
        old_value = _comparable(table, column, old.get(column, MISSING))
        new_value = _comparable(table, column, new.get(column, MISSING))
        if not _equal(old_value, new_value):
            changes[column] = (old_value, new_value)
    return changes


def _comparable(table: str, column: str, value: Any) -> Any:
    if (table, column) in JSON_ROW_COLUMNS and isinstance(value, str):
        parsed = json.loads(value)
        if isinstance(parsed, dict):
            return {k: v for k, v in parsed.items() if k not in RUN_COLUMNS}
    return value


def _equal(old: Any, new: Any) -> bool:
    """Equality, with NaN equal to NaN (a float column may hold NaN in both outputs)."""
    if isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new):
        return True
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_equal(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_equal(old[k], new[k]) for k in old)
    return bool(type(old) is type(new) and old == new)


def _by_key(
    rows: Iterable[dict[str, Any]], key: str, repeated: list[str], side: str
) -> dict[str, dict[str, Any]]:
    by_key: dict[str, dict[str, Any]] = {}
    for row in rows:
        value = str(row.get(key))
        if value in by_key:
            repeated.append(f"{value} ({side})")
        by_key[value] = row
    return by_key


def _schema_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    if not old or not new:  # a table without files has no schema to compare (its rows differ)
        return []
    changes = [f"column {c} only in old ({old[c]})" for c in old if c not in new]
    changes += [f"column {c} only in new ({new[c]})" for c in new if c not in old]
    changes += [f"column {c}: {old[c]} -> {new[c]}" for c in old if c in new and old[c] != new[c]]
    common_old = [c for c in old if c in new]
    common_new = [c for c in new if c in old]
    if common_old != common_new:
        changes.append(f"column order: {', '.join(common_old)} -> {', '.join(common_new)}")
    return changes


def shorten_pair(old: Any, new: Any, width: int = 100) -> tuple[str, str]:
    """Two values as short texts (repr); long ones are cut around the first place they differ."""
    old_text, new_text = repr(old), repr(new)
    if len(old_text) <= width and len(new_text) <= width:
        return old_text, new_text
    first = next(
        (i for i, (a, b) in enumerate(zip(old_text, new_text, strict=False)) if a != b),
        min(len(old_text), len(new_text)),
    )
    start = max(0, first - width // 4)
    return _cut(old_text, start, width), _cut(new_text, start, width)


def _cut(text: str, start: int, width: int) -> str:
    before = f"[{start} chars]..." if start else ""
    rest = len(text) - start - width
    after = f"...[{rest} chars]" if rest > 0 else ""
    return f"{before}{text[start : start + width]}{after}"


def _some(keys: Sequence[str], limit: int) -> str:
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


# --- the whole comparison ------------------------------------------------------------------


@dataclass
class Comparison:
    baseline: VersionRun
    current: VersionRun
    tables: dict[str, list[TableDiff]]  # job name -> one diff per table

    @property
    def same(self) -> bool:
        return all(diff.same for diffs in self.tables.values() for diff in diffs)

    def report(self, max_rows: int = 10) -> str:
        lines = [f"{self.baseline.label} vs {self.current.label}"]
        for job, diffs in self.tables.items():
            lines.append(f"[{job}]")
            lines += [diff.describe(max_rows) for diff in diffs]
        return "\n".join(lines)


def compare_with_baseline(
    jobs: Sequence[Job],
    scratch: Path,
    *,
    commit: str = BASELINE_COMMIT,
    workers: int = 2,
    prefect_home: Path | None = None,
    timeout: float | None = None,
) -> Comparison:
    """Run the jobs with the commit's pipeline and with the working tree's, compare the tables.

    Both runs share one Prefect home (the first start migrates its database, the second reuses
    it): a fresh one under `scratch` unless given.
    """
    home = prefect_home or scratch / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    code = baseline_sources(commit, scratch / "baseline-code")
    baseline = run_version(
        f"baseline {commit[:7]}",
        code,
        jobs,
        scratch / "baseline-out",
        prefect_home=home,
        workers=workers,
        timeout=timeout,
    )
    current = run_version(
        "working tree",
        REPO_ROOT,
        jobs,
        scratch / "current-out",
        prefect_home=home,
        workers=workers,
        timeout=timeout,
    )
    tables = {
        job.name: compare_outputs(baseline.outputs[job.name], current.outputs[job.name])
        for job in jobs
    }
    return Comparison(baseline, current, tables)
