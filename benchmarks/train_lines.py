"""Train the whole-page line classifier (flows/stages/line_model.py) on gold labels; measure it on unseen sites.

Pages: `prepare` renders every page of both development corpora to its whole visible text with
inscriptis (as `quality.py`'s text rows do) and keeps the page's gold, one JSON line per page.

Labels, per line of that text (as `clean_text` sees the lines: stripped, empty ones gone):
  wcxb         the gold main text: a line is article when its words run in the gold text
               (`flows.stages.blocks.extractor_kept`, the block model's test: a long line
               anywhere, a short one as a good part of one gold paragraph) or, for a long line the
               gold spells a little differently, when half its 4-word shingles are there; else not.
  trafilatura  the `with` / `without` snippets (sparse): a line holding a `with` snippet (or, of
               three words and more, inside one) is article; one holding a `without` snippet is
               not. The other lines (most of them) get a weaker label from newsclean's own HTML
               path on the same page (`extract` + `clean_text(content_kind="html")`): article
               when the line is one of its paragraphs or inside its text (30 characters and up),
               or 60 % of its word 4-grams are.
A line weighs the square root of its words (the WCXB metric counts words), lines without words
nothing; the trafilatura set's lines weigh TRAFILATURA_WEIGHT times more (chosen by the
other-sites figures: its pages are further from the article-only WCXB pages). Boosted trees
(scikit-learn's HistGradientBoostingClassifier, exported to JSON; an MLP before line_model_v2)
learn from these labels, over the line's shape features and (since line_model_v4) what its words
say: a vocabulary of the words seen on at least VOCABULARY_MIN_SITES training sites, each with the
log-odds that a line holding it is article text (the training lines' own vocabulary features come
from vocabularies built without their site, so that the trees do not learn to trust a word's
log-odds more than it deserves on a new site). The decision numbers (the main-block threshold, the
in-block floor and the short lines' floor) are then chosen on the training pages only, with
out-of-fold line scores (two folds by site), for the best mean of the corpora's own metrics; the
features and the stopword lists stay those of the shipped model (the block model reuses them).

Scoring, as `quality.py` scores the `newsclean-text` row: the text through
`clean_text(content_kind="text")` (rules and line model); WCXB with the benchmark's own
`word_f1` (its `evaluate.py`, CC-BY-4.0), mean over pages; the trafilatura set with the snippet
counts of `quality.evaluate_result`. A page left empty scores as nothing found.

  prepare   render both corpora once (and run the HTML path on the trafilatura set): one JSON
            line per page (corpus, file, site, text, html_body, gold)
  train     labels -> boosted trees (shape + vocabulary) -> decision tuned on the training pages -> model JSON
  evaluate  clean_text with a model file on the pages, each corpus's figure
  report    generalization: every page scored by a model that never saw its site (K folds by
            site over both corpora), by a model trained on the other corpus only, and in-sample
  variants  line scorers compared out of fold by site: line_model_v1's MLP, boosted trees on
            the shape features alone (line_model_v2/v3), boosted trees with the vocabulary
            (shipped since line_model_v4), and the MLP with a learned second stage (boosted
            trees over the MLP's scores around each line and the line's place against the MLP's
            main block; not shipped)

  python benchmarks/train_lines.py prepare --cache-dir DIR --jobs 1 --out /tmp/lines-pages.jsonl
  python benchmarks/train_lines.py report --data /tmp/lines-pages.jsonl --wcxb-root DIR/wcxb/wcxb-dev-articles
  python benchmarks/train_lines.py train --data /tmp/lines-pages.jsonl   # the shipped model
  python benchmarks/train_lines.py variants --data /tmp/lines-pages.jsonl --wcxb-root DIR/wcxb/wcxb-dev-articles
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import itertools
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import devset
import numpy as np
import quality
import train_blocks
from quality import Confusion, evaluate_result

from flows.stages import blocks
from flows.stages import clean as cleaner
from flows.stages import line_model as lineclass
from flows.stages.trees import TreeEnsemble

CORPORA = ("wcxb", "trafilatura")
HIDDEN = (16,)
SEED = 1234
EPOCHS = 8
BATCH = 512
LEARNING_RATE = 2e-3
L2 = 1e-3
# The HTML path's weak labels: a line of at least this many words is article when this share of
# its 4-grams is in the HTML path's body.
NGRAM_MIN_WORDS = 6
NGRAM_SHARE = 0.6
# How much more a trafilatura-set line weighs than a WCXB line in training.
TRAFILATURA_WEIGHT = 2.0
FOLDS = 5
# The decision numbers tried when tuning: the main-block threshold, the in-block floor, how much
# higher the floor is for a line of fewer than SHORT_LINE_WORDS words, and the share of the main
# block's mass a secondary block needs (0: one block). line_model_v3 widened the grid (v2's:
# 0.1-0.3 / 0.2-0.3 / +0-0.2, one block): out of fold, the wider grid and the secondary blocks
# pay only together with numbers of their own per language (see docs/benchmarks.md).
THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4)
DROP_BELOW = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35)
SHORT_RAISE = (0.0, 0.1, 0.2, 0.3)
SECONDARY_SHARES = (0.0, 0.15)
# A language gets decision numbers of its own when the training pages hold this many of its pages
# (English and German on the two corpora); the others share the global numbers.
LANGUAGE_MIN_PAGES = 100
SHORT_LINE_WORDS = 8
# The in-block floors hold on texts of this many lines and more (see LineModel.floor_min_lines):
# on both corpora (few pages are this short) it changes next to nothing.
FLOOR_MIN_LINES = 30
# A word goes into the vocabulary only when pages of this many training sites hold it: a word of
# one site's template would teach the model that site, not what chrome says (4, 8 and 16 measured
# out of fold: the best mean of the two corpora, and the smallest file; docs/benchmarks.md).
VOCABULARY_MIN_SITES = 16
# The training pages' own vocabulary features come from this many folds by site.
VOCABULARY_FOLDS = 4

WordF1 = Callable[[str, str], tuple[float, float, float]]


# --- pages --------------------------------------------------------------------------------------


def page_lines(text: str) -> list[str]:
    """The lines as clean_text sees them: stripped, empty ones gone."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def site_of(url: str, file: str) -> str:
    """The page's site: its host, or for the trafilatura set's labels ("hard::zeit.de.x.html")
    the first two parts of the label."""
    if url.startswith(("http://", "https://")):
        host = urlsplit(url).hostname or file
    else:
        host = ".".join(url.split("::")[-1].split(".")[:2])
    return host.removeprefix("www.")


