"""The dataset schemas, read from schemas/*.json: the one place where columns are declared.

The pyarrow schema, the README's column table and the Great Expectations suites are all derived
from these files, so they cannot drift apart.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import pyarrow as pa

from flows.core.layout import (
    ARTICLES,
    INPUTS,
    MINHASH_BANDS,
    QUARANTINE,
    STORIES,
    STORY_LINKS,
    STORY_TERMS,
)
from flows.core.resources import schemas_dir

SCHEMA_VERSION = 1

_SCALAR_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "binary": pa.binary(),
    "bool": pa.bool_(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "timestamp[us, UTC]": pa.timestamp("us", tz="UTC"),
}
_LIST = re.compile(r"^list<(?P<item>.+)>$")
_STRUCT = re.compile(r"^struct<(?P<fields>.+)>$")


class SchemaError(Exception):
    """A schema file is missing or malformed."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    description: str

    @property
    def arrow_type(self) -> pa.DataType:
        return parse_type(self.type)


@dataclass(frozen=True)
class Partition:
    """A Hive partition folder (name=value) derived from a timestamp column of the rows."""

    name: str
    source: str  # the column it is derived from
    format: str  # strftime format of the value
    description: str

    def folder(self, when: datetime) -> str:
        return f"{self.name}={when:{self.format}}"


@dataclass(frozen=True)
class TableSchema:
    name: str
    version: int
    description: str
    row_key: str
    columns: tuple[Column, ...]
    partition: Partition | None = None

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def arrow(self) -> pa.Schema:
        fields = [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns]
        return pa.schema(fields, metadata={"newsclean.schema": f"{self.name}.v{self.version}"})

    def markdown_table(self) -> str:
        lines = ["| column | type | nullable | meaning |", "| --- | --- | --- | --- |"]
        for c in self.columns:
            nullable = "yes" if c.nullable else "no"
            lines.append(f"| `{c.name}` | `{c.type}` | {nullable} | {c.description} |")
        if self.partition is not None:
            p = self.partition
            lines.append(f"| `{p.name}` (partition) | `string` | no | {p.description} |")
        return "\n".join(lines)

    def data_folder(self, when: datetime) -> str:
        """Where rows written at `when` go, relative to the output: "articles/ingested_month=..."."""
        if self.partition is None:
            return self.name
        return f"{self.name}/{self.partition.folder(when)}"


def parse_type(spec: str) -> pa.DataType:
    """Turn a type string of the schema files ("list<string>", "struct<a: string>") into arrow."""
    spec = spec.strip()
    if spec in _SCALAR_TYPES:
        return _SCALAR_TYPES[spec]
    if match := _LIST.match(spec):
        return pa.list_(parse_type(match["item"]))
    if match := _STRUCT.match(spec):
        fields = []
        for part in _split_top_level(match["fields"]):
            name, _, item = part.partition(":")
            fields.append(pa.field(name.strip(), parse_type(item)))
        return pa.struct(fields)
    raise SchemaError(f"unknown column type {spec!r}")


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "<"
        depth -= char == ">"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def load_schema(
    name: str, version: int = SCHEMA_VERSION, directory: Path | None = None
) -> TableSchema:
    path = (directory or schemas_dir()) / f"{name}.v{version}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        columns = tuple(
            Column(c["name"], c["type"], bool(c["nullable"]), c["description"])
            for c in raw["columns"]
        )
        partition = None
        if "partition" in raw:
            spec = raw["partition"]
            partition = Partition(spec["name"], spec["from"], spec["format"], spec["description"])
        schema = TableSchema(
            raw["name"], int(raw["version"]), raw["description"], raw["row_key"], columns, partition
        )
    except FileNotFoundError as error:
        raise SchemaError(f"schema file not found: {path}") from error
    except (ValueError, KeyError, TypeError) as error:
        raise SchemaError(f"schema file {path} is malformed: {error}") from error
    for column in schema.columns:
        column.arrow_type  # noqa: B018 - fail at load time on an unknown type, not at write time
    if partition is not None and partition.source not in schema.names:
        raise SchemaError(f"schema file {path}: partition source {partition.source!r} is no column")
    return schema


@cache
def articles_schema() -> TableSchema:
    return load_schema(ARTICLES)


@cache
def quarantine_schema() -> TableSchema:
    return load_schema(QUARANTINE)


@cache
def inputs_schema() -> TableSchema:
    return load_schema(INPUTS)


@cache
def stories_schema() -> TableSchema:
    return load_schema(STORIES)


@cache
def story_terms_schema() -> TableSchema:
    return load_schema(STORY_TERMS)


@cache
def story_links_schema() -> TableSchema:
    return load_schema(STORY_LINKS)


@cache
def minhash_bands_schema() -> TableSchema:
    return load_schema(MINHASH_BANDS)


def readme_schema_section() -> str:
    """The README's schema tables, generated from the schema files (a test keeps them in step)."""
    parts = []
    for schema in (
        articles_schema(),
        quarantine_schema(),
        inputs_schema(),
        minhash_bands_schema(),
        stories_schema(),
        story_terms_schema(),
        story_links_schema(),
    ):
        parts += [
            f"#### `{schema.name}` (v{schema.version})",
            "",
            schema.description,
            "",
            schema.markdown_table(),
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    print(readme_schema_section(), end="")
