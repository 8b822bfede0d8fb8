"""What identifies an input across runs, and the ids derived from it.

An input's key is the SHA-256 of its bytes, so the same article under another name, in another
folder or in a later run is recognised and not processed twice. An input that cannot be read
whole has no trustworthy bytes to hash; it is keyed by where it is instead.
"""

from __future__ import annotations

import hashlib


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
