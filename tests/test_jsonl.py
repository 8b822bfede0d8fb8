"""JSON Lines: one document per line, metadata seeded from its fields, a bad line rejected on
its own, and a big file cut into parts that read exactly as the whole file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from test_decode import read_file

from flows.core.records import Rejection, SourceDocument
from flows.readers import FilePart, InputFile, discover, iter_documents, plan_parts, read_documents
from flows.readers.keys import location_key

ARTICLE = "A headline\n\nThe first sentence of the article. The second sentence follows it.\n"


def test_jsonl_records_seed_metadata_and_bad_lines_are_rejected(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"url": "https://example.com/a", "title": "T", "date": "2024-01-02", "text": ARTICLE}
        ),
        "",
        "{not json",
        json.dumps({"url": "https://example.com/b"}),
        json.dumps(["a", "list"]),
        json.dumps(
            {
                "html": "<html><body><p>Hi</p></body></html>",
                "source": "Example News",
                "author": "Ann Lee",
            }
        ),
    ]
    docs = read_file(tmp_path, "feed.jsonl", ("\n".join(lines) + "\n").encode())
    assert [type(d).__name__ for d in docs] == [
        "SourceDocument",
        "Rejection",
        "Rejection",
        "Rejection",
        "SourceDocument",
    ]
    first, bad_json, no_content, not_object, html = docs
    assert isinstance(first, SourceDocument) and isinstance(html, SourceDocument)
    assert first.seed.url == "https://example.com/a"
    assert first.seed.date == "2024-01-02" and first.seed.date_source == "input_field"
    assert first.content_kind == "text" and html.content_kind == "html"
    assert html.seed.publisher == "Example News" and html.seed.author == "Ann Lee"
    assert first.source_uri.endswith("feed.jsonl#L1") and html.source_uri.endswith("#L6")
    assert isinstance(bad_json, Rejection) and bad_json.reasons == ["malformed_json"]
    assert isinstance(no_content, Rejection) and no_content.reasons == ["missing_content"]
    assert isinstance(not_object, Rejection) and not_object.reasons == ["malformed_json"]
    assert len({d.record_id for d in docs}) == 5


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        ("empty.jsonl", b"", "the file is empty"),
        ("blank.jsonl", b"\n  \n\r\n\t\n", "the file holds only blank lines"),
        ("empty.jsonl.gz", gzip.compress(b""), "the file is empty"),
        ("blank.jsonl.gz", gzip.compress(b"\n\n"), "the file holds only blank lines"),
    ],
)
def test_a_jsonl_file_without_records_is_one_empty_input(
    tmp_path: Path, name: str, data: bytes, detail: str
) -> None:
    [rej] = read_file(tmp_path, name, data)
    assert isinstance(rej, Rejection)
    assert (rej.reasons, rej.detail, rej.stage) == (["empty_input"], detail, "ingest")
    assert rej.source_uri == str(tmp_path / name)
    assert rej.input_sha256 == location_key(name)  # keyed by where it is, not by its bytes
    assert rej.raw_size_bytes == len(gzip.decompress(data) if name.endswith(".gz") else data)


def test_two_empty_jsonl_files_are_two_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"")
    (tmp_path / "b.jsonl").write_bytes(b"\n")
    files, _ = discover([tmp_path])
    rejections = list(iter_documents(files))
    assert [r.reasons for r in rejections if isinstance(r, Rejection)] == [["empty_input"]] * 2
    assert len({r.input_sha256 for r in rejections}) == 2


def test_truncated_jsonl_gzip_keeps_the_lines_before_the_damage(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": f"Article number {i}. " * 50}) + "\n" for i in range(200))
    data = gzip.compress(lines.encode())
    docs = read_file(tmp_path, "feed.jsonl.gz", data[: int(len(data) * 0.7)])
    assert isinstance(docs[0], SourceDocument)
    assert isinstance(docs[-1], Rejection)
    assert docs[-1].reasons == ["corrupt_compression"]


def _feed(records: int) -> bytes:
    """JSON Lines with blank, malformed and content-less lines among the articles."""
    lines = []
    for i in range(records):
        lines.append(json.dumps({"url": f"https://example.com/{i}", "text": f"Story {i}. " * 30}))
        if i % 5 == 0:
            lines.append("")
        if i % 7 == 3:
            lines.append("{not json")
        if i % 9 == 4:
            lines.append(json.dumps({"url": "https://example.com/empty"}))
    return "\n".join(lines).encode()  # the last line has no newline


Read = list[tuple[object, ...]]


def _as_read(docs: list[SourceDocument | Rejection]) -> Read:
    return [
        (type(d).__name__, d.record_id, d.input_sha256, d.source_uri, getattr(d, "reasons", None))
        for d in docs
    ]


def _read_parts(item: InputFile, per_part: int) -> tuple[list[FilePart], Read]:
    """The file cut into parts, and what reading every part, in order, gives."""
    parts = [part for part, _ in plan_parts(item, per_part) if isinstance(part, FilePart)]
    return parts, _as_read([d for part in parts for d in read_documents(part)])


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.jsonl.gz"])
def test_a_big_jsonl_file_read_in_parts_gives_exactly_the_whole_read(
    tmp_path: Path, name: str
) -> None:
    data = _feed(40)
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    [item], _ = discover([tmp_path])
    whole = _as_read(list(read_documents(item)))
    assert len(whole) > 40 and any(row[0] == "Rejection" for row in whole)
    for per_part in (1, 4, 7):
        parts, read = _read_parts(item, per_part)
        assert len(parts) >= 7
        assert read == whole, per_part
        assert [p.count is None for p in parts] == [False] * (len(parts) - 1) + [True]
        assert [p.first for p in parts] == sorted({p.first for p in parts})
    # Plain JSON Lines parts start by seeking; a gzip stream cannot, so its parts skip lines.
    parts, _ = _read_parts(item, 4)
    if name.endswith(".gz"):
        assert {p.offset for p in parts} == {0}
    else:
        assert all(p.offset > 0 for p in parts[1:])
    assert plan_parts(item, 4) == plan_parts(item, 4)  # the same bytes, the same cuts


def test_a_plain_jsonl_part_starts_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_bytes(_feed(30))
    [item], _ = discover([tmp_path])
    parts, _ = _read_parts(item, 5)
    data = (tmp_path / "feed.jsonl").read_bytes()
    for part in parts[1:]:
        assert data[part.offset - 1 : part.offset] == b"\n"
        assert data[: part.offset].count(b"\n") == part.first
        docs = list(read_documents(part))
        if docs:
            assert int(docs[0].source_uri.rsplit("#L", 1)[1]) > part.first


def test_a_file_that_fits_in_one_part_is_not_cut(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_bytes(_feed(10))
    [item], _ = discover([tmp_path])
    [(whole, weight)] = plan_parts(item, 1000)
    assert whole == item and weight > 10


def test_a_truncated_jsonl_gzip_in_parts_reports_the_damage_once(tmp_path: Path) -> None:
    data = gzip.compress(_feed(3000))
    (tmp_path / "feed.jsonl.gz").write_bytes(data[: int(len(data) * 0.6)])
    [item], _ = discover([tmp_path])
    whole = _as_read(list(read_documents(item)))
    assert whole[-1][-1] == ["corrupt_compression"]
    parts, read = _read_parts(item, 200)
    assert len(parts) >= 3
    assert read == whole
    damaged = [row for row in read if row[-1] == ["corrupt_compression"]]
    assert len(damaged) == 1
    # Only the last part meets the damage: the earlier ones end before it.
    assert _as_read(list(read_documents(parts[-1])))[-1][-1] == ["corrupt_compression"]
