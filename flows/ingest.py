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

from flows.records import Rejection, SeedMetadata, SkippedInput, SourceDocument

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
EXCERPT_CHARS = 2000
_BINARY_SNIFF_BYTES = 8192
# A whole WARC file may end with a few bytes of record separators after its last record.
WARC_TRAILING_SLACK = 8
_HTML_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)
_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<div|<p[\s>]|<article)", re.I)


class InputError(Exception):
    """An input path the user named does not exist or cannot be listed (a usage error)."""


@dataclass(frozen=True, order=True)
class InputFile:
    """A file to read: where it is, the name it gets in the dataset, and its format."""

    relpath: str  # first field: files sort by the name they carry into the dataset
    path: str
    format: str
    size_bytes: int


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


def is_url(name: str) -> bool:
    """An fsspec URL (s3://, gs://, memory://, file://...) rather than a local path."""
    return "://" in name


def url_exists(url: str) -> bool:
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
        return bool(fs.exists(path))
    except (ImportError, ValueError, OSError) as error:
        raise InputError(f"cannot read {url}: {error}") from error


def _discover_url(url: str, files: dict[str, InputFile], skipped: list[SkippedInput]) -> None:
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
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
    item: InputFile,
    *,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    skipped_records: Counter[str] | None = None,
) -> Iterator[SourceDocument | Rejection]:
    """Yield the documents of one input file, or a rejection per unreadable record.

    Records of a container that are not input documents (a WARC's requests, redirects, images)
    are counted by why in `skipped_records`.
    """
    if item.format == "jsonl":
        yield from _read_jsonl(item, max_document_bytes)
        return
    if item.format == "warc":
        yield from read_warc(item, max_document_bytes, skipped_records)
        return
    raw, error = _read_bytes(
        item.path, gzipped=item.path.lower().endswith(".gz"), limit=max_document_bytes
    )
    if error is not None:
        key = location_key(item.relpath, raw)
        yield _reject(key, item.path, item.format, "ingest", error, raw_size=item.size_bytes)
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
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        return b"", ("corrupt_compression", f"the gzip stream is truncated or corrupt: {error}")
    except OSError as error:
        return b"", ("unreadable_file", f"cannot read the file: {error.strerror or error}")
    if len(data) > limit:
        return data, ("too_large", f"larger than the {limit:,}-byte limit per document")
    return data, None


def _read_jsonl(item: InputFile, limit: int) -> Iterator[SourceDocument | Rejection]:
    gzipped = item.path.lower().endswith(".gz")
    try:
        raw_stream = open_binary(item.path)
        stream = gzip.open(raw_stream, "rb") if gzipped else raw_stream  # noqa: SIM115 - closed below
    except OSError as error:
        key = location_key(item.relpath)
        yield _reject(
            key, item.path, "jsonl", "ingest", ("unreadable_file", str(error)), item.size_bytes
        )
        return
    with raw_stream, stream:
        line_no = 0
        try:
            for line_no, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                uri = f"{item.path}#L{line_no}"
                location = f"{item.relpath}#L{line_no}"
                if len(line) > limit:
                    reason = ("too_large", f"record larger than the {limit:,}-byte limit")
                    yield _reject(
                        location_key(location, line), uri, "jsonl", "ingest", reason, len(line)
                    )
                    continue
                yield _jsonl_record(location, uri, line)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            uri = f"{item.path}#L{line_no + 1}"
            key = location_key(f"{item.relpath}#L{line_no + 1}")
            reason = (
                "corrupt_compression",
                f"the gzip stream is truncated or corrupt after line {line_no}: {error}",
            )
            yield _reject(key, uri, "jsonl", "ingest", reason, item.size_bytes)


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
    item: InputFile, limit: int, skipped: Counter[str] | None = None
) -> Iterator[SourceDocument | Rejection]:
    """Each HTML response record with status 200 is a document; every other record is counted
    in `skipped` by why (not an input document: requests, metadata, redirects, images...)."""
    from warcio.archiveiterator import ArchiveIterator

    skipped = skipped if skipped is not None else Counter()
    if item.size_bytes == 0:
        key = location_key(item.relpath)
        yield _reject(key, item.path, "warc", "ingest", ("empty_input", "the file is empty"), 0)
        return
    try:
        stream = open_binary(item.path)
    except OSError as error:
        key = location_key(item.relpath)
        yield _reject(
            key, item.path, "warc", "ingest", ("unreadable_file", str(error)), item.size_bytes
        )
        return
    with stream:
        records = ArchiveIterator(stream)
        offset, consumed = 0, 0
        try:
            for record in records:
                consumed = -1  # at least one record: measured after the loop
                reason = _warc_skip_reason(record)
                if reason is not None:
                    skipped[reason] += 1
                    offset = records.get_record_offset()
                    continue
                # The payload must be read before asking for the offset: asking first empties it.
                payload = record.content_stream().read(limit + 1)
                offset = records.get_record_offset()
                yield _warc_document(item, record, payload, offset, limit)
            if consumed:
                consumed = records.get_record_offset() + records.get_record_length()
        except Exception as error:  # warcio raises assorted errors on damaged input
            yield _corrupt_warc(item, offset, f"{type(error).__name__}: {error}")
            return
        # warcio stops quietly at a truncated record: bytes left unread mean the file is damaged.
        if item.size_bytes - consumed > WARC_TRAILING_SLACK:
            yield _corrupt_warc(
                item, offset, f"only {consumed:,} of {item.size_bytes:,} bytes are whole records"
            )


def _corrupt_warc(item: InputFile, offset: int, detail: str) -> Rejection:
    uri = f"{item.path}#offset={offset}"
    key = location_key(f"{item.relpath}#offset={offset}")
    problem = (
        "corrupt_warc",
        f"the WARC file is truncated or corrupt after offset {offset}: {detail}",
    )
    return _reject(key, uri, "warc", "ingest", problem, item.size_bytes)


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
    location = f"{item.relpath}#{record.rec_headers.get_header('WARC-Record-ID') or offset}"
    if len(payload) > limit:
        return _reject(
            location_key(location, payload),
            uri,
            "warc",
            "ingest",
            ("too_large", f"record larger than the {limit:,}-byte limit"),
            len(payload),
        )
    seed = SeedMetadata(url=target, fetched_at=record.rec_headers.get_header("WARC-Date"))
    return _document_from_bytes(location, uri, "warc", payload, seed, prefer_html=True)


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


def iter_documents(
    items: Iterable[InputFile], *, max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
) -> Iterator[SourceDocument | Rejection]:
    for item in items:
        yield from read_documents(item, max_document_bytes=max_document_bytes)
