"""A line classifier for whole-page plain text: which lines are the article, with a score each.

A page rendered to text (inscriptis, a browser's "save as text") keeps every block of the page on
its own line: menus, cookie notices, teasers, footers, and somewhere in the middle the article.
A line alone says little; its shape and its neighbours say a lot. This module only measures
(dolma-style: the cleaner decides what to drop):

- `features(lines)`: per line, its shape (length, sentence end, stopword density in the page's
  language, capitalization, digits, punctuation, list and separator marks, repetition, position),
  the same for the lines around it, and how much prose lies before and after it;
- `vocabulary_features(lines, vocabulary)`: what the line's words say. Words like "newsletter",
  "Kommentar" or "abonnieren" are chrome in any layout; the model file holds, per word seen on
  enough training sites, the log-odds that a line holding it is article text;
- `score(lines)`: gradient-boosted trees (exported to `flows/stages/models/lines.v4.json` and
  evaluated with numpy, `flows/stages/trees.py`; trained by `benchmarks/train_lines.py` on lines
  labelled by the WCXB corpus's gold main text and by the trafilatura set's snippets and
  newsclean's HTML path) give each line the probability that it belongs to the article body (an
  older model file holds a small MLP instead; both load);
- `main_block(scores)`: the article is one contiguous region: the span with the highest sum of
  (score - threshold), weighted by line length, so short gaps (an image caption, an ad slot, a
  subheading) inside the article are bridged and prose-like islands outside it are not;
- `article_blocks(scores)`: the main block and, when they weigh enough against it, secondary
  blocks: an article split by a gallery or a run of short lines keeps its other part;
- `off_article(lines, scores, model)`: the lines the cleaner drops: outside the article's blocks,
  or inside them under a floor, a higher one for short lines (a teaser list's heading, a button),
  with decision numbers of the page's language where the model has its own for it.

Everything is pure: same lines, same scores. The model file loads once, lazily.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from flows.stages.trees import TreeEnsemble

MODEL_PATH = Path(__file__).resolve().parent / "models" / "lines.v4.json"
# The rule name every span dropped by the model carries (versioned with the model file).
RULE_NAME = "line_model_v4"
# The kind of span a line the model drops becomes.
KIND = "non_article"

_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[^\w\s]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’»)\]]*\s+\S|[。！？]")
_BULLET = re.compile(r"^(?:[*•·\-–—>»›▪►+]|\d{1,2}[.)])\s")
_SEPARATORS = re.compile(r"\s[|•·›»/]\s|\s\|\s?|\s?\|\s")
_LINKISH = re.compile(r"https?://|www\.|\.(?:com|org|net|html?)\b|@\w|#\w", re.IGNORECASE)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|copyright", re.IGNORECASE)

# Chinese and Japanese are not split into words by spaces: their stopwords are characters.
CJK_FUNCTION_CHARS = frozenset(
    "的了是在和有不也就都而与着之这那一我他她们为以于上中个到说要会对能可从被把将但还没"
    "のにはをたがでてとしれさもするからなこといやるなどないこのためそのよう"
)

# Base per-line features, in order (their names go into the model file and are checked on load).
BASE_FEATURES = (
    "log_chars",
    "log_words",
    "sentence_end",
    "stop_ratio",
    "log_stops",
    "title_case_ratio",
    "all_caps",
    "digit_ratio",
    "punct_ratio",
    "comma_per_word",
    "bullet",
    "separators",
    "linkish",
    "copyright",
    "repeats",
    "starts_lower",
    "ends_colon",
    "log_sentences",
    "mean_word_len",
    "chars_vs_page_max",
)
# Neighbours whose base features a line sees.
OFFSETS = (-2, -1, 1, 2)
# Windows (in lines, each side) over which prose-likeness is averaged.
WINDOWS = (5, 15)
PAGE_FEATURES = ("rel_position", "prose_before", "prose_after", "log_page_lines", "page_stop")


# What a line's words say (`vocabulary_features`), after the shape features when the model has a
# vocabulary: the mean, lowest and highest log-odds of its known words (lowest and highest taken
# with 0, a line of unknown words being neutral), their sum (clipped), the share of its words
# that are known, and the mean over the line and its two neighbours each side.
VOCABULARY_FEATURES = (
    "vocab_mean",
    "vocab_min",
    "vocab_max",
    "vocab_sum",
    "vocab_known",
    "vocab_mean_around",
)
# The words of a line, as the vocabulary counts them: runs of two letters or more, casefolded.
_VOCABULARY_TOKEN = re.compile(r"[^\W\d_]{2,}")
_VOCABULARY_SUM_CLIP = 30.0
_VOCABULARY_AROUND = 2


def feature_names() -> list[str]:
    names = list(BASE_FEATURES)
    for offset in OFFSETS:
        names += [f"{name}@{offset:+d}" for name in BASE_FEATURES] + [f"missing@{offset:+d}"]
    for window in WINDOWS:
        names += [f"win{window}_{name}" for name in ("prose", "log_chars", "stop_ratio")]
    return names + list(PAGE_FEATURES)


# ---------------------------------------------------------------------------------------------
# Language: the stopword list that covers most of the page


def page_language(lines: Sequence[str], stopwords: dict[str, frozenset[str]]) -> str | None:
    """The language whose stopwords cover most tokens of the page; "cjk" for CJK pages.

    Cheaper than a language detector (one pass over the longest lines, no randomness) and all
    the classifier needs: which list to count stopwords with.
    """
    # The longest lines are the prose, when there is any: they say the language best.
    sample = " ".join(sorted(lines, key=len, reverse=True)[:LANGUAGE_SAMPLE_LINES])
    sample = sample[:LANGUAGE_SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters and len(_CJK.findall(sample)) / letters > 0.3:
        return "cjk"
    index = _stopword_index(stopwords)
    hits: Counter[str] = Counter()
    for token, count in Counter(_WORD.findall(sample.lower())).items():
        for language in index.get(token, ()):
            hits[language] += count
    if not hits:
        return None
    # Ties go to the first language in the table (Counter keeps insertion order).
    return max(hits, key=lambda language: (hits[language], -list(stopwords).index(language)))


LANGUAGE_SAMPLE_LINES = 40
LANGUAGE_SAMPLE_CHARS = 8000
_INDEXES: dict[int, tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]] = {}


def _stopword_index(stopwords: dict[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    """word -> the languages listing it; built once per stopword table (the model holds one)."""
    cached = _INDEXES.get(id(stopwords))
    if cached is not None and cached[0] is stopwords:
        return cached[1]
    index: dict[str, list[str]] = {}
    for language, words in stopwords.items():
        for word in words:
            index.setdefault(word, []).append(language)
    frozen = {word: tuple(languages) for word, languages in index.items()}
    _INDEXES[id(stopwords)] = (stopwords, frozen)  # the table is kept alive with its id
    return frozen


# ---------------------------------------------------------------------------------------------
# Features


def _base(line: str, stop: frozenset[str] | None, cjk: bool) -> list[float]:
    chars = len(line)
    tokens = _WORD.findall(line)
    if cjk:
        cjk_chars = _CJK.findall(line)
        n_words = len(tokens) + len(cjk_chars) / 2  # about two characters a word
        n_stops = sum(1 for ch in cjk_chars if ch in CJK_FUNCTION_CHARS)
        stop_base = max(1, len(cjk_chars) + len(tokens))
    else:
        n_words = len(tokens)
        n_stops = sum(1 for t in tokens if t.lower() in stop) if stop else 0
        stop_base = max(1, len(tokens))
    upper_initial = sum(1 for t in tokens if t[0].isupper())
    # Regular expressions count in C: a Python loop over characters costs more than the model.
    letters = sum(map(len, tokens))  # the tokens are the runs of letters
    digits = len(_DIGIT.findall(line))
    punct = len(_PUNCT.findall(line))
    commas = line.count(",") + line.count(";") + line.count("、") + line.count("，")
    return [
        math.log1p(chars),
        math.log1p(n_words),
        1.0 if _SENTENCE_END.search(line) else 0.0,
        n_stops / stop_base,
        math.log1p(n_stops),
        upper_initial / len(tokens) if tokens else 0.0,
        1.0 if letters >= 3 and line.isupper() else 0.0,
        digits / max(1, chars),
        punct / max(1, chars),
        commas / max(1.0, n_words),
        1.0 if _BULLET.match(line) else 0.0,
        math.log1p(len(_SEPARATORS.findall(line))),
        1.0 if _LINKISH.search(line) else 0.0,
        1.0 if _COPYRIGHT.search(line) else 0.0,
        0.0,  # repeats: filled in per page
        1.0 if line[:1].islower() else 0.0,
        1.0 if line.rstrip().endswith((":", "：")) else 0.0,
        math.log1p(len(_SENTENCE_BREAK.findall(line))),
        (letters / len(tokens)) / 10 if tokens else 0.0,
        0.0,  # chars_vs_page_max: filled in per page
    ]


_REPEATS = BASE_FEATURES.index("repeats")
_REL_LEN = BASE_FEATURES.index("chars_vs_page_max")


def _prose(base: np.ndarray) -> np.ndarray:
    """A crude prose-likeness per line: long, ends like a sentence, full of stopwords."""
    long_enough = np.clip((base[:, 0] - math.log1p(40)) / 2.0, 0.0, 1.0)
    return long_enough * (0.5 + 0.5 * base[:, 2]) * np.clip(base[:, 3] * 4.0, 0.0, 1.0)


def _window_mean(values: np.ndarray, half: int) -> np.ndarray:
    padded = np.concatenate([[0.0], np.cumsum(values)])
    n = len(values)
    idx = np.arange(n)
    lo = np.clip(idx - half, 0, n)
    hi = np.clip(idx + half + 1, 0, n)
    return (padded[hi] - padded[lo]) / (hi - lo)


def features(
    lines: Sequence[str],
    stopwords: dict[str, frozenset[str]] | None = None,
    *,
    language: str | None = None,
) -> np.ndarray:
    """One row per line (lines stripped, none empty), columns as in `feature_names()`.
    `language`: the page's `page_language`, when the caller has it (found here otherwise)."""
    if stopwords is None:
        stopwords = load_model().stopwords
    n = len(lines)
    width = len(feature_names())
    if n == 0:
        return np.zeros((0, width))
    language = language or page_language(lines, stopwords)
    cjk = language == "cjk"
    stop = None if cjk or language is None else stopwords[language]
    base = np.array([_base(line, stop, cjk) for line in lines], dtype=float)
    # A line seen again on the same page is a menu item, a teaser or a share button.
    counts = Counter(lines)
    base[:, _REPEATS] = [math.log1p(counts[line] - 1) for line in lines]
    chars = np.array([len(line) for line in lines], dtype=float)
    base[:, _REL_LEN] = chars / chars.max()
    columns = [base]
    for offset in OFFSETS:
        shifted = np.zeros_like(base)
        missing = np.ones((n, 1))
        if offset < 0:
            shifted[-offset:] = base[:offset]
            missing[-offset:] = 0.0
        else:
            shifted[:-offset] = base[offset:]
            missing[:-offset] = 0.0
        columns += [shifted, missing]
    prose = _prose(base)
    for window in WINDOWS:
        columns.append(
            np.stack(
                [
                    _window_mean(prose, window),
                    _window_mean(base[:, 0], window),
                    _window_mean(base[:, 3], window),
                ],
                axis=1,
            )
        )
    # Where the line sits relative to the page's prose: menus come before it, footers after.
    weight = prose * chars
    total = weight.sum() or 1.0
    before = (np.cumsum(weight) - weight) / total
    after = 1.0 - before - weight / total
    page_stop = float(base[:, 4].sum() / max(1.0, np.expm1(base[:, 1]).sum()))
    page = np.stack(
        [
            np.arange(n) / max(1, n - 1),
            before,
            after,
            np.full(n, math.log1p(n)),
            np.full(n, page_stop),
        ],
        axis=1,
    )
    columns.append(page)
    return np.concatenate(columns, axis=1)


