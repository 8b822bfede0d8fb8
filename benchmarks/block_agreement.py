"""Agreement between extractors as block measures: measured out of fold, not shipped.

The issue's untried lever (ensembles of extractors lead the published comparisons): beside
trafilatura's verdict, the block model also sees resiliparse's (`extract_plain_text(...,
main_content=True)`) and readability's (the fork trafilatura ships). Per block and per other
extractor: kept by it (the test trafilatura's verdict uses, `blocks.extractor_kept`), its word
coverage, the neighbours' verdicts, its share of the block's three containers; per page: its
share of the page, its text's length, its overlap with trafilatura (kept characters in common
over kept by either: a failed extraction shows there); and how many extractors keep the block
and the bulk of its nearest container, and the lowest overlap.

It reads the pages benchmarks/train_blocks.py measured (its --work-dir pickles, same --limit),
runs the two extractors on every page (CPU time per page with time.process_time), appends the
columns and trains one model per variant on 4 folds by site with the trainer's own functions,
printing each corpus's out-of-fold P/R/F1 with the trainer's metrics. Results and the decision
are in docs/benchmarks.md ("The block model", variants). Needs resiliparse (pip install
resiliparse==2.0.1; it is not a dependency of the pipeline).

Usage: python benchmarks/block_agreement.py --cache-dir DIR --work-dir DIR [--limit N]
                                            [--variants baseline,both,...]
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import devset
import numpy as np
import train_blocks
from lxml.html import HtmlElement, fromstring

from flows.stages import blocks
from flows.stages.blocks import Block, normalized_words
from flows.stages.html_facts import parse_tree

# The trainer's page pickles were written with the trainer run as a script.
PageData = train_blocks.PageData
OTHER_EXTRACTORS = ("resiliparse", "readability")
FOLDS = 4


def resiliparse_text(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text  # optional: this script only
    from resiliparse.parse.html import HTMLTree

    try:
        return str(extract_plain_text(HTMLTree.parse(html), main_content=True))
    except Exception:  # a second opinion that fails is no opinion
        return ""


def readability_text(tree: HtmlElement) -> str:
    from trafilatura.readability_lxml import Document  # as the pipeline imports trafilatura

    try:
        # readability prunes the tree it reads: it gets a copy.
        summary = Document(copy.deepcopy(tree), min_text_length=25).summary()
        if not summary.strip():
            return ""
        return "\n".join(block.text for block in blocks.page_blocks(fromstring(summary)))
    except Exception:  # see resiliparse_text
        return ""


def agreement_feature_names() -> list[str]:
    names = []
    for name in OTHER_EXTRACTORS:
        names += [
            f"{name}:kept",
            f"{name}:word_share",
            f"{name}:kept_prev",
            f"{name}:kept_next",
            f"{name}:container1_share",
            f"{name}:container2_share",
            f"{name}:container3_share",
            f"page:{name}_share",
            f"page:log_{name}_chars",
            f"page:{name}_trafilatura_overlap",
        ]
    names += ["agree:count", "agree:container1_count", "page:agreement_min"]
    return names


def agreement_features(
    page_blocks: Sequence[Block],
    words: Sequence[Sequence[str]],
    chars: np.ndarray,
    trafilatura_kept: np.ndarray,
    other_texts: Sequence[str | None],
) -> np.ndarray:
    """Per block: whether each other extractor kept it (the same text test as for trafilatura),
    its share of the block's containers and of the page, how far it agrees with trafilatura on
    the page (kept characters in common over kept by either), and how many extractors keep the
    block and the bulk of its container."""
    n = len(page_blocks)
    texts = [*other_texts, *([None] * len(OTHER_EXTRACTORS))][: len(OTHER_EXTRACTORS)]
    verdicts = [trafilatura_kept]
    columns = []
    overlaps = []
    for text in texts:
        lines = [normalized_words(line) for line in (text or "").split("\n")]
        known = {word for line in lines for word in line}
        kept = np.array(blocks.extractor_kept(words, lines), dtype=float)
        verdicts.append(kept)
        sizes: dict[int, list[float]] = {}
        for block, size, keep in zip(page_blocks, chars, kept, strict=True):
            for container in block.containers:
                entry = sizes.setdefault(container, [0.0, 0.0])
                entry[0] += size
                entry[1] += size * keep
        shares = np.zeros((n, 3))
        for i, block in enumerate(page_blocks):
            for level, container in enumerate(block.containers[:3]):
                size, kept_chars = sizes[container]
                shares[i, level] = kept_chars / max(1.0, size)
        either = float((chars * np.maximum(kept, trafilatura_kept)).sum())
        both = float((chars * kept * trafilatura_kept).sum())
        overlap = both / either if either else 1.0
        overlaps.append(overlap)
        page = [
            float((chars * kept).sum()) / max(1.0, float(chars.sum())),
            math.log1p(len(text or "")),
            overlap,
        ]
        columns.append(
            np.column_stack(
                [
                    kept,
                    [coverage(w, known) for w in words] if n else np.zeros(0),
                    np.concatenate([[0.0], kept[:-1]]) if n else kept,
                    np.concatenate([kept[1:], [0.0]]) if n else kept,
                    shares,
                    np.tile(page, (n, 1)),
                ]
            )
        )
    count = np.sum(verdicts, axis=0)
    # How many extractors keep most of the block's nearest container.
    container_count = np.zeros(n)
    for verdict in verdicts:
        sizes = {}
        for block, size, keep in zip(page_blocks, chars, verdict, strict=True):
            if block.containers:
                entry = sizes.setdefault(block.containers[0], [0.0, 0.0])
                entry[0] += size
                entry[1] += size * keep
        container_count += [
            1.0 if block.containers and (e := sizes[block.containers[0]])[1] >= 0.5 * e[0] else 0.0
            for block in page_blocks
        ]
    page_min = np.full(n, min(overlaps) if overlaps else 1.0)
    columns.append(np.column_stack([count, container_count, page_min]))
    return np.concatenate(columns, axis=1).reshape(n, len(agreement_feature_names()))


def coverage(words: Sequence[str], known: set[str]) -> float:
    return sum(1 for word in words if word in known) / len(words) if words else 0.0


# --- the variants ---------------------------------------------------------------------------------


def variant_columns(width: int) -> dict[str, list[int]]:
    names = agreement_feature_names()

    def with_(keep: Callable[[str], bool]) -> list[int]:
        return train_blocks.extra_columns(width, names, keep)

    return {
        "baseline": with_(lambda name: False),
        "both": with_(lambda name: True),
        "resiliparse": with_(lambda name: "resiliparse" in name),
        "readability": with_(lambda name: "readability" in name),
        "minimal": with_(
            lambda name: (
                name.endswith(":kept")
                or name.endswith("_overlap")
                or name in ("agree:count", "page:agreement_min")
            )
        ),
    }


def add_agreement(pages: list[PageData], root: Path) -> dict[str, float]:
    """Appends the agreement columns to every page's measures; CPU ms per page per extractor."""
    refs = {ref.file: ref for ref in devset.page_refs(root)}
    kept_column = blocks.block_feature_names().index("extractor_kept")
    seconds = dict.fromkeys(OTHER_EXTRACTORS, 0.0)
    for page in pages:
        html = refs[page.page_id].load().html
        tree = parse_tree(html)
        assert tree is not None
        page_blocks = blocks.page_blocks(tree)
        if [block.text for block in page_blocks] != page.texts:
            raise SystemExit(f"{page.page_id}: the blocks differ from the trainer's; re-measure")
        started = time.process_time()
        resiliparse = resiliparse_text(html)
        seconds["resiliparse"] += time.process_time() - started
        started = time.process_time()
        readability = readability_text(tree)
        seconds["readability"] += time.process_time() - started
        texts = [block.text.replace("\n", " ") for block in page_blocks]
        words = [normalized_words(text) for text in texts]
        chars = np.array([len(text) for text in texts], dtype=float)
        extra = agreement_features(
            page_blocks,
            words,
            chars,
            page.x[:, kept_column].astype(float),
            [resiliparse, readability],
        )
        page.x = np.concatenate([page.x, extra.astype(np.float32)], axis=1)
    return {name: value / max(1, len(pages)) * 1000 for name, value in seconds.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--work-dir", type=Path, required=True, help="train_blocks.py's pickles")
    parser.add_argument("--variants", default="baseline,both,resiliparse,minimal")
    args = parser.parse_args(argv)

    def extend(pages: list[PageData], root: Path) -> str:
        cost = add_agreement(pages, root)
        return "CPU ms/page: " + ", ".join(f"{name} {ms:.1f}" for name, ms in cost.items())

    corpora, wcxb_root, width = train_blocks.measured_corpora(args, extend)
    train_blocks.variant_scores(
        corpora, variant_columns(width), args.variants.split(","), wcxb_root, FOLDS
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
