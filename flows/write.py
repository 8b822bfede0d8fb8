"""Write: rows to Arrow tables of the declared schema, and Parquet files that appear atomically.

A file is written under a hidden temporary name in its final folder, synced, then renamed: a
reader (pandas, pyarrow, duckdb, polars) either sees the whole file or no file. Parquet readers
skip names that start with "." or "_", so a temporary file is never read as data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from flows.process import RunContext
from flows.records import Rejection
from flows.schema import TableSchema, articles_schema, quarantine_schema

COMPRESSION = "zstd"
ROW_GROUP_SIZE = 10_000


def articles_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Rows (dicts keyed by column) as a table of the articles schema, sorted by article_id."""
    ordered = sorted(rows, key=lambda row: row["article_id"])
    return _table(ordered, articles_schema())


def quarantine_table(rejections: Iterable[Rejection], context: RunContext) -> pa.Table:
    """Rejections as a table of the quarantine schema, stamped with the run that made them."""
    rows = []
    for rejection in sorted(rejections, key=lambda r: (r.source_uri, r.record_id)):
        row = asdict(rejection)
        row["article"] = (
            json.dumps(rejection.article, default=_json_default) if rejection.article else None
        )
        row.update(
            run_id=context.run_id,
            ingested_at=context.started_at,
            pipeline_version=context.pipeline_version,
        )
        rows.append(row)
    return _table(rows, quarantine_schema())


def _table(rows: Sequence[dict[str, Any]], schema: TableSchema) -> pa.Table:
    arrow_schema = schema.arrow()
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    table = pa.Table.from_pydict(columns, schema=arrow_schema)
    # Arrow does not enforce nullable=False on construction; the dataset promises it, so check.
    for column in schema.columns:
        if not column.nullable and table[column.name].null_count:
            raise ValueError(f"{schema.name}.{column.name} is declared not null but a row has null")
    return table


def _json_default(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def write_parquet_atomic(table: pa.Table, path: Path) -> Path:
    """Write table to path so that it appears complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(
        table,
        temporary,
        compression=COMPRESSION,
        row_group_size=ROW_GROUP_SIZE,
        write_statistics=True,
    )
    _fsync(temporary)
    os.replace(temporary, path)
    _fsync(path.parent)
    return path


def write_text_atomic(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    _fsync(temporary)
    os.replace(temporary, path)
    return path


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def parquet_files(folder: Path) -> list[Path]:
    """The data files of a dataset folder, as Parquet readers see them (no hidden files)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*.parquet")
        if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    )


def read_columns(folder: Path, columns: list[str]) -> pa.Table | None:
    """Some columns of every data file in folder, or None when it holds none."""
    files = parquet_files(folder)
    if not files:
        return None
    return pa.concat_tables(pq.read_table(f, columns=columns) for f in files)
