"""Reading inputs: discovering files (local or fsspec URLs) and decoding each input format into
source documents or rejections.

  discovery.py   find input files and skipped ones; InputError for a path that is not there
  formats.py     the table of formats: suffixes, reader, and how a big file is cut into parts
  text.py, html.py, jsonl.py, warc.py   one reader per format, all of one shape
  read.py        read a file or part through its format's reader
  parts.py       cut big container files into parts, each a task of its own
  inputs.py      what a reader is given (InputFile, FilePart, ReadOptions), opening its bytes
  decode.py      bytes to text: gzip, binary data, encodings
  documents.py   one input's bytes to a document or a rejection
  keys.py        what identifies an input across runs (content key, record id)
  rejections.py  unreadable inputs as rejections with a reason, never an exception

The names below are what the rest of the pipeline uses.
"""

from flows.readers.discovery import InputError, discover, url_exists
from flows.readers.formats import SPLITTABLE_FORMATS
from flows.readers.inputs import DEFAULT_MAX_DOCUMENT_BYTES, FilePart, InputFile, WorkItem
from flows.readers.parts import plan_parts
from flows.readers.read import iter_documents, read_documents

__all__ = [
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "SPLITTABLE_FORMATS",
    "FilePart",
    "InputError",
    "InputFile",
    "WorkItem",
    "discover",
    "iter_documents",
    "plan_parts",
    "read_documents",
    "url_exists",
]
