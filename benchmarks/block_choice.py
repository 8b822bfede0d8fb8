"""A page-level choice after the block model, and averaged block models: measured out of fold.

Issue 11's two untried levers on the block model (flows/stages/block_model.py):
- the choice: a small model that picks, per page, among candidate texts (the block model's
  blocks at thresholds 0.5, 0.3 and 0.7, each with the shipped guard, and trafilatura's own
  text) from page measures (the candidates' word counts and ratios, their overlap with
  trafilatura's blocks, the page's score distribution, how many runs of kept blocks, the title's
  block, and what each candidate adds to or removes from the first one). It is trained per
  page and alternative: does the alternative beat the first candidate (page F1), weighted
  by how much; an alternative replaces the first when its odds are high enough.
- averaging: the mean score of the shipped model and other block models (the trainer's model on
  seeded subsamples of the pages, extremely randomized trees, a logistic regression, all on the
  same measures and weights), to reduce the variance of the single model.

Honesty: the block scores the choice sees are out of fold (each page scored by a model trained
without its site: the trainer's --save-folds models, or models trained here on the same folds),
and the choice is nested by site: the chooser for a fold is trained only on the other folds'
pages (their out-of-fold scores), with the trainer's fold split (train_blocks.fold_of). Each
corpus is scored with the trainer's metric (WCXB word F1, mean over pages; the trafilatura
set's snippets, totals); a page's label uses the same (the snippet F1 of its own snippets).
The first row (the shipped fold models at 0.5) must reproduce the trainer's out-of-fold figures.

It reads the pages benchmarks/train_blocks.py measured (its --work-dir pickles) and prints one
table; "added ms/page" is the CPU time of the other thresholds' decisions and the measures
(not the chooser's trees). Results and the decision are in docs/benchmarks.md ("The block
model"): neither lever reached the bar, nothing is shipped.

Usage: python benchmarks/block_choice.py --cache-dir DIR --work-dir DIR --folds-dir DIR
                                         [--limit N] [--averaging seeds,extra,logistic]
                                         [--scores FILE]
  --folds-dir   the trainer's --save-folds models (the shipped out-of-fold scores)
  --averaging   also train these block models per fold and average them with the shipped one
                (slow: about ten minutes for all three on both corpora)
  --scores      keep the averaged models' out-of-fold scores here (read back when present)
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import devset
import numpy as np
import train_blocks

from flows.stages import block_model, blocks

# The trainer's page pickles were written with the trainer run as a script.
PageData = train_blocks.PageData
FOLDS = 4
EXTRACTOR_KEPT = blocks.block_feature_names().index("extractor_kept")
TITLE_OVERLAP = blocks.block_feature_names().index("title_overlap")
PAGE_EXTRACTOR_SHARE = blocks.block_feature_names().index("page:extractor_share")
# The candidates: the block model's blocks at these thresholds (with the guard), then
# trafilatura's text. The first is the shipped decision, which the choice starts from.
THRESHOLDS = (0.5, 0.3, 0.7)
CANDIDATES = (*(f"model@{t}" for t in THRESHOLDS), "trafilatura")


# --- candidates and their page measures ----------------------------------------------------------


def candidate_masks(
    texts: list[str], scores: np.ndarray, extractor_text: str
) -> list[np.ndarray | None]:
    """Per candidate, the blocks it keeps; None for trafilatura's own text."""
    masks: list[np.ndarray | None] = []
    for threshold in THRESHOLDS:
        keep = block_model.decide(texts, scores.tolist(), threshold, extractor_text)
        masks.append(None if keep is None else np.array(keep, dtype=bool))
    masks.append(None)
    return masks


