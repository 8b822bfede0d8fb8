"""Cutting big container files (JSON Lines, WARC) into parts, so one huge file is many short
tasks instead of one long one. Each format scans for where its parts may start (`PartScan` in
the format table); cutting and weighing the parts is the same for all."""

from __future__ import annotations

from flows.readers.formats import format_named
from flows.readers.inputs import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    FilePart,
    InputFile,
    PartStart,
    WorkItem,
)


def plan_parts(
    item: InputFile, records_per_part: int, *, max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
) -> list[tuple[WorkItem, int]]:
    """Cut a container file (JSON Lines, WARC) into parts of about `records_per_part` records,
    each with its weight (the records it holds that are read as documents); a file that fits in
    one part is returned whole.

    Costs one sequential read of the file (decompressing a `.gz`; a WARC's document payloads are
    read too, as the reader reads them), holding one chunk or record at a time and one offset
    per part. Parts start only at records this read got through whole: damage in the file falls
    in the last part, which reports it as reading the whole file would, once.
    """
    scan = format_named(item.format).part_starts
    if scan is None:
        return [(item, 1)]
    starts, total = scan(item, records_per_part, max_document_bytes)
    if not starts:
        return [(item, max(1, total))]
    bounds = [PartStart(0, 0, 0), *starts]
    parts: list[tuple[WorkItem, int]] = []
    for (first, offset, before), following in zip(bounds, [*starts, None], strict=True):
        count = None if following is None else following.first - first
        weight = (total if following is None else following.documents_before) - before
        parts.append((FilePart(item, first, offset, count), max(1, weight)))
    return parts
