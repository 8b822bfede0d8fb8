"""WARC input: each HTML 200 response is a document with its URL and fetch time; the rest is counted."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.core.records import Rejection, SourceDocument
from flows.readers import FilePart, InputFile, discover, plan_parts, read_documents
from flows.readers.keys import location_key

PAGE = (
    b"<html><head><title>Council backs ferry plan</title></head><body><article>"
    b"<p>The council voted on Wednesday to back the ferry plan for the islands.</p>"
    b"<p>The service starts in May and runs four times a day.</p></article></body></html>"
)


def _response(
    writer: WARCWriter, url: str, status: str, content_type: str, body: bytes, date: str
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def write_warc(path: Path, *, gzip: bool) -> None:
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = writer.create_warc_record(
            "https://news.example/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")
        )
        writer.write_record(request)
        _response(
            writer,
            "https://news.example/2024/03/14/a",
            "200 OK",
            "text/html; charset=utf-8",
            PAGE,
            "2024-03-15T10:00:00Z",
        )
        _response(
            writer,
            "https://news.example/missing",
            "404 Not Found",
            "text/html",
            b"<html>nope</html>",
            "2024-03-15T10:00:01Z",
        )
        _response(
            writer,
            "https://news.example/logo.png",
            "200 OK",
            "image/png",
            b"\x89PNG....",
            "2024-03-15T10:00:02Z",
        )
        _response(
            writer,
            "https://news.example/b",
            "301 Moved Permanently",
            "text/html",
            b"",
            "2024-03-15T10:00:03Z",
        )


@pytest.mark.parametrize(("name", "gzip"), [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_html_responses_become_documents_and_the_rest_is_counted(
    tmp_path: Path, name: str, gzip: bool
) -> None:
    write_warc(tmp_path / name, gzip=gzip)
    [item], skipped_files = discover([tmp_path])
    assert item.format == "warc" and not skipped_files
    counts: Counter[str] = Counter()
    docs = list(read_documents(item, skipped_records=counts))
    [doc] = docs
    assert isinstance(doc, SourceDocument)
    assert doc.source_format == "warc" and doc.content_kind == "html"
    assert doc.seed.url == "https://news.example/2024/03/14/a"
    assert doc.seed.fetched_at == "2024-03-15T10:00:00Z"
    assert "Council backs ferry plan" in doc.content
    assert "#offset=" in doc.source_uri
    assert counts == Counter(
        {
            "warc_warcinfo_record": 1,
            "warc_request_record": 1,
            "warc_status_404": 1,
            "warc_not_html": 1,
            "warc_status_301": 1,
        }
    )


def test_record_ids_are_stable_across_reads(tmp_path: Path) -> None:
    write_warc(tmp_path / "c.warc.gz", gzip=True)
    [item], _ = discover([tmp_path])
    first = [d.record_id for d in read_documents(item)]
    second = [d.record_id for d in read_documents(item)]
    assert first == second


@pytest.mark.parametrize("gzip", [True, False])
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_warc_keeps_what_was_read_and_quarantines_the_rest(
    tmp_path: Path, gzip: bool, keep: float
) -> None:
    path = tmp_path / ("c.warc.gz" if gzip else "c.warc")
    write_warc(path, gzip=gzip)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    [item], _ = discover([tmp_path])
    docs = list(read_documents(item))
    assert isinstance(docs[-1], Rejection)
    assert docs[-1].reasons == ["corrupt_warc"]


def test_empty_warc_is_quarantined(tmp_path: Path) -> None:
    (tmp_path / "e.warc").write_bytes(b"")
    [item], _ = discover([tmp_path])
    [rejection] = list(read_documents(item))
    assert isinstance(rejection, Rejection) and rejection.reasons == ["empty_input"]
    assert rejection.detail == "the file is empty" and rejection.raw_size_bytes == 0
    assert rejection.input_sha256 == location_key("e.warc")


def test_warc_emptiness_is_judged_by_its_content_not_its_listed_size(tmp_path: Path) -> None:
    """A listing without sizes (size 0) does not make a WARC empty; a listed size does not
    make an empty one full."""
    write_warc(tmp_path / "c.warc", gzip=False)
    (tmp_path / "e.warc").write_bytes(b"")
    unsized = InputFile("c.warc", str(tmp_path / "c.warc"), "warc", 0)
    docs = list(read_documents(unsized))
    assert docs and all(isinstance(d, SourceDocument) for d in docs)
    sized = InputFile("e.warc", str(tmp_path / "e.warc"), "warc", 1234)
    [rejection] = list(read_documents(sized))
    assert isinstance(rejection, Rejection) and rejection.reasons == ["empty_input"]


def write_big_warc(path: Path, *, gzip: bool, pages: int = 30) -> None:
    """Many HTML pages with requests, 404s and images among them, like a crawl's WARC."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i in range(pages):
            url = f"https://news.example/2024/03/{i}"
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
            )
            writer.write_record(request)
            body = PAGE.replace(b"ferry plan", f"ferry plan number {i}".encode())
            _response(writer, url, "200 OK", "text/html", body, f"2024-03-15T10:{i % 60:02d}:00Z")
            if i % 4 == 0:
                _response(writer, url + "/x", "404 Not Found", "text/html", b"<html/>", "2024")
            if i % 6 == 0:
                _response(writer, url + ".png", "200 OK", "image/png", b"\x89PNG", "2024")


