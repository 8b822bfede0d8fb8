"""Gradient-boosted trees exported to plain arrays, evaluated with numpy alone.

scikit-learn's HistGradientBoostingClassifier trains them (benchmarks/train_blocks.py,
benchmarks/train_lines.py); its trees are written to a JSON model file and read back here, so a
run needs no scikit-learn and no pickled objects. The block model and the line model share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary trees flattened into parallel arrays; the score is sigmoid(baseline + sum of
    the leaves reached). A node goes left when its feature's value is <= its threshold."""

    baseline: float
    feature: np.ndarray  # per node; a leaf tests column 0 against +inf and points to itself
    threshold: np.ndarray
    left: np.ndarray  # node indexes into the same arrays
    right: np.ndarray
    value: np.ndarray  # a leaf's contribution
    roots: np.ndarray  # the root node of each tree
    depth: int  # the longest root-to-leaf path
    leaf: np.ndarray = field(init=False)  # per node, whether it is a leaf (it points to itself)

    def __post_init__(self) -> None:
        object.__setattr__(self, "leaf", self.left == np.arange(len(self.left)))

    def predict(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0] == 0:
            return np.zeros(0)
        rows, columns = x.shape
        trees = len(self.roots)
        values = x.ravel()
        # One entry per (row, tree) walk, row-major. Walks that reached a leaf are set aside at
        # every step, so each step works on the walks still going: most end far above `depth`
        # (the longest path of any tree), and the work follows the paths' real lengths.
        node = np.tile(self.roots, rows)
        offset = np.repeat(np.arange(rows) * columns, trees)
        walk = np.arange(rows * trees)
        reached = np.empty(rows * trees, dtype=np.int64)
        for _ in range(self.depth):
            at_leaf = self.leaf[node]
            if at_leaf.any():
                reached[walk[at_leaf]] = node[at_leaf]
                going = ~at_leaf
                node, offset, walk = node[going], offset[going], walk[going]
                if node.size == 0:
                    break
            goes_left = values[offset + self.feature[node]] <= self.threshold[node]
            node = np.where(goes_left, self.left[node], self.right[node])
        reached[walk] = node
        raw = self.baseline + self.value[reached].reshape(rows, trees).sum(axis=1)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(raw, -30.0, 30.0))))

    def to_dict(self) -> dict[str, Any]:
        """The model file's form, which `from_dict` reads back: per tree its nodes, children
        numbered within the tree, a leaf marked by feature -1."""
        trees = []
        ends = [*self.roots[1:].tolist(), len(self.feature)]
        for root, end in zip(self.roots.tolist(), ends, strict=True):
            tree: dict[str, list[Any]] = {
                "feature": [],
                "threshold": [],
                "left": [],
                "right": [],
                "value": [],
            }
            for i in range(root, end):
                leaf = int(self.left[i]) == i  # a leaf points to itself (see from_dict)
                tree["feature"].append(-1 if leaf else int(self.feature[i]))
                tree["threshold"].append(0.0 if leaf else float(self.threshold[i]))
                tree["left"].append(0 if leaf else int(self.left[i]) - root)
                tree["right"].append(0 if leaf else int(self.right[i]) - root)
                tree["value"].append(float(self.value[i]))
            trees.append(tree)
        return {"baseline": self.baseline, "depth": self.depth, "trees": trees}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreeEnsemble:
        feature: list[int] = []
        threshold: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        roots: list[int] = []
        for tree in data["trees"]:
            offset = len(feature)
            roots.append(offset)
            for f, t, lo, hi, v in zip(
                tree["feature"],
                tree["threshold"],
                tree["left"],
                tree["right"],
                tree["value"],
                strict=True,
            ):
                node = len(feature)
                leaf = f < 0
                feature.append(0 if leaf else f)
                threshold.append(np.inf if leaf else t)
                left.append(node if leaf else lo + offset)
                right.append(node if leaf else hi + offset)
                value.append(v)
        return cls(
            baseline=float(data["baseline"]),
            feature=np.array(feature, dtype=np.int64),
            threshold=np.array(threshold, dtype=float),
            left=np.array(left, dtype=np.int64),
            right=np.array(right, dtype=np.int64),
            value=np.array(value, dtype=float),
            roots=np.array(roots, dtype=np.int64),
            depth=int(data["depth"]),
        )