def vocabulary_tokens(line: str) -> set[str]:
    """The distinct words of a line, as the vocabulary knows them."""
    return set(_VOCABULARY_TOKEN.findall(line.casefold()))


def vocabulary_features(lines: Sequence[str], vocabulary: dict[str, float]) -> np.ndarray:
    """One row per line, columns as in VOCABULARY_FEATURES; `vocabulary`: word -> log-odds."""
    n = len(lines)
    rows = np.zeros((n, len(VOCABULARY_FEATURES)))
    for i, line in enumerate(lines):
        tokens = vocabulary_tokens(line)
        known = [vocabulary[t] for t in tokens if t in vocabulary]
        if known:
            total = sum(known)
            rows[i, :5] = (
                total / len(known),
                min(0.0, min(known)),
                max(0.0, max(known)),
                max(-_VOCABULARY_SUM_CLIP, min(_VOCABULARY_SUM_CLIP, total)),
                len(known) / len(tokens),
            )
    width = 2 * _VOCABULARY_AROUND + 1
    # Zero beyond the page's ends: a first line has fewer neighbours, and weighs them as none.
    full = np.convolve(rows[:, 0], np.ones(width) / width)  # "same" would grow a short page
    rows[:, 5] = full[_VOCABULARY_AROUND : _VOCABULARY_AROUND + n]
    return rows