def fold_of(site: str, folds: int) -> int:
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % folds


def read_pages(path: Path) -> list[dict[str, Any]]:
    # split("\n"), not splitlines(): a JSON string may hold U+2028 and its kin.
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


# --- labels -------------------------------------------------------------------------------------


def gold_labels(lines: Sequence[str], gold_text: str) -> np.ndarray:
    """1 where the line's words run in the gold main text, else 0 (train_blocks' labelling of
    blocks, applied to lines)."""
    return train_blocks.wcxb_labels([blocks.normalized_words(line) for line in lines], gold_text)


def snippet_labels(lines: Sequence[str], with_: list[str], without: list[str]) -> np.ndarray:
    """1 for a line holding a `with` snippet, 0 for one holding a `without` one, else -1."""
    words = [blocks.normalized_words(line) for line in lines]
    return train_blocks.snippet_labels(words, {"with": with_, "without": without})


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _grams(words: list[str], n: int = 4) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def html_path_labels(lines: Sequence[str], html_body: str | None) -> np.ndarray:
    """1 where the line is part of what the HTML path extracted from the same page, else 0;
    -1 for every line when the HTML path found nothing."""
    if not html_body:
        return np.full(len(lines), -1, dtype=np.int8)
    paragraphs = {_norm(p) for p in html_body.split("\n\n")}
    paragraphs |= {_norm(p) for p in html_body.splitlines()}
    body = _norm(html_body)
    body_grams = set(_grams(body.split()))
    labels = np.zeros(len(lines), dtype=np.int8)
    for i, line in enumerate(lines):
        key = _norm(line)
        words = key.split()
        if not key:
            continue
        if key in paragraphs or (len(key) >= 30 and key in body):
            labels[i] = 1
        elif len(words) >= NGRAM_MIN_WORDS:
            grams = _grams(words)
            labels[i] = int(sum(1 for g in grams if g in body_grams) / len(grams) >= NGRAM_SHARE)
    return labels


def line_weights(lines: Sequence[str]) -> np.ndarray:
    """The metric counts words: a line weighs the square root of its words, none without."""
    counts = np.array([len(blocks.normalized_words(line)) for line in lines], dtype=float)
    return np.where(counts > 0, np.sqrt(np.minimum(counts, 400)) + 0.5, 0.0)


def rule_dropped(lines: list[str]) -> list[bool]:
    """Per line, whether the cleaner's rules (before the line model) take it.

    The cleaner's own labelling steps, run once per page, so that the decision numbers can be
    tuned over many settings without running the rules again for each.
    """
    labels = [cleaner._label_line(line) for line in lines]
    cleaner._label_related_blocks(lines, labels)
    cleaner._label_head(lines, labels, titled=True, known_title=None)
    cleaner._label_tail(lines, labels)
    return [label is not None for label in labels]


@dataclass
class PageData:
    corpus: str
    file: str
    site: str
    lines: list[str]
    x: np.ndarray
    labels: np.ndarray  # 1 article, 0 not, -1 unknown
    weights: np.ndarray
    by_rules: list[bool]
    gold: dict[str, Any]
    words: WordCounts | None = None  # WCXB pages: for word F1 over many choices of lines


@dataclass
class WordCounts:
    """A page's tokens (the WCXB `tokenize`: lower-cased `\\w+`) as ids in its gold text's
    vocabulary, so that word F1 over a choice of lines is a bincount, not a re-tokenization.
    The same figure as `word_f1` on the lines joined: joining adds no token."""

    ids: np.ndarray  # every token of the page, in line order; len(gold) for words not in the gold
    line: np.ndarray  # the line of each token
    gold: np.ndarray  # the gold text's count of each vocabulary word

    @classmethod
    def of(cls, lines: Sequence[str], gold_text: str) -> WordCounts:
        vocabulary: dict[str, int] = {}
        gold_ids = [vocabulary.setdefault(t, len(vocabulary)) for t in _tokens(gold_text)]
        gold = np.bincount(np.array(gold_ids, dtype=np.int64), minlength=len(vocabulary))
        ids, line_of = [], []
        for i, line in enumerate(lines):
            for token in _tokens(line):
                ids.append(vocabulary.get(token, len(vocabulary)))
                line_of.append(i)
        return cls(np.array(ids, dtype=np.int64), np.array(line_of, dtype=np.int64), gold)

    def prf(self, keep: Sequence[bool]) -> tuple[float, float, float]:
        """`word_f1` of the kept lines against the gold text."""
        chosen = self.ids[np.asarray(keep, dtype=bool)[self.line]] if len(self.ids) else self.ids
        reference = int(self.gold.sum())
        if not reference:
            return (1.0, 1.0, 1.0) if not len(chosen) else (0.0, 0.0, 0.0)
        if not len(chosen):
            return (0.0, 0.0, 0.0)
        counts = np.bincount(chosen, minlength=len(self.gold) + 1)[: len(self.gold)]
        overlap = int(np.minimum(counts, self.gold).sum())
        precision, recall = overlap / len(chosen), overlap / reference
        f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
        return precision, recall, f1


