"""Write: typed rows (flows/core/rows.py) to Arrow tables of the declared schemas.

Each column is read from the row's attribute of that name, with no default: a row of the wrong
table, or one lacking a column, is an error here, never a column of nulls in the file. Files are
written through flows.core.storage, which makes each one appear whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from operator import attrgetter

import pyarrow as pa

from flows.core.records import Rejection, RunContext
from flows.core.rows import ArticleRow, InputRow, QuarantineRow
from flows.core.schema import TableSchema, articles_schema, inputs_schema, quarantine_schema


def articles_table(rows: Iterable[ArticleRow]) -> pa.Table:
    """Article rows as a table of the articles schema, sorted by article_id."""
    return _table(rows, articles_schema(), order_by=("article_id",))


def quarantine_table(rejections: Iterable[Rejection], context: RunContext) -> pa.Table:
    """Rejections as a table of the quarantine schema, stamped with the run that made them."""
    rows = [QuarantineRow.of(rejection, context) for rejection in rejections]
    return _table(rows, quarantine_schema(), order_by=("source_uri", "record_id"))


def inputs_table(rows: Iterable[InputRow]) -> pa.Table:
    """Processed-input rows as a table of the inputs schema, sorted by source and key."""
    return _table(rows, inputs_schema(), order_by=("source_uri", "input_sha256"))


def _table(rows: Iterable[object], schema: TableSchema, order_by: tuple[str, ...]) -> pa.Table:
    ordered = list(rows)
    for row_type in {type(row) for row in ordered}:
        _check_row_type(row_type, schema)
    ordered.sort(key=attrgetter(*order_by))
    columns = {name: [getattr(row, name) for row in ordered] for name in schema.names}
    table = pa.Table.from_pydict(columns, schema=schema.arrow())
    # Arrow does not enforce nullable=False on construction; the dataset promises it, so check.
    for column in schema.columns:
        if not column.nullable and table[column.name].null_count:
            raise ValueError(f"{schema.name}.{column.name} is declared not null but a row has null")
    return table


def _check_row_type(row_type: type, schema: TableSchema) -> None:
    """A row must be a dataclass with exactly the table's columns: no missing, no extra one."""
    names = [field.name for field in fields(row_type)] if is_dataclass(row_type) else []
    if set(names) != set(schema.names):
        missing = [name for name in schema.names if name not in names]
        extra = [name for name in names if name not in schema.names]
        raise TypeError(
            f"a {row_type.__name__} is not a row of the {schema.name} table "
            f"(missing columns: {missing or 'none'}; unknown: {extra or 'none'})"
        )