def choice_feature_names() -> list[str]:
    page = [
        "log_page_words",
        "page_extractor_share",
        "log_extractor_words",
        "mean_score",
        "uncertain_share",
        "extractor_mean_score",
        "extractor_low_share",
        "first_vs_extractor",
        "first_overlap_extractor",
    ]
    own = [
        "log_words",
        "vs_first",
        "vs_extractor",
        "is_extractor",
        "overlap_extractor",
        "mean_score",
        "low_share",
        "log_runs",
        "largest_run_share",
        "has_title_block",
    ]
    # What the candidate adds to the first candidate's blocks and what it removes from them.
    change = [
        f"{side}:{name}"
        for side in ("added", "removed")
        for name in ("words", "mean_score", "link_density", "stop_ratio", "p", "sentence_end")
    ]
    return [f"page:{n}" for n in page] + own + change + ["after_first", "before_first", "index"]


def _column(name: str) -> int:
    return blocks.block_feature_names().index(name)


CHANGE_COLUMNS = [_column(n) for n in ("link_density", "text:stop_ratio", "tag:p")] + [
    _column("text:sentence_end")
]


def choice_features(
    words: np.ndarray, x: np.ndarray, scores: np.ndarray, masks: list[np.ndarray | None]
) -> np.ndarray:
    """One row per candidate (choice_feature_names): the page's measures, the candidate's own,
    and how it differs from the first candidate (the blocks it adds and removes)."""
    total = max(1.0, float(words.sum()))
    by_extractor = x[:, EXTRACTOR_KEPT] > 0.5
    extractor_words = max(1.0, float(words[by_extractor].sum()))
    first = masks[0] if masks[0] is not None else by_extractor
    first_words = max(1.0, float(words[first].sum()))
    kept_at = np.nonzero(first)[0]
    first_start, first_end = (kept_at[0], kept_at[-1]) if kept_at.size else (0, len(words))
    position = np.arange(len(words))

    def weighted_mean(values: np.ndarray, mask: np.ndarray, empty: float = 0.0) -> float:
        w = words[mask]
        return float((values[mask] * w).sum() / w.sum()) if w.sum() > 0 else empty

    def overlap(mask: np.ndarray, other: np.ndarray) -> float:
        return float(words[mask & other].sum()) / max(1.0, float(words[mask | other].sum()))

    page = [
        float(np.log1p(total)),
        float(x[0, PAGE_EXTRACTOR_SHARE]) if len(x) else 0.0,
        float(np.log1p(float(words[by_extractor].sum()))),
        float((scores * words).sum() / total),
        float(words[(scores > 0.3) & (scores < 0.7)].sum()) / total,
        weighted_mean(scores, by_extractor),
        float(words[by_extractor & (scores < 0.5)].sum()) / extractor_words,
        float(words[first].sum()) / extractor_words,
        overlap(first, by_extractor),
    ]
    title_block = int(np.argmax(x[:, TITLE_OVERLAP])) if len(words) else 0
    rows = []
    for index, candidate in enumerate(masks):
        mask = by_extractor if candidate is None else candidate
        kept = float(words[mask].sum())
        own = [
            float(np.log1p(kept)),
            kept / first_words,
            kept / extractor_words,
            float(candidate is None),
            overlap(mask, by_extractor),
            weighted_mean(scores, mask),
            float(words[mask & (scores < 0.5)].sum()) / max(1.0, kept),
            float(np.log1p(runs(mask))),
            largest_run(words, mask) / max(1.0, kept),
            float(mask[title_block] and x[title_block, TITLE_OVERLAP] > 0.5),
        ]
        change = []
        for side in (mask & ~first, first & ~mask):
            change.append(float(words[side].sum()) / first_words)
            change.append(weighted_mean(scores, side, -1.0))
            change += [weighted_mean(x[:, c], side, -1.0) for c in CHANGE_COLUMNS]
        added = mask & ~first
        after = float(words[added & (position > first_end)].sum()) / first_words
        before = float(words[added & (position < first_start)].sum()) / first_words
        rows.append(page + own + change + [after, before, float(index)])
    return np.array(rows, dtype=float)


def runs(mask: np.ndarray) -> int:
    """How many runs of consecutive kept blocks."""
    return int(mask[0]) + int(np.count_nonzero(mask[1:] & ~mask[:-1])) if mask.size else 0


