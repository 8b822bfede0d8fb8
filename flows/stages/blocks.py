"""A page's text blocks and what its structure says about each: the block model's candidates.

trafilatura keeps or drops whole containers with hand-written rules; when it takes the wrong
container, or only part of the article, the words it dropped are gone. Here every text block of
the page is a candidate, described by measures a model can weigh (flows/stages/block_model.py):

- `page_blocks(tree)`: the page cut into blocks, in reading order. A block is the text of a
  block-level element (p, li, h2, td, a div with its own text...) without the text of the blocks
  nested in it; inline markup (a, em, span) stays inside its block. Scripts, styles, forms'
  controls and hidden elements hold no reader text and are skipped.
- `block_features(blocks, ...)`: one row of numbers per block: its text's shape (the line
  model's measures, so prose looks like prose in both paths), its markup (tag, link density,
  the class and id words of the block and its containers, header/footer/nav/aside ancestors),
  its container's totals, its resemblance to the title, and whether trafilatura kept it.

Everything here is pure: the same page gives the same blocks and the same numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from lxml.html import HtmlElement

from flows.stages import line_model

# Elements that start a block of their own. Everything else is inline: its text joins the block
# it sits in.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
# Elements whose text no reader sees as text.
SKIPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "head",
        "title",
        "meta",
        "link",
        "select",
        "option",
        "input",
        "textarea",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
    ]
)
# Landmarks: a block inside one of these is rarely the article (or, for article/main, often is).
LANDMARKS = ("article", "main", "header", "footer", "nav", "aside", "form", "figure", "li", "table")
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# Words of class and id attributes that say what a container is for. Grouped by meaning, so the
# model learns from a group what a single site's spelling would not teach it.
CLASS_HINTS: dict[str, tuple[str, ...]] = {
    "content": ("content", "article", "body", "post", "entry", "text", "story", "main", "prose"),
    "navigation": ("nav", "menu", "breadcrumb", "breadcrumbs", "pagination", "pager", "tabs"),
    "chrome": ("header", "footer", "masthead", "topbar", "banner", "copyright", "site"),
    "aside": ("sidebar", "aside", "widget", "rail", "panel"),
    "related": ("related", "recommended", "recommend", "more", "trending", "popular", "teaser"),
    "comments": ("comment", "comments", "reply", "respond", "discussion", "disqus"),
    "social": ("share", "sharing", "social", "facebook", "twitter", "follow"),
    "promo": (
        "ad",
        "ads",
        "advert",
        "advertisement",
        "promo",
        "sponsor",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "paywall",
        "cta",
        "popup",
        "modal",
    ),
    "meta": ("meta", "byline", "author", "date", "time", "tag", "tags", "category", "info"),
    "caption": ("caption", "credit", "figcaption", "photo", "image", "img", "media", "gallery"),
    "hidden": ("hidden", "hide", "sr", "visually", "screen", "offscreen", "print"),
    "cookie": ("cookie", "consent", "gdpr", "privacy"),
}
_HINT_GROUPS = tuple(CLASS_HINTS)
_HINT_OF_WORD = {word: group for group, words in CLASS_HINTS.items() for word in words}
_ATTRIBUTE_WORD = re.compile(r"[a-z]+")
_WORD = re.compile(r"\w+")
_WHITESPACE = re.compile(r"[^\S\n]+")

# How many containers up the class and id words are looked at (the nearest say the most).
HINT_DEPTH = 6


@dataclass
class Block:
    """One text block: its text, the element that holds it, and its markup facts."""

    text: str
    tag: str
    path: tuple[str, ...]  # the tags of its ancestors, outermost first
    own_hints: frozenset[str]  # hint groups of the block element's own class and id
    near_hints: frozenset[str]  # hint groups of its containers up to HINT_DEPTH
    link_chars: int  # characters of its text inside <a>
    containers: tuple[int, ...] = field(default_factory=tuple)  # ids of its 1st..3rd containers


def _hints(element: HtmlElement) -> frozenset[str]:
    value = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if not value.strip():
        return frozenset()
    return frozenset(
        _HINT_OF_WORD[word] for word in _ATTRIBUTE_WORD.findall(value) if word in _HINT_OF_WORD
    )


def _hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


class _Walker:
    """Cuts a tree into blocks in one depth-first pass."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.next_container = 0  # containers are numbered: an element's id() can be reused
        self.owner: tuple[str, tuple[str, ...], frozenset[str], frozenset[str], tuple[int, ...]]
        self.owner = ("body", (), frozenset(), frozenset(), ())

    def flush(self) -> None:
        text = _WHITESPACE.sub(" ", "".join(self.parts))
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
        if text:
            tag, path, own, near, containers = self.owner
            link_chars = min(self.link_chars, len(text))
            self.blocks.append(Block(text, tag, path, own, near, link_chars, containers))
        self.parts = []
        self.link_chars = 0

    def walk(
        self,
        element: HtmlElement,
        path: tuple[str, ...],
        hint_stack: tuple[frozenset[str], ...],
        containers: tuple[int, ...],
        in_link: bool,
    ) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in SKIPPED_TAGS or _hidden(element):
            return
        if tag == "br":
            self.parts.append("\n")
            return
        is_block = tag in BLOCK_TAGS
        link = in_link or tag == "a"
        if is_block:
            self.flush()
            own = _hints(element)
            near = frozenset().union(*hint_stack[-HINT_DEPTH:]) if hint_stack else frozenset()
            saved = self.owner
            self.owner = (tag, path, own, near, containers[-3:][::-1])
            child_path = (*path, tag)
            child_hints = (*hint_stack, own)
            self.next_container += 1
            child_containers = (*containers, self.next_container)
        else:
            child_path, child_hints, child_containers = path, hint_stack, containers
        if element.text:
            self.parts.append(element.text)
            if link:
                self.link_chars += len(element.text.strip())
        for child in element:
            self.walk(child, child_path, child_hints, child_containers, link)
            if child.tail:
                self.parts.append(child.tail)
                if link:
                    self.link_chars += len(child.tail.strip())
        if is_block:
            self.flush()
            self.owner = saved


