"""JSON Lines exports (.jsonl, .jsonl.gz): one JSON object per line, each a document.

Scrapers export this way; a line's `html` (or else `text`) is the content and its other fields
(url, title, date, author, source or publisher, fetched_at) seed the metadata. A bad line is
rejected on its own (`L<n>` in its source URI) and the file goes on. A big file is cut into
parts of whole lines, so one export is many short tasks.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

from flows.core.records import Rejection, SeedMetadata, SourceDocument
from flows.readers.decode import GZIP_ERRORS, normalize_newlines
from flows.readers.inputs import FilePart, InputFile, PartStart, ReadOptions, open_binary
from flows.readers.keys import content_key, record_id
from flows.readers.rejections import input_problem, reject, too_large_record

_SCAN_CHUNK_BYTES = 1024 * 1024


def read_jsonl(
    item: InputFile, part: FilePart | None, options: ReadOptions
) -> Iterator[SourceDocument | Rejection]:
    """A document, or a rejection, per non-blank line of the file (or of the part's lines)."""
    limit = options.max_document_bytes
    first, count, offset = (part.first, part.count, part.offset) if part else (0, None, 0)
    try:
        raw_stream = open_binary(item.path)
        if offset:
            raw_stream.seek(offset)  # the start of line `first + 1`
        stream = gzip.open(raw_stream, "rb") if item.gzipped else raw_stream  # noqa: SIM115 - closed below
    except OSError as error:
        yield input_problem(item, "", "unreadable_file", str(error))
        return
    end = None if count is None else first + count  # the part's last line number
    with raw_stream, stream:
        before = first if offset else 0  # lines before the stream's position
        line_no, records, size = before, 0, 0
        try:
            for line_no, line in enumerate(stream, start=before + 1):
                size += len(line)
                if line_no > first and line.strip():  # lines before `first` are another part's
                    records += 1
                    yield _jsonl_line(item, line_no, line, limit)
                if end is not None and line_no >= end:
                    break  # before reading on: the next line is the next part's
        except GZIP_ERRORS as error:
            yield input_problem(
                item,
                f"L{line_no + 1}",
                "corrupt_compression",
                f"the gzip stream is truncated or corrupt after line {line_no}: {error}",
            )
        else:
            if part is None and not records:  # a whole file without one record: an input too
                detail = "the file holds only blank lines" if size else "the file is empty"
                yield input_problem(item, "", "empty_input", detail, size=size)


def jsonl_part_starts(item: InputFile, per_part: int, limit: int) -> tuple[list[PartStart], int]:
    """Where each part after the first starts (line index, byte offset or 0 in a gzip stream,
    lines before it); and the number of lines. Every line counts as a record, and as a document
    for the weight. (`limit` is not needed: a line is cut at its newline, whatever its size.)"""
    gzipped = item.gzipped
    starts: list[PartStart] = []
    ends: list[int] = []  # the position in the stream of each start: one at the very end is dropped
    lines, since, position, ends_line = 0, 0, 0, True
    with open_binary(item.path) as raw, gzip.open(raw, "rb") if gzipped else raw as stream:
        # read1 on gzip: a read of the damaged end loses nothing before it.
        read = stream.read1 if isinstance(stream, gzip.GzipFile) else stream.read
        try:
            while chunk := read(_SCAN_CHUNK_BYTES):
                newlines = chunk.count(b"\n")
                if since + newlines < per_part:  # no cut in this chunk
                    lines, since = lines + newlines, since + newlines
                else:
                    at = 0
                    while (found := chunk.find(b"\n", at)) >= 0:
                        lines, since, at = lines + 1, since + 1, found + 1
                        if since >= per_part:
                            starts.append(PartStart(lines, 0 if gzipped else position + at, lines))
                            ends.append(position + at)
                            since = 0
                position, ends_line = position + len(chunk), chunk.endswith(b"\n")
        except GZIP_ERRORS:
            pass  # the damage is for the last part to meet: no cut after what was read whole
    if not ends_line:
        lines += 1  # a last line without a newline
    while ends and ends[-1] >= position:
        ends.pop()
        starts.pop()
    return starts, lines


def _jsonl_line(
    item: InputFile, line_no: int, line: bytes, limit: int
) -> SourceDocument | Rejection:
    if len(line) > limit:
        return too_large_record(item, f"L{line_no}", limit, line)
    return _jsonl_record(f"{item.path}#L{line_no}", line)


def _jsonl_record(uri: str, line: bytes) -> SourceDocument | Rejection:
    key = content_key(line.strip())  # the record, whatever its line ending
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        return reject(
            key,
            uri,
            "jsonl",
            ("malformed_json", f"not a JSON object: {error}"),
            len(line),
            excerpt=line.decode("utf-8", "replace"),
        )
    if not isinstance(record, dict):
        return reject(
            key, uri, "jsonl", ("malformed_json", "the line is JSON but not an object"), len(line)
        )
    html, text = record.get("html"), record.get("text")
    content = html if isinstance(html, str) and html.strip() else text
    if not isinstance(content, str) or not content.strip():
        reason = ("missing_content", "the record has no non-empty 'html' or 'text' field")
        return reject(key, uri, "jsonl", reason, len(line), excerpt=line.decode("utf-8", "replace"))
    seed = SeedMetadata(
        url=_str_field(record, "url"),
        title=_str_field(record, "title"),
        date=_str_field(record, "date"),
        date_source="input_field" if _str_field(record, "date") else None,
        author=_str_field(record, "author"),
        publisher=_str_field(record, "source") or _str_field(record, "publisher"),
        fetched_at=_str_field(record, "fetched_at"),
    )
    kind = "html" if content is html else "text"
    return SourceDocument(
        record_id(key), uri, "jsonl", kind, normalize_newlines(content), len(line), seed, key
    )


def _str_field(record: dict[str, object], key: str) -> str | None:
    """A field as a stripped string (a number as its text); None when absent, blank or other."""
    value = record.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None
