"""Where a block stands in the page's layout, as block measures: measured out of fold.

Issue 11's untried structural measures for the block model:
- against the headline (html_facts.headline: the <h1> that matches the page's title; else the
  first h1-h3 block that does): before or after it, the distance in blocks and in characters,
  how many levels up from the block (and from the headline) their lowest common ancestor is;
- against the densest text container (the block-level element whose own child blocks hold the
  most characters of sentence-like text): inside it or not, how deep below it or how far
  outside, and the share of the page's prose it holds;
- the block's parent container's rank by prose among the page's containers, and its share;
- the page's sections: the headings above the block (and since the headline), and the share of
  the page's prose before it.

It reads the pages benchmarks/train_blocks.py measured (its --work-dir pickles), cuts every
page into blocks again (they must match the trainer's), appends the columns (CPU time per page
with time.process_time) and trains a model per variant on 4 folds by site with the trainer's
own functions, printing each corpus's out-of-fold P/R/F1 with the trainer's metrics. Results
and the decision (none gains on WCXB; not shipped) are in docs/benchmarks.md ("The block
model", variants).

Usage: python benchmarks/block_layout.py --cache-dir DIR --work-dir DIR [--limit N]
                                         [--variants baseline,all,...] [--scores FILE]
Variants (the shipped measures plus): all (headline, densest container, parent's rank),
headline, dense (densest container and parent's rank), dense_section, section, all_section.
"""

from __future__ import annotations

import argparse
import math
import pickle
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import devset
import numpy as np
import train_blocks
from lxml.html import HtmlElement

from flows.stages import blocks
from flows.stages.blocks import Block, normalized_words
from flows.stages.html_facts import headline, parse_tree

# The trainer's page pickles were written with the trainer run as a script.
PageData = train_blocks.PageData
FOLDS = 4
# Sentence-like text: a block of this many words at least, mostly not link text, with a
# sentence end in it.
PROSE_MIN_WORDS = 8
PROSE_MAX_LINK_SHARE = 0.3
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f\u0964]")
HEADING_TAGS = ("h1", "h2", "h3")
TITLE_MATCH = 0.6


def layout_feature_names() -> list[str]:
    return [
        "headline:page_has",
        "headline:is",
        "headline:before",
        "headline:block_distance",
        "headline:char_distance",
        "headline:levels_up",
        "headline:levels_up_from_headline",
        "headline:lca_depth",
        "dense:inside",
        "dense:levels_below",
        "dense:levels_out",
        "dense:lca_depth",
        "page:dense_share",
        "page:dense_direct_share",
        "parent:log_prose_rank",
        "parent:prose_share",
        "block:prose",
        "section:log_headings_before",
        "section:prose_before_share",
        "section:log_headings_since_headline",
    ]


class _ChainWalker(blocks._Walker):
    """The pipeline's walker, also noting for every block its element and the chain of
    block-level elements down to it (numbered, outermost first): where two blocks' chains part
    is their lowest common ancestor. Kept here, not in blocks.py: the pipeline does not use it."""

    def __init__(self) -> None:
        super().__init__()
        self.chains: list[tuple[int, ...]] = []
        self.elements: list[HtmlElement | None] = []
        self.current: tuple[tuple[int, ...], HtmlElement | None] = ((), None)
        self.numbered = 0

    def flush(self) -> None:
        before = len(self.blocks)
        super().flush()
        if len(self.blocks) > before:
            self.chains.append(self.current[0])
            self.elements.append(self.current[1])

    def walk(
        self,
        element: HtmlElement,
        path: tuple[str, ...],
        hint_stack: tuple[frozenset[str], ...],
        containers: tuple[int, ...],
        in_link: bool,
    ) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag not in blocks.BLOCK_TAGS or blocks._hidden(element):
            super().walk(element, path, hint_stack, containers, in_link)
            return
        self.flush()  # the text before the element is its container's
        saved = self.current
        self.numbered += 1
        self.current = ((*saved[0], self.numbered), element)
        super().walk(element, path, hint_stack, containers, in_link)
        self.current = saved


def chained_blocks(
    tree: HtmlElement,
) -> tuple[list[Block], list[tuple[int, ...]], list[HtmlElement | None]]:
    """blocks.page_blocks(tree), with each block's chain and element."""
    walker = blocks.walk_page(tree, _ChainWalker())
    return walker.blocks, walker.chains, walker.elements