# ---------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Mlp:
    """A standardizer and an MLP: ReLU hidden layers, one sigmoid output."""

    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    def predict(self, x: np.ndarray) -> np.ndarray:
        h = (x - self.mean) / self.scale
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            h = np.maximum(h @ w + b, 0.0)
        z = h @ self.weights[-1] + self.biases[-1]
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -30, 30))))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mlp:
        return cls(
            mean=np.array(data["mean"], dtype=float),
            scale=np.array(data["scale"], dtype=float),
            weights=tuple(np.array(w, dtype=float) for w in data["weights"]),
            biases=tuple(np.array(b, dtype=float) for b in data["biases"]),
        )


@dataclass(frozen=True)
class LineModel:
    """The scorer over line features (boosted trees, or an MLP in older model files), its
    stopword lists, and how the cleaner decides."""

    name: str
    scorer: Mlp | TreeEnsemble
    threshold: float  # a line's score above this counts for the main block
    drop_below: float  # inside the main block, a line scoring under this still goes
    stopwords: dict[str, frozenset[str]]
    # Inside the main block, a line of fewer words than this goes under `short_drop_below`:
    # short lines (headings of teaser lists, buttons, labels) are where the scores are least sure.
    short_line_words: int = 0
    short_drop_below: float = 0.0
    # The in-block floors hold only on texts of at least this many lines: the scores are learned
    # on whole web pages (hundreds of lines); in a short text the main block and the rules decide.
    floor_min_lines: int = 0
    # A run of lines outside the main block is article too when its mass (as the main block's) is
    # at least this share of the main block's: an article split by a gallery or a run of short
    # lines keeps its other part. 0: one block only.
    secondary_share: float = 0.0
    # The decision numbers (threshold, drop_below, short_drop_below) for pages of a language
    # (`page_language`), where they were tuned apart; other pages use the numbers above.
    by_language: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    # word -> log-odds that a line holding it is article text (`vocabulary_features`); None: the
    # scorer reads the shape features only (the models before line_model_v4).
    vocabulary: dict[str, float] | None = None

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.scorer.predict(x)

    def inputs(self, lines: Sequence[str], language: str | None = None) -> np.ndarray:
        """The scorer's input rows for `lines`: the shape features, then, with a vocabulary, what
        the words say (`language`: see `features`)."""
        x = features(lines, self.stopwords, language=language)
        if self.vocabulary is None:
            return x
        return np.concatenate([x, vocabulary_features(lines, self.vocabulary)], axis=1)

    def for_language(self, language: str | None) -> LineModel:
        """This model with the decision numbers of `language`'s pages (its own if none)."""
        numbers = self.by_language.get(language or "")
        if numbers is None:
            return replace(self, by_language={})
        threshold, drop_below, short_drop_below = numbers
        return replace(
            self,
            threshold=threshold,
            drop_below=drop_below,
            short_drop_below=short_drop_below,
            by_language={},
        )