_TOKEN = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def page_data(page: dict[str, Any], stopwords: dict[str, frozenset[str]]) -> PageData | None:
    lines = page_lines(page.get("text") or "")
    if not lines:
        return None
    gold = page["gold"]
    if page["corpus"] == "wcxb":
        labels = gold_labels(lines, gold["main_content"])
    else:
        snippets = snippet_labels(lines, gold["with"], gold["without"])
        weak = html_path_labels(lines, page.get("html_body"))
        labels = np.where(snippets >= 0, snippets, weak).astype(np.int8)
    weights = line_weights(lines)
    if page["corpus"] == "trafilatura":
        weights = weights * TRAFILATURA_WEIGHT
    labels = np.where(weights > 0, labels, -1).astype(np.int8)
    return PageData(
        page["corpus"],
        page["file"],
        page["site"],
        lines,
        lineclass.features(lines, stopwords),
        labels,
        weights,
        rule_dropped(lines),
        gold,
        WordCounts.of(lines, gold["main_content"]) if page["corpus"] == "wcxb" else None,
    )


# --- the MLP ------------------------------------------------------------------------------------


def train_mlp(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray | None = None,
    hidden: tuple[int, ...] = HIDDEN,
    epochs: int = EPOCHS,
) -> dict[str, Any]:
    """Mini-batch Adam on the weighted logistic loss; standardized inputs, He-initialized ReLUs."""
    rng = np.random.default_rng(SEED)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    h0 = (x - mean) / scale
    sizes = [x.shape[1], *hidden, 1]
    ws = [rng.normal(0, np.sqrt(2 / a), (a, b)) for a, b in itertools.pairwise(sizes)]
    bs = [np.zeros(b) for b in sizes[1:]]
    params = ws + bs
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step = 0
    weight = np.ones(len(y)) if weight is None else weight / weight.mean()
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for lo in range(0, len(y), BATCH):
            idx = order[lo : lo + BATCH]
            acts = [h0[idx]]
            for w, b in zip(ws[:-1], bs[:-1], strict=True):
                acts.append(np.maximum(acts[-1] @ w + b, 0.0))
            z = acts[-1] @ ws[-1] + bs[-1]
            p = 1 / (1 + np.exp(-np.clip(z[:, 0], -30, 30)))
            delta = (weight[idx] * (p - y[idx]) / len(idx))[:, None]
            grads_w: list[np.ndarray] = []
            grads_b: list[np.ndarray] = []
            for k in range(len(ws) - 1, -1, -1):
                grads_w.insert(0, acts[k].T @ delta + L2 * ws[k])
                grads_b.insert(0, delta.sum(axis=0))
                if k:
                    delta = (delta @ ws[k].T) * (acts[k] > 0)
            step += 1
            for i, (p_, g) in enumerate(zip(params, grads_w + grads_b, strict=True)):
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                p_ -= (
                    LEARNING_RATE
                    * (m[i] / (1 - 0.9**step))
                    / (np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8)
                )
    return {
        "mean": np.round(mean, 6).tolist(),
        "scale": np.round(scale, 6).tolist(),
        "weights": [np.round(w, 6).tolist() for w in ws],
        "biases": [np.round(b, 6).tolist() for b in bs],
    }


def fit_mlp(pages: list[PageData], epochs: int = EPOCHS) -> lineclass.Mlp:
    known = [(p.x[p.labels >= 0], p.labels[p.labels >= 0], p.weights[p.labels >= 0]) for p in pages]
    x = np.concatenate([k[0] for k in known])
    y = np.concatenate([k[1] for k in known]).astype(float)
    w = np.concatenate([k[2] for k in known])
    return lineclass.Mlp.from_dict(train_mlp(x, y, w, epochs=epochs))


# --- scoring ------------------------------------------------------------------------------------


@dataclass
class Figures:
    """A corpus's figure over pages: WCXB's mean word P/R/F1, or the trafilatura set's totals."""

    corpus: str
    sums: np.ndarray  # wcxb: summed per-page P, R, F1
    pages: int
    confusion: Confusion

    @classmethod
    def empty(cls, corpus: str) -> Figures:
        return cls(corpus, np.zeros(3), 0, Confusion())

    def add(self, body: str | None, gold: dict[str, Any], word_f1: WordF1) -> None:
        self.pages += 1
        if self.corpus == "wcxb":
            self.sums += word_f1(body or "", gold["main_content"])
        else:
            self.confusion.add(evaluate_result(body, gold))

    def prf(self) -> tuple[float, float, float]:
        if self.corpus == "wcxb":
            p, r, f = self.sums / max(1, self.pages)
            return float(p), float(r), float(f)
        s = self.confusion.scores()
        return s["precision"] or 0.0, s["recall"] or 0.0, s["f1"] or 0.0


def kept_body(page: PageData, keep: Sequence[bool]) -> str | None:
    """The body as the cleaner assembles it (its glued-tail and dateline cuts aside)."""
    body = "\n\n".join(
        line
        for line, k, ruled in zip(page.lines, keep, page.by_rules, strict=True)
        if k and not ruled
    )
    return body or None


def decide(model: lineclass.LineModel, page: PageData, probs: np.ndarray) -> list[bool]:
    """Which lines the line model keeps, as the cleaner decides (`clean._label_off_article`)."""
    if len(page.lines) < cleaner.LINE_MODEL_MIN_LINES:
        return [True] * len(page.lines)
    return [not off for off in lineclass.off_article(page.lines, probs.tolist(), model)]


def decision_grid(model: lineclass.LineModel) -> Iterator[lineclass.LineModel]:
    """`model` with each decision of the tuning grid (one set of numbers for every language)."""
    for share, threshold, drop_below, raise_ in itertools.product(
        SECONDARY_SHARES, THRESHOLDS, DROP_BELOW, SHORT_RAISE
    ):
        yield replace(
            model,
            threshold=threshold,
            drop_below=drop_below,
            short_line_words=SHORT_LINE_WORDS,
            short_drop_below=round(drop_below + raise_, 3),
            floor_min_lines=FLOOR_MIN_LINES,
            secondary_share=share,
            by_language={},
        )


