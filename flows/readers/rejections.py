"""Rejections of unreadable inputs: reading never raises on bad content.

An input that cannot be read (empty, binary, undecodable, too large, corrupt compression or
WARC, malformed JSON) becomes a `Rejection` with a reason code and a detail, so it lands in
quarantine and the run goes on. Every format reader builds its rejections with these helpers,
so the reason codes, keys and source URIs read the same whatever the format.
"""

from __future__ import annotations

from flows.core.records import EXCERPT_CHARS, Rejection
from flows.readers.inputs import InputFile
from flows.readers.keys import location_key, record_id

STAGE = "ingest"  # the quarantine's `stage` of every rejection made while reading


def reject(
    key: str,
    uri: str,
    fmt: str | None,
    reason: tuple[str, str],
    raw_size: int | None,
    excerpt: str | None = None,
) -> Rejection:
    """A rejection of the input keyed `key`: `reason` is (code, detail)."""
    code, detail = reason
    excerpt_text = (excerpt or "")[:EXCERPT_CHARS] or None
    return Rejection(
        record_id(key), uri, fmt, STAGE, [code], detail, excerpt_text, raw_size, input_sha256=key
    )


def input_problem(
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
    return reject(location_key(location, raw), uri, item.format, (code, detail), size)


def too_large_record(
    item: InputFile, anchor: str, limit: int, raw: bytes, *, uri_anchor: str | None = None
) -> Rejection:
    """A record of a container file (a JSON Lines line, a WARC payload) over the size limit."""
    detail = f"record larger than the {limit:,}-byte limit"
    return input_problem(item, anchor, "too_large", detail, raw, len(raw), uri_anchor=uri_anchor)
