"""The page-level choice benchmarks/block_choice.py measured after the block model (out of
fold, not shipped): its candidates, its page measures and its nesting by site. Synthetic pages
only; no corpus needed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from flows.stages import blocks

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import block_choice  # noqa: E402
import train_blocks  # noqa: E402

TEXTS = [
    "Home News Sport Weather",
    "The harbour board agreed on Tuesday to dredge the northern channel before the ferry "
    "season, after two groundings last summer.",
    "Fishermen had asked for the work for three years; the board said the cost would be shared "
    "with the port's largest operator.",
    "A survey of the channel's depth will be published next month.",
    "Share this story Facebook Twitter Email",
]
WORDS = np.array([len(t.split()) for t in TEXTS], dtype=float)
EXTRACTOR_TEXT = "\n".join(TEXTS[1:4])


def x_with(extractor_kept: list[int]) -> np.ndarray:
    x = np.zeros((len(TEXTS), len(blocks.block_feature_names())))
    x[:, block_choice.EXTRACTOR_KEPT] = extractor_kept
    return x


def test_the_candidates_are_the_thresholds_decisions_then_the_extractor() -> None:
    scores = np.array([0.1, 0.9, 0.6, 0.4, 0.2])
    masks = block_choice.candidate_masks(TEXTS, scores, EXTRACTOR_TEXT)
    assert len(masks) == len(block_choice.CANDIDATES)
    assert masks[-1] is None  # trafilatura's own text
    at = dict(zip(block_choice.THRESHOLDS, masks, strict=False))
    assert at[0.5] is not None and at[0.5].tolist() == [False, True, True, False, False]
    assert at[0.3] is not None and at[0.3].tolist() == [False, True, True, True, False]
    # At 0.7 the model keeps one block, less than half of trafilatura's words: the guard.
    assert at[0.7] is None


def test_a_candidate_equal_to_the_first_changes_nothing() -> None:
    scores = np.array([0.1, 0.9, 0.8, 0.6, 0.2])
    x = x_with([0, 1, 1, 1, 0])
    masks = block_choice.candidate_masks(TEXTS, scores, EXTRACTOR_TEXT)
    rows = block_choice.choice_features(WORDS, x, scores, masks)
    names = block_choice.choice_feature_names()
    assert rows.shape == (len(masks), len(names))
    first, extractor = rows[0], rows[-1]
    # The model keeps exactly trafilatura's blocks here: nothing added or removed.
    for row in (first, extractor):
        assert row[names.index("added:words")] == 0
        assert row[names.index("removed:words")] == 0
        assert row[names.index("overlap_extractor")] == 1.0
    assert extractor[names.index("is_extractor")] == 1.0
    assert first[names.index("is_extractor")] == 0.0


def test_the_change_measures_see_what_a_candidate_adds() -> None:
    scores = np.array([0.1, 0.9, 0.8, 0.4, 0.35])
    x = x_with([0, 1, 1, 1, 0])
    masks = block_choice.candidate_masks(TEXTS, scores, EXTRACTOR_TEXT)
    rows = block_choice.choice_features(WORDS, x, scores, masks)
    names = block_choice.choice_feature_names()
    lower = rows[block_choice.THRESHOLDS.index(0.3)]
    first_words = WORDS[1:3].sum()
    # At 0.3 the last two blocks join: both after the first candidate's last block.
    assert lower[names.index("added:words")] == pytest.approx(WORDS[3:].sum() / first_words)
    assert lower[names.index("after_first")] == pytest.approx(WORDS[3:].sum() / first_words)
    assert lower[names.index("before_first")] == 0
    assert 0.35 <= lower[names.index("added:mean_score")] <= 0.4


def test_runs_and_the_largest_run() -> None:
    mask = np.array([True, True, False, True, False, True])
    words = np.array([5.0, 5.0, 100.0, 30.0, 1.0, 2.0])
    assert block_choice.runs(mask) == 3
    assert block_choice.largest_run(words, mask) == 30.0
    assert block_choice.runs(np.zeros(0, dtype=bool)) == 0


def _bare_page(n: int) -> train_blocks.PageData:
    """A WCXB page of no content, on one of 40 sites: the choosers here read only its rows."""
    empty = np.zeros(1)
    return train_blocks.PageData(
        "wcxb", f"{n}.html", f"site{n % 40}.example", np.zeros((1, 1)), empty, empty, [], "", {}
    )


def test_the_chooser_is_nested_by_site_and_learns_a_clear_signal() -> None:
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    pages, rows, f1s, better_pages = [], {}, {}, set()
    width = len(block_choice.choice_feature_names())
    for n in range(240):
        page = _bare_page(n)
        pages.append(page)
        # The second measure of every row says whether trafilatura's text is the better one.
        better = n % 3 == 0
        if better:
            better_pages.add(id(page))
        table = rng.random((len(block_choice.CANDIDATES), width))
        table[:, 1] = 0.0
        table[-1, 1] = 1.0 if better else 0.0
        rows[id(page)] = table
        f1s[id(page)] = np.array([0.8, 0.7, 0.7, 0.95 if better else 0.5])
    chooser = block_choice.Chooser("test", "hgb", alternatives=(3,))
    choice = block_choice.nested_choice(pages, rows, f1s, chooser)
    assert set(choice) == {id(p) for p in pages}
    right = sum(choice[id(p)] == (3 if id(p) in better_pages else 0) for p in pages)
    assert right >= 0.9 * len(pages)


def test_no_chooser_is_trained_on_the_pages_it_chooses_for(monkeypatch: pytest.MonkeyPatch) -> None:
    pages, rows, f1s = [], {}, {}
    width = len(block_choice.choice_feature_names())
    for n in range(120):
        page = _bare_page(n)
        pages.append(page)
        table = np.zeros((len(block_choice.CANDIDATES), width))
        table[:, 0] = n  # which page a training row came from
        rows[id(page)] = table
        f1s[id(page)] = np.array([0.8, 0.7, 0.9, 0.6])
    trained_on: list[set[int]] = []

    class Never:
        def predict_proba(self, x: np.ndarray) -> np.ndarray:
            return np.tile([1.0, 0.0], (len(x), 1))

    def fake_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, learner: str) -> Never:
        trained_on.append({int(v) for v in x[:, 0]})
        return Never()

    monkeypatch.setattr(block_choice, "fit_chooser", fake_fit)
    choice = block_choice.nested_choice(pages, rows, f1s, block_choice.Chooser("t", "hgb"))
    assert len(trained_on) == block_choice.FOLDS
    every = set(range(len(pages)))
    for fold, seen in enumerate(trained_on):
        held = {
            n
            for n, p in enumerate(pages)
            if train_blocks.fold_of(p.site, block_choice.FOLDS) == fold
        }
        assert held and not held & seen
        assert seen == every - held
    assert set(choice.values()) == {0}  # odds of 0 never replace the first candidate
