"""Reading work items: each file or part goes to its format's reader, through the format table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from flows.core.records import Rejection, SourceDocument
from flows.readers.formats import format_named
from flows.readers.inputs import DEFAULT_MAX_DOCUMENT_BYTES, FilePart, ReadOptions, WorkItem


def read_documents(
    item: WorkItem,
    *,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    skipped_records: Counter[str] | None = None,
) -> Iterator[SourceDocument | Rejection]:
    """Yield the documents of one input file (or part of one), or a rejection per unreadable
    record.

    Records of a container that are not input documents (a WARC's requests, redirects, images)
    are counted by why in `skipped_records`.
    """
    options = ReadOptions(
        max_document_bytes, skipped_records if skipped_records is not None else Counter()
    )
    file, part = (item.file, item) if isinstance(item, FilePart) else (item, None)
    fmt = format_named(file.format)
    if part is not None and fmt.part_starts is None:
        raise ValueError(f"a {file.format} file is not read in parts: {file.path}")
    yield from fmt.read(file, part, options)


def iter_documents(
    items: Iterable[WorkItem],
    *,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    skipped_records: Counter[str] | None = None,
) -> Iterator[SourceDocument | Rejection]:
    """`read_documents` over many files and parts, in order, counting into one `skipped_records`."""
    for item in items:
        yield from read_documents(
            item, max_document_bytes=max_document_bytes, skipped_records=skipped_records
        )
