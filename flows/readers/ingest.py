"""Ingest: find input files, read them safely, and turn each into source documents.

Reading never raises on bad content: an unreadable input becomes a `Rejection` with a reason,
so it lands in quarantine and the run goes on.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from charset_normalizer import from_bytes

from flows.core import storage
from flows.core.records import (
    EXCERPT_CHARS,
    Rejection,
    SeedMetadata,
    SkippedInput,
    SourceDocument,
)
from flows.core.storage import is_url

# Suffix (lower case, longest first) -> input format.
FORMATS_BY_SUFFIX: tuple[tuple[str, str], ...] = (
    (".warc.gz", "warc"),
    (".warc", "warc"),
    (".html.gz", "html"),
    (".htm.gz", "html"),
    (".jsonl.gz", "jsonl"),
    (".txt.gz", "text"),
    (".html", "html"),
    (".htm", "html"),
    (".jsonl", "jsonl"),
    (".txt", "text"),
)

DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
_BINARY_SNIFF_BYTES = 8192
# A whole WARC file may end with a few bytes of record separators after its last record.
WARC_TRAILING_SLACK = 8
_HTML_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)
_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<div|<p[\s>]|<article)", re.I)
# What reading a damaged gzip stream raises.
_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


class InputError(Exception):
    """An input path the user named does not exist or cannot be listed (a usage error)."""


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


def input_format(name: str) -> str | None:
    lower = name.lower()
    for suffix, fmt in FORMATS_BY_SUFFIX:
        if lower.endswith(suffix):
            return fmt
    return None


def discover(
    inputs: Sequence[str | os.PathLike[str]],
) -> tuple[list[InputFile], list[SkippedInput]]:
    """Walk the inputs (files and folders, recursively) into readable files and skipped ones.

    The name a file carries (`relpath`) is relative to the folder it was found under, so moving
    a corpus does not change its article ids. Results are sorted: a run does not depend on the
    order the file system lists entries in.
    """
    files: dict[str, InputFile] = {}
    skipped: list[SkippedInput] = []
    for raw in inputs:
        if is_url(str(raw)):
            _discover_url(str(raw), files, skipped)
            continue
        root = Path(raw)
        if not root.exists():
            raise InputError(f"input path does not exist: {raw}")
        if root.is_file():
            _classify(
                str(root), root.name, str(root.resolve()), root.stat().st_size, files, skipped
            )
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                relpath = path.relative_to(root).as_posix()
                _classify(
                    str(path), relpath, str(path.resolve()), path.stat().st_size, files, skipped
                )
    return sorted(files.values()), sorted(skipped, key=lambda s: s.source_uri)


def url_exists(url: str) -> bool:
    try:
        return storage.url_exists(url)
    except storage.LocationError as error:
        raise InputError(str(error)) from error


def _url_fs(url: str) -> tuple[Any, str]:
    """The fsspec file system and path of a URL; InputError for a protocol fsspec cannot serve
    (unknown, or its package is not installed) or a URL it cannot parse."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError, OSError) as error:
        raise InputError(f"cannot read {url}: {error}") from error
    return fs, path


def _discover_url(url: str, files: dict[str, InputFile], skipped: list[SkippedInput]) -> None:
    fs, root = _url_fs(url)
    if not url_exists(url):
        raise InputError(f"input path does not exist: {url}")
    protocol = url.split("://", 1)[0]
    if fs.isfile(root):
        found = {root: fs.info(root)}
        base = root.rsplit("/", 1)[0]
    else:
        found = fs.find(root, detail=True)
        base = root.rstrip("/")
    for path in sorted(found):
        relpath = path[len(base) :].lstrip("/")
        full = f"{protocol}://{path}"
        _classify(full, relpath, full, int(found[path].get("size") or 0), files, skipped)


