"""Dedup: canonical copies chosen from ids alone, duplicates pointed at them."""

from __future__ import annotations

import itertools

from flows.core.text import content_sha256
from flows.run_steps.duplicates import find_duplicates


def test_canonical_is_the_smallest_id_whatever_the_order() -> None:
    pairs = [("c", "h1"), ("a", "h1"), ("b", "h2"), ("d", "h1")]
    results = {
        tuple(sorted(find_duplicates(order).items())) for order in itertools.permutations(pairs)
    }
    assert results == {(("c", "a"), ("d", "a"))}


def test_unique_bodies_have_no_duplicates() -> None:
    assert find_duplicates([("a", "h1"), ("b", "h2")]) == {}


def test_published_canonical_stays_canonical() -> None:
    # "z" was published first; a new copy with a smaller id points at it, not the other way round.
    duplicates = find_duplicates([("a", "h1")], published=[("z", "h1", None)])
    assert duplicates == {"a": "z"}


def test_published_duplicates_are_not_canonical() -> None:
    duplicates = find_duplicates([("m", "h1")], published=[("z", "h1", "y"), ("y", "h1", None)])
    assert duplicates == {"m": "y"}


def test_content_hash_ignores_whitespace_only() -> None:
    assert content_sha256("One  two\n\nthree") == content_sha256("One two three ")
    assert content_sha256("One two three") != content_sha256("One two three.")
