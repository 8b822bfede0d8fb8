"""flows.core.stats: counters that merge across batches exactly, whatever the batch layout."""

from __future__ import annotations

import pickle
import random
import statistics
from datetime import UTC, datetime

import pytest

from flows.core.stats import DistributionSummary, Stats


def _split_counts(values: list[int], parts: int, seed: int) -> list[Stats]:
    rng = random.Random(seed)
    shards: list[Stats] = [Stats() for _ in range(parts)]
    for value in values:
        shard = rng.choice(shards)
        shard.add("documents")
        shard.observe("word_count", value)
        shard.tally("languages", "en" if value % 2 else "de")
    return shards


@pytest.mark.parametrize("parts", [1, 2, 7])
def test_merging_any_split_gives_the_figures_of_one_pass(parts: int) -> None:
    values = [random.Random(1).randint(0, 3000) for _ in range(501)]
    merged = Stats.total(_split_counts(values, parts, seed=parts))
    assert merged.count("documents") == len(values)
    summary = merged.summary("word_count")
    assert (summary.min, summary.max) == (min(values), max(values))
    assert summary.median == statistics.median(values)
    assert sum(merged.breakdown("languages").values()) == len(values)


@pytest.mark.parametrize(
    "values", [[5], [1, 2], [3, 1, 2], [4, 4, 4, 1], [10, 1, 7, 3, 3, 8], list(range(100))]
)
def test_median_matches_the_statistics_module(values: list[int]) -> None:
    stats = Stats()
    stats.observe("n", values)
    assert stats.summary("n").median == statistics.median(values)


def test_empty_distribution_and_extent() -> None:
    stats = Stats()
    assert stats.summary("word_count") == DistributionSummary(0, None, None, None)
    assert stats.extent("published_at") == (None, None)
    assert stats.count("anything") == 0
    assert stats.breakdown("nothing") == {}


def test_extents_ignore_missing_values_and_merge() -> None:
    early, late = datetime(2020, 1, 1, tzinfo=UTC), datetime(2024, 5, 1, tzinfo=UTC)
    a, b = Stats(), Stats()
    a.extend("published_at", [None, late])
    b.extend("published_at", [early, None])
    b.extend("published_at", [None])
    assert (a + b).extent("published_at") == (early, late)
    assert a.extent("published_at") == (late, late)  # + leaves its operands alone


def test_breakdown_is_largest_first_then_by_key() -> None:
    stats = Stats()
    stats.tally("reasons", ["b", "a", "c", "c"])
    stats.tally("reasons", "zero", 0)
    assert list(stats.breakdown("reasons").items()) == [("c", 2), ("a", 1), ("b", 1)]


def test_timer_adds_time_even_when_the_block_raises() -> None:
    stats = Stats()
    with pytest.raises(RuntimeError), stats.timer("extract"):
        raise RuntimeError("boom")
    with stats.timer("extract"):
        pass
    assert stats.seconds["extract"] >= 0
    assert "extract" in stats.seconds


def test_stats_pickle_round_trip() -> None:
    stats = Stats()
    stats.add("documents", 3)
    stats.tally("kinds", ["caption", "byline"])
    stats.observe("word_count", [10, 20])
    stats.extend("published_at", [datetime(2023, 6, 18, tzinfo=UTC)])
    copy = pickle.loads(pickle.dumps(stats))
    assert copy == stats