# A walker that notes more than the blocks (a benchmark's) gets itself back from walk_page.
_WalkerT = TypeVar("_WalkerT", bound=_Walker)


def page_blocks(tree: HtmlElement) -> list[Block]:
    """The page's text blocks in reading order (see the module's docstring)."""
    return walk_page(tree, _Walker()).blocks


def walk_page(tree: HtmlElement, walker: _WalkerT) -> _WalkerT:
    """`walker` (a _Walker, or one that notes more) taken through the page's body, or the whole
    tree when it has none, with its last block flushed."""
    body = tree.find(".//body")
    walker.walk(body if body is not None else tree, (), (), (), False)
    walker.flush()
    return walker


# ---------------------------------------------------------------------------------------------
# Features


def normalized_words(text: str) -> list[str]:
    """Lower-cased word tokens: how blocks are compared with other texts."""
    return _WORD.findall(text.lower())


def _coverage(words: Sequence[str], known: set[str]) -> float:
    return sum(1 for word in words if word in known) / len(words) if words else 0.0


# A block this long is matched anywhere in the extractor's text; a shorter one ("News", "Share")
# only as a good part of one of its lines, not as a word that happens to occur in a sentence.
SHORT_BLOCK_WORDS = 6
SHORT_BLOCK_SHARE = 0.3


def extractor_kept(words: Sequence[Sequence[str]], lines: Sequence[Sequence[str]]) -> list[bool]:
    """Per block (its words), whether the extractor's text (its lines' words) holds it."""
    # Padded with spaces so that a block matches whole words only.
    joined = f" {' '.join(word for line in lines for word in line)} "
    # A short block matches a run of words of a line at most 1/SHORT_BLOCK_SHARE times its
    # length: every run of up to SHORT_BLOCK_WORDS - 1 words of such lines, with the shortest
    # line holding it, is looked up in one dict instead of searched for line by line.
    longest_line = int((SHORT_BLOCK_WORDS - 1) / SHORT_BLOCK_SHARE)
    shortest_line_of: dict[tuple[str, ...], int] = {}
    for line in lines:
        size = len(line)
        if not 0 < size <= longest_line:
            continue
        for start in range(size):
            for end in range(start + 1, min(size, start + SHORT_BLOCK_WORDS - 1) + 1):
                run = tuple(line[start:end])
                if shortest_line_of.get(run, size + 1) > size:
                    shortest_line_of[run] = size
    found = []
    for block_words in words:
        if not block_words:
            found.append(False)
        elif len(block_words) >= SHORT_BLOCK_WORDS:
            found.append(f" {' '.join(block_words)} " in joined)
        else:
            shortest = shortest_line_of.get(tuple(block_words))
            found.append(shortest is not None and len(block_words) >= SHORT_BLOCK_SHARE * shortest)
    return found


def block_feature_names() -> list[str]:
    names = [f"text:{name}" for name in line_model.feature_names()]
    names += [f"tag:{tag}" for tag in ("p", "heading", "li", "td", "blockquote", "pre", "div")]
    names += ["tag:other", "log_depth", "link_density", "in_link_block"]
    names += [f"inside:{landmark}" for landmark in LANDMARKS]
    names += [f"own:{group}" for group in _HINT_GROUPS]
    names += [f"near:{group}" for group in _HINT_GROUPS]
    for level in (1, 2, 3):
        names += [
            f"container{level}:log_chars",
            f"container{level}:log_blocks",
            f"container{level}:link_density",
            f"container{level}:extractor_share",
        ]
    names += [
        "title_overlap",
        "extractor_kept",
        "extractor_word_share",
        "extractor_kept_prev",
        "extractor_kept_next",
        "page:extractor_share",
        "page:log_extractor_chars",
        "page:log_chars",
        "page:log_blocks",
    ]
    return names


