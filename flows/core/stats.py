"""Counters that every step of a run writes to, and that merge across batches and workers.

In the spirit of datatrove's per-step stats: a stage, a batch or a whole-run step counts what it did
into a `Stats`; batches return theirs to the flow, which merges them (`+=`), and the run summary,
the report and the dataset card read the merged numbers. Nothing is counted twice by hand.

Every kind of figure merges exactly, so the result does not depend on how the run was cut into
batches or which worker ran them:
- counts: named integers ("documents", "published");
- tallies: named breakdowns by key ("quarantine_reasons" -> {"timeout": 2});
- distributions: integer values kept as value -> how often (exact min, median and max);
- extents: the smallest and largest of comparable values (dates);
- seconds: wall time spent per step.
A `Stats` pickles, so it crosses process boundaries (worker processes, Dask) unchanged.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stats:
    counts: Counter[str] = field(default_factory=Counter)
    tallies: dict[str, Counter[str]] = field(default_factory=dict)
    distributions: dict[str, Counter[int]] = field(default_factory=dict)
    extents: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    # -- writing ------------------------------------------------------------------------------
    def add(self, name: str, amount: int = 1) -> None:
        """Add to a named count."""
        self.counts[name] += amount

    def tally(self, group: str, keys: Iterable[str] | str, amount: int = 1) -> None:
        """Count each key (or one key) in a named breakdown."""
        counter = self.tallies.setdefault(group, Counter())
        if isinstance(keys, str):
            counter[keys] += amount
        else:
            for key in keys:
                counter[key] += amount

    def observe(self, name: str, values: Iterable[int] | int) -> None:
        """Record integer values of a named distribution (e.g. word counts)."""
        counter = self.distributions.setdefault(name, Counter())
        if isinstance(values, int):
            counter[values] += 1
        else:
            counter.update(values)

    def extend(self, name: str, values: Iterable[Any]) -> None:
        """Widen a named extent (min, max) to cover `values` (None values are ignored)."""
        present = [value for value in values if value is not None]
        if not present:
            return
        low, high = min(present), max(present)
        if name in self.extents:
            old_low, old_high = self.extents[name]
            low, high = min(low, old_low), max(high, old_high)
        self.extents[name] = (low, high)

    @contextmanager
    def timer(self, step: str) -> Iterator[None]:
        """Add the wall time of the block to `step`'s seconds."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - start

    # -- merging ------------------------------------------------------------------------------
    def merge(self, other: Stats) -> Stats:
        """Add `other`'s figures into this one (in place) and return it."""
        self.counts.update(other.counts)
        for group, counter in other.tallies.items():
            self.tallies.setdefault(group, Counter()).update(counter)
        for name, values in other.distributions.items():
            self.distributions.setdefault(name, Counter()).update(values)
        for name, (low, high) in other.extents.items():
            self.extend(name, (low, high))
        for step, spent in other.seconds.items():
            self.seconds[step] = self.seconds.get(step, 0.0) + spent
        return self

    def __iadd__(self, other: Stats) -> Stats:
        return self.merge(other)

    def __add__(self, other: Stats) -> Stats:
        return Stats().merge(self).merge(other)

    @classmethod
    def total(cls, parts: Iterable[Stats]) -> Stats:
        merged = cls()
        for part in parts:
            merged.merge(part)
        return merged

    # -- reading ------------------------------------------------------------------------------
    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def breakdown(self, group: str) -> dict[str, int]:
        """A tally as a dict, largest first, ties by key (a stable order for reports)."""
        counter = self.tallies.get(group, Counter())
        return dict(
            sorted(((k, v) for k, v in counter.items() if v), key=lambda kv: (-kv[1], kv[0]))
        )

    def summary(self, name: str) -> DistributionSummary:
        """Exact min, median and max of a distribution (None for an empty one)."""
        return DistributionSummary.of(self.distributions.get(name, Counter()))

    def extent(self, name: str) -> tuple[Any, Any] | tuple[None, None]:
        return self.extents.get(name, (None, None))


@dataclass(frozen=True)
class DistributionSummary:
    n: int
    min: int | None
    median: float | None
    max: int | None

    @classmethod
    def of(cls, values: Mapping[int, int]) -> DistributionSummary:
        items = sorted((value, n) for value, n in values.items() if n > 0)
        total = sum(n for _, n in items)
        if not total:
            return cls(0, None, None, None)
        return cls(total, items[0][0], _median(items, total), items[-1][0])


def _median(items: list[tuple[int, int]], total: int) -> float:
    """Median of sorted (value, how often) pairs: the middle value, or the mean of the two."""
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    lower = upper = None
    seen = 0
    for value, n in items:
        if lower is None and seen + n > lower_rank:
            lower = value
        if seen + n > upper_rank:
            upper = value
            break
        seen += n
    assert lower is not None and upper is not None
    return (lower + upper) / 2
