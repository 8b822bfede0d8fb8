"""The shape every whole-run step shares: measure each batch, decide over the run, apply to each.

Some decisions can only be taken over every document of a run: which copy of an input read by two
batches is the real one, which paragraphs a publisher prints under every article, which bodies
are the same. A batch cannot take them, and the flow must not hold the run's rows. So a step
works in three parts, measure then decide (as dolma's taggers and mixers do):

- `facts(batch)`: in the batch task, from the batch's tables, the little the step needs to know
  (hashes, ids, counts; never the text). They travel to the flow.
- `decide(facts, state)`: in the flow, over the facts of every batch in batch order and what the
  dataset already holds: a small decision (ids to drop, paragraphs to strip, duplicate links).
- `apply(decision, batch, stats)`: in the one pass over the staged batches before validation,
  the decision applied to one batch's tables, counting what it did.

Steps run in order, and a step's facts must describe a batch as the earlier steps leave it. A
batch's facts come from its tables as processed; when an earlier step's decision `changes` a
batch, its facts for the later steps are measured again from its staged tables with the earlier
decisions applied (flows/run_steps/passes.py). A new step is a module with a `RunStep` and its
name in `RUN_STEPS` (flows/run_steps/__init__.py).

Near duplicates fit the same shape: MinHash signatures as facts (computed in the batch task, and
again for batches whose bodies repeated lines changed), LSH buckets and the canonical copy as the
decision, a column set by `apply`. So does assigning articles to stories over their facts.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

import pyarrow as pa

from flows.core.records import RunContext
from flows.core.stats import Stats
from flows.dataset.state import DatasetState

Facts = TypeVar("Facts")
Decision = TypeVar("Decision")


@dataclass(frozen=True)
class StagedBatch:
    """Where a processed batch's tables wait in the run's staging area (relative to the output);
    None for a table the batch has no row of."""

    index: int
    articles: str | None = None
    quarantine: str | None = None
    inputs: str | None = None


@dataclass(frozen=True)
class BatchTables:
    """One batch's three tables (schemas/articles, quarantine, inputs), as steps hand them on."""

    staged: StagedBatch
    articles: pa.Table
    quarantine: pa.Table
    inputs: pa.Table

    def replace(self, **tables: pa.Table) -> BatchTables:
        return dataclasses.replace(self, **tables)


class RunStep(ABC, Generic[Facts, Decision]):
    """A whole-run step; see the module docstring. Steps hold no state of a run: the same object
    serves every run, and crosses to worker processes (it pickles)."""

    name: ClassVar[str]  # names the step's facts and its timer in the run's Stats

    @abstractmethod
    def facts(self, batch: BatchTables) -> Facts:
        """What the step needs to know of one batch: small, picklable, no text."""

    @abstractmethod
    def decide(self, facts: Sequence[Facts], state: DatasetState) -> Decision:
        """The decision over the whole run: `facts` of every batch, in batch order."""

    @abstractmethod
    def changes(self, decision: Decision, facts: Facts) -> bool:
        """Whether `apply` alters the batch these facts describe (then the later steps' facts of
        it are measured again)."""

    @abstractmethod
    def apply(self, decision: Decision, batch: BatchTables, stats: Stats) -> BatchTables:
        """The batch with the decision applied; the same tables when it changes nothing."""

    def tables(
        self, decision: Decision, published: Collection[str], context: RunContext
    ) -> list[tuple[str, pa.Table]]:
        """Files the step keeps in the dataset for later runs (a target path, relative to the
        output, and its table), given the article ids the run published after validation. They
        are committed with the run's articles, in the same journal. None by default."""
        return []
