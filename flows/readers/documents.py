"""One input's bytes to a source document, or to the rejection that says why it is not one.

Shared by the formats whose record is a whole text: a .txt or .html file, a WARC response's
payload. (A JSON Lines record is already text inside JSON: `jsonl.py` builds its own.)
"""

from __future__ import annotations

import re

from flows.core.records import Rejection, SeedMetadata, SourceDocument
from flows.readers.decode import decode_bytes, looks_binary, normalize_newlines, read_capped
from flows.readers.inputs import InputFile
from flows.readers.keys import content_key, location_key, record_id
from flows.readers.rejections import input_problem, reject

_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<div|<p[\s>]|<article)", re.I)


def read_whole_file(
    item: InputFile, limit: int, *, prefer_html: bool
) -> SourceDocument | Rejection:
    """A file that is one document: read (at most `limit` bytes, decompressed) and decoded."""
    raw, error = read_capped(item.path, gzipped=item.gzipped, limit=limit)
    if error is not None:
        return input_problem(item, "", *error, raw=raw)
    return document_from_bytes(
        item.relpath, item.path, item.format, raw, SeedMetadata(), prefer_html=prefer_html
    )


def document_from_bytes(
    location: str, uri: str, fmt: str, raw: bytes, seed: SeedMetadata, *, prefer_html: bool
) -> SourceDocument | Rejection:
    """The document in `raw`, found at `location` (its name in the corpus) and `uri`.

    `prefer_html` says the bytes are HTML (an .html file, a WARC response): its declared charset
    is trusted before detection, and its content kind is html whatever it starts with.
    """
    if not raw.strip():
        key = location_key(location, raw)
        return reject(key, uri, fmt, ("empty_input", "the file is empty"), len(raw))
    key = content_key(raw)
    if looks_binary(raw):
        return reject(
            key, uri, fmt, ("binary_content", "the file holds binary data, not text"), len(raw)
        )
    text = decode_bytes(raw, html=prefer_html)
    if text is None:
        return reject(
            key, uri, fmt, ("undecodable", "no character encoding fits the bytes"), len(raw)
        )
    if not text.strip():
        return reject(key, uri, fmt, ("empty_input", "the file holds only white space"), len(raw))
    kind = "html" if prefer_html or _HTML_SNIFF.match(text) else "text"
    return SourceDocument(
        record_id(key), uri, fmt, kind, normalize_newlines(text), len(raw), seed, key
    )
