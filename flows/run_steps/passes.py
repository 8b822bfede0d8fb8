"""The passes of the whole-run steps over a run's batches.

- `measure`: every step's facts of a batch, in the batch task, from the tables it is staging.
- `RunFacts`: the facts of every batch, kept current while the steps decide in order: a batch an
  earlier decision changes is `stale` until its later facts are measured again (`remeasure`,
  which reads its staged tables once and applies the decisions taken so far).
- `apply_pass`: the one pass before validation: each staged batch read once, every decision
  applied to it in step order. Nothing in staging is rewritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa

from flows.core.figures import STAGE_SECONDS
from flows.core.schema import articles_schema, inputs_schema, quarantine_schema
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.run_steps.base import BatchTables, RunStep, StagedBatch

Steps = Sequence[RunStep[Any, Any]]


def measure(batch: BatchTables, steps: Steps, stats: Stats | None = None) -> dict[str, Any]:
    """Each step's facts of the batch, by step name; each timed under its name into `stats`."""
    stats = Stats() if stats is None else stats
    facts: dict[str, Any] = {}
    for step in steps:
        with stats.timer(step.name):
            facts[step.name] = step.facts(batch)
    return facts


def apply_decisions(
    batch: BatchTables, steps: Steps, decisions: Sequence[Any], stats: Stats
) -> BatchTables:
    """The batch with the decisions of the first len(decisions) steps applied, in step order,
    each timed under the step's name."""
    for step, decision in zip(steps, decisions, strict=False):
        with stats.timer(step.name):
            batch = step.apply(decision, batch, stats)
    return batch


def read_batch(storage: Storage, staged: StagedBatch) -> BatchTables:
    """A staged batch's tables, each file read once (empty tables for those it has not)."""
    return BatchTables(
        staged,
        articles=_read(storage, staged.articles, articles_schema().arrow()),
        quarantine=_read(storage, staged.quarantine, quarantine_schema().arrow()),
        inputs=_read(storage, staged.inputs, inputs_schema().arrow()),
    )


def _read(storage: Storage, path: str | None, schema: pa.Schema) -> pa.Table:
    return schema.empty_table() if path is None else storage.read_table(path, schema=schema)


def remeasure(
    storage: Storage, staged: StagedBatch, steps: Steps, decisions: Sequence[Any]
) -> dict[str, Any]:
    """The facts of the steps not decided yet, of the batch as the decided ones leave it."""
    decided = len(decisions)
    # The counts of this apply are thrown away: the apply pass counts each batch once.
    batch = apply_decisions(read_batch(storage, staged), steps, decisions, Stats())
    return measure(batch, steps[decided:])


def apply_pass(
    storage: Storage,
    staged: Sequence[StagedBatch],
    steps: Steps,
    decisions: Sequence[Any],
    stats: Stats,
) -> Iterator[tuple[BatchTables, BatchTables]]:
    """Each staged batch in order, as read and with every decision applied (one read each)."""
    if len(decisions) != len(steps):
        raise ValueError(f"{len(steps)} run steps but {len(decisions)} decisions")
    for batch in staged:
        with stats.timer(STAGE_SECONDS):
            tables = read_batch(storage, batch)
        yield tables, apply_decisions(tables, steps, decisions, stats)


class RunFacts:
    """The facts of every batch of a run, per step, current for the next step to decide."""

    def __init__(self, steps: Steps, measured: Sequence[tuple[StagedBatch, Mapping[str, Any]]]):
        self._steps = list(steps)
        self._batches = [batch for batch, _ in measured]
        self._facts = {batch.index: dict(facts) for batch, facts in measured}
        self._decided = 0
        self._stale: set[int] = set()  # batches whose undecided steps' facts are out of date

    def of(self, step: RunStep[Any, Any]) -> list[Any]:
        """The step's facts of every batch, in batch order."""
        return [self._facts[batch.index][step.name] for batch in self._batches]

    def stale(self) -> list[StagedBatch]:
        """Batches an earlier decision changed: measure them again before the next step decides."""
        return [batch for batch in self._batches if batch.index in self._stale]

    def remeasured(self, batch: StagedBatch, facts: Mapping[str, Any]) -> None:
        self._facts[batch.index].update(facts)
        self._stale.discard(batch.index)

    def decided(self, step: RunStep[Any, Any], decision: Any) -> None:
        """Record the next step's decision; the batches it changes become stale for the rest."""
        expected = self._steps[self._decided]
        if step is not expected:
            raise ValueError(f"run step {step.name} decided out of order (next: {expected.name})")
        if self._stale:
            raise ValueError(f"run step {step.name} decided on stale facts: measure them first")
        self._decided += 1
        if self._decided == len(self._steps):
            return  # no later step reads facts
        for batch in self._batches:
            if step.changes(decision, self._facts[batch.index][step.name]):
                self._stale.add(batch.index)