def _common(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """The length of the common start of two chains: the depth of the lowest common ancestor."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def headline_index(
    page_blocks: Sequence[Block],
    elements: Sequence[HtmlElement | None],
    tree: HtmlElement,
    title: str | None,
) -> int:
    """The index of the headline's block, or -1."""
    found = headline(tree)
    if found is not None:
        for i, element in enumerate(elements):
            if element is found or (element is not None and found in element.iterancestors()):
                return i
    title_words = set(normalized_words(title or ""))
    if not title_words:
        return -1
    for i, block in enumerate(page_blocks):
        if block.tag not in HEADING_TAGS:
            continue
        words = set(normalized_words(block.text))
        shared = len(words & title_words)
        if (
            words
            and shared >= TITLE_MATCH * len(words)
            and shared >= TITLE_MATCH * len(title_words)
        ):
            return i
    return -1


def layout_features(
    page_blocks: Sequence[Block],
    chains: Sequence[tuple[int, ...]],
    elements: Sequence[HtmlElement | None],
    tree: HtmlElement,
    title: str | None,
) -> np.ndarray:
    n = len(page_blocks)
    width = len(layout_feature_names())
    if n == 0:
        return np.zeros((0, width))
    chars = np.array([len(block.text) for block in page_blocks], dtype=float)
    offsets = np.concatenate([[0.0], np.cumsum(chars)])
    prose = np.zeros(n)
    for i, block in enumerate(page_blocks):
        if (
            block.link_chars <= PROSE_MAX_LINK_SHARE * chars[i]
            and len(block.text.split()) >= PROSE_MIN_WORDS
            and _SENTENCE_END.search(block.text)
        ):
            prose[i] = chars[i]
    page_prose = float(prose.sum())

    # Prose per container: held anywhere below it, and by its own child blocks.
    below: dict[int, float] = {}
    direct: dict[int, float] = {}
    for i in np.flatnonzero(prose):
        chain = chains[i]
        for number in chain:
            below[number] = below.get(number, 0.0) + prose[i]
        if len(chain) >= 2:
            direct[chain[-2]] = direct.get(chain[-2], 0.0) + prose[i]
    ranked = sorted(direct, key=lambda number: (-direct[number], number))
    rank = {number: r for r, number in enumerate(ranked)}
    densest = ranked[0] if ranked else None
    dense_chain: tuple[int, ...] = ()
    if densest is not None:
        for chain in chains:
            if densest in chain:
                dense_chain = chain[: chain.index(densest) + 1]
                break

    h = headline_index(page_blocks, elements, tree, title)
    h_chain = chains[h] if h >= 0 else ()
    page_columns = [
        below.get(densest, 0.0) / page_prose if densest is not None and page_prose else 0.0,
        direct.get(densest, 0.0) / page_prose if densest is not None and page_prose else 0.0,
    ]
    # Sections: the headings above a block, and how much of the page's prose comes before it
    # (a page's gold article is often its first section, the rest lists and reviews).
    is_heading = np.array([block.tag in blocks.HEADING_TAGS for block in page_blocks], dtype=float)
    headings_before = np.concatenate([[0.0], np.cumsum(is_heading)[:-1]])
    prose_before = np.concatenate([[0.0], np.cumsum(prose)[:-1]])
    rows = []
    for i, chain in enumerate(chains):
        if h >= 0:
            lca = _common(chain, h_chain)
            distance = i - h
            between = offsets[i] - offsets[h + 1] if i > h else offsets[h] - offsets[i + 1]
            row = [
                1.0,
                1.0 if i == h else 0.0,
                1.0 if i < h else 0.0,
                math.copysign(math.log1p(abs(distance)), distance),
                math.copysign(math.log1p(max(0.0, between)), distance),
                len(chain) - lca,
                len(h_chain) - lca,
                lca,
            ]
        else:
            row = [0.0] * 8
        if dense_chain:
            lca = _common(chain, dense_chain)
            inside = lca == len(dense_chain)
            row += [
                1.0 if inside else 0.0,
                len(chain) - lca if inside else 0.0,
                0.0 if inside else len(dense_chain) - lca,
                lca,
            ]
        else:
            row += [0.0] * 4
        row += page_columns
        parent = chain[-2] if len(chain) >= 2 else None
        if parent is not None and parent in rank:
            row += [math.log1p(rank[parent]), direct[parent] / page_prose]
        else:
            row += [math.log1p(len(ranked)), 0.0]
        row.append(1.0 if prose[i] else 0.0)
        row += [
            math.log1p(headings_before[i]),
            prose_before[i] / page_prose if page_prose else 0.0,
            math.log1p(max(0.0, headings_before[i] - headings_before[h] - 1)) if h >= 0 else 0.0,
        ]
        rows.append(row)
    return np.array(rows, dtype=float)


# --- the variants ---------------------------------------------------------------------------------


def variant_columns(width: int) -> dict[str, list[int]]:
    names = layout_feature_names()

    def with_(keep: Callable[[str], bool]) -> list[int]:
        return train_blocks.extra_columns(width, names, keep)

    return {
        "baseline": with_(lambda name: False),
        "all": with_(lambda name: not name.startswith("section:")),
        "all_section": with_(lambda name: True),
        "headline": with_(lambda name: name.startswith("headline:")),
        "dense": with_(lambda name: not name.startswith(("headline:", "section:"))),
        "dense_section": with_(lambda name: not name.startswith("headline:")),
        "section": with_(lambda name: name.startswith("section:")),
    }


def add_layout(pages: list[PageData], root: Path) -> float:
    """Appends the layout columns to every page's measures; CPU ms per page they cost."""
    refs = {ref.file: ref for ref in devset.page_refs(root)}
    seconds = 0.0
    for page in pages:
        tree = parse_tree(refs[page.page_id].load().html)
        assert tree is not None
        page_blocks, chains, elements = chained_blocks(tree)
        if [block.text for block in page_blocks] != page.texts:
            raise SystemExit(f"{page.page_id}: the blocks differ from the trainer's; re-measure")
        started = time.process_time()
        extra = layout_features(page_blocks, chains, elements, tree, blocks.title_of(tree))
        seconds += time.process_time() - started
        page.x = np.concatenate([page.x, extra.astype(np.float32)], axis=1)
    return seconds / max(1, len(pages)) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--work-dir", type=Path, required=True, help="train_blocks.py's pickles")
    parser.add_argument("--variants", default="baseline,all")
    parser.add_argument("--scores", type=Path, default=None, help="pickle the out-of-fold scores")
    args = parser.parse_args(argv)
    corpora, wcxb_root, width = train_blocks.measured_corpora(
        args, lambda pages, root: f"layout measures {add_layout(pages, root):.2f} CPU ms/page"
    )
    results = train_blocks.variant_scores(
        corpora, variant_columns(width), args.variants.split(","), wcxb_root, FOLDS
    )
    if args.scores:
        with args.scores.open("wb") as handle:
            pickle.dump(results, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