def page_counts(page: PageData, keep: np.ndarray, word_f1: WordF1) -> np.ndarray:
    """A page's share of its corpus's figure: WCXB its word P/R/F1 (averaged over pages), the
    trafilatura set its snippet counts tp/fn/fp/tn (summed)."""
    kept = keep & ~np.asarray(page.by_rules, dtype=bool)
    if page.words is not None:
        return np.array(page.words.prf(kept))
    c = evaluate_result(kept_body(page, kept.tolist()), page.gold)
    return np.array([c.tp, c.fn, c.fp, c.tn], dtype=float)


def figures_of(
    pages: Sequence[PageData], counts: Sequence[np.ndarray]
) -> dict[str, tuple[float, float, float]]:
    """Each corpus's P/R/F1 from its pages' `page_counts`."""
    figures = {}
    for corpus in CORPORA:
        mine = [c for p, c in zip(pages, counts, strict=True) if p.corpus == corpus]
        if not mine:
            continue
        total = np.sum(mine, axis=0)
        if corpus == "wcxb":
            precision, recall, f1 = (float(v) for v in total[:3] / len(mine))
        else:
            tp, fn, fp = (float(v) for v in total[:3])
            precision, recall = tp / max(1.0, tp + fp), tp / max(1.0, tp + fn)
            f1 = 2 * tp / (2 * tp + fn + fp) if tp else 0.0
        figures[corpus] = (precision, recall, f1)
    return figures


def objective_of(pages: Sequence[PageData], counts: Sequence[np.ndarray]) -> float:
    """The tuning objective: the mean over the corpora present of each one's F1."""
    return float(np.mean([f1 for _, _, f1 in figures_of(pages, counts).values()]))


def grid_counts(
    model: lineclass.LineModel, page: PageData, probs: np.ndarray, word_f1: WordF1
) -> list[np.ndarray]:
    """`page_counts` for each decision of `decision_grid(model)`, in its order: the blocks once
    per (share, threshold), the floors as arrays (what `lineclass.off_article` decides)."""
    n = len(page.lines)
    words = np.array([lineclass.word_count(line) for line in page.lines])
    weights = [lineclass.line_weight(line) for line in page.lines]
    seen: dict[bytes, np.ndarray] = {}
    out = []
    blocks: dict[tuple[float, float], np.ndarray] = {}
    for candidate in decision_grid(model):
        key = (candidate.secondary_share, candidate.threshold)
        if key not in blocks:
            blocks[key] = np.array(
                lineclass.article_blocks(probs.tolist(), key[1], weights, key[0]), dtype=bool
            )
        block = blocks[key]
        if n < cleaner.LINE_MODEL_MIN_LINES or not block.any():
            keep = np.ones(n, dtype=bool)
        else:
            short = words < candidate.short_line_words
            floor = np.where(short, candidate.short_drop_below, candidate.drop_below)
            # A short text loses a line only outside the blocks and under the floor.
            if n < candidate.floor_min_lines:
                keep = block | (probs >= floor)
            else:
                keep = block & (probs >= floor)
        mask = keep.tobytes()
        if mask not in seen:
            seen[mask] = page_counts(page, keep, word_f1)
        out.append(seen[mask])
    return out


def choose_decision(
    model: lineclass.LineModel,
    pages: list[PageData],
    probs: dict[int, np.ndarray],
    word_f1: WordF1,
) -> tuple[lineclass.LineModel, float]:
    """The grid's best numbers for every page, then, for each language of LANGUAGE_MIN_PAGES
    pages and more, the best numbers for its pages with the others' fixed (two rounds); the
    secondary-block share stays the global choice's."""
    grid = list(decision_grid(model))
    counts = [grid_counts(model, page, probs[id(page)], word_f1) for page in pages]

    def objective(choice: Sequence[int]) -> float:
        return objective_of(pages, [counts[i][c] for i, c in enumerate(choice)])

    best = max(range(len(grid)), key=lambda g: objective([g] * len(pages)))
    languages = [lineclass.page_language(page.lines, model.stopwords) for page in pages]
    # None: the pages of the other languages, which the model's own numbers decide.
    group = [
        lang if lang is not None and languages.count(lang) >= LANGUAGE_MIN_PAGES else None
        for lang in languages
    ]
    pick: dict[str | None, int] = dict.fromkeys(sorted(set(group), key=str), best)
    same_share = [g for g, c in enumerate(grid) if c.secondary_share == grid[best].secondary_share]
    for _ in range(2):
        for name in pick:

            def with_numbers(g: int, name: str | None = name) -> float:
                return objective([g if k == name else pick[k] for k in group])

            pick[name] = max(same_share, key=with_numbers)
    chosen = replace(
        grid[pick.get(None, best)],
        by_language={
            name: (grid[g].threshold, grid[g].drop_below, grid[g].short_drop_below)
            for name, g in pick.items()
            if name is not None
        },
    )
    return chosen, objective([pick[k] for k in group])


def tune(model: lineclass.LineModel, pages: list[PageData], word_f1: WordF1) -> lineclass.LineModel:
    """The decision numbers with the best objective on `pages`, scored with out-of-fold scores
    (two folds by site): a model's scores on its own training lines are too confident."""
    probs: dict[int, np.ndarray] = {}
    for side in (0, 1):
        fit = [p for p in pages if fold_of(f"tune:{p.site}", 2) != side]
        held = [p for p in pages if fold_of(f"tune:{p.site}", 2) == side]
        if not fit or not held:
            fit = held = pages  # too few sites to split: in-sample scores
        scorer, vocabulary = fit_trees(fit)
        for page in held:
            probs[id(page)] = scorer.predict(inputs(page, vocabulary))
    chosen, value = choose_decision(model, pages, probs, word_f1)
    print(
        f"  tuned on {len(pages)} training pages: objective {value:.4f}, "
        f"threshold {chosen.threshold}, drop_below {chosen.drop_below}, "
        f"short_drop_below {chosen.short_drop_below}, secondary_share {chosen.secondary_share}, "
        f"by language {chosen.by_language}",
        file=sys.stderr,
    )
    return chosen


