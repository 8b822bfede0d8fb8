"""What a reader is given: an input file, or a part of a big one, and how its bytes are opened.

Discovery makes the `InputFile`s; batch planning cuts big container files into `FilePart`s; a
format reader gets one of either. Both sort and compare by value, so a plan is reproducible.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple, cast

from flows.core.storage import is_url

DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, order=True)
class InputFile:
    """A file to read: where it is, the name it gets in the dataset, and its format."""

    relpath: str  # first field: files sort by the name they carry into the dataset
    path: str
    format: str
    size_bytes: int

    @property
    def gzipped(self) -> bool:
        return self.path.lower().endswith(".gz")


@dataclass(frozen=True, order=True)
class FilePart:
    """A contiguous range of a container file's records (JSON Lines lines, WARC records): the
    share of one big file that one task reads. A file's parts, read one after another, give
    exactly what reading the whole file gives: the same records, ids, source URIs and rejections.

    `first` is the index of the part's first record in the file (for JSON Lines: its line number
    minus one). `offset` is the byte offset of that record, where the reader seeks to; 0 for a
    stream that cannot seek (`.jsonl.gz`), which is read from the start, passing over the first
    `first` lines. `count` is how many records the part holds; None for the file's last part,
    which reads to the end and so is the one to meet, and report, a damaged tail.
    """

    file: InputFile
    first: int
    offset: int
    count: int | None

    @property
    def last(self) -> bool:
        return self.count is None


# What a batch reads: a whole file or a part of one.
WorkItem = InputFile | FilePart


class PartStart(NamedTuple):
    """Where a part after a file's first one starts, as a format's part scan finds it."""

    first: int  # index of its first record in the file
    offset: int  # byte offset of that record; 0 in a stream that cannot seek
    documents_before: int  # records read as documents before it: the earlier parts' weight


@dataclass(frozen=True)
class ReadOptions:
    """What every format reader is given besides the file: the size limit per document, and
    where to count records of a container that are not input documents (a WARC's requests,
    redirects, images), by why."""

    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    skipped_records: Counter[str] = field(default_factory=Counter)


def open_binary(path: str) -> BinaryIO:
    """A local file, or any fsspec URL, opened for reading bytes."""
    if is_url(path):
        import fsspec  # only for URL inputs: keeps worker start-up fast for local ones

        return cast(BinaryIO, fsspec.open(path, "rb").open())
    return open(path, "rb")
