"""HTML pages (.html, .htm, and either gzipped): one file, one document.

The page's own charset declaration is trusted before encoding detection, and the document is
HTML whatever it starts with, so extraction always parses it as a page.
"""

from __future__ import annotations

from collections.abc import Iterator

from flows.core.records import Rejection, SourceDocument
from flows.readers.documents import read_whole_file
from flows.readers.inputs import FilePart, InputFile, ReadOptions


def read_html(
    item: InputFile, part: FilePart | None, options: ReadOptions
) -> Iterator[SourceDocument | Rejection]:
    """The page's one document, or its rejection. (`part` is always None: an HTML file is not
    cut into parts.)"""
    yield read_whole_file(item, options.max_document_bytes, prefer_html=True)
