"""WARC input: each HTML 200 response is a document with its URL and fetch time; the rest is counted."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.ingest import discover, read_documents
from flows.records import Rejection, SourceDocument

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
