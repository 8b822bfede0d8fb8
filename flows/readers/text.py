"""Plain text files (.txt, .txt.gz): one file, one document.

A text file that turns out to hold HTML (it starts with a tag) is read as HTML downstream; its
encoding is still detected as for text, since the suffix did not promise a charset declaration.
"""

from __future__ import annotations

from collections.abc import Iterator

from flows.core.records import Rejection, SourceDocument
from flows.readers.documents import read_whole_file
from flows.readers.inputs import FilePart, InputFile, ReadOptions


def read_text(
    item: InputFile, part: FilePart | None, options: ReadOptions
) -> Iterator[SourceDocument | Rejection]:
    """The file's one document, or its rejection. (`part` is always None: a text file is not
    cut into parts.)"""
    yield read_whole_file(item, options.max_document_bytes, prefer_html=False)
