"""Where the output lives: a local folder or any fsspec URL (s3://, gs://, file://, memory://).

Every read and write of the output folder goes through a Storage, so a run behaves the same on a
local disk and in a bucket. Paths inside it are relative, with "/" separators. What differs is how
a file is made to appear whole:

- local disk: write a hidden temporary file, fsync it, rename it into place (atomic on POSIX);
- object stores: an object becomes visible only when its upload completes, so a plain write is
  already all-or-nothing, and a move is a server-side copy then a delete.

Parquet readers skip names that start with "." or "_", so temporary and bookkeeping files are
never read as data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"
ROW_GROUP_SIZE = 10_000


def is_url(location: str) -> bool:
    return "://" in location


class LocationError(ValueError):
    """A URL no installed fsspec file system can serve (unknown protocol, package missing, or a
    URL it cannot parse), or whose file system failed to answer."""


def url_exists(url: str) -> bool:
    """Whether a file or folder exists at an fsspec URL (s3://, gs://, memory://...)."""
    # Imported here: fsspec (~90 ms) only for URLs: local runs never import it.
    from fsspec.core import url_to_fs

    try:
        fs, path = url_to_fs(url)
        return bool(fs.exists(path))
    except (ImportError, ValueError, OSError) as error:
        raise LocationError(f"cannot read {url}: {error}") from error


class Storage:
    """A folder on a local disk or in an fsspec file system, addressed by relative paths."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        text = os.fspath(location)
        if is_url(text) and not text.startswith("file://"):
            # Imported here: fsspec (~90 ms) only for URLs: local runs never import it.
            from fsspec.core import url_to_fs

            self.fs: Any = None
            self.fs, root = url_to_fs(text)
            # fsspec reuses file system instances and caches listings; another process (a
            # worker, the previous scheduled run) may have written since: start fresh.
            self.fs.invalidate_cache()
            self.root = root.rstrip("/")
            self.is_local = False
        else:
            self.fs = None
            self.root = str(Path(text.removeprefix("file://")).resolve())
            self.is_local = True
        self.location = text

    def __repr__(self) -> str:
        return f"Storage({self.location!r})"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (Storage, (self.location,))

    # -- names -----------------------------------------------------------------------------

    def path(self, rel: str = "") -> str:
        """The file system's own path for rel (a local path, or the bucket path without scheme)."""
        return f"{self.root}/{rel}" if rel else self.root

    def url(self, rel: str = "") -> str:
        """How to show rel to a person: a local path, or a URL with its scheme."""
        if self.is_local:
            return self.path(rel)
        return str(self.fs.unstrip_protocol(self.path(rel)))

    def local_path(self, rel: str = "") -> Path:
        if not self.is_local:
            raise ValueError(f"{self.location} is not a local folder")
        return Path(self.path(rel))

    # -- queries ---------------------------------------------------------------------------

    def exists(self, rel: str = "") -> bool:
        if self.is_local:
            return os.path.exists(self.path(rel))
        return bool(self.fs.exists(self.path(rel)))

    def is_dir(self, rel: str = "") -> bool:
        if self.is_local:
            return os.path.isdir(self.path(rel))
        return bool(self.fs.isdir(self.path(rel)))

    def list_names(self, rel: str = "") -> list[str]:
        """Names directly inside folder rel (files and folders), sorted; [] when it is absent."""
        if not self.is_dir(rel):
            return []
        if self.is_local:
            return sorted(os.listdir(self.path(rel)))
        base = self.path(rel).rstrip("/")
        return sorted(str(p).rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(base, detail=False))

    def files(self, rel: str = "", suffix: str = "") -> list[str]:
        """Relative paths of the files under folder rel ending in suffix, hidden ones left out
        (any part starting with "." or "_", as Parquet readers do), sorted."""
        base = self.path(rel).rstrip("/")
        if self.is_local:
            if not os.path.isdir(base):
                return []
            found = [str(p) for p in Path(base).rglob(f"*{suffix}") if p.is_file()]
        else:
            if not self.fs.isdir(base):
                return []
            found = [str(p) for p in self.fs.find(base) if str(p).endswith(suffix)]
        result = []
        for full in found:
            inner = full[len(base) :].lstrip("/")
            if any(part.startswith((".", "_")) for part in inner.split("/")):
                continue
            result.append(f"{rel}/{inner}" if rel else inner)
        return sorted(result)

    def parquet_files(self, rel: str) -> list[str]:
        return self.files(rel, ".parquet")

    # -- reading ---------------------------------------------------------------------------

    def read_table(
        self, rel: str, columns: list[str] | None = None, schema: pa.Schema | None = None
    ) -> pa.Table:
        return pq.read_table(
            self.path(rel), columns=columns, schema=schema, filesystem=self._arrow_fs()
        )

    def read_columns(self, rel_folder: str, columns: list[str]) -> pa.Table | None:
        """Some columns of every data file under rel_folder, or None when it holds none."""
        files = self.parquet_files(rel_folder)
        if not files:
            return None
        return pa.concat_tables(self.read_table(f, columns=columns) for f in files)

    def parquet_metadata(self, rel: str) -> pq.FileMetaData:
        if self.is_local:
            return pq.ParquetFile(self.path(rel)).metadata
        with self.fs.open(self.path(rel), "rb") as stream:
            return pq.ParquetFile(stream).metadata

    def read_text(self, rel: str) -> str:
        if self.is_local:
            return Path(self.path(rel)).read_text(encoding="utf-8")
        return str(self.fs.cat_file(self.path(rel)).decode("utf-8"))

    # -- writing ---------------------------------------------------------------------------

    def write_parquet(self, table: pa.Table, rel: str) -> str:
        """Write table to rel so that it appears complete or not at all; returns rel."""
        if self.is_local:
            write_parquet_atomic(table, Path(self.path(rel)))
            return rel
        self._makedirs_for(rel)
        pq.write_table(
            table,
            self.path(rel),
            filesystem=self._arrow_fs(),
            compression=COMPRESSION,
            row_group_size=ROW_GROUP_SIZE,
            write_statistics=True,
        )
        return rel

    def write_text(self, rel: str, text: str) -> str:
        if self.is_local:
            write_text_atomic(text, Path(self.path(rel)))
            return rel
        self._makedirs_for(rel)
        self.fs.pipe_file(self.path(rel), text.encode("utf-8"))
        return rel

    def create_exclusive(self, rel: str, text: str) -> bool:
        """Create rel with text only if it does not exist yet; False when it already does."""
        if self.is_local:
            path = Path(self.path(rel))
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(text)
            return True
        self._makedirs_for(rel)
        try:
            with self.fs.open(self.path(rel), "xb") as stream:
                stream.write(text.encode("utf-8"))
        except FileExistsError:
            return False
        except (NotImplementedError, ValueError):
            # A store without conditional writes: check, then write. Two runs starting in the
            # same instant could both pass; documented for object stores in the README.
            if self.exists(rel):
                return False
            self.write_text(rel, text)
        return True

    def move(self, source: str, target: str) -> None:
        """Move a file within the storage, replacing target (a rename on a local disk)."""
        if self.is_local:
            os.makedirs(os.path.dirname(self.path(target)), exist_ok=True)
            os.replace(self.path(source), self.path(target))
            return
        self._makedirs_for(target)
        self.fs.mv(self.path(source), self.path(target))

    def delete(self, rel: str) -> None:
        """Remove a file; no error when it is already gone."""
        try:
            if self.is_local:
                os.unlink(self.path(rel))
            else:
                self.fs.rm_file(self.path(rel))
        except FileNotFoundError:
            pass

    def delete_tree(self, rel: str) -> None:
        if self.is_local:
            shutil.rmtree(self.path(rel), ignore_errors=True)
        elif self.fs.exists(self.path(rel)):
            self.fs.rm(self.path(rel), recursive=True)

    def sync(self, rel: str = "") -> None:
        """Make the renames in folder rel durable (fsync the folder); nothing to do remotely."""
        if self.is_local and os.path.isdir(self.path(rel)):
            _fsync(Path(self.path(rel)))

    @contextmanager
    def local_folder(self, rel: str) -> Iterator[Path]:
        """A local folder to write many files into (reports, HTML): the real one on a local disk,
        else a temporary one uploaded to rel when the block ends without error."""
        if self.is_local:
            folder = Path(self.path(rel))
            folder.mkdir(parents=True, exist_ok=True)
            yield folder
            return
        with tempfile.TemporaryDirectory(prefix="newsclean-upload-") as scratch:
            yield Path(scratch)
            for file in sorted(Path(scratch).rglob("*")):
                if file.is_file():
                    inner = file.relative_to(scratch).as_posix()
                    self._makedirs_for(f"{rel}/{inner}")
                    self.fs.put_file(str(file), self.path(f"{rel}/{inner}"))

    def _makedirs_for(self, rel: str) -> None:
        parent = self.path(rel).rsplit("/", 1)[0]
        self.fs.makedirs(parent, exist_ok=True)

    def _arrow_fs(self) -> Any:
        if self.is_local:
            return None
        # Imported here: only for object stores.
        from pyarrow.fs import FSSpecHandler, PyFileSystem

        return PyFileSystem(FSSpecHandler(self.fs))


def write_parquet_atomic(table: pa.Table, path: Path) -> Path:
    """Write table to a local path so that it appears complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(
        table,
        temporary,
        compression=COMPRESSION,
        row_group_size=ROW_GROUP_SIZE,
        write_statistics=True,
    )
    _fsync(temporary)
    os.replace(temporary, path)
    _fsync(path.parent)
    return path


def write_text_atomic(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    _fsync(temporary)
    os.replace(temporary, path)
    return path


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
