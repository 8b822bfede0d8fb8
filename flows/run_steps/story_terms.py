"""An article's story signature: the distinct key terms of its title and lead.

Outlets tell one event in their own words, but they name the same people, places and figures,
and share a few rare words ("Diaoyutai", "magnitude", "7.5"). So the signature is a set of terms
taken from the title and the first LEAD_WORDS words of the body:

- names: words printed capitalised inside a sentence (not its first word, not in a title-case
  headline), kept as `@word`, so "Turkey" the country and "turkey" the bird differ;
- numbers, kept as `#7.5` (years and dates too: IDF weighs them down when they are common);
- other words of three letters or more that are no stopword, lower case, with a light suffix cut
  (killed/kills/killing -> kill) so that rewordings still meet.

How much a term counts is decided later from how many articles use it (story_match.py): the
signature is the same in every run, only the weights move as the dataset grows.
"""

from __future__ import annotations

import re

LEAD_WORDS = 60  # words of the body after the title: the lead paragraph(s) of a news story
NAME, NUMBER = "@", "#"

_WORD = re.compile(r"[^\W\d_](?:[^\W_]|['’.](?=[^\W\d_]))*|\d+(?:[.,:]\d+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;\"“”—–•\n]\s*$|^\s*$")
# English function words and news furniture; other languages' are weighed down by IDF instead.
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "told",
        "according",
        "new",
        "one",
        "two",
        "three",
        "first",
        "last",
        "year",
        "years",
        "day",
        "days",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "week",
        "weeks",
        "month",
        "months",
        "time",
        "mr",
        "mrs",
        "ms",
        "dr",
        "per",
        "cent",
        "percent",
        "reuters",
        "ap",
        "afp",
        "news",
        "report",
        "reported",
        "reporting",
        "updated",
        "update",
        "read",
        "more",
        "image",
        "photo",
    ]
)
_SUFFIXES = ("ings", "ing", "edly", "ed", "ies", "es", "s")


def story_terms(title: str | None, body: str) -> tuple[str, ...]:
    """The sorted distinct terms of an article's title and lead (see the module docstring)."""
    lead = _lead(body)
    texts = [text for text in (title or "", lead) if text]
    names = _names(texts)
    terms: set[str] = set()
    for text in texts:
        for match in _WORD.finditer(text):
            term = _term(match.group(), names)
            if term:
                terms.add(term)
    return tuple(sorted(terms))


def _lead(body: str) -> str:
    """The body up to its LEAD_WORDS-th word, line breaks kept (a line starts a sentence)."""
    words = list(re.finditer(r"\S+", body))
    return body[: words[LEAD_WORDS - 1].end()] if len(words) > LEAD_WORDS else body


def _names(texts: list[str]) -> set[str]:
    """Lower-cased words printed capitalised where a common word would not be."""
    names: set[str] = set()
    for position, text in enumerate(texts):
        words = list(_WORD.finditer(text))
        if position == 0 and len(texts) > 1 and _title_case(words):
            continue  # "Quake Hits Coastal Town": capitals there say nothing
        for match in words:
            word = match.group()
            if not word[0].isupper() or (word.isupper() and len(word) > 4):
                continue  # lower case, or a shouted word rather than an acronym
            if _SENTENCE_END.search(text[: match.start()]):
                continue  # the first word of a sentence is capitalised anyway
            names.add(word.lower())
    return names


def _title_case(words: list[re.Match[str]]) -> bool:
    long_words = [m.group() for m in words if len(m.group()) > 3 and not m.group()[0].isdigit()]
    return len(long_words) >= 3 and all(w[0].isupper() for w in long_words)


def _term(word: str, names: set[str]) -> str | None:
    if word[0].isdigit():
        number = word.replace(",", "")
        return NUMBER + number if len(number) > 1 or number != "0" else None
    lower = word.lower().replace("’", "'")
    if lower.endswith("'s"):
        lower = lower[:-2]
    if lower in _STOPWORDS:
        return None  # "On Monday", "Reuters": capitalised, yet no name of the event
    if lower in names:
        return NAME + lower
    if len(lower) < 3:
        return None
    return _stem(lower)


def _stem(word: str) -> str:
    """A light suffix cut: enough for plurals and verb forms to meet, never below four letters."""
    stem = word
    for suffix in _SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < 4:
            continue
        if suffix == "s" and word[-2] in "siu":
            continue  # focus, business, crisis: no plural
        stem = word[: -len(suffix)]
        if suffix == "ies":
            return stem + "y"
        if suffix in ("ing", "ings", "ed", "edly") and stem[-1] == stem[-2] not in "lsfz":
            return stem[:-1]  # stopped -> stop
        break
    # a final e goes too, so agree/agreed and escalate/escalating meet
    return stem[:-1] if stem.endswith("e") and len(stem) > 4 else stem
