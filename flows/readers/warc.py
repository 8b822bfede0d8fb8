"""Web archives (.warc, .warc.gz): each HTML page a crawler fetched with status 200 is a document.

A WARC holds much besides pages (requests, metadata, redirects, errors, images); those records
are counted by why they were skipped, so a run's report says what a crawl held. The target URI
and fetch date seed the metadata. warcio stops quietly at a damaged record, so damage is
detected here and becomes one `corrupt_warc` rejection after the pages read before it. A big
WARC is cut into parts at record offsets (a .warc.gz only when gzipped record by record, as
crawlers write it: a single gzip stream has nowhere to seek to).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flows.core.records import Rejection, SeedMetadata, SourceDocument
from flows.readers.documents import document_from_bytes
from flows.readers.inputs import FilePart, InputFile, PartStart, ReadOptions, open_binary
from flows.readers.rejections import input_problem, too_large_record

# A whole WARC file may end with a few bytes of record separators after its last record.
WARC_TRAILING_SLACK = 8


def read_warc(
    item: InputFile, part: FilePart | None, options: ReadOptions
) -> Iterator[SourceDocument | Rejection]:
    """Each HTML response record with status 200 is a document; every other record is counted
    in `options.skipped_records` by why (not an input document: requests, metadata, redirects,
    images...).

    With a `part`, only its records are read: from its offset, `part.count` records (to the end
    for the last part, which alone checks the file for a damaged tail).
    """
    # Imported only when a WARC is read: keeps `newsclean --help` and worker start-up fast.
    from warcio.archiveiterator import ArchiveIterator

    limit, skipped = options.max_document_bytes, options.skipped_records
    try:
        stream = open_binary(item.path)
        if part is not None and part.offset:
            stream.seek(part.offset)  # warcio then reports offsets in the whole file
    except OSError as error:
        yield input_problem(item, "", "unreadable_file", str(error))
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
            yield input_problem(item, "", "empty_input", "the file is empty", size=0)
            return
        # warcio stops quietly at a truncated record: bytes left unread mean the file is damaged.
        if item.size_bytes - consumed > WARC_TRAILING_SLACK:
            yield _corrupt_warc(
                item, offset, f"only {consumed:,} of {item.size_bytes:,} bytes are whole records"
            )


def warc_part_starts(item: InputFile, per_part: int, limit: int) -> tuple[list[PartStart], int]:
    """Where each part after the first starts (record index, byte offset, documents before it);
    and the number of documents. A part is cut after `per_part` documents, or after four times
    as many records of any kind (a part of skipped records is read fast, but not for free)."""
    # Imported only when a WARC is planned: keeps `newsclean --help` and worker start-up fast.
    from warcio.archiveiterator import ArchiveIterator

    starts: list[PartStart] = []
    index, documents, since_documents, since_records = 0, 0, 0, 0
    with open_binary(item.path) as stream:
        try:
            for _, reason, _, offset in _walk_warc(ArchiveIterator(stream), limit):
                # Cut before this record only now that it was read whole.
                if since_documents >= per_part or since_records >= 4 * per_part:
                    starts.append(PartStart(index, offset, documents))
                    since_documents, since_records = 0, 0
                index, since_records = index + 1, since_records + 1
                if reason is None:
                    documents, since_documents = documents + 1, since_documents + 1
        except Exception:  # warcio raises assorted errors on damaged input
            pass  # the damage is for the last part to meet, as reading the whole file would
    return starts, documents


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
    return input_problem(
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
        return too_large_record(item, anchor, limit, payload, uri_anchor=f"offset={offset}")
    seed = SeedMetadata(url=target, fetched_at=record.rec_headers.get_header("WARC-Date"))
    return document_from_bytes(
        f"{item.relpath}#{anchor}", uri, "warc", payload, seed, prefer_html=True
    )
