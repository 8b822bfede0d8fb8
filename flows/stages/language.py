"""The language of a text: langdetect's answer, computed faster.

langdetect (a port of Shuyo's Java library) spends most of a call in two pure-Python loops: it
turns the text into character n-grams one character at a time, and it multiplies 55 language
probabilities one by one for each n-gram it draws. `QuickDetector` keeps langdetect's algorithm,
its profiles and its seeded random draws, and replaces only those two loops: the n-grams by a
loop with the per-character normalization cached, the products by numpy over the 55 languages.
The answers are the same, to the last bit of the probability (tests/test_language.py compares
both on texts of many languages), at about half the time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

# langdetect on fewer letters than this is noise.
MIN_LANGUAGE_LETTERS = 20
# langdetect reads every character before its random trials, so its time grows with the text
# while its answer settles early: it reads the opening and a stretch from the middle, this many
# characters each. Against the first 20,000 characters, the language is the same on 988 of 989
# trafilatura-set texts and 790 of 790 WCXB texts, at 40 % of the time (docs/benchmarks.md).
LANGUAGE_SAMPLE_CHARS = 1_000
# langdetect codes that are not ISO 639-1 as printed.
LANGUAGE_CODES = {"zh-cn": "zh", "zh-tw": "zh"}
# Re-applied before every call, so a text gets the same answer whatever was detected before it.
SEED = 0


def detect_language(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 code and probability of the text's language; (None, None) when undetectable."""
    sample = language_sample(text)
    if sum(1 for char in sample if char.isalpha()) < MIN_LANGUAGE_LETTERS:
        return None, None
    ranked = language_probabilities(sample)
    if not ranked:
        return None, None
    best, probability = ranked[0]
    return LANGUAGE_CODES.get(best, best.split("-")[0]), probability


def language_sample(text: str, size: int = LANGUAGE_SAMPLE_CHARS) -> str:
    """The opening and a stretch from the middle of a long text; a short text whole."""
    if len(text) <= 2 * size:
        return text
    middle = len(text) // 2
    return f"{text[:size]}\n{text[middle : middle + size]}"


def language_probabilities(text: str) -> list[tuple[str, float]]:
    """langdetect's `detect_langs(text)`, most probable first; empty when it finds no n-gram."""
    # Imported here: langdetect loads its language profiles (~0.6 s): in worker processes only.
    from langdetect.lang_detect_exception import LangDetectException

    detector = _quick_detector_class()(_factory())
    detector.seed = SEED
    detector.append(text)
    try:
        return [(found.lang, float(found.prob)) for found in detector.get_probabilities()]
    except LangDetectException:
        return []


@cache
def _factory() -> Any:
    from langdetect import detector_factory  # see language_probabilities

    detector_factory.init_factory()
    return detector_factory._factory


@cache
def _quick_detector_class() -> type:
    """langdetect's Detector with its two inner loops replaced (defined once langdetect is
    imported: the class derives from it)."""
    from langdetect.detector import Detector  # see language_probabilities
    from langdetect.utils.ngram import NGram

    normalized: dict[str, str] = {}  # NGram.normalize is a function of the character alone
    vectors: dict[str, np.ndarray] = {}  # each n-gram's 55 probabilities, as an array

    class QuickDetector(Detector):
        def _extract_ngrams(self) -> list[str]:
            # NGram.add_char and the 1- to 3-gram reads of Detector._extract_ngrams, inlined.
            known = self.word_lang_prob_map
            found: list[str] = []
            grams = " "
            capital_word = False
            for raw in self.text:
                char = normalized.get(raw)
                if char is None:
                    char = normalized[raw] = NGram.normalize(raw)
                last = grams[-1]
                if last == " ":
                    grams = " "
                    capital_word = False
                    if char == " ":
                        continue
                elif len(grams) >= NGram.N_GRAM:
                    grams = grams[1:]
                grams += char
                # A run of capitals (an acronym, a shouted word) gives no n-grams.
                capital_word = char.isupper() and (capital_word or last.isupper())
                if capital_word:
                    continue
                if char != " " and char in known:
                    found.append(char)
                for size in (2, 3):
                    if len(grams) < size:
                        break
                    if (gram := grams[-size:]) in known:
                        found.append(gram)
            return found

        def _init_probability(self) -> np.ndarray:
            return np.array(super()._init_probability(), dtype=float)

        def _update_lang_prob(self, prob: np.ndarray, word: str | None, alpha: float) -> bool:
            vector = vectors.get(word) if word is not None else None
            if vector is None:
                if word is None or word not in self.word_lang_prob_map:
                    return False
                vector = vectors[word] = np.array(self.word_lang_prob_map[word], dtype=float)
            # The same IEEE operations per language as langdetect's loop: (weight + p) * prob.
            prob *= alpha / self.BASE_FREQ + vector
            return True

        def _normalize_prob(self, prob: np.ndarray) -> float:
            # langdetect sums left to right (Python's sum); cumsum does too, pairwise sum would not.
            prob /= np.cumsum(prob)[-1]
            return float(prob.max())

        def _detect_block(self) -> None:
            super()._detect_block()
            self.langprob = [float(value) for value in self.langprob]  # type: ignore[has-type]

    return QuickDetector
