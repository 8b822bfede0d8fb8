"""The schema file is the one source of truth; Parquet files appear whole or not at all."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from dataclasses import asdict, fields, make_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import get_type_hints

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.core.records import Rejection, RunContext, SourceDocument
from flows.core.rows import ArticleRow, InputRow, QuarantineRow
from flows.core.schema import (
    SchemaError,
    TableSchema,
    articles_schema,
    inputs_schema,
    load_schema,
    parse_type,
    quarantine_schema,
)
from flows.core.storage import Storage, write_parquet_atomic
from flows.dataset.parquet import articles_table, inputs_table, quarantine_table

REQUIRED = [
    "article_id", "source_uri", "url", "title", "body", "highlights", "published_at",
    "published_at_source", "dateline", "agency", "publisher", "authors", "contributors", "editors",
    "language", "language_score", "word_count", "related_headlines", "boilerplate", "duplicate_of",
    "story_id", "content_sha256", "run_id", "ingested_at", "pipeline_version",
]  # fmt: skip


def article_row(article_id: str = "0123456789abcdef", **overrides: object) -> ArticleRow:
    row: dict[str, object] = {name: None for name in articles_schema().names}
    row.update(
        article_id=article_id, source_uri="x.txt", source_format="text", body="Body text.",
        highlights=[], authors=["Ann Lee"], contributors=[], editors=[], related_headlines=[],
        boilerplate=[{"kind": "credit", "text": "By Ann Lee", "rule": "byline_v1"}],
        word_count=2, content_sha256="0" * 64, run_id="r", pipeline_version="0.1.0",
        story_id=article_id,
        ingested_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    row.update(overrides)
    return ArticleRow(**row)  # type: ignore[arg-type]


def test_schema_declares_every_required_column() -> None:
    assert set(REQUIRED) <= set(articles_schema().names)
    assert articles_schema().row_key == "article_id"


def test_arrow_schema_types_come_from_the_file() -> None:
    arrow = articles_schema().arrow()
    assert arrow.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert arrow.field("authors").type == pa.list_(pa.string())
    assert arrow.field("boilerplate").type.value_type.names == ["kind", "text", "rule"]
    assert not arrow.field("article_id").nullable
    assert arrow.field("title").nullable


def test_every_column_is_documented() -> None:
    for schema in (articles_schema(), quarantine_schema()):
        assert all(len(c.description) > 10 for c in schema.columns)
        table = schema.markdown_table()
        assert all(f"`{c.name}`" in table for c in schema.columns)


def test_unknown_type_and_malformed_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="unknown column type"):
        parse_type("decimal<3>")
    (tmp_path / "broken.v1.json").write_text("{")
    with pytest.raises(SchemaError, match="malformed"):
        load_schema("broken", directory=tmp_path)
    with pytest.raises(SchemaError, match="not found"):
        load_schema("absent", directory=tmp_path)


def test_articles_table_matches_schema_and_sorts_by_id() -> None:
    table = articles_table([article_row("b" * 16), article_row("a" * 16)])
    assert table.schema.equals(articles_schema().arrow(), check_metadata=False)
    assert table["article_id"].to_pylist() == ["a" * 16, "b" * 16]


def test_articles_table_refuses_a_null_in_a_required_column() -> None:
    with pytest.raises(ValueError, match="body is declared not null"):
        articles_table([article_row(body=None)])


def test_quarantine_table_keeps_reasons_and_the_article(tmp_path: Path) -> None:
    rejection = Rejection(
        "r1",
        "x.txt",
        "text",
        "validate",
        ["body_length"],
        "too short",
        article=asdict(article_row()),
    )
    table = quarantine_table([rejection], RunContext("r", datetime(2026, 1, 1, tzinfo=UTC), "v"))
    row = table.to_pylist()[0]
    assert row["reasons"] == ["body_length"]
    assert json.loads(row["article"])["article_id"] == "0123456789abcdef"


def test_atomic_write_leaves_no_temporary_file_and_readers_skip_hidden(tmp_path: Path) -> None:
    table = articles_table([article_row()])
    write_parquet_atomic(table, tmp_path / "d" / "part-1.parquet")
    (tmp_path / "d" / ".part-2.parquet.tmp").write_bytes(b"half a file")
    assert Storage(tmp_path).parquet_files("d") == ["d/part-1.parquet"]
    assert pq.read_table(tmp_path / "d" / "part-1.parquet").num_rows == 1
    assert (
        pq.ParquetFile(tmp_path / "d" / "part-1.parquet")
        .metadata.row_group(0)
        .column(0)
        .compression
        == "ZSTD"
    )


# --- typed rows: one field per column, checked where a row is built and where it is written ---

ROW_TYPES = [
    (ArticleRow, articles_schema),
    (QuarantineRow, quarantine_schema),
    (InputRow, inputs_schema),
]
CONTEXT = RunContext("r", datetime(2026, 1, 1, tzinfo=UTC), "v")


def _python_type(arrow: pa.DataType) -> object:
    """The Python type a row holds for a column of this Arrow type."""
    if pa.types.is_string(arrow):
        return str
    if pa.types.is_integer(arrow):
        return int
    if pa.types.is_floating(arrow):
        return float
    if pa.types.is_timestamp(arrow):
        return datetime
    if pa.types.is_list(arrow):
        return list[_python_type(arrow.value_type)]  # type: ignore[misc]
    if pa.types.is_struct(arrow):  # a struct is a dict of its fields, all of one type
        [item] = {_python_type(arrow.field(i).type) for i in range(arrow.num_fields)}
        return dict[str, item]  # type: ignore[valid-type]
    raise AssertionError(f"no Python type for {arrow}")


@pytest.mark.parametrize(("row_type", "schema"), ROW_TYPES)
def test_row_fields_are_the_schema_columns_in_order_with_their_types(
    row_type: type, schema: Callable[[], TableSchema]
) -> None:
    table = schema()
    assert [field.name for field in fields(row_type)] == table.names
    hints = get_type_hints(row_type)
    for column in table.columns:
        expected = _python_type(column.arrow_type)
        if column.nullable:
            expected = expected | None  # type: ignore[operator]
        assert hints[column.name] == expected, column.name


def test_a_misspelled_or_missing_field_is_an_error_where_the_row_is_built() -> None:
    values = asdict(article_row())
    with pytest.raises(TypeError, match="titel"):
        ArticleRow(**{**values, "titel": "A headline"})  # type: ignore[arg-type]
    del values["duplicate_of"]
    with pytest.raises(TypeError, match="duplicate_of"):
        ArticleRow(**values)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ArticleRow(*asdict(article_row()).values())  # type: ignore[misc]  # keywords only


def test_the_writer_rejects_a_row_lacking_a_column_or_of_another_table() -> None:
    names = [(f.name, f.type) for f in fields(ArticleRow) if f.name != "body"]
    lacking = make_dataclass("LackingBody", names, frozen=True)
    values = asdict(article_row())
    del values["body"]
    with pytest.raises(TypeError, match=r"missing columns: \['body'\]"):
        articles_table([lacking(**values)])
    rejection = Rejection("r1", "x.txt", "text", "clean", ["no_article_text"])
    with pytest.raises(TypeError, match="QuarantineRow is not a row of the articles table"):
        articles_table([QuarantineRow.of(rejection, CONTEXT)])  # type: ignore[list-item]
    with pytest.raises((TypeError, AttributeError)):
        articles_table([values])  # type: ignore[list-item]  # a dict is no row any more


def test_rows_are_frozen_and_pickle() -> None:
    row = article_row()
    with pytest.raises(AttributeError):
        row.body = "changed"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(row)) == row


def test_typed_rows_give_the_table_arrow_gives_for_the_same_values() -> None:
    rows = [article_row("b" * 16, title="B"), article_row("a" * 16, published_at=None)]
    expected = pa.Table.from_pylist(
        [asdict(row) for row in sorted(rows, key=lambda row: row.article_id)],
        schema=articles_schema().arrow(),
    )
    assert articles_table(rows).equals(expected)


def test_quarantine_and_input_rows_take_every_column_from_their_record() -> None:
    doc = SourceDocument("c" * 16, "in/c.txt", "text", "text", "Body.", 5, input_sha256="c" * 64)
    rejection = Rejection(
        "d" * 16, "in/d.html", "html", "extract", ["no_main_text", "other"], "no text",
        raw_excerpt="<html>", raw_size_bytes=6, article={"when": datetime(2026, 1, 2, tzinfo=UTC)},
        input_sha256="d" * 64,
    )  # fmt: skip
    [quarantined] = quarantine_table([rejection], CONTEXT).to_pylist()
    assert quarantined == {
        "record_id": "d" * 16, "source_uri": "in/d.html", "source_format": "html",
        "stage": "extract", "reasons": ["no_main_text", "other"], "detail": "no text",
        "raw_excerpt": "<html>", "raw_size_bytes": 6, "article": '{"when": "2026-01-02T00:00:00+00:00"}',
        "run_id": "r", "ingested_at": CONTEXT.started_at, "pipeline_version": "v",
    }  # fmt: skip
    recorded = inputs_table(
        [InputRow.of(rejection, "quarantine", CONTEXT), InputRow.of(doc, "article", CONTEXT)]
    )
    assert recorded.to_pylist() == [
        {"input_sha256": "c" * 64, "record_id": "c" * 16, "outcome": "article",
         "source_uri": "in/c.txt", "source_format": "text", "raw_size_bytes": 5,
         "run_id": "r", "ingested_at": CONTEXT.started_at},
        {"input_sha256": "d" * 64, "record_id": "d" * 16, "outcome": "quarantine",
         "source_uri": "in/d.html", "source_format": "html", "raw_size_bytes": 6,
         "run_id": "r", "ingested_at": CONTEXT.started_at},
    ]  # fmt: skip
