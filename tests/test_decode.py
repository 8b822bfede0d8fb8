"""Text and HTML files: encodings, newlines, gzip, and every kind of unreadable file as a clear
rejection."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from flows.core.records import Rejection, SourceDocument
from flows.readers import discover, read_documents
from flows.readers.decode import decode_bytes, looks_binary

ARTICLE = "A headline\n\nThe first sentence of the article. The second sentence follows it.\n"


def read_file(
    tmp_path: Path, name: str, data: bytes, **kwargs: int
) -> list[SourceDocument | Rejection]:
    """What reading `data`, saved as `name`, gives."""
    path = tmp_path / name
    path.write_bytes(data)
    files, skipped = discover([path])
    assert not skipped
    return list(read_documents(files[0], **kwargs))


def test_plain_text_document(tmp_path: Path) -> None:
    [doc] = read_file(tmp_path, "a.txt", ARTICLE.encode())
    assert isinstance(doc, SourceDocument)
    assert (doc.source_format, doc.content_kind) == ("text", "text")
    assert doc.content == ARTICLE


def test_crlf_newlines_are_normalized(tmp_path: Path) -> None:
    [doc] = read_file(tmp_path, "a.txt", b"Line one.\r\nLine two.\r\n")
    assert isinstance(doc, SourceDocument)
    assert doc.content == "Line one.\nLine two.\n"


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  "])
def test_empty_file_is_rejected(tmp_path: Path, data: bytes) -> None:
    [rej] = read_file(tmp_path, "empty.txt", data)
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["empty_input"]
    assert rej.stage == "ingest"


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    [rej] = read_file(tmp_path, "image.txt", bytes(range(256)) * 40)
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["binary_content"]


def test_cp1252_file_is_decoded_not_mangled(tmp_path: Path) -> None:
    text = "Caf\u00e9 owners said \u201cprices rose\u201d in M\u00fcnchen \u2013 again. " * 5
    [doc] = read_file(tmp_path, "cp.txt", text.encode("cp1252"))
    assert isinstance(doc, SourceDocument)
    assert "\u201cprices rose\u201d" in doc.content
    assert "M\u00fcnchen" in doc.content


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Gr\u00fc\u00dfe aus K\u00f6ln</p></body></html>'
    [doc] = read_file(tmp_path, "page.html", html.encode("latin-1"))
    assert isinstance(doc, SourceDocument)
    assert "Gr\u00fc\u00dfe aus K\u00f6ln" in doc.content
    assert doc.content_kind == "html"


def test_utf8_bom_and_utf16_are_decoded() -> None:
    assert decode_bytes("\ufeffHello".encode()) == "Hello"
    assert decode_bytes("Hello w\u00f6rld".encode("utf-16")) == "Hello w\u00f6rld"
    assert not looks_binary("Hello".encode("utf-16"))


def test_gzipped_html(tmp_path: Path) -> None:
    html = b"<html><body><article><p>Text.</p></article></body></html>"
    [doc] = read_file(tmp_path, "p.html.gz", gzip.compress(html))
    assert isinstance(doc, SourceDocument)
    assert doc.content == html.decode()


def test_truncated_gzip_is_rejected(tmp_path: Path) -> None:
    data = gzip.compress(b"<html><body>" + b"<p>word</p>" * 5000 + b"</body></html>")
    [rej] = read_file(tmp_path, "p.html.gz", data[: len(data) // 2])
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["corrupt_compression"]


def test_enormous_file_is_rejected_without_reading_it_all(tmp_path: Path) -> None:
    big = (b"A sentence of an enormous text file. " * 600_000)[: 20 * 1024 * 1024]
    [rej] = read_file(tmp_path, "big.txt", big, max_document_bytes=5 * 1024 * 1024)
    assert isinstance(rej, Rejection)
    assert rej.reasons == ["too_large"]
    assert rej.raw_size_bytes == len(big)
