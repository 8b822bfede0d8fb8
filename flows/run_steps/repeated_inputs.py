"""Repeated inputs: the same bytes read by different batches of a run are one input.

A batch records an input with the same bytes as an earlier input of the same batch as a repeat,
without processing it again; copies in different batches are each processed, since no batch sees
the others. This step settles them over the run: the first copy in reading order (by file, then
line or offset: as one batch reading everything would meet them) stays, the others become
repeats in the inputs state, and the article or quarantine rows their processing left are
dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from flows.core.figures import REPEATED_INPUTS
from flows.core.rows import REPEAT
from flows.core.stats import Stats
from flows.dataset.state import DatasetState
from flows.run_steps.base import BatchTables, RunStep

# (input_sha256, source_uri, outcome) of each input a batch recorded.
InputFacts = list[tuple[str, str, str]]


@dataclass(frozen=True)
class Repeats:
    """The inputs that become repeats: (input_sha256, source_uri), and the (record_id,
    source_uri) of the rows their processing left (a record_id is input_sha256's first 16)."""

    inputs: frozenset[tuple[str, str]] = frozenset()

    @property
    def rows(self) -> frozenset[tuple[str, str]]:
        return frozenset((sha[:16], uri) for sha, uri in self.inputs)


class RepeatedInputs(RunStep[InputFacts, Repeats]):
    name = "repeated_inputs"

    def facts(self, batch: BatchTables) -> InputFacts:
        columns = batch.inputs.select(["input_sha256", "source_uri", "outcome"]).to_pydict()
        return list(
            zip(columns["input_sha256"], columns["source_uri"], columns["outcome"], strict=True)
        )

    def decide(self, facts: Sequence[InputFacts], state: DatasetState) -> Repeats:
        first: dict[str, str] = {}  # input_sha256 -> source_uri of the copy that stays
        for batch in facts:
            for sha, uri, outcome in batch:
                if outcome != REPEAT:
                    kept = first.get(sha)
                    if kept is None or reading_order(uri) < reading_order(kept):
                        first[sha] = uri
        return Repeats(
            frozenset(
                (sha, uri)
                for batch in facts
                for sha, uri, outcome in batch
                if outcome != REPEAT and first[sha] != uri
            )
        )

    def changes(self, decision: Repeats, facts: InputFacts) -> bool:
        return any((sha, uri) in decision.inputs for sha, uri, _ in facts)

    def apply(self, decision: Repeats, batch: BatchTables, stats: Stats) -> BatchTables:
        inputs = _mark_repeats(batch.inputs, decision.inputs)
        if inputs is not batch.inputs:  # then this batch processed a copy: its rows go
            rows = decision.rows
            batch = batch.replace(
                inputs=inputs,
                articles=_drop(batch.articles, "article_id", rows),
                quarantine=_drop(batch.quarantine, "record_id", rows),
            )
        stats.add(REPEATED_INPUTS, pc.sum(pc.equal(batch.inputs["outcome"], REPEAT)).as_py() or 0)
        return batch


def reading_order(source_uri: str) -> tuple[str, int]:
    """Sort key of an input: its file, then its line (#L<n>) or WARC offset (#offset=<n>)."""
    path, _, position = source_uri.partition("#")
    digits = position.removeprefix("L").removeprefix("offset=")
    return (path, int(digits)) if digits.isdigit() else (source_uri, -1)


def _mark_repeats(inputs: pa.Table, repeats: frozenset[tuple[str, str]]) -> pa.Table:
    """The inputs with those in `repeats` turned into repeats (the same table when none is)."""
    if not repeats:
        return inputs
    pairs = zip(inputs["input_sha256"].to_pylist(), inputs["source_uri"].to_pylist(), strict=True)
    outcomes = inputs["outcome"].to_pylist()
    marked = [REPEAT if pair in repeats else old for pair, old in zip(pairs, outcomes, strict=True)]
    if marked == outcomes:
        return inputs
    index = inputs.schema.get_field_index("outcome")
    return inputs.set_column(index, inputs.schema.field(index), pa.array(marked, pa.string()))


def _drop(table: pa.Table, key: str, rows: frozenset[tuple[str, str]]) -> pa.Table:
    """The table without its (key, source_uri) rows in `rows`."""
    pairs = zip(table[key].to_pylist(), table["source_uri"].to_pylist(), strict=True)
    keep = [pair not in rows for pair in pairs]
    return table if all(keep) else table.filter(pa.array(keep, pa.bool_()))