def _tag_columns(tag: str) -> list[float]:
    group = (
        "heading"
        if tag in HEADING_TAGS
        else "td"
        if tag in ("td", "th")
        else "div"
        if tag in ("div", "section", "article", "main", "body", "center")
        else tag
    )
    known = ("p", "heading", "li", "td", "blockquote", "pre", "div")
    return [1.0 if group == name else 0.0 for name in known] + [0.0 if group in known else 1.0]


def block_features(
    blocks: Sequence[Block],
    title: str | None,
    extractor_text: str | None,
    stopwords: dict[str, frozenset[str]] | None = None,
) -> np.ndarray:
    """One row per block, columns as in `block_feature_names()`.

    `extractor_text` is trafilatura's main text for the page (None when it found none): a block
    it kept is a strong hint, and how much of the page it kept says whether it failed.
    """
    n = len(blocks)
    if n == 0:
        return np.zeros((0, len(block_feature_names())))
    texts = [block.text.replace("\n", " ") for block in blocks]
    text_columns = line_model.features(texts, stopwords)

    title_words = set(normalized_words(title or ""))
    words = [normalized_words(text) for text in texts]
    chars = np.array([len(text) for text in texts], dtype=float)
    extractor_lines = [normalized_words(line) for line in (extractor_text or "").split("\n")]
    extracted_words = {word for line in extractor_lines for word in line}
    kept = np.array(extractor_kept(words, extractor_lines), dtype=float)

    # Container totals: every block adds to the three containers around it.
    totals: dict[int, list[float]] = {}
    for block, size, keep in zip(blocks, chars, kept, strict=True):
        for container in block.containers:
            entry = totals.setdefault(container, [0.0, 0.0, 0.0, 0.0])
            entry[0] += size
            entry[1] += 1
            entry[2] += block.link_chars
            entry[3] += size * keep
    page_chars = float(chars.sum())
    page_kept = float((chars * kept).sum())

    # Blocks share tags, ancestor paths and hint sets (a menu's items, a list's entries): their
    # columns are built once per distinct value.
    tag_columns: dict[str, list[float]] = {}
    path_columns: dict[tuple[str, ...], list[float]] = {}
    hint_columns: dict[frozenset[str], list[float]] = {}
    page_columns = [
        page_kept / max(1.0, page_chars),
        math.log1p(len(extractor_text or "")),
        math.log1p(page_chars),
        math.log1p(n),
    ]
    rows = []
    for i, block in enumerate(blocks):
        if block.tag not in tag_columns:
            tag_columns[block.tag] = _tag_columns(block.tag)
        for path in (block.path,):
            if path not in path_columns:
                path_columns[path] = [math.log1p(len(path))] + [
                    1.0 if landmark in path else 0.0 for landmark in LANDMARKS
                ]
        for hints in (block.own_hints, block.near_hints):
            if hints not in hint_columns:
                hint_columns[hints] = [1.0 if group in hints else 0.0 for group in _HINT_GROUPS]
        depth, *landmarks = path_columns[block.path]
        row = [*tag_columns[block.tag], depth]
        row += [
            block.link_chars / max(1.0, chars[i]),
            1.0 if block.link_chars >= 0.9 * chars[i] else 0.0,
        ]
        row += landmarks
        row += hint_columns[block.own_hints]
        row += hint_columns[block.near_hints]
        for level in range(3):
            if level < len(block.containers):
                size, count, links, kept_chars = totals[block.containers[level]]
                row += [
                    math.log1p(size),
                    math.log1p(count),
                    links / max(1.0, size),
                    kept_chars / max(1.0, size),
                ]
            else:
                row += [0.0, 0.0, 0.0, 0.0]
        row += [
            _coverage(words[i], title_words) if title_words else 0.0,
            kept[i],
            _coverage(words[i], extracted_words),
            kept[i - 1] if i > 0 else 0.0,
            kept[i + 1] if i + 1 < n else 0.0,
        ]
        row += page_columns
        rows.append(row)
    return np.concatenate([text_columns, np.array(rows, dtype=float)], axis=1)


def title_of(tree: HtmlElement) -> str | None:
    """The page's title as a reader sees it: og:title, else <title>, else the first h1."""
    for xpath in ('//meta[@property="og:title"]/@content', "//title/text()", "//h1//text()"):
        found = [value.strip() for value in tree.xpath(xpath) if isinstance(value, str)]
        text = " ".join(value for value in found if value)
        if text:
            return text
    return None
