"""Bytes to text: decompress, refuse binary data, find the encoding.

Scraped inputs come in every encoding, often undeclared or declared wrongly, so decoding tries
what is certain first (a byte order mark, strict UTF-8), then what the page says (an HTML
charset), and only then guesses (charset-normalizer). An input that fits none is refused by the
caller, never decoded into mojibake.
"""

from __future__ import annotations

import gzip
import re
import zlib

from charset_normalizer import from_bytes

from flows.readers.inputs import open_binary

# What reading a damaged gzip stream raises.
GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)
_BINARY_SNIFF_BYTES = 8192
_HTML_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)


def read_capped(path: str, *, gzipped: bool, limit: int) -> tuple[bytes, tuple[str, str] | None]:
    """Read at most limit+1 bytes (decompressed), so an enormous file never fills memory.

    Returns the bytes read and, when they cannot be used, the rejection reason (code, detail).
    """
    try:
        if gzipped:
            with open_binary(path) as raw, gzip.open(raw, "rb") as stream:
                data = stream.read(limit + 1)
        else:
            with open_binary(path) as stream:
                data = stream.read(limit + 1)
    except GZIP_ERRORS as error:
        return b"", ("corrupt_compression", f"the gzip stream is truncated or corrupt: {error}")
    except OSError as error:
        return b"", ("unreadable_file", f"cannot read the file: {error.strerror or error}")
    if len(data) > limit:
        return data, ("too_large", f"larger than the {limit:,}-byte limit per document")
    return data, None


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


def normalize_newlines(text: str) -> str:
    """One newline convention (and no NULs) in every document, whatever the source wrote."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")