def fit_trees(pages: list[PageData]) -> tuple[TreeEnsemble, dict[str, float]]:
    """Boosted trees on the lines' shape features and their words (the shipped scorer, see
    `variants`), exported as the pipeline evaluates them, and the vocabulary they read."""
    trees, vocabulary = fit_with_vocabulary(pages)
    # train_blocks' export of scikit-learn's trees: the one place that reads their internals.
    return TreeEnsemble.from_dict(train_blocks.export(trees, 0.0, "")["ensemble"]), vocabulary


def fit(
    pages: list[PageData], stopwords: dict[str, frozenset[str]], word_f1: WordF1
) -> lineclass.LineModel:
    """The trees on every training page, and their decision tuned on the same pages."""
    trees, vocabulary = fit_trees(pages)
    model = lineclass.LineModel(
        lineclass.RULE_NAME, trees, 0.5, 0.0, stopwords, vocabulary=vocabulary
    )
    return tune(model, pages, word_f1)


@contextlib.contextmanager
def model_in_cleaner(model: lineclass.LineModel) -> Iterator[None]:
    """clean_text with `model` instead of the shipped one (the cleaner looks it up per call)."""
    saved = lineclass.load_model
    lineclass.load_model = lambda path=lineclass.MODEL_PATH: model  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        lineclass.load_model = saved  # type: ignore[assignment]


def score_cleaned(
    pages: list[PageData], model_of: Callable[[PageData], lineclass.LineModel], word_f1: WordF1
) -> Figures:
    """`clean_text(content_kind="text")` on each page with its model, the corpus's figure."""
    figures = Figures.empty(pages[0].corpus)
    for page in pages:
        with model_in_cleaner(model_of(page)):
            body = cleaner.clean_text("\n".join(page.lines), content_kind="text").body
        figures.add(body if body.strip() else None, page.gold, word_f1)
    return figures


def score_nothing(pages: list[PageData], word_f1: WordF1) -> Figures:
    figures = Figures.empty(pages[0].corpus)
    for page in pages:
        figures.add("\n".join(page.lines), page.gold, word_f1)
    return figures


