"""The table of input formats: every format is found by its suffixes (plain or gzipped), read
by its own reader, and cut into parts only if it says how; a new format is one more entry."""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.core.records import Rejection, SeedMetadata, SourceDocument
from flows.readers import (
    SPLITTABLE_FORMATS,
    FilePart,
    InputFile,
    discover,
    iter_documents,
    plan_parts,
    read_documents,
)
from flows.readers import formats as formats_module
from flows.readers.formats import FORMATS, InputFormat, format_named, input_format
from flows.readers.inputs import ReadOptions
from flows.readers.keys import content_key, record_id


def test_no_suffix_belongs_to_two_formats() -> None:
    suffixes = [suffix for fmt in FORMATS for suffix in fmt.file_suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert all(suffix == suffix.lower() and suffix.startswith(".") for suffix in suffixes)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
def test_every_suffix_of_a_format_names_it_plain_gzipped_and_in_any_case(fmt: InputFormat) -> None:
    for suffix in fmt.suffixes:
        for name in (f"a{suffix}", f"a{suffix}.gz", f"dir/A{suffix.upper()}.GZ"):
            assert input_format(name) == fmt.name, name
    assert format_named(fmt.name) is fmt


def test_the_formats_cut_into_parts_are_those_that_say_how() -> None:
    assert {fmt.name for fmt in FORMATS if fmt.part_starts} == SPLITTABLE_FORMATS
    assert {"jsonl", "warc"} == SPLITTABLE_FORMATS  # the containers of many records


def test_an_unknown_format_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="no reader"):
        format_named("pdf")


def test_a_one_document_file_is_not_read_in_parts(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text of an article.\n")
    [item], _ = discover([tmp_path])
    assert plan_parts(item, 1) == [(item, 1)]
    with pytest.raises(ValueError, match="not read in parts"):
        list(read_documents(FilePart(item, 0, 0, None)))


def _read_markdown(
    item: InputFile, part: FilePart | None, options: ReadOptions
) -> Iterator[SourceDocument | Rejection]:
    raw = Path(item.path).read_bytes()
    options.skipped_records["markdown_seen"] += 1
    key = content_key(raw)
    yield SourceDocument(
        record_id(key), item.path, "markdown", "text", raw.decode(), len(raw), SeedMetadata(), key
    )


def test_a_new_format_is_one_more_entry_in_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.md").write_text("# Notes\n\nA paragraph.\n")
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(b"<html><body><p>Hi.</p></body></html>"))
    _, skipped = discover([tmp_path])
    assert [Path(s.source_uri).name for s in skipped] == ["notes.md"]

    markdown = InputFormat("markdown", (".md",), _read_markdown)
    monkeypatch.setattr(formats_module, "FORMATS", (*FORMATS, markdown))
    files, skipped = discover([tmp_path])
    assert not skipped
    assert [(f.relpath, f.format) for f in files] == [
        ("notes.md", "markdown"),
        ("page.html.gz", "html"),
    ]
    counted: Counter[str] = Counter()
    docs = list(iter_documents(files, skipped_records=counted))
    assert [(d.source_format, type(d).__name__) for d in docs] == [
        ("markdown", "SourceDocument"),
        ("html", "SourceDocument"),
    ]
    assert isinstance(docs[0], SourceDocument) and docs[0].content.startswith("# Notes")
    assert counted == {"markdown_seen": 1}
    assert plan_parts(files[0], 1) == [(files[0], 1)]  # no part scan: read whole