def largest_run(words: np.ndarray, mask: np.ndarray) -> float:
    """The words of the largest run of consecutive kept blocks."""
    largest = current = 0.0
    for n, kept in zip(words, mask, strict=True):
        current = current + n if kept else 0.0
        largest = max(largest, current)
    return largest


# --- per page: candidates' texts, figures and measures ------------------------------------------


def candidate_text(page: PageData, mask: np.ndarray | None) -> str:
    if mask is None:
        return page.extractor_text
    return "\n".join(t for t, k in zip(page.texts, mask, strict=True) if k)


def page_f1(page: PageData, text: str, word_f1: Callable[[str, str], Any]) -> float:
    if page.corpus == "wcxb":
        return float(word_f1(text, page.gold["main"])[2])
    tp, fp, fn = train_blocks.snippet_counts(page, text)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


@dataclass(frozen=True)
class Chooser:
    """One way to choose: a learner, the alternatives it may pick (indexes into CANDIDATES),
    and the odds an alternative needs to replace the first candidate."""

    name: str
    learner: str
    alternatives: tuple[int, ...] = (1, 2, 3)
    odds: float = 0.5


CHOOSERS = (
    Chooser("trees, all candidates", "hgb"),
    Chooser("trees, all candidates, odds > 0.6", "hgb", odds=0.6),
    Chooser("trees, larger", "hgb-large"),
    Chooser("trees, larger, 5 bagged (half the measures a split)", "hgb-bagged"),
    Chooser("trees, trafilatura or not", "hgb", alternatives=(3,)),
    Chooser("logistic, all candidates", "logistic"),
)


