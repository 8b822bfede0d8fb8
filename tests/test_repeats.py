"""Paragraphs repeated across a publisher's articles in a run are boilerplate of kind `repeated`."""

from __future__ import annotations

import pyarrow as pa
from test_schema_and_write import article_row

from flows.core.rows import ArticleRow
from flows.core.schema import inputs_schema, quarantine_schema
from flows.core.stats import Stats
from flows.core.text import content_sha256
from flows.dataset.parquet import articles_table
from flows.dataset.state import DatasetState
from flows.run_steps.base import BatchTables, StagedBatch
from flows.run_steps.repeated_inputs import RepeatedInputs, reading_order
from flows.run_steps.repeated_lines import MIN_DOCUMENTS, RepeatedLines, publisher_key

SIGN_OFF = "Follow our live coverage of the election on the Harbour Daily app."


def _row(index: int, publisher: str | None, body: str, url: str | None = None) -> ArticleRow:
    return article_row(
        f"{index:016x}",
        publisher=publisher,
        url=url,
        body=body,
        content_sha256=content_sha256(body),
        word_count=len(body.split()),
    )


def _bodies(n: int, extra: str | None) -> list[str]:
    bodies = []
    for i in range(n):
        story = f"Story {i} begins with a sentence of its own about event number {i}."
        bodies.append(story if extra is None else f"{story}\n\n{extra}")
    return bodies


def batch(
    index: int, articles: pa.Table | None = None, inputs: pa.Table | None = None
) -> BatchTables:
    """A batch's tables as the run steps get them; those not given are empty."""
    return BatchTables(
        StagedBatch(index),
        articles=articles if articles is not None else articles_table([]),
        quarantine=quarantine_schema().arrow().empty_table(),
        inputs=inputs if inputs is not None else inputs_schema().arrow().empty_table(),
    )


def _strip(rows: list[ArticleRow]) -> list[dict[str, object]]:
    """The repeated-lines step measured, decided and applied over one batch of these rows."""
    step, tables = RepeatedLines(), batch(0, articles_table(rows))
    decision = step.decide([step.facts(tables)], DatasetState())
    stripped = step.apply(decision, tables, Stats()).articles
    return sorted(stripped.to_pylist(), key=lambda r: r["article_id"])


def test_a_sign_off_in_many_articles_of_one_publisher_is_removed_with_its_kind() -> None:
    rows = [
        _row(i, "Harbour Daily", body) for i, body in enumerate(_bodies(MIN_DOCUMENTS, SIGN_OFF))
    ]
    for row in _strip(rows):
        assert SIGN_OFF not in row["body"]
        assert row["body"].startswith("Story ")
        assert {"kind": "repeated", "text": SIGN_OFF, "rule": "repeated_v1"} in row["boilerplate"]
        assert row["content_sha256"] == content_sha256(row["body"])
        assert row["word_count"] == len(row["body"].split())


def test_below_the_threshold_nothing_is_removed() -> None:
    rows = [
        _row(i, "Harbour Daily", body)
        for i, body in enumerate(_bodies(MIN_DOCUMENTS - 1, SIGN_OFF))
    ]
    assert all(SIGN_OFF in row["body"] for row in _strip(rows))


def test_the_same_line_at_different_publishers_does_not_add_up() -> None:
    bodies = _bodies(MIN_DOCUMENTS + 1, SIGN_OFF)
    rows = [
        _row(i, "Harbour Daily" if i % 2 else "River Post", body) for i, body in enumerate(bodies)
    ]
    assert all(SIGN_OFF in row["body"] for row in _strip(rows))


def test_copies_of_one_article_count_once() -> None:
    body = f"The only story.\n\n{SIGN_OFF}"
    rows = [_row(i, "Harbour Daily", body) for i in range(MIN_DOCUMENTS + 2)]
    assert all(SIGN_OFF in row["body"] for row in _strip(rows))


def test_long_paragraphs_are_article_text_even_when_repeated() -> None:
    long_paragraph = "A long paragraph of a re-published wire story. " * 10
    rows = [
        _row(i, "Harbour Daily", body)
        for i, body in enumerate(_bodies(MIN_DOCUMENTS, long_paragraph.strip()))
    ]
    assert all(long_paragraph.strip() in row["body"] for row in _strip(rows))


def test_an_article_is_never_emptied_by_repetition_alone() -> None:
    # Distinct articles (identical bodies count once) that are nothing but the repeated line.
    rows = [
        _row(i, "Harbour Daily", f"{SIGN_OFF}\n\n{SIGN_OFF}" if i else SIGN_OFF)
        for i in range(MIN_DOCUMENTS)
    ]
    for row in _strip(rows):
        assert row["body"].strip()


def test_publisher_falls_back_to_the_url_host() -> None:
    assert publisher_key(None, "https://www.harbour.example/a/b") == "harbour.example"
    assert publisher_key("Harbour Daily", "https://x.example/") == "harbour daily"
    assert publisher_key(None, None) is None


def _resolve_repeats(table: pa.Table) -> tuple[pa.Table, frozenset[tuple[str, str]]]:
    """Each input row its own batch: the inputs after the repeated-inputs step, and the rows it
    drops (record_id, source_uri)."""
    step = RepeatedInputs()
    batches = [batch(i, inputs=table.slice(i, 1)) for i in range(table.num_rows)]
    decision = step.decide([step.facts(b) for b in batches], DatasetState())
    applied = [step.apply(decision, b, Stats()).inputs for b in batches]
    return pa.concat_tables(applied), decision.rows


def test_copies_across_batches_keep_the_first_in_reading_order() -> None:
    assert reading_order("f.jsonl#L9") < reading_order("f.jsonl#L10")
    assert reading_order("a.warc#offset=900") < reading_order("a.warc#offset=1200")
    key = "ab" * 32
    rows = [  # two batches each processed a copy; the later batch holds the earlier line
        {"input_sha256": key, "record_id": key[:16], "outcome": "article", "source_uri": uri}
        for uri in ("f.jsonl#L10", "f.jsonl#L9")
    ]
    stamped = [{**r, "run_id": "r", "ingested_at": None, "source_format": "jsonl"} for r in rows]
    table = pa.Table.from_pylist(stamped, schema=inputs_schema().arrow())
    resolved, dropped = _resolve_repeats(table)
    assert resolved["outcome"].to_pylist() == ["repeat", "article"]
    assert dropped == {(key[:16], "f.jsonl#L10")}
