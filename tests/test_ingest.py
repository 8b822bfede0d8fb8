"""Ingest: discovery, formats, encodings, and every kind of bad input as a clear rejection."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from flows.core.records import Rejection, SourceDocument
from flows.readers.ingest import (
    FilePart,
    InputError,
    InputFile,
    content_key,
    decode_bytes,
    discover,
    input_format,
    iter_documents,
    location_key,
    looks_binary,
    plan_parts,
    read_documents,
    record_id,
)

ARTICLE = "A headline\n\nThe first sentence of the article. The second sentence follows it.\n"


def _read(
    tmp_path: Path, name: str, data: bytes, **kwargs: int
) -> list[SourceDocument | Rejection]:
    path = tmp_path / name
    path.write_bytes(data)
    files, skipped = discover([path])
    assert not skipped
    return list(read_documents(files[0], **kwargs))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", "text"),
        ("A.HTML", "html"),
        ("a.htm", "html"),
        ("a.html.gz", "html"),
        ("a.jsonl", "jsonl"),
        ("a.jsonl.gz", "jsonl"),
        ("a.txt.gz", "text"),
        ("a.pdf", None),
        ("a.json", None),
        ("README", None),
    ],
)
def test_input_format_by_suffix(name: str, expected: str | None) -> None:
    assert input_format(name) == expected


def test_discover_walks_folders_sorted_and_reports_unsupported(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text(ARTICLE)
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b" / "notes.pdf").write_bytes(b"%PDF-1.4")
    files, skipped = discover([tmp_path])
    assert [f.relpath for f in files] == ["a.txt", "b/2.txt"]
    assert [Path(s.source_uri).name for s in skipped] == ["notes.pdf"]
    assert "unsupported" in skipped[0].reason


def test_discover_counts_a_file_named_twice_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    files, _ = discover([tmp_path, tmp_path / "a.txt"])
    assert len(files) == 1


def test_missing_input_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        discover([tmp_path / "nope"])


def test_input_keys_follow_the_bytes_not_the_name() -> None:
    assert content_key(b"x") == content_key(b"x") != content_key(b"y")
    assert len(content_key(b"x")) == 64 and len(record_id(content_key(b"x"))) == 16
    # Inputs that cannot be read whole are told apart by where they are.
    assert location_key("a.txt") != location_key("b.txt")
    assert location_key("a.txt", b"x") != location_key("a.txt", b"y")
    assert location_key("a.txt") != content_key(b"")


def test_the_same_bytes_under_two_names_are_one_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "copy-of-a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty-1.txt").write_bytes(b"")
    (tmp_path / "empty-2.txt").write_bytes(b"")
    files, _ = discover([tmp_path])
    docs = {Path(d.source_uri).name: d for d in iter_documents(files)}
    assert docs["a.txt"].input_sha256 == docs["copy-of-a.txt"].input_sha256
    assert docs["a.txt"].record_id == docs["copy-of-a.txt"].record_id
    # Two empty files are two inputs (each quarantined on its own), not one.
    assert docs["empty-1.txt"].input_sha256 != docs["empty-2.txt"].input_sha256


def test_moving_a_corpus_keeps_ids(tmp_path: Path) -> None:
    for folder in ("one", "two/deeper"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.txt").write_text(ARTICLE)
    first = list(read_documents(discover([tmp_path / "one"])[0][0]))
    second = list(read_documents(discover([tmp_path / "two" / "deeper"])[0][0]))
    assert first[0].record_id == second[0].record_id


def test_plain_text_document(tmp_path: Path) -> None:
    [doc] = _read(tmp_path, "a.txt", ARTICLE.encode())
    assert isinstance(doc, SourceDocument)
    assert (doc.source_format, doc.content_kind) == ("text", "text")
    assert doc.content == ARTICLE


def test_crlf_newlines_are_normalized(tmp_path: Path) -> None:
    [doc] = _read(tmp_path, "a.txt", b"Line one.\r\nLine two.\r\n")
    assert isinstance(doc, SourceDocument)
    assert doc.content == "Line one.\nLine two.\n"


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  "])
def test_empty_file_is_rejected(tmp_path: Path, data: bytes) -> None:
    [rej] = _read(tmp_path, "empty.txt", data)
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["empty_input"]
    assert rej.stage == "ingest"


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    [rej] = _read(tmp_path, "image.txt", bytes(range(256)) * 40)
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["binary_content"]


def test_cp1252_file_is_decoded_not_mangled(tmp_path: Path) -> None:
    text = "Caf\u00e9 owners said \u201cprices rose\u201d in M\u00fcnchen \u2013 again. " * 5
    [doc] = _read(tmp_path, "cp.txt", text.encode("cp1252"))
    assert isinstance(doc, SourceDocument)
    assert "\u201cprices rose\u201d" in doc.content
    assert "M\u00fcnchen" in doc.content


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Gr\u00fc\u00dfe aus K\u00f6ln</p></body></html>'
    [doc] = _read(tmp_path, "page.html", html.encode("latin-1"))
    assert isinstance(doc, SourceDocument)
    assert "Gr\u00fc\u00dfe aus K\u00f6ln" in doc.content
    assert doc.content_kind == "html"


def test_utf8_bom_and_utf16_are_decoded() -> None:
    assert decode_bytes("\ufeffHello".encode()) == "Hello"
    assert decode_bytes("Hello w\u00f6rld".encode("utf-16")) == "Hello w\u00f6rld"
    assert not looks_binary("Hello".encode("utf-16"))


def test_gzipped_html(tmp_path: Path) -> None:
    html = b"<html><body><article><p>Text.</p></article></body></html>"
    [doc] = _read(tmp_path, "p.html.gz", gzip.compress(html))
    assert isinstance(doc, SourceDocument)
    assert doc.content == html.decode()


def test_truncated_gzip_is_rejected(tmp_path: Path) -> None:
    data = gzip.compress(b"<html><body>" + b"<p>word</p>" * 5000 + b"</body></html>")
    [rej] = _read(tmp_path, "p.html.gz", data[: len(data) // 2])
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["corrupt_compression"]


def test_enormous_file_is_rejected_without_reading_it_all(tmp_path: Path) -> None:
    big = (b"A sentence of an enormous text file. " * 600_000)[: 20 * 1024 * 1024]
    [rej] = _read(tmp_path, "big.txt", big, max_document_bytes=5 * 1024 * 1024)
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["too_large"]
    assert rej.raw_size_bytes == len(big)


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
    docs = _read(tmp_path, "feed.jsonl", ("\n".join(lines) + "\n").encode())
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
    [rej] = _read(tmp_path, name, data)
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
    docs = _read(tmp_path, "feed.jsonl.gz", data[: int(len(data) * 0.7)])
    assert isinstance(docs[0], SourceDocument)
    assert isinstance(docs[-1], Rejection)
    assert docs[-1].reasons == ["corrupt_compression"]


def test_fsspec_url_inputs_behave_like_local_paths(tmp_path: Path) -> None:
    import fsspec

    memory = fsspec.filesystem("memory")
    memory.pipe("/corpus/a.txt", ARTICLE.encode())
    memory.pipe(
        "/corpus/sub/b.html.gz", gzip.compress(b"<html><body><p>Hi there.</p></body></html>")
    )
    memory.pipe("/corpus/notes.pdf", b"%PDF")
    (tmp_path / "a.txt").write_text(ARTICLE)
    files, skipped = discover(["memory://corpus"])
    assert [(f.relpath, f.format) for f in files] == [("a.txt", "text"), ("sub/b.html.gz", "html")]
    assert [s.source_uri for s in skipped] == ["memory:///corpus/notes.pdf"]
    [doc] = list(read_documents(files[0]))
    [local] = list(read_documents(discover([tmp_path / "a.txt"])[0][0]))
    assert isinstance(doc, SourceDocument) and isinstance(local, SourceDocument)
    assert doc.content == local.content
    assert doc.record_id == local.record_id  # the same name and bytes: the same id, wherever stored
    [page] = list(read_documents(files[1]))
    assert isinstance(page, SourceDocument) and "Hi there" in page.content
    with pytest.raises(InputError, match="does not exist"):
        discover(["memory://nowhere"])


def test_a_url_of_an_unknown_protocol_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"cannot read nosuchproto://x: .*nosuchproto"):
        discover(["nosuchproto://x"])


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
