"""Train the whole-page line classifier (flows/stages/line_model.py) and write flows/stages/models/lines.v1.json.

Labels come from newsclean's own HTML path, not from the benchmark's gold: each page of the dev
set is rendered to its whole visible text (inscriptis, as `quality.py` does) and, separately,
extracted with `flows.stages.extract.extract_html` + `clean_text(content_kind="html")`; a text line is
"body" when it (normalized: case, punctuation, spaces) is one of the HTML path's paragraphs or
sits inside its text, or most of its word 4-grams do. The MLP learns from those labels only.
Two decision numbers (the main-block threshold and the in-block floor) are then picked on the
training pages' gold snippets, scored as quality.py scores, with out-of-fold line scores; the
pages of the held-out hosts are never looked at before `evaluate`.

  prepare   render and extract the dev set once: one JSON line per page (slow, run once)
  train     features + labels -> MLP -> model JSON; --split train trains on half the hosts
  evaluate  clean_text(content_kind="text") with a given model on a split, scored with the gold

The split is by host (md5 of the host name, even -> "train", odd -> "heldout"), so no site is on
both sides. Training is deterministic (fixed seed, full data order).

  python benchmarks/train_lines.py prepare --cache-dir /tmp/nc-devset-cache --out /tmp/pages.jsonl
  python benchmarks/train_lines.py train --data /tmp/pages.jsonl --split train --out /tmp/half.json
  python benchmarks/train_lines.py evaluate --data /tmp/pages.jsonl --model /tmp/half.json --split heldout
  python benchmarks/train_lines.py train --data /tmp/pages.jsonl --split all   # the shipped model
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import devset
import numpy as np
from quality import Confusion, evaluate_result

from flows.stages import line_model as lineclass

# Languages whose stopwords the model ships (justext's lists, most frequent first); CJK pages use
# lineclass.CJK_FUNCTION_CHARS instead.
STOPLIST_LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "pl": "Polish",
    "cs": "Czech",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian_Bokmal",
    "fi": "Finnish",
    "hu": "Hungarian",
    "ro": "Romanian",
    "tr": "Turkish",
    "id": "Indonesian",
    "el": "Greek",
    "ar": "Arabic",
}
STOPWORDS_PER_LANGUAGE = 200
HIDDEN = (16,)
SEED = 1234
EPOCHS = 8
BATCH = 512
LEARNING_RATE = 2e-3
L2 = 1e-3
# A line of at least this many words is labelled body when this share of its 4-grams is.
NGRAM_MIN_WORDS = 6
NGRAM_SHARE = 0.6


# --- pages, hosts, split -----------------------------------------------------------------------


def page_lines(text: str) -> list[str]:
    """The lines as clean_text sees them: stripped, empty ones gone."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def host_of(url: str, file: str) -> str:
    if url.startswith(("http://", "https://")):
        host = urlsplit(url).hostname or file
    else:  # labels such as "hard::zeit.de.zugverkehr.html": the site is the first two parts
        host = ".".join(url.split("::")[-1].split(".")[:2])
    return host.removeprefix("www.")


