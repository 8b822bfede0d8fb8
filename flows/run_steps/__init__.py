"""Whole-run steps: what can only be decided over every document of a run.

Each step measures every batch, decides over the run, and applies its decision to each batch in
one pass before validation (the shape: flows/run_steps/base.py). They run in this order; adding a
step means adding a module and naming its step here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flows.run_steps.base import RunStep
from flows.run_steps.duplicates import Duplicates
from flows.run_steps.repeated_inputs import RepeatedInputs
from flows.run_steps.repeated_lines import RepeatedLines
from flows.run_steps.stories import Stories

RUN_STEPS: tuple[RunStep[Any, Any], ...] = (
    RepeatedInputs(),  # copies read by different batches: the first stays, its rows alone
    RepeatedLines(),  # a publisher's repeated short paragraphs, stripped before bodies compare
    # Equal and near-equal bodies: each copy points at its canonical one. Its decision also
    # holds the bands publish stages (flows/pipeline.py).
    Duplicates(),
    # Last: it changes nearly every batch that has a story, so a step after it would measure
    # them all again.
    Stories(),  # the same event told by several articles: one story_id
)


def configured(
    steps: Sequence[RunStep[Any, Any]], near_duplicate_threshold: float
) -> tuple[RunStep[Any, Any], ...]:
    """The steps with a run's options: the duplicates step with the run's near-duplicate
    threshold (it changes the decision only, not what the batch tasks measure)."""
    return tuple(
        Duplicates(near_duplicate_threshold) if isinstance(step, Duplicates) else step
        for step in steps
    )