def _read_whole_and_parts(
    item: InputFile, per_part: int
) -> tuple[list[FilePart], list[tuple[object, ...]], list[tuple[object, ...]], Counter[str]]:
    """The parts, what reading the whole file gives, what reading every part gives; and the
    skipped-record counts, asserted equal both ways."""
    whole_skipped: Counter[str] = Counter()
    whole = [_row(d) for d in read_documents(item, skipped_records=whole_skipped)]
    parts = [part for part, _ in plan_parts(item, per_part) if isinstance(part, FilePart)]
    parts_skipped: Counter[str] = Counter()
    read = [_row(d) for part in parts for d in read_documents(part, skipped_records=parts_skipped)]
    assert parts_skipped == whole_skipped
    return parts, whole, read, whole_skipped


def _row(doc: SourceDocument | Rejection) -> tuple[object, ...]:
    return (
        type(doc).__name__,
        doc.record_id,
        doc.input_sha256,
        doc.source_uri,
        doc.reasons if isinstance(doc, Rejection) else doc.seed.url,
    )


@pytest.mark.parametrize(("name", "gzip"), [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_a_big_warc_read_in_parts_gives_exactly_the_whole_read(
    tmp_path: Path, name: str, gzip: bool
) -> None:
    write_big_warc(tmp_path / name, gzip=gzip)
    [item], _ = discover([tmp_path])
    for per_part in (1, 4, 7):
        parts, whole, read, skipped = _read_whole_and_parts(item, per_part)
        assert len(whole) == 30 and read == whole
        assert len(parts) >= 30 // per_part
        assert skipped["warc_request_record"] == 30 and skipped["warc_status_404"] == 8
        offsets = [part.offset for part in parts]
        assert offsets[0] == 0 and offsets == sorted(set(offsets))
        assert [part.last for part in parts] == [False] * (len(parts) - 1) + [True]
    # Each part holds at most per_part documents, weighed as such for the batches.
    planned = plan_parts(item, 4)
    assert [weight for _, weight in planned] == [4] * 7 + [2]
    assert plan_parts(item, 4) == planned  # the same bytes, the same cuts


@pytest.mark.parametrize("gzip", [True, False])
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_a_truncated_warc_in_parts_reports_the_damage_once_where_a_whole_read_does(
    tmp_path: Path, gzip: bool, keep: float
) -> None:
    path = tmp_path / ("c.warc.gz" if gzip else "c.warc")
    write_big_warc(path, gzip=gzip)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    [item], _ = discover([tmp_path])
    parts, whole, read, _ = _read_whole_and_parts(item, 3)
    assert len(parts) >= 2
    assert read == whole
    assert [row[-1] for row in read].count(["corrupt_warc"]) == 1
    assert read[-1][-1] == ["corrupt_warc"]


def test_a_warc_gzipped_as_one_stream_is_not_cut(tmp_path: Path) -> None:
    """Without a gzip member per record there is nowhere to seek to: one part, read as before."""
    import gzip

    write_big_warc(tmp_path / "plain.warc", gzip=False)
    (tmp_path / "one-stream.warc.gz").write_bytes(
        gzip.compress((tmp_path / "plain.warc").read_bytes())
    )
    (tmp_path / "plain.warc").unlink()
    [item], _ = discover([tmp_path])
    [(whole, _)] = plan_parts(item, 2)
    assert whole == item
