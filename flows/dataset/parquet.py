"""Write: rows to Arrow tables of the declared schemas (articles, quarantine, inputs).

Files are written through flows.core.storage, which makes each one appear whole or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from flows.core.records import Rejection
from flows.core.schema import TableSchema, articles_schema, inputs_schema, quarantine_schema
from flows.stages.process import RunContext


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


def inputs_table(rows: Iterable[dict[str, Any]], context: RunContext) -> pa.Table:
    """Processed-input rows (input_sha256, record_id, outcome, source...) stamped with the run."""
    stamped = [
        {**row, "run_id": context.run_id, "ingested_at": context.started_at}
        for row in sorted(rows, key=lambda r: (r["source_uri"], r["input_sha256"]))
    ]
    return _table(stamped, inputs_schema())


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
