"""Near-duplicate detection: band layout, matching at scale, precision and recall on the dev sets.

Three parts (docs/benchmarks.md records their tables):

  --layout        the LSH S-curve of candidate layouts (num_perm, bands x rows): the chance that a
                  pair of Jaccard s becomes a candidate at s = 0.5 ... 0.9, checked empirically on
                  pairs of sets of a known Jaccard, and the false-positive / false-negative rates
                  at thresholds 0.7, 0.8 and 0.9 (the S-curve's area on the wrong side).
  --scale N       matching against a dataset of N synthetic canonical signatures (their bands
                  written as the minhash_bands table, partitioned by key prefix): time and peak
                  memory of one run's matching, in a fresh process, partition by partition.
  --corpus NAME   the development sets' pages through newsclean's stages to bodies (cached in
                  --work-dir), variants of a sample of them (other furniture, a paragraph dropped
                  or added, a new first line or headline, words replaced, truncated to 70 %), and
                  the other pages as negatives (same sites and templates): precision and recall
                  of the near-duplicate links, and the time per 1,000 articles at 1x and 10x.

Stories (same event, other outlets) are measured by benchmarks/stories.py; `--stories` runs it
from here with the same --cache-dir, --devset, --wcxb-devset and --jobs.

    python benchmarks/dedup.py --layout
    python benchmarks/dedup.py --scale 1000000 --work-dir /tmp/nc-dedup
    python benchmarks/dedup.py --corpus trafilatura --corpus wcxb --cache-dir /tmp/nc-eq-cache \
        --work-dir /tmp/nc-dedup --jobs 1
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import pickle
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import devset
import numpy as np
import pyarrow as pa

from flows import __version__
from flows.core.records import RunContext
from flows.core.schema import minhash_bands_schema
from flows.core.storage import Storage
from flows.core.text import content_sha256
from flows.dataset.state import DatasetState, band_files
from flows.run_steps import signatures
from flows.run_steps.duplicates import (
    FACT_SCHEMA,
    NEAR_THRESHOLD,
    Duplicates,
    PublishedBands,
    band_rows,
    near_pairs,
    partition_folder,
)

THRESHOLDS = (0.7, 0.8, 0.9)
SIMILARITIES = (0.5, 0.6, 0.7, 0.8, 0.9)
LAYOUTS = [(64, 16, 4), (128, 16, 8), (128, 32, 4), (128, 64, 2), (256, 32, 8), (256, 64, 4)]


# --- layout ----------------------------------------------------------------------------------


def s_curve(s: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - s**rows) ** bands


def wrong_side(threshold: float, bands: int, rows: int, steps: int = 2000) -> tuple[float, float]:
    """datasketch's measure of a layout at a threshold: the S-curve's area below it (pairs under
    the threshold that become candidates) and above it (pairs over it that do not)."""
    xs = np.linspace(0.0, 1.0, steps + 1)
    ys = 1.0 - (1.0 - xs**rows) ** bands
    below, above = xs <= threshold, xs >= threshold
    fp = float(np.trapezoid(ys[below], xs[below]))
    fn = float(np.trapezoid(1.0 - ys[above], xs[above]))
    return fp, fn


def empirical_rate(similarity: float, trials: int, seed: int) -> float:
    """The share of pairs of sets of Jaccard `similarity` sharing a band of the chosen layout."""
    generator = random.Random(seed)
    size, found = 300, 0
    for trial in range(trials):
        shared = round(size * similarity)
        common = [f"c{trial}.{i}" for i in range(shared)]
        rest = size - shared
        left = common + [f"l{trial}.{i}" for i in range(rest // 2)]
        right = common + [f"r{trial}.{i}" for i in range(rest - rest // 2)]
        generator.shuffle(left)
        a = signatures.signature(" ".join(left), size=1)
        b = signatures.signature(" ".join(right), size=1)
        assert a is not None and b is not None
        found += bool(set(signatures.band_keys(a)) & set(signatures.band_keys(b)))
    return found / trials


def layout_report(trials: int) -> None:
    print("## S-curve of candidate layouts: P(candidate) at Jaccard s\n")
    print("| num_perm | bands x rows | " + " | ".join(f"s={s}" for s in SIMILARITIES) + " |")
    print("| ---: | ---: | " + " | ".join("---:" for _ in SIMILARITIES) + " |")
    for perm, bands, rows in LAYOUTS:
        cells = " | ".join(f"{s_curve(s, bands, rows):.4f}" for s in SIMILARITIES)
        print(f"| {perm} | {bands} x {rows} | {cells} |")
    chosen = (signatures.BANDS, signatures.ROWS)
    print(f"\n## The chosen layout ({signatures.NUM_PERM} perms, {chosen[0]} x {chosen[1]}):"
          f" checked on {trials} pairs of sets per similarity\n")  # fmt: skip
    print("| Jaccard s | P(candidate), S-curve | measured |")
    print("| ---: | ---: | ---: |")
    for index, s in enumerate((0.2, 0.3, 0.4, 0.5, *SIMILARITIES[1:])):
        print(f"| {s} | {s_curve(s, *chosen):.4f} | {empirical_rate(s, trials, index):.4f} |")
    print("\n## False-positive and false-negative rates at thresholds (S-curve areas)\n")
    print("| layout | " + " | ".join(f"t={t}: FP / FN" for t in THRESHOLDS) + " |")
    print("| --- | " + " | ".join("---:" for _ in THRESHOLDS) + " |")
    for perm, bands, rows in LAYOUTS:
        cells = " | ".join(
            "{:.4f} / {:.4f}".format(*wrong_side(t, bands, rows)) for t in THRESHOLDS
        )
        print(f"| {perm}: {bands} x {rows} | {cells} |")
    print("\nA candidate is then kept only when its estimated Jaccard (share of equal values of"
          f" {signatures.NUM_PERM}) is >= the threshold; the S-curve's false positives cost"
          " only that check.")  # fmt: skip


# --- scale -----------------------------------------------------------------------------------


def synthetic_signatures(count: int, seed: int) -> list[bytes]:
    generator = np.random.default_rng(seed)
    matrix = generator.integers(0, 2**32, size=(count, signatures.NUM_PERM), dtype=np.uint32)
    return [row.astype("<u4").tobytes() for row in matrix]


PLANTED = 1_000  # published articles with real band keys: the originals of planted near copies


def planted_id(index: int) -> str:
    return f"{index:016x}"


def random_bands(start: int, count: int, generator: np.random.Generator) -> pa.Table:
    """minhash_bands rows of `count` articles with random signatures, built as arrays: a random
    band key per band stands for the hash of random values (what such keys are, and no two
    articles share one), random band values, ids numbered from `start`."""
    rows = count * signatures.BANDS
    width = signatures.ROWS * 4
    keys = generator.integers(0, 2**63 - 1, size=rows, dtype=np.int64)
    ids = pa.array([f"{start + i:016x}" for i in range(count)], pa.string())
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    values = pa.Array.from_buffers(
        pa.binary(),
        rows,
        [None, pa.py_buffer(offsets), pa.py_buffer(generator.bytes(rows * width))],
    )
    return pa.table(
        {
            "band_key": keys,
            "article_id": ids.take(np.repeat(np.arange(count), signatures.BANDS)),
            "band": np.tile(np.arange(signatures.BANDS, dtype=np.int32), count),
            "band_values": values,
        },
        schema=minhash_bands_schema().arrow(),
    )


def write_partitioned(storage: Storage, bands: pa.Table, part: str) -> None:
    """One file per key partition, rows sorted by key, where the pipeline puts them."""
    bands = bands.sort_by("band_key")  # partitions are the keys' top bits: contiguous once sorted
    prefixes = np.asarray(bands["band_key"]) >> (63 - signatures.PREFIX_BITS)
    bounds = np.searchsorted(prefixes, np.arange(2**signatures.PREFIX_BITS + 1))
    for number in range(2**signatures.PREFIX_BITS):
        low, high = int(bounds[number]), int(bounds[number + 1])
        if high > low:
            storage.write_parquet(
                bands.slice(low, high - low), f"{partition_folder(number)}/part-{part}.parquet"
            )


def write_published(work: Path, count: int, chunk: int = 100_000) -> Path:
    """A dataset of `count` canonical articles' bands, written once, in files of `chunk`
    articles per partition (as runs of that size leave them): the first PLANTED articles have
    the real band keys of random signatures (the planted copies' originals), the rest random keys."""
    folder = work / f"published-{count}"
    if (folder / "done").is_file():
        return folder
    storage = Storage(folder)
    originals = synthetic_signatures(PLANTED, seed=0)
    ids = [planted_id(i) for i in range(PLANTED)]
    facts = pa.table({"article_id": ids, "content_sha256": ids,
                      "published_at": pa.nulls(PLANTED, pa.timestamp("us", tz="UTC")),
                      "signature": pa.array(originals, pa.binary())}, schema=FACT_SCHEMA)  # fmt: skip
    write_partitioned(storage, band_rows(facts), "planted")
    generator = np.random.default_rng(2026)
    for start in range(PLANTED, count, chunk):
        size = min(chunk, count - start)
        write_partitioned(storage, random_bands(start, size, generator), f"p{start:09d}")
        print(f"  wrote bands of {start + size:,} articles", file=sys.stderr)
    (folder / "done").write_text("ok")
    return folder


def _proc_status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _match_in_child(folder: str, new: int, copies: int, queue: Any) -> None:
    storage = Storage(folder)
    published = PublishedBands(storage, band_files(storage))
    # The run: `new` articles, of which `copies` are near copies of published ones.
    fresh = synthetic_signatures(new, seed=987654321)
    originals = synthetic_signatures(PLANTED, seed=0)[:copies]  # the planted published rows
    generator = np.random.default_rng(5)
    for index, original in enumerate(originals):
        values = np.frombuffer(original, dtype="<u4").copy()
        changed = generator.choice(
            signatures.NUM_PERM, size=signatures.NUM_PERM // 10, replace=False
        )
        values[changed] = generator.integers(0, 2**32, size=len(changed), dtype=np.uint32)
        fresh[index] = values.tobytes()
    ids = [f"new{i:013d}" for i in range(new)]
    facts = pa.table({"article_id": ids, "content_sha256": ids,
                      "published_at": pa.nulls(new, pa.timestamp("us", tz="UTC")),
                      "signature": pa.array(fresh, pa.binary())}, schema=FACT_SCHEMA)  # fmt: skip
    # Peak RSS of the matching alone: /proc's high-water mark, reset first (ru_maxrss would
    # carry the parent's peak over the fork and exec that started this process).
    before = _proc_status_mib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    spent = {"partition": 0.0, "signatures_of": 0.0}
    for name in spent:  # time the two reads of the published bands apart
        method = getattr(published, name)

        def timed(*a: Any, _method: Any = method, _name: str = name) -> Any:
            began = time.perf_counter()
            try:
                return _method(*a)
            finally:
                spent[_name] += time.perf_counter() - began

        object.__setattr__(published, name, timed)
    started = time.perf_counter()
    similar = near_pairs(facts, band_rows(facts), published, NEAR_THRESHOLD)
    seconds = time.perf_counter() - started
    found = sum(1 for i in range(copies) if planted_id(i) in similar.get(ids[i], {}))
    peak = _proc_status_mib("VmHWM")
    queue.put({"seconds": seconds, "found": found, "pairs": sum(map(len, similar.values())),
               "peak_mib": peak, "before_mib": before, "spent": spent, "partitions": len(published.files)})  # fmt: skip


def scale_report(count: int, work: Path, new: int, copies: int) -> None:
    started = time.perf_counter()
    folder = write_published(work, count)
    print(
        f"bands of {count:,} articles ready in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    files = list(folder.rglob("*.parquet"))
    size = sum(f.stat().st_size for f in files) / 2**20
    context = multiprocessing.get_context("spawn")  # a fresh process: its peak is the match's
    queue = context.Queue()
    child = context.Process(target=_match_in_child, args=(str(folder), new, copies, queue))
    child.start()
    result = queue.get()
    child.join()
    print(f"\n## Matching a run of {new:,} articles against {count:,} published signatures\n")
    print("| figure | value |\n| --- | ---: |")
    print(f"| published bands table | {count * signatures.BANDS:,} rows, {len(files)} files, "
          f"{result['partitions']} partitions, {size:.0f} MiB |")  # fmt: skip
    print(f"| matching time (bands of the run, 256 partitions joined, candidates checked) | "
          f"{result['seconds']:.1f} s |")  # fmt: skip
    spent = result["spent"]
    print(f"| of which reading the published partitions, one at a time | {spent['partition']:.1f} s "
          "|")  # fmt: skip
    print(f"| of which reading the candidates' signatures back | {spent['signatures_of']:.1f} s |")
    print(f"| peak RSS of the matching process | {result['peak_mib']:.0f} MiB "
          f"({result['before_mib']:.0f} MiB before matching: interpreter, libraries, the run's "
          "signatures) |")  # fmt: skip
    print(f"| planted near copies (90 % of values equal) found | {result['found']} of {copies} |")
    print(f"| near pairs reported | {result['pairs']} |")


# --- corpus: bodies, variants, precision and recall ----------------------------------------------

FURNITURE = [
    "Subscribe to our newsletter for the day's top stories.",
    "Share this article on social media.",
    "Most read: the week's ten most popular stories.",
    "Cookies help us deliver our services. By using our site you agree to our use of cookies.",
]


# One run's context for every page (the stages read its start time and version).
_CONTEXT = RunContext("dedup-bench", datetime.now(UTC), __version__)


def body_of(ref: devset.PageRef, furniture: str | None = None) -> str | None:
    """The page through newsclean's stages to its body; with `furniture`, the page's own
    navigation and footer swapped for other blocks first."""
    from quality import page_document  # the quality benchmark's reader of a page

    from flows.core.records import Rejection
    from flows.stages.document import ExtractionSettings, ProcessSettings
    from flows.stages.process import process_document

    raw = ref.path.read_bytes()
    if furniture is not None:
        html = devset.decode_html(raw)
        html = re.sub(r"(?is)<(nav|footer|aside)\b.*?</\1>", "", html)
        blocks = "".join(f"<div class='promo'><p>{line}</p></div>" for line in furniture.split("|"))
        html = re.sub(
            r"(?i)<body[^>]*>", lambda m: m.group(0) + f"<nav>{blocks}</nav>", html, count=1
        )
        html = re.sub(r"(?i)</body>", f"<footer>{blocks}</footer></body>", html, count=1)
        raw = html.encode("utf-8")
    page = devset.Page(ref.url, ref.path.name, "", ref.gold)
    doc = page_document(page, raw)
    if isinstance(doc, Rejection):
        return None
    result = process_document(doc, _CONTEXT, ProcessSettings(ExtractionSettings()))
    outcome = result.outcome
    return None if isinstance(outcome, Rejection) else outcome.body


def _body_worker(ref: devset.PageRef) -> dict[str, Any]:
    try:
        return {"body": body_of(ref)}
    except Exception as error:  # a page the stages fail on is left out, not the benchmark
        return {"body": None, "error": str(error)[:200]}


def site_of(url: str) -> str:
    """The host of a page's URL (of the archived page for a web.archive.org copy)."""
    url = re.sub(r"^https?://web\.archive\.org/web/[^/]+/", "", url)
    return re.sub(r"^(https?://)?(www\.)?", "", url).split("/")[0].lower()


def load_bodies(args: argparse.Namespace, work: Path) -> list[tuple[str, str, str]]:
    """(page id, site, body) of every page of the chosen sets, cached in work/bodies-*.pickle."""
    rows: list[tuple[str, str, str]] = []
    for corpus in args.corpus:
        cache = work / f"bodies-{corpus}-{args.limit or 'all'}.pickle"
        if cache.is_file():
            rows += pickle.loads(cache.read_bytes())
            continue
        archive = devset.corpus_archive(args, corpus)
        found: list[tuple[str, str, str]] = []
        with devset.unpacked(archive, devset.cache_dir_of(corpus, args.cache_dir)) as root:
            refs = devset.page_refs(root, args.limit)
            for ref, result in devset.run_pages(_body_worker, refs, args.jobs, 300):
                if result and result.get("body"):
                    site = site_of(ref.url)
                    found.append((f"{corpus}:{ref.path.name}", site, result["body"]))
        cache.write_bytes(pickle.dumps(found))
        rows += found
    return rows


@dataclass(frozen=True)
class Doc:
    article_id: str
    group: str  # the page a variant was made from; its own id for an original page
    kind: str
    body: str
    published_at: datetime


WORDS = ["harbour", "minister", "council", "weekend", "report", "season", "budget", "village"]


def variants(body: str, generator: random.Random) -> dict[str, str]:
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    words = body.split()
    replaced = list(words)
    for position in generator.sample(range(len(words)), min(5, len(words))):
        replaced[position] = generator.choice(WORDS)
    dropped = list(paragraphs)
    if len(dropped) > 2:
        dropped.pop(generator.randrange(1, len(dropped)))
    added = [*paragraphs]
    added.insert(generator.randrange(0, len(added) + 1),
                 "Officials declined to comment further when contacted on Friday evening.")  # fmt: skip
    return {
        "paragraph_dropped": "\n\n".join(dropped),
        "paragraph_added": "\n\n".join(added),
        "new_first_line": "UPDATED: adds reaction from the regional government.\n\n" + body,
        "words_replaced": " ".join(replaced),
        "truncated_70": " ".join(words[: max(1, int(len(words) * 0.7))]),
    }


# A made-up site's chrome that its cleaner did not remove: every sampled page is also published
# with it, so each pair of them is a pair of different articles of one site and template (a
# negative), sharing the template's shingles.
TEMPLATE = "same_template"
TEMPLATE_HEAD = "Westbrook Gazette | Local news, sport and weather for the valley since 1892"
TEMPLATE_FOOT = (
    "© 2026 Westbrook Gazette Ltd. All rights reserved. Contact the newsroom at "
    "news@westbrook-gazette.example or follow us on social media for the latest updates."
)


def corpus_docs(
    bodies: list[tuple[str, str, str]], sample: int, seed: int, furnished: dict[str, str]
) -> list[Doc]:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    # A page saved twice under two names (equal bodies) is one article, not a negative pair:
    # its copies share the group of the first.
    first: dict[str, str] = {}
    group = {page: first.setdefault(content_sha256(body), page) for page, _, body in bodies}
    docs = [Doc(page, group[page], "original", body, day) for page, _, body in bodies]
    generator = random.Random(seed)
    chosen = generator.sample(range(len(bodies)), min(sample, len(bodies)))
    for index in chosen:
        page, _, body = bodies[index]
        made = variants(body, generator)
        if page in furnished:
            made["other_furniture"] = furnished[page]
        made[TEMPLATE] = f"{TEMPLATE_HEAD}\n\n{body}\n\n{TEMPLATE_FOOT}"
        for kind, text in made.items():
            later = day + timedelta(hours=1 + generator.randrange(48))
            docs.append(Doc(f"{page}#{kind}", group[page], kind, text, later))
    return docs


@dataclass(frozen=True)
class Decided:
    links: dict[str, Any]  # article key -> Link
    signing_seconds: float  # CPU; the batch tasks' share: MinHash signatures of the bodies
    matching_seconds: float  # the flow's share: bands, candidates, estimates, canonical choice


def doc_key(doc: Doc) -> str:
    return hashlib.sha256(doc.article_id.encode()).hexdigest()[:16]


def decide_docs(docs: list[Doc], threshold: float) -> Decided:
    """The duplicates step over the docs as one run, in batches of 256, timed in its two parts
    (CPU seconds: the machine is shared, and the work is single-threaded)."""
    step = Duplicates(threshold)
    started = time.process_time()
    facts = []
    for start in range(0, len(docs), 256):
        chunk = docs[start : start + 256]
        facts.append(pa.table({
            "article_id": [doc_key(d) for d in chunk],
            "content_sha256": [content_sha256(d.body) for d in chunk],
            "published_at": pa.array([d.published_at for d in chunk], pa.timestamp("us", tz="UTC")),
            "signature": pa.array([signatures.signature(d.body) for d in chunk], pa.binary()),
        }, schema=FACT_SCHEMA))  # fmt: skip
    signed = time.process_time()
    decision = step.decide(facts, DatasetState())
    return Decided(decision.links, signed - started, time.process_time() - signed)


def true_jaccard(a: str, b: str) -> float:
    left, right = signatures.shingles(a), signatures.shingles(b)
    return len(left & right) / max(1, len(left | right))


def score(docs: list[Doc], links: dict[str, Any]) -> dict[str, Any]:
    """Links against the truth: a link is right when both docs come from the same page."""
    by_key = {doc_key(d): d for d in docs}
    originals = {d.article_id: d for d in docs if d.kind == "original"}
    right = [k for k, link in links.items() if by_key[k].group == by_key[link.canonical].group]
    wrong = [(by_key[k], by_key[link.canonical], link.similarity) for k, link in links.items()
             if by_key[k].group != by_key[link.canonical].group]  # fmt: skip
    # A variant whose body came out equal to its page's (furniture the cleaner removes anyway)
    # is an exact copy, not a near one: it is left out of the near-duplicate recall.
    # The same-template pages are there as negatives (each pair of them); whether one is linked
    # to its own page is not scored.
    expected = [d for d in docs if d.kind not in ("original", TEMPLATE)
                and d.body != originals[d.group].body]  # fmt: skip
    found = {by_key[k].article_id for k in right}
    return {"right": right, "wrong": wrong, "expected": expected, "found": found,
            "originals": originals}  # fmt: skip


def replica(text: str, number: int) -> str:
    """The text with its letters shifted by `number` (Latin ones rotated in the alphabet, other
    letters moved along their code points when that is still a letter): the same words,
    lengths and paragraphs in every script, but no shingle in common with the text or another
    replica, so the 10x set is ten independent copies of the benchmark's duplicate structure
    (not 10x one article)."""
    out = []
    for char in text:
        if "a" <= char <= "z" or "A" <= char <= "Z":
            base = ord("a") if char.islower() else ord("A")
            out.append(chr(base + (ord(char) - base + number) % 26))
        elif char.isalpha() and not char.isascii() and chr(ord(char) + number).isalpha():
            out.append(chr(ord(char) + number))
        else:
            out.append(char)
    return "".join(out)


def corpus_report(args: argparse.Namespace, work: Path) -> None:
    bodies = load_bodies(args, work)
    generator = random.Random(args.seed)
    sample_pages = generator.sample(range(len(bodies)), min(args.sample, len(bodies)))
    furnished: dict[str, str] = {}
    refs_by_page = _refs_by_page(args)
    for index in sample_pages[: args.furniture]:
        page = bodies[index][0]
        ref = refs_by_page.get(page)
        if ref is not None:
            lines = "|".join(generator.sample(FURNITURE, 3))
            text = body_of(ref, furniture=lines)
            if text:
                furnished[page] = text
    docs = corpus_docs(bodies, args.sample, args.seed, furnished)
    decided = decide_docs(docs, args.threshold)
    result = score(docs, decided.links)
    expected, found = result["expected"], result["found"]
    right, wrong = result["right"], result["wrong"]
    print(f"\n## Near duplicates on {', '.join(args.corpus)}: {len(bodies)} pages, "
          f"{len(docs) - len(bodies)} variants of {len(sample_pages)} pages, "
          f"threshold {args.threshold}\n")  # fmt: skip
    print("| variant | copies | found | recall |\n| --- | ---: | ---: | ---: |")
    for kind in sorted({d.kind for d in expected}):
        of_kind = [d for d in expected if d.kind == kind]
        hit = sum(d.article_id in found for d in of_kind)
        print(f"| {kind} | {len(of_kind)} | {hit} | {hit / len(of_kind):.3f} |")
    hit = sum(d.article_id in found for d in expected)
    sites: dict[str, int] = {}
    for page, _, _ in bodies:
        site = site_of(refs_by_page[page].url) if page in refs_by_page else page
        sites[site] = sites.get(site, 0) + 1
    same_site_pairs = sum(n * (n - 1) // 2 for n in sites.values())
    templated = sum(1 for d in docs if d.kind == TEMPLATE)
    template_pairs = templated * (templated - 1) // 2
    wrong_template = sum(1 for a, b, _ in wrong if TEMPLATE in (a.kind, b.kind))
    precision = len(right) / max(1, len(right) + len(wrong))
    print(f"| **all** | {len(expected)} | {hit} | **{hit / max(1, len(expected)):.3f}** |")
    saved_twice = sum(1 for d in docs if d.kind == "original" and d.group != d.article_id)
    print(f"\n{saved_twice} pages are another page's body saved again under another name: one "
          "article with it, their link a right one.")  # fmt: skip
    print(f"\nlinks: {len(decided.links)}, right: {len(right)}, wrong: {len(wrong)}; "
          f"**precision {precision:.4f}** (negatives: every pair of different articles, "
          f"{same_site_pairs:,} pairs of pages of the same site in the sets, and "
          f"{template_pairs:,} pairs of pages given the same site template, of which "
          f"{wrong_template} linked)\n")  # fmt: skip
    for left, other, similarity in wrong[:20]:
        print(f"- wrong link ({similarity:.2f}, true Jaccard "
              f"{true_jaccard(left.body, other.body):.2f}): {left.article_id} -> "
              f"{other.article_id}")  # fmt: skip
    for doc in [d for d in expected if d.article_id not in found][:20]:
        original = result["originals"][doc.group].body
        print(f"- missed {doc.article_id}: {len(original.split())} words, true Jaccard "
              f"{true_jaccard(doc.body, original):.2f}")  # fmt: skip
    # Time per 1,000 articles: the set once (1x), and ten replicas of it (10x, letters rotated:
    # ten times the articles and the same share of duplicates).
    tenfold = [
        Doc(f"{d.article_id}~{i}", f"{d.group}~{i}", d.kind, replica(d.body, i), d.published_at)
        for i in range(10)
        for d in docs
    ]
    decided_10 = decide_docs(tenfold, args.threshold)
    result_10 = score(tenfold, decided_10.links)
    for left, other, similarity in result_10["wrong"][:10]:
        print(f"- 10x wrong link ({similarity:.2f}): {left.article_id} -> {other.article_id}")
    print("\n| articles | signatures (batch tasks), CPU | matching (flow), CPU | CPU per 1,000 articles |"
          " recall | wrong links |")  # fmt: skip
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, ran, scored, count in (("1x", decided, result, len(docs)),
                                     ("10x", decided_10, result_10, len(tenfold))):  # fmt: skip
        total = ran.signing_seconds + ran.matching_seconds
        recall = sum(d.article_id in scored["found"] for d in scored["expected"]) / max(
            1, len(scored["expected"])
        )
        print(f"| {count:,} ({name}) | {ran.signing_seconds:.1f} s | {ran.matching_seconds:.1f} s "
              f"| {1000 * total / count:.2f} s | {recall:.3f} | {len(scored['wrong'])} |")  # fmt: skip


def _refs_by_page(args: argparse.Namespace) -> dict[str, devset.PageRef]:
    refs: dict[str, devset.PageRef] = {}
    for corpus in args.corpus:
        archive = devset.corpus_archive(args, corpus)
        with devset.unpacked(archive, devset.cache_dir_of(corpus, args.cache_dir)) as root:
            for ref in devset.page_refs(root, args.limit):
                refs[f"{corpus}:{ref.path.name}"] = ref
    return refs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--layout", action="store_true", help="the band layout's S-curve and rates")
    parser.add_argument("--trials", type=int, default=400, help="pairs per similarity (--layout)")
    parser.add_argument("--scale", type=int, default=0, metavar="N", help="published signatures")
    parser.add_argument("--new", type=int, default=10_000, help="articles of the run (--scale)")
    parser.add_argument("--copies", type=int, default=100, help="planted near copies (--scale)")
    parser.add_argument("--corpus", action="append", choices=["trafilatura", "wcxb"], default=[])
    parser.add_argument("--limit", type=int, default=None, help="pages of each set")
    parser.add_argument("--sample", type=int, default=200, help="pages given variants")
    parser.add_argument(
        "--furniture", type=int, default=50, help="of those, re-extracted with other furniture"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threshold", type=float, default=NEAR_THRESHOLD, help="(--corpus)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--devset", type=Path, default=devset.DEFAULT_ARCHIVE)
    parser.add_argument("--wcxb-devset", type=Path, default=devset.WCXB_ARCHIVE)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/nc-dedup"))
    parser.add_argument(
        "--stories", action="store_true", help="also the stories benchmark (benchmarks/stories.py)"
    )
    args = parser.parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    devset.print_header("newsclean near-duplicate benchmark", devset.machine_info())
    if args.layout:
        layout_report(args.trials)
    if args.scale:
        scale_report(args.scale, args.work_dir, args.new, args.copies)
    if args.corpus:
        corpus_report(args, args.work_dir)
    if args.stories:
        import stories  # the sibling benchmark script, imported only when asked for

        shared = ["--devset", str(args.devset), "--wcxb-devset", str(args.wcxb_devset)]
        shared += ["--jobs", str(args.jobs), "--work-dir", str(args.work_dir / "stories")]
        if args.cache_dir:
            shared += ["--cache-dir", str(args.cache_dir)]
        stories.main(shared)


if __name__ == "__main__":
    main()