def split_of(host: str) -> str:
    return "train" if int(hashlib.md5(host.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def read_pages(path: Path, split: str) -> list[dict[str, Any]]:
    pages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if split == "all":
        return pages
    return [p for p in pages if split_of(host_of(p["url"], p.get("file", ""))) == split]


# --- labels from the HTML path ---------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _grams(words: list[str], n: int = 4) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def label_lines(lines: list[str], html_body: str) -> list[int]:
    """1 where the line is part of what the HTML path extracted from the same page."""
    paragraphs = {_norm(p) for p in html_body.split("\n\n")}
    paragraphs |= {_norm(p) for p in html_body.splitlines()}
    body = _norm(html_body)
    body_grams = set(_grams(body.split()))
    labels = []
    for line in lines:
        key = _norm(line)
        words = key.split()
        if not key:
            labels.append(0)
        elif key in paragraphs or (len(key) >= 30 and key in body):
            labels.append(1)
        elif len(words) >= NGRAM_MIN_WORDS:
            grams = _grams(words)
            share = sum(1 for g in grams if g in body_grams) / len(grams)
            labels.append(int(share >= NGRAM_SHARE))
        else:
            labels.append(0)
    return labels


@dataclass
class Dataset:
    x: np.ndarray  # first-stage features, all pages' lines stacked
    y: np.ndarray  # 1 = body
    starts: list[int]  # each page's first row
    lines: list[list[str]]
    hosts: list[str]
    gold: list[dict[str, Any]]  # the page's `with`/`without` snippets, if any

    def pages(self) -> Iterator[tuple[int, slice, list[str]]]:
        for k, (start, lines) in enumerate(zip(self.starts, self.lines, strict=True)):
            yield k, slice(start, start + len(lines)), lines


def dataset(pages: list[dict[str, Any]], stopwords: dict[str, frozenset[str]]) -> Dataset:
    """Features and labels of every page the HTML path found an article in."""
    xs, ys, starts, all_lines, hosts, gold = [], [], [], [], [], []
    row = 0
    for page in pages:
        if not page.get("html_body") or not page.get("text"):
            continue  # the HTML path found nothing: no labels for this page
        lines = page_lines(page["text"])
        if not lines:
            continue
        xs.append(lineclass.features(lines, stopwords))
        ys.append(np.array(label_lines(lines, page["html_body"]), dtype=float))
        starts.append(row)
        all_lines.append(lines)
        hosts.append(host_of(page["url"], page.get("file", "")))
        gold.append({"with": page.get("with", []), "without": page.get("without", [])})
        row += len(lines)
    width = len(lineclass.feature_names())
    x = np.concatenate(xs) if xs else np.zeros((0, width))
    y = np.concatenate(ys) if ys else np.zeros(0)
    return Dataset(x, y, starts, all_lines, hosts, gold)


# --- the MLP ----------------------------------------------------------------------------------


def train_mlp(
    x: np.ndarray,
    y: np.ndarray,
    hidden: tuple[int, ...] = HIDDEN,
    epochs: int = EPOCHS,
    weight: np.ndarray | None = None,
) -> dict[str, Any]:
    """Mini-batch Adam on the logistic loss; standardized inputs, He-initialized ReLU layers."""
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


def out_of_fold(data: Dataset, epochs: int) -> np.ndarray:
    """Each line's score from a model that never saw its host (two folds by host).

    The decision thresholds are tuned on these: scores of a model on its own training lines
    are too confident to tune on.
    """
    fold = np.zeros(len(data.y), dtype=bool)
    for k, rows, _ in data.pages():
        fold[rows] = int(hashlib.md5(f"fold:{data.hosts[k]}".encode()).hexdigest(), 16) % 2 == 1
    probs = np.full(len(data.y), float(data.y.mean()) if len(data.y) else 0.5)
    for side in (False, True):
        fit, held = fold != side, fold == side
        if fit.any() and held.any():
            mlp = lineclass.Mlp.from_dict(train_mlp(data.x[fit], data.y[fit], epochs=epochs))
            probs[held] = mlp.predict(data.x[held])
    return probs


# --- deciding: main block and in-block threshold, tuned on the training lines ------------------


def decide(model: lineclass.LineModel, lines: list[str], probs: np.ndarray) -> list[bool]:
    """Which lines stay, as the cleaner decides (rule labels aside)."""
    return [not off for off in lineclass.off_article(lines, probs.tolist(), model)]


def tune(
    model_data: dict[str, Any], data: Dataset, probs: np.ndarray, gold: list[dict[str, Any]]
) -> tuple[float, float]:
    """The main-block threshold and the in-block floor with the best F1 on the training pages.

    Scored as quality.py scores (gold `with`/`without` snippets of the training pages only),
    on out-of-fold scores; pages without snippets count by their lines against the labels.
    """
    best = (-1.0, 0.5, 0.0)
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5):
        for drop_below in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
            model = lineclass.model_from_dict(
                {**model_data, "threshold": threshold, "drop_below": drop_below}
            )
            total = Confusion()
            for k, rows, lines in data.pages():
                keep = decide(model, lines, probs[rows])
                if gold[k]["with"] or gold[k]["without"]:
                    kept = "\n".join(line for line, k_ in zip(lines, keep, strict=True) if k_)
                    total.add(evaluate_result(kept, gold[k]))
                    continue
                pairs = list(zip(keep, data.y[rows], strict=True))
                total.add(
                    Confusion(
                        tp=sum(1 for k_, label in pairs if k_ and label == 1),
                        fp=sum(1 for k_, label in pairs if k_ and label == 0),
                        fn=sum(1 for k_, label in pairs if not k_ and label == 1),
                    )
                )
            f1 = total.scores()["f1"] or 0.0
            if f1 > best[0]:
                best = (f1, threshold, drop_below)
    print(
        f"tuned on the training pages: F1 {best[0]:.3f}, threshold {best[1]}, drop_below {best[2]}"
    )
    return best[1], best[2]


def stopword_table() -> dict[str, list[str]]:
    """The most frequent stopwords of each language, from justext's lists (trafilatura's dep)."""
    import justext

    folder = Path(justext.__file__).parent / "stoplists"
    table = {}
    for code, name in STOPLIST_LANGUAGES.items():
        path = folder / f"{name}.txt"
        if path.is_file():
            words = [w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines()]
            table[code] = list(dict.fromkeys(w for w in words if w))[:STOPWORDS_PER_LANGUAGE]
    return table


def train(pages: list[dict[str, Any]], note: str, epochs: int = EPOCHS) -> dict[str, Any]:
    table = stopword_table()
    stopwords = {lang: frozenset(words) for lang, words in table.items()}
    start = time.perf_counter()
    data = dataset(pages, stopwords)
    print(
        f"{len(data.starts)} pages, {len(data.y)} lines, {int(data.y.sum())} body lines "
        f"({time.perf_counter() - start:.1f} s)"
    )
    mlp = train_mlp(data.x, data.y, epochs=epochs)
    model_data = {
        "name": lineclass.RULE_NAME,
        "note": note,
        "features": lineclass.feature_names(),
        "mlp": mlp,
        "stopwords": table,
        "threshold": 0.5,
        "drop_below": 0.0,
    }
    probs = out_of_fold(data, epochs)
    model_data["threshold"], model_data["drop_below"] = tune(model_data, data, probs, data.gold)
    return model_data


# --- evaluation with the gold snippets ------------------------------------------------------------


def evaluate(pages: list[dict[str, Any]], model_path: Path | None) -> dict[str, float]:
    """clean_text(content_kind="text") on the whole-page text, scored as quality.py scores it."""
    from flows.stages import clean

    if model_path is not None:
        model = lineclass.model_from_dict(json.loads(model_path.read_text(encoding="utf-8")))
        lineclass.load_model.cache_clear()
        clean.lineclass.load_model = lambda path=None: model  # type: ignore[assignment,misc]
    total, baseline = Confusion(), Confusion()
    seconds = 0.0
    for page in pages:
        gold = {"with": page["with"], "without": page["without"]}
        text = page.get("text")
        baseline.add(evaluate_result(text, gold))
        if text is None:
            total.add(evaluate_result(None, gold))
            continue
        start = time.perf_counter()
        body = clean.clean_text(text, content_kind="text").body
        seconds += time.perf_counter() - start
        total.add(evaluate_result(body, gold))
    scores = {k: v for k, v in total.scores().items() if v is not None}
    print(
        f"{len(pages)} pages: newsclean-text P {scores['precision']:.3f} R {scores['recall']:.3f} "
        f"F1 {scores['f1']:.3f} (do nothing F1 {baseline.scores()['f1']:.3f}); "
        f"clean_text {1000 * seconds / max(1, len(pages)):.1f} ms/page"
    )
    return scores


# --- prepare: the dev set once -----------------------------------------------------------------


def _prepare_page(ref: Any) -> dict[str, Any]:
    from inscriptis import get_text

    from flows.core.records import SeedMetadata
    from flows.stages.clean import clean_text
    from flows.stages.extract import ExtractionError, ExtractionSettings, extract_html

    page = ref.load()

    def html_body() -> str | None:
        try:
            found = extract_html(page.html, SeedMetadata(url=page.web_url), ExtractionSettings())
        except ExtractionError:
            return None
        return clean_text(found.text, content_kind="html").body

    text, _, _ = devset.timed_call(lambda: get_text(page.html), 60)
    body, _, _ = devset.timed_call(html_body, 60)
    return {
        "url": page.url,
        "file": page.file,
        "text": text,
        "html_body": body,
        "with": page.gold["with"],
        "without": page.gold["without"],
    }


def prepare(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    with devset.unpacked(args.devset, args.cache_dir) as root:
        refs = devset.page_refs(root, args.limit)
        for _, result in devset.run_pages(_prepare_page, refs, args.jobs, 300):
            if result is not None:
                yield result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    devset.add_corpus_arguments(p)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", type=Path, required=True)
    t.add_argument("--split", choices=("train", "heldout", "all"), default="all")
    t.add_argument("--out", type=Path, default=lineclass.MODEL_PATH)
    t.add_argument("--epochs", type=int, default=EPOCHS)
    e = sub.add_parser("evaluate")
    e.add_argument("--data", type=Path, required=True)
    e.add_argument("--split", choices=("train", "heldout", "all"), default="heldout")
    e.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        if not args.devset.is_file():
            print(devset.missing_message(args.devset, "prepared"))
            return 0
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as out:
            for page in prepare(args):
                out.write(json.dumps(page, ensure_ascii=False) + "\n")
        return 0
    pages = read_pages(args.data, args.split)
    if args.command == "train":
        note = f"trained by benchmarks/train_lines.py on split '{args.split}' of {args.data.name}"
        data = train(pages, note, args.epochs)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
        return 0
    evaluate(pages, args.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