def model_feature_names(with_vocabulary: bool) -> list[str]:
    """The scorer's input columns: the shape features, then the vocabulary's if it has one."""
    return feature_names() + (list(VOCABULARY_FEATURES) if with_vocabulary else [])


def model_from_dict(data: dict[str, Any]) -> LineModel:
    words = data.get("vocabulary")
    vocabulary = None if words is None else {word: float(value) for word, value in words.items()}
    if data["features"] != model_feature_names(vocabulary is not None):
        raise ValueError(f"{data['name']}: its features do not match this version of lineclass")
    return LineModel(
        name=data["name"],
        scorer=(
            TreeEnsemble.from_dict(data["ensemble"])
            if "ensemble" in data
            else Mlp.from_dict(data["mlp"])
        ),
        threshold=float(data["threshold"]),
        drop_below=float(data["drop_below"]),
        stopwords={lang: frozenset(words) for lang, words in data["stopwords"].items()},
        short_line_words=int(data.get("short_line_words", 0)),
        short_drop_below=float(data.get("short_drop_below", data["drop_below"])),
        floor_min_lines=int(data.get("floor_min_lines", 0)),
        secondary_share=float(data.get("secondary_share", 0.0)),
        by_language={
            language: (float(t), float(d), float(s))
            for language, (t, d, s) in data.get("by_language", {}).items()
        },
        vocabulary=vocabulary,
    )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> LineModel:
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