def _classify(
    path: str,
    relpath: str,
    identity: str,
    size: int,
    files: dict[str, InputFile],
    skipped: list[SkippedInput],
) -> None:
    fmt = input_format(relpath)
    if fmt is None:
        suffix = Path(relpath).suffix or "no suffix"
        skipped.append(SkippedInput(path, f"unsupported file type ({suffix})"))
        return
    if identity not in files:  # the same file named twice (a folder and a file in it) counts once
        files[identity] = InputFile(relpath, path, fmt, size)


def open_binary(path: str) -> BinaryIO:
    """A local file, or any fsspec URL, opened for reading bytes."""
    if is_url(path):
        import fsspec

        return cast(BinaryIO, fsspec.open(path, "rb").open())
    return open(path, "rb")


def content_key(raw: bytes) -> str:
    """What identifies a readable input across runs: SHA-256 of its bytes, whatever its name.

    The same bytes under another name, in another folder or in a later run are the same input,
    so an incremental run does not redo them.
    """
    return hashlib.sha256(raw).hexdigest()


def location_key(location: str, raw: bytes = b"") -> str:
    """Key of an input that cannot be read whole (empty, too large, unreadable, corrupt): its
    location in the corpus and the bytes read. Keyed by content, every empty file would be one."""
    digest = hashlib.sha256(b"location\0")
    digest.update(location.encode("utf-8"))
    digest.update(b"\0")
    digest.update(hashlib.sha256(raw).digest())
    return digest.hexdigest()


def record_id(key: str) -> str:
    """The article or quarantine id of an input: the first 16 hex digits of its key."""
    return key[:16]


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
    part = item if isinstance(item, FilePart) else None
    item = item.file if isinstance(item, FilePart) else item
    if item.format == "jsonl":
        yield from _read_jsonl(item, max_document_bytes, part)
        return
    if item.format == "warc":
        yield from read_warc(item, max_document_bytes, skipped_records, part)
        return
    if part is not None:
        raise ValueError(f"a {item.format} file is not read in parts: {item.path}")
    raw, error = _read_bytes(item.path, gzipped=item.gzipped, limit=max_document_bytes)
    if error is not None:
        yield _input_problem(item, "", *error, raw=raw)
        return
    yield _document_from_bytes(
        item.relpath, item.path, item.format, raw, SeedMetadata(), prefer_html=item.format == "html"
    )


def _read_bytes(path: str, *, gzipped: bool, limit: int) -> tuple[bytes, tuple[str, str] | None]:
    """Read at most limit+1 bytes (decompressed), so an enormous file never fills memory."""
    try:
        if gzipped:
            with open_binary(path) as raw, gzip.open(raw, "rb") as stream:
                data = stream.read(limit + 1)
        else:
            with open_binary(path) as stream:
                data = stream.read(limit + 1)
    except _GZIP_ERRORS as error:
        return b"", ("corrupt_compression", f"the gzip stream is truncated or corrupt: {error}")
    except OSError as error:
        return b"", ("unreadable_file", f"cannot read the file: {error.strerror or error}")
    if len(data) > limit:
        return data, ("too_large", f"larger than the {limit:,}-byte limit per document")
    return data, None


def _read_jsonl(
    item: InputFile, limit: int, part: FilePart | None = None
) -> Iterator[SourceDocument | Rejection]:
    first, count, offset = (part.first, part.count, part.offset) if part else (0, None, 0)
    try:
        raw_stream = open_binary(item.path)
        if offset:
            raw_stream.seek(offset)  # the start of line `first + 1`
        stream = gzip.open(raw_stream, "rb") if item.gzipped else raw_stream  # noqa: SIM115 - closed below
    except OSError as error:
        yield _input_problem(item, "", "unreadable_file", str(error))
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
        except _GZIP_ERRORS as error:
            yield _input_problem(
                item,
                f"L{line_no + 1}",
                "corrupt_compression",
                f"the gzip stream is truncated or corrupt after line {line_no}: {error}",
            )
        else:
            if part is None and not records:  # a whole file without one record: an input too
                detail = "the file holds only blank lines" if size else "the file is empty"
                yield _input_problem(item, "", "empty_input", detail, size=size)