def chooser_rows(
    pages: list[PageData],
    rows: dict[int, np.ndarray],
    f1s: dict[int, np.ndarray],
    alternatives: list[int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per page and alternative candidate: its measures, whether it beats the first candidate,
    and by how much (the weight: a choice that changes little matters little)."""
    xs, ys, ws = [], [], []
    for page in pages:
        gain = f1s[id(page)][alternatives] - f1s[id(page)][0]
        useful = np.abs(gain) > 1e-9
        xs.append(rows[id(page)][alternatives][useful])
        ys.append((gain[useful] > 0).astype(int))
        ws.append(np.abs(gain[useful]))
    x, y, w = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
    return x, y, w / w.mean()


def fit_chooser(x: np.ndarray, y: np.ndarray, w: np.ndarray, learner: str) -> Any:
    # scikit-learn only in the benchmarks (the pipeline evaluates exported trees with numpy).
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if learner == "logistic":
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000))
        model.fit(x, y, logisticregression__sample_weight=w)
        return model
    if learner == "hgb-bagged":
        return Bagged([fit_chooser(x, y, w, f"hgb-large-{seed}") for seed in range(5)])
    large = learner.startswith("hgb-large")
    seed = int(learner.rsplit("-", 1)[1]) if learner.startswith("hgb-large-") else 0
    model = HistGradientBoostingClassifier(
        max_iter=200 if large else 100,
        learning_rate=0.05,
        max_leaf_nodes=8 if large else 4,
        min_samples_leaf=20 if large else 30,
        l2_regularization=1.0,
        # The bagged choosers differ by the measures each split may use.
        max_features=0.5 if learner.startswith("hgb-large-") else 1.0,
        early_stopping=False,
        random_state=seed,
    )
    model.fit(x, y, sample_weight=w)
    return model


@dataclass(frozen=True)
class Bagged:
    """The mean odds of several choosers."""

    models: list[Any]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.mean([m.predict_proba(x) for m in self.models], axis=0)


def nested_choice(
    pages: list[PageData],
    rows: dict[int, np.ndarray],
    f1s: dict[int, np.ndarray],
    chooser: Chooser,
) -> dict[int, int]:
    """Per page, the candidate a chooser trained without its fold's sites picks: the
    alternative most likely to beat the first candidate, if its odds are high enough."""
    alternatives = list(chooser.alternatives)
    choice = {}
    for fold in range(FOLDS):
        train = [p for p in pages if train_blocks.fold_of(p.site, FOLDS) != fold]
        model = fit_chooser(*chooser_rows(train, rows, f1s, alternatives), chooser.learner)
        for page in pages:
            if train_blocks.fold_of(page.site, FOLDS) != fold:
                continue
            odds = model.predict_proba(rows[id(page)][alternatives])[:, 1]
            best = int(np.argmax(odds))
            choice[id(page)] = alternatives[best] if odds[best] > chooser.odds else 0
    return choice


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--folds-dir", type=Path, required=True)
    parser.add_argument("--averaging", default="", help="seeds,extra,logistic (slow)")
    parser.add_argument("--scores", type=Path, default=None, help="keep the averaging scores here")
    args = parser.parse_args(argv)
    corpora, wcxb_root, _ = train_blocks.measured_corpora(args, lambda pages, root: "as measured")
    word_f1 = train_blocks.load_word_f1(wcxb_root)
    every = [p for ps in corpora.values() for p in ps]
    scores = saved_fold_scores(every, args.folds_dir)
    table = report(corpora, scores, word_f1, "shipped fold models")
    if args.averaging:
        learners = args.averaging.split(",")
        if args.scores and args.scores.is_file():
            with args.scores.open("rb") as handle:
                keyed = pickle.load(handle)
        else:
            extra = averaging_scores(every, learners)
            keyed = {
                name: {(p.corpus, p.page_id): s[id(p)] for p in every} for name, s in extra.items()
            }
            if args.scores:
                with args.scores.open("wb") as handle:
                    pickle.dump(keyed, handle)
        others = {
            name: {id(p): s[(p.corpus, p.page_id)] for p in every} for name, s in keyed.items()
        }
        groups = {name: [name] for name in others}
        seeds = [name for name in others if name.startswith("seed")]
        if seeds:
            groups["seeds"] = seeds
        groups["all"] = list(others)
        for group, members in groups.items():
            mean = {
                id(p): np.mean([scores[id(p)]] + [others[m][id(p)] for m in members], axis=0)
                for p in every
            }
            table += report(corpora, mean, word_f1, f"mean: shipped + {group}", CHOOSERS[:1])
    print_table(table)
    return 0


# --- averaging: several block models per fold -------------------------------------------------

SUBSAMPLE = 0.8  # each seed's model is trained on this share of the fold's training pages
SEEDS = (1, 2)


def fit_other_learner(pages: list[PageData], learner: str) -> Any:
    """Another learner on the trainer's rows and weights (the same measures)."""
    # scikit-learn only in the benchmarks (the pipeline evaluates exported trees with numpy).
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y, w = train_blocks.training_rows(pages)
    started = time.perf_counter()
    if learner == "extra":
        model = ExtraTreesClassifier(
            n_estimators=100, min_samples_leaf=5, max_features="sqrt", n_jobs=1, random_state=0
        )
        model.fit(x, y, sample_weight=w)
    else:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
        model.fit(x, y, logisticregression__sample_weight=w)
    print(f"{learner}: trained in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return model


def averaging_scores(
    pages: list[PageData], learners: list[str]
) -> dict[str, dict[int, np.ndarray]]:
    """Per learner, every page's out-of-fold scores (folds by site, as the trainer's): "seed<n>"
    the trainer's model on a seeded subsample of the training pages, "extra" extremely
    randomized trees, "logistic" a logistic regression."""
    names = [f"seed{seed}" for seed in SEEDS] if "seeds" in learners else []
    names += [name for name in learners if name != "seeds"]
    scores: dict[str, dict[int, np.ndarray]] = {name: {} for name in names}
    for fold in range(FOLDS):
        train = [p for p in pages if train_blocks.fold_of(p.site, FOLDS) != fold]
        held = [p for p in pages if train_blocks.fold_of(p.site, FOLDS) == fold]
        for name in names:
            if name.startswith("seed"):
                rng = np.random.default_rng(int(name.removeprefix("seed")))
                sample = [p for p in train if rng.random() < SUBSAMPLE]
                model = train_blocks.train(sample)
            else:
                model = fit_other_learner(train, name)
            for page in held:
                scores[name][id(page)] = model.predict_proba(page.x)[:, 1]
        print(f"fold {fold}: {', '.join(names)} trained", file=sys.stderr)
    return scores


def saved_fold_scores(pages: list[PageData], folder: Path) -> dict[int, np.ndarray]:
    """Every page's scores by the trainer's saved model of the fold that held its site out."""
    held: dict[tuple[str, str], int] = {}
    models = {}
    for fold in range(FOLDS):
        models[fold] = block_model.model_from_dict(
            json.loads((folder / f"fold-{fold}.json").read_text(encoding="utf-8"))
        )
        for line in (folder / f"fold-{fold}.pages").read_text(encoding="utf-8").splitlines():
            corpus, page_id = line.split("\t")
            held[(corpus, page_id)] = fold
    scores = {}
    for page in pages:
        fold = held[(page.corpus, page.page_id)]
        assert fold == train_blocks.fold_of(page.site, FOLDS), "the folds are not the trainer's"
        scores[id(page)] = models[fold].score(page.x.astype(float))
    return scores


Row = tuple[str, str, dict[str, dict[str, float]], str]


def report(
    corpora: dict[str, list[PageData]],
    scores: dict[int, np.ndarray],
    word_f1: Callable[[str, str], Any],
    label: str,
    choosers: tuple[Chooser, ...] = CHOOSERS,
) -> list[Row]:
    """The table's rows for one set of block scores: each candidate alone, the per-page oracle
    among them, and each chooser (nested by site), with the pages each changed."""
    every = [p for ps in corpora.values() for p in ps]
    rows, f1s, texts = {}, {}, {}
    seconds = 0.0
    for page in every:
        page_scores = scores[id(page)]
        # What the pipeline would add per page: the other thresholds' decisions and the measures.
        started = time.process_time()
        masks = candidate_masks(page.texts, page_scores, page.extractor_text)
        words = np.array([len(t.split()) for t in page.texts], dtype=float)
        rows[id(page)] = choice_features(words, page.x, page_scores, masks)
        seconds += time.process_time() - started
        texts[id(page)] = [candidate_text(page, m) for m in masks]
        f1s[id(page)] = np.array([page_f1(page, t, word_f1) for t in texts[id(page)]])
    cost = f"{1000 * seconds / len(every):.2f}"

    def figures(pick: Callable[[PageData], int]) -> dict[str, dict[str, float]]:
        return {
            corpus: train_blocks.score_pages(pages, [texts[id(p)][pick(p)] for p in pages], word_f1)
            | {"changed": sum(1 for p in pages if texts[id(p)][pick(p)] != texts[id(p)][0])}
            for corpus, pages in corpora.items()
        }

    table: list[Row] = []
    for index, name in enumerate(CANDIDATES):
        table.append((label, name, figures(lambda p, i=index: i), ""))
    table.append(
        (
            label,
            "oracle (the best candidate per page)",
            figures(lambda p: int(np.argmax(f1s[id(p)]))),
            "",
        )
    )
    for chooser in choosers:
        choice = nested_choice(every, rows, f1s, chooser)
        table.append(
            (label, f"chooser: {chooser.name}", figures(lambda p, c=choice: c[id(p)]), cost)
        )
    return table


def print_table(table: list[Row]) -> None:
    print(
        "\n| block scores | text | WCXB P | R | F1 | trafilatura set P | R | F1 |"
        " pages changed (WCXB / traf. set) | added ms/page |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, system, f, cost in table:
        w, t = f["wcxb"], f["trafilatura"]
        print(
            f"| {label} | {system} | {w['P']:.4f} | {w['R']:.4f} | {w['F1']:.4f} |"
            f" {t['P']:.4f} | {t['R']:.4f} | {t['F1']:.4f} |"
            f" {w['changed']} / {t['changed']} | {cost} |"
        )


if __name__ == "__main__":
    sys.exit(main())