def model_tag(path: Path = MODEL_PATH) -> str:
    """What a row's `pipeline_version` can say about the line model: its name and the start of
    its file's SHA-256 (a retrained model is another model)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{load_model(path).name}.{digest}"


def score(
    lines: Sequence[str], model: LineModel | None = None, *, language: str | None = None
) -> list[float]:
    """Per line, the probability that it is article body (`language`: see `features`)."""
    if not lines:
        return []
    model = model or load_model()
    return [float(p) for p in model.predict(model.inputs(lines, language))]


def main_block(
    scores: Sequence[float],
    threshold: float = 0.5,
    weights: Sequence[float] | None = None,
) -> list[bool]:
    """The contiguous run of lines with the largest sum of weight * (score - threshold).

    Kadane's maximum subarray: a short low-scoring gap costs less than the article around it
    brings, so it is bridged. With no line above the threshold, nothing is marked.
    """
    n = len(scores)
    _, span = _best_run(scores, threshold, [1.0] * n if weights is None else weights, 0, n)
    lo, hi = span or (0, 0)
    return [lo <= i < hi for i in range(n)]


def _best_run(
    scores: Sequence[float], threshold: float, weights: Sequence[float], lo: int, hi: int
) -> tuple[float, tuple[int, int] | None]:
    """Kadane's maximum subarray of weight * (score - threshold) within lines lo..hi-1: its mass
    and its span, None when no line is above the threshold."""
    best, best_span = 0.0, None
    running, start = 0.0, lo
    for i in range(lo, hi):
        if running <= 0.0:
            running, start = 0.0, i
        running += weights[i] * (scores[i] - threshold)
        if running > best:
            best, best_span = running, (start, i + 1)
    return best, best_span


SECONDARY_BLOCKS = 2


def article_blocks(
    scores: Sequence[float],
    threshold: float,
    weights: Sequence[float],
    secondary_share: float = 0.0,
) -> list[bool]:
    """The main block (`main_block`) and up to SECONDARY_BLOCKS other runs, each the best run
    left between the blocks already taken, while its mass is at least `secondary_share` of the
    main block's (0: the main block only)."""
    n = len(scores)
    inside = [False] * n
    mass, span = _best_run(scores, threshold, weights, 0, n)
    if span is None:
        return inside
    inside[span[0] : span[1]] = [True] * (span[1] - span[0])
    if secondary_share <= 0.0:
        return inside
    gaps = [(0, span[0]), (span[1], n)]
    for _ in range(SECONDARY_BLOCKS):
        runs = [(*_best_run(scores, threshold, weights, lo, hi), (lo, hi)) for lo, hi in gaps]
        found = [(m, s, gap) for m, s, gap in runs if s is not None and m >= secondary_share * mass]
        if not found:
            break
        _, (lo, hi), gap = max(found, key=lambda run: run[0])
        inside[lo:hi] = [True] * (hi - lo)
        gaps.remove(gap)
        gaps += [(gap[0], lo), (hi, gap[1])]
    return inside


def line_weight(line: str) -> float:
    """How much a line counts in the main block: long lines carry the article, a bit sublinearly."""
    return math.sqrt(min(len(line), 400) / 40 + 0.25)


def word_count(line: str) -> float:
    """Words in a line; CJK text, not split by spaces, counts about two characters a word."""
    cjk = len(_CJK.findall(line))
    if not cjk:
        return float(len(_WORD.findall(line)))
    return sum(1 for token in _WORD.findall(line) if not _CJK.search(token)) + cjk / 2


def off_article(
    lines: Sequence[str],
    scores: Sequence[float],
    model: LineModel,
    *,
    language: str | None = None,
) -> list[bool]:
    """Per line, whether the model drops it: outside the article's blocks (the main block and
    the secondary ones, `article_blocks`), or inside them but scoring under the floor
    (`model.drop_below`; `model.short_drop_below` for a line of fewer than
    `model.short_line_words` words; no floor on a text of fewer than `model.floor_min_lines`
    lines: there a line goes only when it is outside the blocks and under the floor, as the
    scores, learned on whole pages of hundreds of lines, are least sure on a short text), with
    the numbers of the page's language where the model has its own for it. With no main block
    (no line looks like article prose), none. `language`: see `features`."""
    if model.by_language:
        model = model.for_language(language or page_language(lines, model.stopwords))
    weights = [line_weight(line) for line in lines]
    block = article_blocks(scores, model.threshold, weights, model.secondary_share)
    if not any(block):
        return [False] * len(lines)
    # A short text needs both signals to drop a line: outside the blocks and under the floor.
    whole_page = len(lines) >= model.floor_min_lines
    off = []
    for line, inside, value in zip(lines, block, scores, strict=True):
        if not inside and whole_page:
            off.append(True)
            continue
        short = model.short_line_words and word_count(line) < model.short_line_words
        under = value < (model.short_drop_below if short else model.drop_below)
        off.append(under and (whole_page or not inside))
    return off