def _jsonl_line(
    item: InputFile, line_no: int, line: bytes, limit: int
) -> SourceDocument | Rejection:
    if len(line) > limit:
        return _too_large_record(item, f"L{line_no}", limit, line)
    return _jsonl_record(f"{item.relpath}#L{line_no}", f"{item.path}#L{line_no}", line)


def _jsonl_record(location: str, uri: str, line: bytes) -> SourceDocument | Rejection:
    key = content_key(line.strip())  # the record, whatever its line ending
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        return _reject(
            key,
            uri,
            "jsonl",
            "ingest",
            ("malformed_json", f"not a JSON object: {error}"),
            len(line),
            excerpt=line.decode("utf-8", "replace"),
        )
    if not isinstance(record, dict):
        return _reject(
            key,
            uri,
            "jsonl",
            "ingest",
            ("malformed_json", "the line is JSON but not an object"),
            len(line),
        )
    html, text = record.get("html"), record.get("text")
    content = html if isinstance(html, str) and html.strip() else text
    if not isinstance(content, str) or not content.strip():
        reason = ("missing_content", "the record has no non-empty 'html' or 'text' field")
        return _reject(
            key, uri, "jsonl", "ingest", reason, len(line), excerpt=line.decode("utf-8", "replace")
        )
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
        record_id(key), uri, "jsonl", kind, _normalize_newlines(content), len(line), seed, key
    )


def read_warc(
    item: InputFile,
    limit: int,
    skipped: Counter[str] | None = None,
    part: FilePart | None = None,
) -> Iterator[SourceDocument | Rejection]:
    """Each HTML response record with status 200 is a document; every other record is counted
    in `skipped` by why (not an input document: requests, metadata, redirects, images...).

    With a `part`, only its records are read: from its offset, `part.count` records (to the end
    for the last part, which alone checks the file for a damaged tail).
    """
    from warcio.archiveiterator import ArchiveIterator

    skipped = skipped if skipped is not None else Counter()
    try:
        stream = open_binary(item.path)
        if part is not None and part.offset:
            stream.seek(part.offset)  # warcio then reports offsets in the whole file
    except OSError as error:
        yield _input_problem(item, "", "unreadable_file", str(error))
        return
    with stream:
        records = ArchiveIterator(stream)
        offset, consumed = (part.offset if part else 0), 0
        remaining = part.count if part else None
        try:
            for record, reason, payload, offset in _walk_warc(records, limit):
                consumed = -1  # at least one record: measured after the loop
                if reason is not None:
                    skipped[reason] += 1
                else:
                    yield _warc_document(item, record, payload, offset, limit)
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return  # the next record is the next part's
            if consumed:
                consumed = records.get_record_offset() + records.get_record_length()
            # Judged by what was read, not the listed size (0 when a listing gives none).
            empty = part is None and not consumed and stream.tell() == 0
        except Exception as error:  # warcio raises assorted errors on damaged input
            yield _corrupt_warc(item, offset, f"{type(error).__name__}: {error}")
            return
        if empty:
            yield _input_problem(item, "", "empty_input", "the file is empty", size=0)
            return
        # warcio stops quietly at a truncated record: bytes left unread mean the file is damaged.
        if item.size_bytes - consumed > WARC_TRAILING_SLACK:
            yield _corrupt_warc(
                item, offset, f"only {consumed:,} of {item.size_bytes:,} bytes are whole records"
            )


def _walk_warc(records: Any, limit: int) -> Iterator[tuple[Any, str | None, bytes, int]]:
    """Each record of a warcio ArchiveIterator: the record, why it is skipped (None for a
    document), a document's payload (at most limit+1 bytes) and the record's offset.

    Reading a WARC and planning its parts both walk it with this, so both stop at the same
    damage. The payload is read before asking for the offset: asking first empties it. A record
    cut short by the end of the file raises: warcio hands it over quietly, with what was there.
    """
    for record in records:
        reason = _warc_skip_reason(record)
        payload = record.content_stream().read(limit + 1) if reason is None else b""
        offset = records.get_record_offset()  # reads the rest of the record
        missing = getattr(record.raw_stream, "limit", 0)  # warcio's LimitReader: bytes not read
        if missing:
            raise EOFError(f"the record at offset {offset:,} ends {missing:,} bytes short")
        yield record, reason, payload, offset


