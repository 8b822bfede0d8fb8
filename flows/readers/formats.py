"""The table of input formats: which file names each format reads, its reader, and, for a
container format, how a big file of it is cut into parts.

Adding a format means writing its module (a reader of the `Reader` shape, and a `PartScan` if
one file holds many records) and naming it in `FORMATS`; discovery, reading and batch planning
all go through this table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flows.core.records import Rejection, SourceDocument
from flows.readers.html import read_html
from flows.readers.inputs import FilePart, InputFile, PartStart, ReadOptions
from flows.readers.jsonl import jsonl_part_starts, read_jsonl
from flows.readers.text import read_text
from flows.readers.warc import read_warc, warc_part_starts

# Every format's shape: an input file (and, for a container format, the part of it to read)
# to its documents, and a rejection for each unreadable input or record, in file order.
Reader = Callable[[InputFile, FilePart | None, ReadOptions], Iterator[SourceDocument | Rejection]]
# A container format's scan for where parts of a big file start: (file, records per part,
# max document bytes) -> (where each part after the first starts, documents in the file).
PartScan = Callable[[InputFile, int, int], tuple[list[PartStart], int]]

GZIP_SUFFIX = ".gz"


@dataclass(frozen=True)
class InputFormat:
    """One input format: its name (the dataset's `source_format`), the suffixes of the files it
    reads (each also read gzipped, with `.gz` after it), its reader, and its part scan (None for
    a format of one document per file, which is never cut)."""

    name: str
    suffixes: tuple[str, ...]
    read: Reader
    part_starts: PartScan | None = None

    @property
    def file_suffixes(self) -> tuple[str, ...]:
        """Every suffix a file of the format may end with: each of its own, plain and gzipped."""
        return tuple(suffix + gz for suffix in self.suffixes for gz in ("", GZIP_SUFFIX))


FORMATS: tuple[InputFormat, ...] = (
    InputFormat("text", (".txt",), read_text),
    InputFormat("html", (".html", ".htm"), read_html),
    InputFormat("jsonl", (".jsonl",), read_jsonl, jsonl_part_starts),
    InputFormat("warc", (".warc",), read_warc, warc_part_starts),
)

# The formats whose big files are cut into parts, each read by its own task.
SPLITTABLE_FORMATS = frozenset(fmt.name for fmt in FORMATS if fmt.part_starts is not None)


def input_format(name: str) -> str | None:
    """The format of a file by its name's suffix (any case); None for a file no format reads."""
    lower = name.lower()
    # Should two suffixes fit one name, the longer (the more specific) wins, whatever the order.
    matches = [
        (len(suffix), fmt.name)
        for fmt in FORMATS
        for suffix in fmt.file_suffixes
        if lower.endswith(suffix)
    ]
    return max(matches)[1] if matches else None


def format_named(name: str) -> InputFormat:
    """The format an `InputFile.format` names; ValueError for a name no format has."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise ValueError(f"no reader for the input format {name!r}")
