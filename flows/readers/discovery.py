"""Finding inputs: walk the named files and folders (local, or any fsspec URL) into the files a
format reads, and the files skipped (with why).

A file's name in the dataset is relative to the folder it was found under, and the listing is
sorted, so article ids and a run's order depend neither on where a corpus sits nor on the order
a file system lists entries in.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flows.core import storage
from flows.core.records import SkippedInput
from flows.core.storage import is_url
from flows.readers.formats import input_format
from flows.readers.inputs import InputFile


class InputError(Exception):
    """An input path the user named does not exist or cannot be listed (a usage error)."""


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
    """Whether an fsspec URL names a file or folder; InputError when it cannot be asked."""
    try:
        return storage.url_exists(url)
    except storage.LocationError as error:
        raise InputError(str(error)) from error


def _url_fs(url: str) -> tuple[Any, str]:
    """The fsspec file system and path of a URL; InputError for a protocol fsspec cannot serve
    (unknown, or its package is not installed) or a URL it cannot parse."""
    import fsspec  # only for URL inputs: keeps start-up fast for local ones

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