def _corrupt_warc(item: InputFile, offset: int, detail: str) -> Rejection:
    return _input_problem(
        item,
        f"offset={offset}",
        "corrupt_warc",
        f"the WARC file is truncated or corrupt after offset {offset}: {detail}",
    )


def _warc_skip_reason(record: Any) -> str | None:
    if record.rec_type != "response":
        return f"warc_{record.rec_type}_record"
    if record.http_headers is None:
        return "warc_not_http"
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"warc_status_{status}"
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if "html" not in content_type:
        return "warc_not_html"
    return None


def _warc_document(
    item: InputFile, record: Any, payload: bytes, offset: int, limit: int
) -> SourceDocument | Rejection:
    target = record.rec_headers.get_header("WARC-Target-URI")
    uri = f"{item.path}#offset={offset}"
    anchor = record.rec_headers.get_header("WARC-Record-ID") or str(offset)
    if len(payload) > limit:
        return _too_large_record(item, anchor, limit, payload, uri_anchor=f"offset={offset}")
    seed = SeedMetadata(url=target, fetched_at=record.rec_headers.get_header("WARC-Date"))
    return _document_from_bytes(
        f"{item.relpath}#{anchor}", uri, "warc", payload, seed, prefer_html=True
    )


def _str_field(record: dict[str, object], key: str) -> str | None:
    value = record.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None


def _document_from_bytes(
    location: str, uri: str, fmt: str, raw: bytes, seed: SeedMetadata, *, prefer_html: bool
) -> SourceDocument | Rejection:
    if not raw.strip():
        key = location_key(location, raw)
        return _reject(key, uri, fmt, "ingest", ("empty_input", "the file is empty"), len(raw))
    key = content_key(raw)
    if looks_binary(raw):
        return _reject(
            key,
            uri,
            fmt,
            "ingest",
            ("binary_content", "the file holds binary data, not text"),
            len(raw),
        )
    text = decode_bytes(raw, html=prefer_html)
    if text is None:
        return _reject(
            key,
            uri,
            fmt,
            "ingest",
            ("undecodable", "no character encoding fits the bytes"),
            len(raw),
        )
    if not text.strip():
        return _reject(
            key, uri, fmt, "ingest", ("empty_input", "the file holds only white space"), len(raw)
        )
    kind = "html" if prefer_html or _HTML_SNIFF.match(text) else "text"
    return SourceDocument(
        record_id(key), uri, fmt, kind, _normalize_newlines(text), len(raw), seed, key
    )


