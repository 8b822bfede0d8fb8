"""Discovery: which files are inputs (by suffix), in what order, under what name; local or URL."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from flows.core.records import SourceDocument
from flows.readers import InputError, discover, read_documents
from flows.readers.formats import input_format

ARTICLE = "A headline\n\nThe first sentence of the article. The second sentence follows it.\n"


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
