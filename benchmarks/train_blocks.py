"""Train the block model (flows/stages/block_model.py) and measure it on sites it never saw.

Labels come from the two development corpora:
  wcxb         the gold main text of every page: a block is article when its words run in the
               gold text (long blocks: most of its 4-word shingles are there; short blocks: it
               is all or a good part of one gold paragraph), else not;
  trafilatura  the `with` and `without` snippets (weaker): a block holding a `with` snippet is
               article, one holding a `without` snippet is not, the others are left out.
Every block is described by flows/stages/blocks.py (trafilatura's own choice included), and
scikit-learn's HistGradientBoostingClassifier learns the rest. The trees are exported to JSON
and scored by the pipeline's numpy evaluator (checked to agree with scikit-learn's).

What it prints, per corpus, for trafilatura's text and for the model's choice of blocks:
  other-sites    every page scored by a model trained without its site: pages are split into
                 folds by site (the same site in both corpora falls in the same fold), and each
                 fold is scored by a model trained on the other folds of both corpora;
  other-corpus   every page scored by a model trained only on the other corpus;
  in-sample      the model trained on everything (the bundled one), on its own training pages.
WCXB is scored with its own word-level F1 (mean over pages); the trafilatura set with the
snippet counts of benchmarks/quality.py.

Usage: python benchmarks/train_blocks.py [--cache-dir DIR] [--work-dir DIR] [--jobs N]
                                         [--limit N] [--folds K] [--write] [--save-folds DIR]
  --write          write the model trained on both corpora to flows/stages/models/blocks.v1.json
  --save-folds DIR also write each fold's model and its held-out pages (for benchmarks/quality.py)
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import importlib.util
import json
import math
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import devset
import numpy as np
from devset import PageRef

from flows.stages import block_model, blocks, line_model
from flows.stages.document import ExtractionSettings
from flows.stages.extract import trafilatura_result
from flows.stages.html_facts import parse_tree

MODEL_NAME = "block_model_v1"
SHINGLE = 4
PER_PAGE_SECONDS = 60
LINK_DENSITY = blocks.block_feature_names().index("link_density")
EASY_KEEP_EVERY = 3
PAGE_WEIGHT = 100.0  # the total weight of one page's labelled blocks


# --- per page: blocks, measures, labels ---------------------------------------------------------


@dataclass
class PageData:
    corpus: str
    page_id: str
    site: str
    x: np.ndarray  # float32, one row per block
    labels: np.ndarray  # 1 article, 0 not, -1 unknown
    weights: np.ndarray
    texts: list[str]
    extractor_text: str
    gold: dict[str, Any]  # wcxb: {"main": text}; trafilatura: {"with": [...], "without": [...]}


def site_of(url: str) -> str:
    host = urlparse(url).netloc.lower() if "://" in url else url.split("::")[-1]
    return host.removeprefix("www.") or url


def shingles(words: list[str], size: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def wcxb_labels(block_words: list[list[str]], gold_text: str) -> np.ndarray:
    """A block is article when the gold text holds it (blocks.extractor_kept's test: long blocks
    anywhere, short ones as a good part of a gold paragraph), or, for a long block whose words
    the gold text spells a little differently, when most of its 4-word shingles are there."""
    gold_lines = [blocks.normalized_words(line) for line in gold_text.split("\n")]
    held = blocks.extractor_kept(block_words, gold_lines)
    gold_shingles = shingles([word for line in gold_lines for word in line])
    labels = np.zeros(len(block_words), dtype=np.int8)
    for i, words in enumerate(block_words):
        if held[i]:
            labels[i] = 1
        elif len(words) >= blocks.SHORT_BLOCK_WORDS:
            own = shingles(words)
            labels[i] = int(bool(own) and len(own & gold_shingles) / len(own) >= 0.5)
    return labels


def snippet_labels(block_words: list[list[str]], gold: dict[str, Any]) -> np.ndarray:
    def sequences(snippets: list[str]) -> list[str]:
        return [f" {' '.join(w)} " for s in snippets if (w := blocks.normalized_words(s))]

    with_ = sequences(gold.get("with") or [])
    without = sequences(gold.get("without") or [])
    labels = np.full(len(block_words), -1, dtype=np.int8)
    for i, words in enumerate(block_words):
        if not words:
            continue
        text = f" {' '.join(words)} "

        # A snippet inside the block, or (for a block of a few words) the block inside a snippet.
        def holds(snippet: str, text: str = text, n: int = len(words)) -> bool:
            return snippet in text or (n >= 3 and text in snippet)

        if any(holds(s) for s in with_):
            labels[i] = 1
        elif any(holds(s) for s in without):
            labels[i] = 0
    return labels


def page_data(ref: PageRef, corpus: str) -> PageData | None:
    page = ref.load()
    tree = parse_tree(page.html)
    if tree is None:
        return None
    found = trafilatura_result(tree, page.web_url, ExtractionSettings())
    extractor_text = str(found.get("text") or "").strip()
    page_blocks = blocks.page_blocks(tree)
    if not page_blocks:
        return None
    stopwords = line_model.load_model().stopwords
    x = blocks.block_features(page_blocks, blocks.title_of(tree), extractor_text, stopwords)
    texts = [block.text for block in page_blocks]
    words = [blocks.normalized_words(text) for text in texts]
    if corpus == "wcxb":
        gold = {"main": wcxb_main_text(ref)}
        labels = wcxb_labels(words, gold["main"])
    else:
        gold = {"with": ref.gold.get("with") or [], "without": ref.gold.get("without") or []}
        labels = snippet_labels(words, gold)
    weights = np.array([math.sqrt(min(len(w), 400)) + 0.5 for w in words], dtype=np.float32)
    return PageData(
        corpus,
        ref.file,
        site_of(ref.url),
        x.astype(np.float32),
        labels,
        weights,
        texts,
        extractor_text,
        gold,
    )


def wcxb_main_text(ref: PageRef) -> str:
    truth = ref.path.parent.parent / "ground-truth" / f"{ref.path.stem}.json"
    data = json.loads(truth.read_text(encoding="utf-8"))
    return str((data.get("ground_truth") or {}).get("main_content") or "")


def collect(corpus: str, refs: list[PageRef], jobs: int) -> list[PageData]:
    global _CORPUS
    _CORPUS = corpus
    pages = []
    for _ref, result in devset.run_pages(_worker, refs, jobs, PER_PAGE_SECONDS * 2):
        if result and result.get("page") is not None:
            pages.append(result["page"])
    return pages


_CORPUS = ""


def _worker(ref: PageRef) -> dict[str, Any]:
    data, _seconds, problem = devset.timed_call(lambda: page_data(ref, _CORPUS), PER_PAGE_SECONDS)
    return {"page": data, "problem": problem}


# --- training and export -----------------------------------------------------------------------


def training_rows(pages: list[PageData]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The labelled blocks of `pages`, each page weighing the same in total: both corpora score
    a page at a time, so a page of a thousand menu links must not outweigh a short article's page,
    nor WCXB's fully labelled pages the trafilatura set's few snippet blocks. (On the out-of-fold
    scores this took the trafilatura set from 0.936 to 0.948 and WCXB from 0.946 to 0.945.)
    Short link-only blocks (menus) are most of a page and easy: a fixed third of them is kept,
    weighted three times, which cuts training time without changing what the model sees (every
    third one, not a random draw: runs repeat exactly)."""
    xs, ys, ws = [], [], []
    for page in pages:
        labelled = page.labels >= 0
        total = float(page.weights[labelled].sum())
        if total <= 0:
            continue
        easy = (page.labels == 0) & (page.x[:, LINK_DENSITY] >= 0.9) & (page.weights < 3.0)
        keep = labelled & (~easy | (np.cumsum(easy) % EASY_KEEP_EVERY == 0))
        weight = page.weights / total * PAGE_WEIGHT
        weight = weight * np.where(easy, float(EASY_KEEP_EVERY), 1.0)
        xs.append(page.x[keep])
        ys.append(page.labels[keep])
        ws.append(weight[keep])
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def train(pages: list[PageData]) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, w = training_rows(pages)
    model = HistGradientBoostingClassifier(
        max_iter=120,
        learning_rate=0.12,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )
    started = time.perf_counter()
    model.fit(x, y, sample_weight=w)
    print(f"trained on {len(y)} blocks in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return model


def export(model: Any, threshold: float, note: str) -> dict[str, Any]:
    trees = []
    depth = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        depth = max(depth, int(nodes["depth"].max()))
        trees.append(
            {
                "feature": [
                    -1 if lf else int(f) for f, lf in zip(nodes["feature_idx"], leaf, strict=True)
                ],
                "threshold": [float(t) for t in nodes["num_threshold"]],
                "left": [int(v) for v in nodes["left"]],
                "right": [int(v) for v in nodes["right"]],
                "value": [
                    float(v) if lf else 0.0 for v, lf in zip(nodes["value"], leaf, strict=True)
                ],
            }
        )
    return {
        "name": MODEL_NAME,
        "note": note,
        "features": blocks.block_feature_names(),
        "threshold": threshold,
        "ensemble": {
            "baseline": float(np.ravel(model._baseline_prediction)[0]),
            "depth": depth + 1,
            "trees": trees,
        },
    }


def check_export(model: Any, exported: dict[str, Any], pages: list[PageData]) -> float:
    """The largest difference between scikit-learn's and the pipeline's scores on some pages."""
    x = np.concatenate([p.x for p in pages[:50]]).astype(float)
    ours = block_model.model_from_dict(exported).score(x)
    theirs = model.predict_proba(x)[:, 1]
    return float(np.abs(ours - theirs).max())


# --- scoring -------------------------------------------------------------------------------------


def load_word_f1(wcxb_root: Path) -> Callable[[str, str], tuple[float, float, float]]:
    """The WCXB benchmark's own word_f1 (CC-BY-4.0), loaded from the unpacked corpus."""
    spec = importlib.util.spec_from_file_location("wcxb_evaluate", wcxb_root / "evaluate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.word_f1  # type: ignore[no-any-return]


def chosen_text(page: PageData, scores: np.ndarray, threshold: float) -> str:
    """The pipeline's decision (block_model.decide) on measured scores."""
    keep = block_model.decide(page.texts, scores.tolist(), threshold, page.extractor_text)
    if keep is None:
        return page.extractor_text
    return "\n".join(t for t, k in zip(page.texts, keep, strict=True) if k)


def snippet_counts(page: PageData, text: str) -> tuple[int, int, int]:
    """tp, fp, fn of the trafilatura set's snippet metric on one page: `with` snippets found,
    `without` snippets found, `with` snippets missed (whitespace-normalized substring tests)."""
    flat = " ".join(text.split())
    found = sum(1 for s in page.gold["with"] if s in flat)
    return found, sum(1 for s in page.gold["without"] if s in flat), len(page.gold["with"]) - found


def score_pages(
    pages: list[PageData], texts: list[str], word_f1: Callable[[str, str], Any]
) -> dict[str, float]:
    if not pages:
        return {}
    if pages[0].corpus == "wcxb":
        prf = np.array([word_f1(t, p.gold["main"]) for p, t in zip(pages, texts, strict=True)])
        return {"P": prf[:, 0].mean(), "R": prf[:, 1].mean(), "F1": prf[:, 2].mean()}
    tp, fp, fn = np.sum(
        [snippet_counts(page, text) for page, text in zip(pages, texts, strict=True)], axis=0
    ).tolist()
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    return {"P": precision, "R": recall, "F1": 2 * tp / max(1, 2 * tp + fp + fn)}


def fold_of(site: str, folds: int) -> int:
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % folds


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_common_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--work-dir", type=Path, default=None, help="keep the measured pages here")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--write", action="store_true", help="write the bundled model file")
    parser.add_argument("--save-folds", type=Path, default=None)
    parser.add_argument(
        "--no-evaluation", action="store_true", help="only train (and --write) the bundled model"
    )
    return parser.parse_args(argv)


def load_corpus(corpus: str, args: argparse.Namespace) -> tuple[list[PageData], Path]:
    archive = devset.corpus_archive(args, corpus)
    cache = devset.cache_dir_of(corpus, args.cache_dir)
    if cache is None:
        raise SystemExit("train_blocks.py needs --cache-dir (it keeps the unpacked corpora)")
    root = devset.unpack_cached(archive, cache)
    stored = args.work_dir / f"{corpus}-{args.limit or 'all'}.pickle" if args.work_dir else None
    if stored and stored.is_file():
        with stored.open("rb") as handle:
            return pickle.load(handle), root
    started = time.perf_counter()
    pages = collect(corpus, devset.page_refs(root, args.limit), args.jobs)
    print(f"{corpus}: {len(pages)} pages measured in {time.perf_counter() - started:.0f} s")
    if stored:
        stored.parent.mkdir(parents=True, exist_ok=True)
        with stored.open("wb") as handle:
            pickle.dump(pages, handle)
    return pages, root


# --- measures tried beside the shipped ones (benchmarks/block_agreement.py, block_layout.py) ----


def measured_corpora(
    args: argparse.Namespace, extend: Callable[[list[PageData], Path], str]
) -> tuple[dict[str, list[PageData]], Path, int]:
    """The pages this trainer measured into `args.work_dir` (both corpora), each corpus's pages
    given to `extend(pages, unpacked corpus)` to add columns to their `x` (it returns a line on
    its cost, printed); also the WCXB folder (for its scorer) and the shipped measures' width."""
    if args.cache_dir is None:
        raise SystemExit("needs --cache-dir (the trainer's unpacked corpora)")
    corpora: dict[str, list[PageData]] = {}
    wcxb_root = None
    width = 0
    for corpus in ("wcxb", "trafilatura"):
        root = devset.unpack_cached(
            devset.corpus_archive(args, corpus), devset.cache_dir_of(corpus, args.cache_dir)
        )
        # The trainer's pickle of the first --limit pages, else its whole corpus cut to them.
        stored = args.work_dir / f"{corpus}-{args.limit or 'all'}.pickle"
        if not stored.is_file():
            stored = args.work_dir / f"{corpus}-all.pickle"
        with stored.open("rb") as handle:
            corpora[corpus] = pickle.load(handle)[: args.limit]
        width = corpora[corpus][0].x.shape[1]
        print(f"{corpus}: {len(corpora[corpus])} pages, {extend(corpora[corpus], root)}")
        if corpus == "wcxb":
            wcxb_root = root / devset.WCXB_DIR
    assert wcxb_root is not None
    return corpora, wcxb_root, width


def extra_columns(width: int, names: list[str], keep: Callable[[str], bool]) -> list[int]:
    """The shipped measures' columns (the first `width`) and the tried measures `keep` takes,
    which follow them in `x` in the order of `names`: one variant of `variant_scores`."""
    return list(range(width)) + [width + i for i, name in enumerate(names) if keep(name)]


def variant_scores(
    corpora: dict[str, list[PageData]],
    columns: dict[str, list[int]],
    variants: list[str],
    wcxb_root: Path,
    folds: int,
) -> dict[str, dict[str, np.ndarray]]:
    """Per variant (a choice of `x`'s columns), every page's out-of-fold scores (folds by site,
    both corpora), keyed "corpus<TAB>page id"; each variant's figures printed as a table row."""
    word_f1 = load_word_f1(wcxb_root)
    every = [page for pages in corpora.values() for page in pages]
    results: dict[str, dict[str, np.ndarray]] = {}
    print("\n| variant | corpus | P | R | F1 |\n|---|---|---:|---:|---:|", flush=True)
    for variant in variants:
        views = {id(page): copy.copy(page) for page in every}
        for page in views.values():
            page.x = page.x[:, columns[variant]]
        scores: dict[int, np.ndarray] = {}
        for fold in range(folds):
            held = [p for p in every if fold_of(p.site, folds) == fold]
            model = train([views[id(p)] for p in every if fold_of(p.site, folds) != fold])
            for page in held:
                scores[id(page)] = model.predict_proba(views[id(page)].x)[:, 1]
        results[variant] = {f"{p.corpus}\t{p.page_id}": scores[id(p)] for p in every}
        for corpus, pages in corpora.items():
            texts = [chosen_text(p, scores[id(p)], 0.5) for p in pages]
            f = score_pages(pages, texts, word_f1)
            print(
                f"| {variant} | {corpus} | {f['P']:.4f} | {f['R']:.4f} | {f['F1']:.4f} |",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpora: dict[str, list[PageData]] = {}
    wcxb_root = None
    for corpus in ("wcxb", "trafilatura"):
        corpora[corpus], root = load_corpus(corpus, args)
        if corpus == "wcxb":
            wcxb_root = root / devset.WCXB_DIR
    assert wcxb_root is not None
    word_f1 = load_word_f1(wcxb_root)
    every = corpora["wcxb"] + corpora["trafilatura"]
    t = args.threshold

    rows: list[tuple[str, str, dict[str, float]]] = []
    for corpus, pages in corpora.items():
        rows.append(
            (
                corpus,
                "trafilatura (include_comments=False)",
                score_pages(pages, [p.extractor_text for p in pages], word_f1),
            )
        )

    # other-sites: folds by site over both corpora
    oof: dict[int, np.ndarray] = {}
    for fold in range(0 if args.no_evaluation else args.folds):
        held = [p for p in every if fold_of(p.site, args.folds) == fold]
        model = train([p for p in every if fold_of(p.site, args.folds) != fold])
        for page in held:
            oof[id(page)] = model.predict_proba(page.x)[:, 1]
        if args.save_folds:
            args.save_folds.mkdir(parents=True, exist_ok=True)
            exported = export(model, t, f"fold {fold} of {args.folds}: trained without its sites")
            (args.save_folds / f"fold-{fold}.json").write_text(json.dumps(exported))
            (args.save_folds / f"fold-{fold}.pages").write_text(
                "".join(f"{p.corpus}\t{p.page_id}\n" for p in held)
            )
        print(f"fold {fold}: {len(held)} held-out pages", file=sys.stderr)
    for corpus, pages in corpora.items():
        if args.no_evaluation:
            break
        texts = [chosen_text(p, oof[id(p)], t) for p in pages]
        rows.append((corpus, "block model, other sites", score_pages(pages, texts, word_f1)))

    # other-corpus
    for corpus, pages in corpora.items():
        if args.no_evaluation:
            break
        other = [p for c, ps in corpora.items() if c != corpus for p in ps]
        model = train(other)
        texts = [chosen_text(p, model.predict_proba(p.x)[:, 1], t) for p in pages]
        rows.append((corpus, "block model, other corpus only", score_pages(pages, texts, word_f1)))

    # in-sample (the bundled model)
    model = train(every)
    exported = export(model, t, "trained by benchmarks/train_blocks.py on both development corpora")
    print(f"export check: largest score difference {check_export(model, exported, every):.2e}")
    for corpus, pages in corpora.items():
        texts = [chosen_text(p, model.predict_proba(p.x)[:, 1], t) for p in pages]
        rows.append((corpus, "block model, in-sample", score_pages(pages, texts, word_f1)))
    if args.write:
        block_model.MODEL_PATH.write_text(json.dumps(exported, separators=(",", ":")))
        print(f"wrote {block_model.MODEL_PATH}")

    print("\n| corpus | system | P | R | F1 |\n|---|---|---:|---:|---:|")
    for corpus, system, figures in rows:
        print(
            f"| {corpus} | {system} | {figures['P']:.3f} | {figures['R']:.3f} | {figures['F1']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