def looks_binary(raw: bytes) -> bool:
    """NUL bytes or many control characters in the first block: not a text document.

    UTF-16 text has NULs too, so a UTF-16 byte order mark is let through to decoding.
    """
    head = raw[:_BINARY_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\0" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def decode_bytes(raw: bytes, *, html: bool = False) -> str | None:
    """Decode text whose encoding is unknown: BOM, strict UTF-8, declared charset, then detection."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if html and (declared := _HTML_CHARSET.search(raw[:4096])):
        try:
            return raw.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to detection
    best = from_bytes(raw[:200_000]).best()
    if best is None:
        return None
    try:
        return raw.decode(best.encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")


def _input_problem(
    item: InputFile,
    anchor: str,
    code: str,
    detail: str,
    raw: bytes = b"",
    size: int | None = None,
    *,
    uri_anchor: str | None = None,
) -> Rejection:
    """A rejection of an input file, or of a place in one (`anchor`: "L3", "offset=120", a WARC
    record id; "" for the whole file), keyed by that location and the bytes read (`raw`).
    `uri_anchor` names the place in the source URI when it differs from `anchor`; `size`
    defaults to the file's listed size."""
    location = f"{item.relpath}#{anchor}" if anchor else item.relpath
    uri_anchor = anchor if uri_anchor is None else uri_anchor
    uri = f"{item.path}#{uri_anchor}" if uri_anchor else item.path
    size = item.size_bytes if size is None else size
    return _reject(location_key(location, raw), uri, item.format, "ingest", (code, detail), size)


def _too_large_record(
    item: InputFile, anchor: str, limit: int, raw: bytes, *, uri_anchor: str | None = None
) -> Rejection:
    detail = f"record larger than the {limit:,}-byte limit"
    return _input_problem(item, anchor, "too_large", detail, raw, len(raw), uri_anchor=uri_anchor)


def _reject(
    key: str,
    uri: str,
    fmt: str | None,
    stage: str,
    reason: tuple[str, str],
    raw_size: int | None,
    excerpt: str | None = None,
) -> Rejection:
    code, detail = reason
    excerpt_text = (excerpt or "")[:EXCERPT_CHARS] or None
    return Rejection(
        record_id(key), uri, fmt, stage, [code], detail, excerpt_text, raw_size, input_sha256=key
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
    if item.format == "jsonl":
        starts, total = _jsonl_part_starts(item, records_per_part)
    elif item.format == "warc":
        starts, total = _warc_part_starts(item, records_per_part, max_document_bytes)
    else:
        return [(item, 1)]
    if not starts:
        return [(item, max(1, total))]
    bounds = [(0, 0, 0), *starts]  # (first record, byte offset, documents before it)
    parts: list[tuple[WorkItem, int]] = []
    for (first, offset, before), following in zip(bounds, [*starts, None], strict=True):
        count = None if following is None else following[0] - first
        weight = (total if following is None else following[2]) - before
        parts.append((FilePart(item, first, offset, count), max(1, weight)))
    return parts


_SCAN_CHUNK_BYTES = 1024 * 1024


def _jsonl_part_starts(item: InputFile, per_part: int) -> tuple[list[tuple[int, int, int]], int]:
    """Where each part after the first starts: (line index, byte offset or 0 in a gzip stream,
    lines before it); and the number of lines. Every line counts as a record."""
    gzipped = item.gzipped
    starts: list[tuple[int, int, int]] = []
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
                            starts.append((lines, 0 if gzipped else position + at, lines))
                            ends.append(position + at)
                            since = 0
                position, ends_line = position + len(chunk), chunk.endswith(b"\n")
        except _GZIP_ERRORS:
            pass  # the damage is for the last part to meet: no cut after what was read whole
    if not ends_line:
        lines += 1  # a last line without a newline
    while ends and ends[-1] >= position:
        ends.pop()
        starts.pop()
    return starts, lines


def _warc_part_starts(
    item: InputFile, per_part: int, limit: int
) -> tuple[list[tuple[int, int, int]], int]:
    """Where each part after the first starts: (record index, byte offset, documents before it);
    and the number of documents. A part is cut after `per_part` documents, or after four times
    as many records of any kind (a part of skipped records is read fast, but not for free)."""
    from warcio.archiveiterator import ArchiveIterator

    starts: list[tuple[int, int, int]] = []
    index, documents, since_documents, since_records = 0, 0, 0, 0
    with open_binary(item.path) as stream:
        try:
            for _, reason, _, offset in _walk_warc(ArchiveIterator(stream), limit):
                # Cut before this record only now that it was read whole.
                if since_documents >= per_part or since_records >= 4 * per_part:
                    starts.append((index, offset, documents))
                    since_documents, since_records = 0, 0
                index, since_records = index + 1, since_records + 1
                if reason is None:
                    documents, since_documents = documents + 1, since_documents + 1
        except Exception:  # warcio raises assorted errors on damaged input
            pass  # the damage is for the last part to meet, as reading the whole file would
    return starts, documents


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
