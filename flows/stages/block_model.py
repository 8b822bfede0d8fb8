"""The block model: which of a page's text blocks are the article, with a score each.

A gradient-boosted tree ensemble (trained by `benchmarks/train_blocks.py` with scikit-learn's
HistGradientBoostingClassifier on the development corpora's gold main text) over the measures of
flows/stages/blocks.py. The trees are exported to a JSON file versioned in the repository
(`flows/stages/models/blocks.v1.json`) and evaluated here with numpy alone, so a run needs no
scikit-learn and no pickled objects, and a model file says exactly what it is.

`decide(...)` is the decision: the blocks scoring at least the model's threshold, in page
order, unless the model keeps nothing or far less than trafilatura found. Everything is pure; a model file loads once per process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from lxml.html import HtmlElement

from flows.core.records import RemovedSpan
from flows.stages import line_model
from flows.stages.blocks import block_feature_names, block_features, page_blocks, title_of
from flows.stages.trees import TreeEnsemble

MODEL_PATH = Path(__file__).resolve().parent / "models" / "blocks.v1.json"
# The kind of span a block the model drops becomes (the same kind as the line model's).
KIND = "non_article"
# The column saying whether the extractor (trafilatura) kept a block.
EXTRACTOR_KEPT = block_feature_names().index("extractor_kept")


@dataclass(frozen=True)
class BlockModel:
    """The trees, the threshold the decision uses, and the stopword lists the text measures need."""

    name: str
    trees: TreeEnsemble
    threshold: float
    stopwords: dict[str, frozenset[str]]

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.trees.predict(x)


class ModelFileError(ValueError):
    """A model file that this version of the block measures cannot use."""


def model_from_dict(data: dict[str, Any]) -> BlockModel:
    if data.get("features") != block_feature_names():
        raise ModelFileError(
            f"{data.get('name')}: its features do not match this version of flows/stages/blocks.py"
        )
    return BlockModel(
        name=str(data["name"]),
        trees=TreeEnsemble.from_dict(data["ensemble"]),
        threshold=float(data["threshold"]),
        # The line model's stopword lists: one table for both models' text measures.
        stopwords=line_model.load_model().stopwords,
    )


@lru_cache(maxsize=8)
def load_model(path: Path = MODEL_PATH) -> BlockModel:
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


# When the model keeps less than this share of the words trafilatura found, trafilatura's text
# stands. A model that disagrees that much with a working extractor is more often wrong than
# right: on the development corpora's out-of-fold scores (pages of sites the model never saw),
# such pages are where it lost whole articles. The share was chosen there, on a plateau: any
# value from 0.3 to 0.7 gives the same F1 within 0.001.
MIN_SHARE_OF_EXTRACTOR_WORDS = 0.5


def decide(
    texts: Sequence[str], scores: Sequence[float], threshold: float, extractor_text: str
) -> list[bool] | None:
    """Per block, whether it is kept (its score reaches the threshold); None when the
    extractor's text should stand instead: the model keeps nothing, or far less than it."""
    keep = [value >= threshold for value in scores]
    if not any(keep):
        return None
    kept_words = sum(len(text.split()) for text, kept in zip(texts, keep, strict=True) if kept)
    if kept_words < MIN_SHARE_OF_EXTRACTOR_WORDS * len(extractor_text.split()):
        return None
    return keep


# ---------------------------------------------------------------------------------------------
# The decision over a page


@dataclass(frozen=True)
class BlockChoice:
    """The page's main text as the model chose it, and the spans of the extractor's text it
    dropped (each with its score)."""

    text: str
    removed: tuple[RemovedSpan, ...]


def main_text(tree: HtmlElement, extractor_text: str, model: BlockModel) -> BlockChoice:
    """The blocks the model keeps, in page order, one per line.

    When it keeps none, or far fewer words than the extractor found (`decide`), the extractor's
    text stands: a page the model cannot read is not a reason to lose what trafilatura found.
    """
    blocks = page_blocks(tree)
    if not blocks:
        return BlockChoice(extractor_text, ())
    x = block_features(blocks, title_of(tree), extractor_text, model.stopwords)
    scores = model.score(x)
    texts = [block.text for block in blocks]
    keep = decide(texts, scores.tolist(), model.threshold, extractor_text)
    if keep is None:
        return BlockChoice(extractor_text, ())
    extractor_kept = x[:, EXTRACTOR_KEPT]
    removed = tuple(
        RemovedSpan(KIND, block.text, f"{model.name} score={score:.2f}")
        for block, kept, score, by_extractor in zip(
            blocks, keep, scores, extractor_kept, strict=True
        )
        if not kept and by_extractor
    )
    text = "\n".join(block.text for block, kept in zip(blocks, keep, strict=True) if kept)
    return BlockChoice(text, removed)


def model_for(setting: str) -> BlockModel | None:
    """The model an ExtractionSettings.block_model value names: "bundled", "none" or a file."""
    if setting == "none":
        return None
    if setting == "bundled":
        return load_model()
    return load_model(Path(setting))


def model_tag(setting: str = "bundled") -> str:
    """What a row's `pipeline_version` says about the block model: its name and the start of
    its file's SHA-256 (a retrained model is another model), or that none ran."""
    if setting == "none":
        return "no-block-model"
    path = MODEL_PATH if setting == "bundled" else Path(setting)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{load_model(path).name}.{digest}"