def load_word_f1(wcxb_root: Path | None) -> WordF1:
    """The WCXB benchmark's own word_f1 (CC-BY-4.0), loaded from the unpacked corpus."""
    if wcxb_root is None:
        return lambda _text, _gold: (0.0, 0.0, 0.0)
    spec = importlib.util.spec_from_file_location("wcxb_evaluate", wcxb_root / "evaluate.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {wcxb_root / 'evaluate.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.word_f1  # type: ignore[no-any-return]


# --- the model file -----------------------------------------------------------------------------


def shipped_stopwords() -> dict[str, list[str]]:
    """The stopword lists of the shipped model: part of the features (the block model counts
    with them too), so every retrained model carries the same lists."""
    data = json.loads(lineclass.MODEL_PATH.read_text(encoding="utf-8"))
    return {lang: list(words) for lang, words in data["stopwords"].items()}


def model_dict(
    model: lineclass.LineModel, note: str, table: dict[str, list[str]]
) -> dict[str, Any]:
    scorer = model.scorer
    if isinstance(scorer, TreeEnsemble):
        scores: dict[str, Any] = {"ensemble": scorer.to_dict()}
    else:
        scores = {
            "mlp": {
                "mean": np.round(scorer.mean, 6).tolist(),
                "scale": np.round(scorer.scale, 6).tolist(),
                "weights": [np.round(w, 6).tolist() for w in scorer.weights],
                "biases": [np.round(b, 6).tolist() for b in scorer.biases],
            }
        }
    return {
        "name": model.name,
        "note": note,
        "features": lineclass.model_feature_names(model.vocabulary is not None),
        **scores,
        "stopwords": table,
        "threshold": model.threshold,
        "drop_below": model.drop_below,
        "short_line_words": model.short_line_words,
        "short_drop_below": model.short_drop_below,
        "floor_min_lines": model.floor_min_lines,
        "secondary_share": model.secondary_share,
        "by_language": {lang: list(numbers) for lang, numbers in model.by_language.items()},
        **(
            {}
            if model.vocabulary is None
            else {
                "vocabulary_min_sites": VOCABULARY_MIN_SITES,
                "vocabulary": dict(sorted(model.vocabulary.items())),
            }
        ),
    }


# --- prepare: both corpora rendered once ---------------------------------------------------------

_CORPUS = ""


def _html_body(ref: devset.PageRef, page: devset.Page) -> str | None:
    """newsclean's HTML path on the page: the extract stage, then the cleaner in HTML mode."""
    from flows.stages.extract import ExtractionError, extract

    doc = quality.page_document(page, ref.path.read_bytes())
    if hasattr(doc, "reasons"):  # a Rejection: the reader refused the bytes
        return None
    try:
        found = extract(doc)
    except ExtractionError:
        return None
    return cleaner.clean_text(found.text, content_kind="html", title=found.seed.title).body


def _render(ref: devset.PageRef) -> dict[str, Any]:
    from inscriptis import get_text  # in the worker: imported before the fork

    page = ref.load()
    text, _, problem = devset.timed_call(lambda: get_text(page.html), 60)
    html_body = None
    if _CORPUS == "trafilatura":  # its weak labels (WCXB has a complete gold text)
        html_body, _, _ = devset.timed_call(lambda: _html_body(ref, page), 60)
    gold = {
        "with": list(ref.gold.get("with") or []),
        "without": list(ref.gold.get("without") or []),
    }
    if _CORPUS == "wcxb":
        gold["main_content"] = ref.gold.get("main_content") or ""
    return {
        "corpus": _CORPUS,
        "file": ref.file,
        "site": site_of(ref.url, ref.file),
        "text": text,
        "html_body": html_body,
        "problem": problem,
        "gold": gold,
    }


def prepare(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    global _CORPUS
    for corpus in args.corpus.split(","):
        archive = devset.corpus_archive(args, corpus)
        if not archive.is_file():
            print(devset.missing_message(archive, "prepared"), file=sys.stderr)
            continue
        _CORPUS = corpus
        with devset.unpacked(archive, devset.cache_dir_of(corpus, args.cache_dir)) as root:
            refs = devset.page_refs(root, args.limit)
            for _, result in devset.run_pages(_render, refs, args.jobs, 300):
                if result is not None:
                    yield result


# --- variants measured and not shipped (see docs/benchmarks.md): boosted trees, a second stage ----

# A second stage re-scores every line from the first stage's scores around it and from where the
# line stands against the first stage's main block; these are what it sees beside the line's own
# base features (`lineclass.BASE_FEATURES`).
STAGE2_NEIGHBOURS = (-3, -2, -1, 1, 2, 3)
STAGE2_WINDOWS = (2, 5, 15)
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")


def _shifted(values: np.ndarray, offset: int) -> np.ndarray:
    out = np.zeros_like(values)
    if offset < 0:
        out[-offset:] = values[:offset]
    else:
        out[:-offset] = values[offset:]
    return out


def _signed_log(values: np.ndarray) -> np.ndarray:
    return np.sign(values) * np.log1p(np.abs(values))


def relative_features(
    page: PageData, first: np.ndarray, threshold: float, stopwords: dict[str, frozenset[str]]
) -> np.ndarray:
    """Per line: its base features, the first stage's score of it and of its neighbours, where
    it stands against the first stage's main block (inside or not; distance to the block's start
    and end in lines and in words, and as a share of the block's words; the block's size), and
    how many of its content words the block uses elsewhere (a teaser or a comment is about
    something else than the article; a page's title is part of the block it heads)."""
    lines, n = page.lines, len(page.lines)
    weights = [lineclass.line_weight(line) for line in lines]
    block = np.array(lineclass.main_block(first.tolist(), threshold, weights), dtype=bool)
    words = np.array([lineclass.word_count(line) for line in lines])
    columns = [page.x[:, : len(lineclass.BASE_FEATURES)], first[:, None]]
    columns.append(np.stack([_shifted(first, k) for k in STAGE2_NEIGHBOURS], axis=1))
    columns.append(np.stack([lineclass._window_mean(first, h) for h in STAGE2_WINDOWS], axis=1))
    position = np.zeros((n, 10))
    position[:, 1:7] = -5.0  # no block: every line far outside it
    if block.any():
        lo, hi = int(np.argmax(block)), n - int(np.argmax(block[::-1]))
        index = np.arange(n)
        cumulative = np.concatenate([[0.0], np.cumsum(words)])
        to_start = np.where(
            index >= lo, cumulative[index] - cumulative[lo], cumulative[index + 1] - cumulative[lo]
        )
        to_end = np.where(
            index < hi, cumulative[hi] - cumulative[index + 1], cumulative[hi] - cumulative[index]
        )
        block_words = max(1.0, cumulative[hi] - cumulative[lo])
        position = np.stack(
            [
                block.astype(float),
                _signed_log(index - lo),
                _signed_log((hi - 1) - index),
                _signed_log(to_start),
                _signed_log(to_end),
                np.clip(to_start / block_words, -2, 3),
                np.clip(to_end / block_words, -2, 3),
                np.full(n, block_words / max(1.0, cumulative[-1])),
                np.full(n, np.log1p(hi - lo)),
                np.full(n, np.log1p(block_words)),
            ],
            axis=1,
        )
    columns.append(position)
    language = lineclass.page_language(lines, stopwords)
    stop = stopwords.get(language or "", frozenset())
    content = [
        {w for w in (t.lower() for t in _CONTENT_WORD.findall(line)) if w not in stop}
        for line in lines
    ]
    in_block: dict[str, int] = {}
    for i in np.flatnonzero(block):
        for word in content[i]:
            in_block[word] = in_block.get(word, 0) + 1
    topical = np.zeros((n, 2))
    for i, own in enumerate(content):
        if own:
            mine = 1 if block[i] else 0
            topical[i, 0] = sum(1 for w in own if in_block.get(w, 0) - mine > 0) / len(own)
            topical[i, 1] = np.log1p(len(own))
    columns.append(topical)
    return np.concatenate(columns, axis=1)


def boosted_trees() -> Any:
    """The block model's settings (benchmarks/train_blocks.py), a few more trees."""
    # scikit-learn is for training only: the pipeline never imports it.
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=150,
        learning_rate=0.1,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )


def _rows(
    pages: list[PageData], x_of: Callable[[PageData], np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, ws = [], [], []
    for page in pages:
        known = page.labels >= 0
        xs.append(x_of(page)[known])
        ys.append(page.labels[known])
        ws.append(page.weights[known])
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


ScoresOf = Callable[[list[PageData], list[PageData]], dict[int, np.ndarray]]


def out_of_fold(
    pages: list[PageData], folds: int, salt: str, scores_of: ScoresOf
) -> dict[int, np.ndarray]:
    """Every page's scores from a model fitted on the pages of the other folds (by site)."""
    probs: dict[int, np.ndarray] = {}
    for fold in range(folds):
        held = [p for p in pages if fold_of(salt + p.site, folds) == fold]
        fit_on = [p for p in pages if fold_of(salt + p.site, folds) != fold]
        if held:
            probs.update(scores_of(fit_on, held))
    return probs


def mlp_scores(fit_on: list[PageData], held: list[PageData]) -> dict[int, np.ndarray]:
    mlp = fit_mlp(fit_on)
    return {id(p): mlp.predict(p.x) for p in held}


def shape_trees_scores(fit_on: list[PageData], held: list[PageData]) -> dict[int, np.ndarray]:
    """line_model_v2/v3's scorer: boosted trees on the shape features alone."""
    x, y, w = _rows(fit_on, lambda p: p.x)
    trees = boosted_trees().fit(x, y, sample_weight=w)
    return {id(p): trees.predict_proba(p.x)[:, 1] for p in held}


def trees_scores(fit_on: list[PageData], held: list[PageData]) -> dict[int, np.ndarray]:
    """The shipped scorer (line_model_v4): boosted trees on the shape features and the words."""
    trees, vocabulary = fit_with_vocabulary(fit_on)
    return {id(p): trees.predict_proba(inputs(p, vocabulary))[:, 1] for p in held}


# --- what the words say ---------------------------------------------------------------------------


def build_vocabulary(pages: Sequence[PageData], min_sites: int | None = None) -> dict[str, float]:
    """Per word on pages of at least `min_sites` sites (VOCABULARY_MIN_SITES): the log-odds that a
    labelled line holding it is article, against the share of article lines overall (add-one
    smoothed counts)."""
    min_sites = VOCABULARY_MIN_SITES if min_sites is None else min_sites
    article: Counter[str] = Counter()
    other: Counter[str] = Counter()
    by_site: dict[str, set[str]] = {}
    for page in pages:
        on_site = by_site.setdefault(page.site, set())
        for line, label in zip(page.lines, page.labels, strict=True):
            tokens = lineclass.vocabulary_tokens(line)
            on_site |= tokens
            if label == 1:
                article.update(tokens)
            elif label == 0:
                other.update(tokens)
    sites: Counter[str] = Counter()
    for tokens in by_site.values():
        sites.update(tokens)
    prior = math.log(max(1, sum(article.values())) / max(1, sum(other.values())))
    return {
        word: round(math.log((article[word] + 1) / (other[word] + 1)) - prior, 3)
        for word, count in sites.items()
        if count >= min_sites
    }


def inputs(page: PageData, vocabulary: dict[str, float]) -> np.ndarray:
    """A page's scorer input rows: its shape features, then what its words say."""
    return np.concatenate([page.x, lineclass.vocabulary_features(page.lines, vocabulary)], axis=1)


def fit_with_vocabulary(pages: list[PageData]) -> tuple[Any, dict[str, float]]:
    """Boosted trees (scikit-learn) over shape and vocabulary features, and the vocabulary of
    all `pages`. Each training page's vocabulary features come from a vocabulary built without
    its site: with its own lines counted, a word's log-odds would echo the page's labels."""
    rows: dict[int, np.ndarray] = {}
    for fold in range(VOCABULARY_FOLDS):
        held = [p for p in pages if fold_of("vocabulary:" + p.site, VOCABULARY_FOLDS) == fold]
        rest = [p for p in pages if fold_of("vocabulary:" + p.site, VOCABULARY_FOLDS) != fold]
        vocabulary = build_vocabulary(rest)
        for page in held:
            rows[id(page)] = inputs(page, vocabulary)
    x, y, w = _rows(pages, lambda p: rows[id(p)])
    trees = boosted_trees().fit(x, y, sample_weight=w)
    return trees, build_vocabulary(pages)


def stacked_scores(stopwords: dict[str, frozenset[str]], threshold: float) -> ScoresOf:
    """The MLP, then a second stage (boosted trees over `relative_features`) trained on the
    MLP's out-of-fold scores of the training pages (two levels of folds: the second stage never
    learns from scores the MLP made on its own training lines)."""

    def scores_of(fit_on: list[PageData], held: list[PageData]) -> dict[int, np.ndarray]:
        inner = out_of_fold(fit_on, FOLDS - 1, "inner:", mlp_scores)
        x, y, w = _rows(fit_on, lambda p: relative_features(p, inner[id(p)], threshold, stopwords))
        second = boosted_trees().fit(x, y, sample_weight=w)
        first = mlp_scores(fit_on, held)
        return {
            id(p): second.predict_proba(relative_features(p, first[id(p)], threshold, stopwords))[
                :, 1
            ]
            for p in held
        }

    return scores_of


def variants(
    pages: list[PageData], table: dict[str, list[str]], args: argparse.Namespace, word_f1: WordF1
) -> None:
    """The line scorers compared (line_model_v1's MLP, the shipped boosted trees, the MLP with a
    second stage), each page scored out of fold by site; per scorer two decisions: the grid's
    numbers with the best mean of the two corpora on these same out-of-fold scores (the same grid
    for every scorer: comparable, a little kind), and the shipped way (`choose_decision`, numbers
    per language) with the numbers chosen on the other folds' pages (honest)."""
    stopwords = {lang: frozenset(words) for lang, words in table.items()}
    shipped = lineclass.load_model()
    scorers: dict[str, ScoresOf] = {
        "mlp": mlp_scores,
        "trees-shape-only": shape_trees_scores,
        "trees": trees_scores,
        "mlp+second-stage": stacked_scores(stopwords, shipped.threshold),
    }
    scorers = {name: scorers[name] for name in args.scorers.split(",")}
    print("| line scorer | decision | WCXB P | R | F1 | trafilatura set P | R | F1 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")

    def row(name: str, numbers: str, figures: dict[str, tuple[float, float, float]]) -> None:
        cells = " | ".join(f"{v:.3f}" for c in CORPORA for v in figures.get(c, (0.0, 0.0, 0.0)))
        print(f"| {name} | {numbers} | {cells} |", flush=True)

    for name, scores_of in scorers.items():
        started = time.perf_counter()
        probs = out_of_fold(pages, args.folds, "", scores_of)
        # One set of numbers from the grid, chosen on these very pages (comparable, a little kind).
        grid = list(decision_grid(shipped))
        counts = [grid_counts(shipped, page, probs[id(page)], word_f1) for page in pages]
        best = max(range(len(grid)), key=lambda g: objective_of(pages, [c[g] for c in counts]))
        chosen = grid[best]
        numbers = (
            f"{chosen.threshold}/{chosen.drop_below}/{chosen.short_drop_below}, "
            f"secondary {chosen.secondary_share}, on these pages"
        )
        row(name, numbers, figures_of(pages, [c[best] for c in counts]))
        # The shipped way (choose_decision: numbers per language), chosen on the other folds.
        held_counts: list[np.ndarray] = [np.zeros(0)] * len(pages)
        for fold in range(args.folds):
            train = [p for p in pages if fold_of(p.site, args.folds) != fold]
            model, _ = choose_decision(shipped, train, probs, word_f1)
            for i, page in enumerate(pages):
                if fold_of(page.site, args.folds) == fold:
                    keep = np.array(decide(model, page, probs[id(page)]), dtype=bool)
                    held_counts[i] = page_counts(page, keep, word_f1)
        row(name, "per language, chosen out of fold", figures_of(pages, held_counts))
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)


# --- main -----------------------------------------------------------------------------------------


def load_data(path: Path, corpora: Sequence[str]) -> tuple[list[PageData], dict[str, list[str]]]:
    table = shipped_stopwords()
    stopwords = {lang: frozenset(words) for lang, words in table.items()}
    start = time.perf_counter()
    pages = [
        data
        for page in read_pages(path)
        if page["corpus"] in corpora and (data := page_data(page, stopwords)) is not None
    ]
    known = sum(int((p.labels >= 0).sum()) for p in pages)
    article = sum(int((p.labels == 1).sum()) for p in pages)
    print(
        f"{len(pages)} pages, {sum(len(p.lines) for p in pages)} lines, {known} labelled, "
        f"{article} article ({time.perf_counter() - start:.0f} s)",
        file=sys.stderr,
    )
    return pages, table


def report(
    pages: list[PageData], table: dict[str, list[str]], args: argparse.Namespace, word_f1: WordF1
) -> list[tuple[str, str, tuple[float, float, float]]]:
    """Per corpus: do nothing, other sites, other corpus, in-sample (see the module's doc)."""
    stopwords = {lang: frozenset(words) for lang, words in table.items()}
    by_corpus = {c: [p for p in pages if p.corpus == c] for c in CORPORA}
    by_corpus = {c: ps for c, ps in by_corpus.items() if ps}
    rows: list[tuple[str, str, tuple[float, float, float]]] = []
    for corpus, ps in by_corpus.items():
        rows.append((corpus, "whole-page text, do nothing", score_nothing(ps, word_f1).prf()))
    shipped = lineclass.load_model()
    for corpus, ps in by_corpus.items():
        rows.append((corpus, "shipped model", score_cleaned(ps, lambda _p: shipped, word_f1).prf()))
    fold_models = {}
    for fold in range(args.folds):
        train = [p for p in pages if fold_of(p.site, args.folds) != fold]
        print(f"fold {fold}:", file=sys.stderr)
        fold_models[fold] = fit(train, stopwords, word_f1)
    for corpus, ps in by_corpus.items():
        figures = score_cleaned(ps, lambda p: fold_models[fold_of(p.site, args.folds)], word_f1)
        rows.append((corpus, f"other sites ({args.folds} folds by site)", figures.prf()))
    if len(by_corpus) == len(CORPORA):
        for corpus, ps in by_corpus.items():
            print(f"other corpus than {corpus}:", file=sys.stderr)
            other = fit([p for p in pages if p.corpus != corpus], stopwords, word_f1)
            figures = score_cleaned(ps, lambda _p, model=other: model, word_f1)
            rows.append((corpus, "other corpus only", figures.prf()))
    print("in-sample:", file=sys.stderr)
    every = fit(pages, stopwords, word_f1)
    for corpus, ps in by_corpus.items():
        rows.append((corpus, "in-sample", score_cleaned(ps, lambda _p: every, word_f1).prf()))
    print("\n| corpus | text path | P | R | F1 |\n|---|---|---:|---:|---:|")
    for corpus, system, (p, r, f) in rows:
        print(f"| {corpus} | {system} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    devset.add_corpus_arguments(p)
    devset.add_wcxb_argument(p)
    p.add_argument("--corpus", default=",".join(CORPORA))
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    for name in ("train", "evaluate", "report", "variants"):
        s = sub.add_parser(name)
        s.add_argument("--data", type=Path, required=True)
        s.add_argument("--corpus", default=",".join(CORPORA), help="the corpora to use")
        s.add_argument(
            "--wcxb-root", type=Path, default=None, help="the unpacked wcxb-dev-articles folder"
        )
        if name == "train":
            s.add_argument("--out", type=Path, default=lineclass.MODEL_PATH)
        if name == "evaluate":
            s.add_argument("--model", type=Path, default=None, help="default: the shipped model")
        if name in ("report", "variants"):
            s.add_argument("--folds", type=int, default=FOLDS)
        if name == "variants":
            s.add_argument(
                "--scorers",
                default="mlp,trees-shape-only,trees,mlp+second-stage",
                help="mlp (line_model_v1's), trees-shape-only (line_model_v2/v3's), trees (the "
                "shipped kind: shape and vocabulary), mlp+second-stage",
            )
    args = parser.parse_args(argv)
    if args.command == "prepare":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as out:
            for page in prepare(args):
                out.write(json.dumps(page, ensure_ascii=False) + "\n")
        return 0
    corpora = args.corpus.split(",")
    if args.command != "train" and "wcxb" in corpora and args.wcxb_root is None:
        # Tuning counts words itself (WordCounts); scoring the cleaned text uses the corpus's own.
        parser.error("scoring WCXB pages needs --wcxb-root (for its evaluate.py)")
    word_f1 = load_word_f1(args.wcxb_root)
    pages, table = load_data(args.data, corpora)
    if args.command == "train":
        stopwords = {lang: frozenset(words) for lang, words in table.items()}
        model = fit(pages, stopwords, word_f1)
        note = f"trained by benchmarks/train_lines.py on {','.join(corpora)} of {args.data.name}"
        args.out.parent.mkdir(parents=True, exist_ok=True)
        data = model_dict(model, note, table)
        args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
        return 0
    if args.command == "evaluate":
        model = lineclass.load_model(args.model) if args.model else lineclass.load_model()
        for corpus in corpora:
            ps = [p for p in pages if p.corpus == corpus]
            if ps:
                prec, rec, f1 = score_cleaned(ps, lambda _p: model, word_f1).prf()
                print(f"{corpus}: {len(ps)} pages, P {prec:.3f} R {rec:.3f} F1 {f1:.3f}")
        return 0
    if args.command == "variants":
        variants(pages, table, args, word_f1)
        return 0
    report(pages, table, args, word_f1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
