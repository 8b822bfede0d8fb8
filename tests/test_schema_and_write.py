"""The schema file is the one source of truth; Parquet files appear whole or not at all."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.core.records import Rejection, RunContext
from flows.core.rows import ArticleRow
from flows.core.schema import (
    SchemaError,
    articles_schema,
    load_schema,
    parse_type,
    quarantine_schema,
)
from flows.core.storage import Storage, write_parquet_atomic
from flows.dataset.parquet import articles_table, quarantine_table

REQUIRED = [
    "article_id", "source_uri", "url", "title", "body", "highlights", "published_at",
    "published_at_source", "dateline", "agency", "publisher", "authors", "contributors", "editors",
    "language", "language_score", "word_count", "related_headlines", "boilerplate", "duplicate_of",
    "content_sha256", "run_id", "ingested_at", "pipeline_version",
]  # fmt: skip


def article_row(article_id: str = "0123456789abcdef", **overrides: object) -> ArticleRow:
    row: dict[str, object] = {name: None for name in articles_schema().names}
    row.update(
        article_id=article_id, source_uri="x.txt", source_format="text", body="Body text.",
        highlights=[], authors=["Ann Lee"], contributors=[], editors=[], related_headlines=[],
        boilerplate=[{"kind": "credit", "text": "By Ann Lee", "rule": "byline_v1"}],
        word_count=2, content_sha256="0" * 64, run_id="r", pipeline_version="0.1.0",
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
