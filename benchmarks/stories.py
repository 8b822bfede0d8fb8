"""Stories: do the five bundled samples form one story, and how often do unrelated pages join one?

    python benchmarks/stories.py --cache-dir /tmp/nc-eq-cache --work-dir /tmp/nc-stories --jobs 1

1. The bundled samples (data/sample) through the pipeline's per-document stages: one story
   expected, and no sample an exact duplicate of another.
2. Each development set's pages (mostly unrelated articles) through the same stages, then the
   story assignment of flows/run_steps/story_match.py over all of them as one run. Reported: how
   many stories have more than one article, the share of articles in them, and a sample of them
   (titles and URLs) to check by hand; a threshold sweep shows how that share moves with the
   link threshold. Extracted rows are cached in --work-dir (the extraction is the slow part).

A page's time is its published_at, else the one ingest time of the run: most dev-set pages have
no date in reach of each other, so the undated ones all meet in one window, which makes this a
hard test of the link rule, not an easy one.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import devset
from flows.run_steps import story_match
from flows.run_steps.story_match import Signature, Weights, assign_stories, document_counts
from flows.run_steps.story_terms import story_terms

INGESTED_AT = datetime(2026, 1, 15, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "sample"
CORPORA = ("trafilatura", "wcxb")
LOOSE = 0.15
SWEEP = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def extract_page(ref: devset.PageRef) -> dict[str, Any] | None:
    """The page's article row fields the story step reads, or None when it is quarantined."""
    # Imported in the worker: the stages load their models once per process.
    from flows.core.records import Rejection, RunContext
    from flows.stages.process import process_document

    page = ref.load()
    doc = page.html_document(ref.file)
    row, _, problem = devset.timed_call(
        lambda: process_document(doc, RunContext("bench", INGESTED_AT, "bench")).outcome, 60
    )
    if problem or row is None or isinstance(row, Rejection):
        return None
    return {
        "id": ref.file,
        "url": page.url,
        "title": row.title,
        "body": " ".join(row.body.split()[:200]),
        "published_at": row.published_at,
        "content_sha256": row.content_sha256,
    }


def extracted_rows(corpus: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    cache = args.work_dir / f"{corpus}-rows-{args.limit or 'all'}.pickle"
    if cache.is_file():
        rows: list[dict[str, Any]] = pickle.loads(cache.read_bytes())
        return rows
    archive = devset.corpus_archive(args, corpus)
    with devset.unpacked(archive, devset.cache_dir_of(corpus, args.cache_dir)) as root:
        refs = devset.page_refs(root, args.limit)
        rows = [
            result
            for _, result in devset.run_pages(extract_page, refs, args.jobs, 300)
            if result is not None
        ]
    args.work_dir.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(rows))
    return rows


def sample_rows() -> list[dict[str, Any]]:
    """The bundled samples through the text reader and the stages, as a run reads them."""
    # Imported here: the dev-set part forks workers before the stages are needed in this process.
    from flows.core.records import Rejection, RunContext
    from flows.readers import discover, iter_documents
    from flows.stages.process import process_document

    rows = []
    files, _ = discover([str(SAMPLES)])
    for doc in iter_documents(files):
        if isinstance(doc, Rejection):
            continue
        if True:
            row = process_document(doc, RunContext("bench", INGESTED_AT, "bench")).outcome
            if not isinstance(row, Rejection):
                rows.append(
                    {
                        "id": doc.source_uri.rsplit("/", 1)[-1],
                        "url": doc.source_uri,
                        "title": row.title,
                        "body": row.body,
                        "published_at": row.published_at,
                        "content_sha256": row.content_sha256,
                    }
                )
    return rows


def signatures(rows: list[dict[str, Any]]) -> list[Signature]:
    return [
        Signature(
            row["id"],
            row["published_at"] or INGESTED_AT,
            story_terms(row["title"], row["body"]),
            dated=row["published_at"] is not None,
        )
        for row in rows
    ]


def stories_of(rows: list[dict[str, Any]], threshold: float | None = None) -> dict[str, list[str]]:
    """Story id -> member ids, the rows assigned as one run."""
    saved = story_match.LINK_THRESHOLD
    if threshold is not None:
        story_match.LINK_THRESHOLD = threshold
    try:
        sigs = signatures(rows)
        weights = Weights(document_counts(sigs), len(sigs))
        assignment = assign_stories(sigs, [], {}, weights)
    finally:
        story_match.LINK_THRESHOLD = saved
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, story in assignment.story_of.items():
        members[story].append(article_id)
    return members


def report_samples() -> dict[str, Any]:
    rows = sample_rows()
    members = stories_of(rows)
    hashes = [row["content_sha256"] for row in rows]
    sigs = {s.article_id: s for s in signatures(rows)}
    weights = Weights(document_counts(sigs.values()), len(sigs))
    print("## The bundled samples")
    print()
    print(f"- samples read: {len(rows)}; stories: {len(members)} (expected 1)")
    print(f"- exact duplicates among them: {len(hashes) - len(set(hashes))} (expected 0)")
    ids = sorted(sigs)
    print("- pair similarities (cosine / shared terms):")
    for i, a in enumerate(ids):
        cells = [
            "{:.2f}/{}".format(*story_match.similarity(sigs[a].terms, sigs[b].terms, weights))
            for b in ids[i + 1 :]
        ]
        print(f"    {a[:3]}: {' '.join(cells)}")
    print()
    return {
        "samples": len(rows),
        "stories": len(members),
        "exact_duplicates": len(hashes) - len(set(hashes)),
    }


def report_corpus(corpus: str, rows: list[dict[str, Any]], sample: int) -> dict[str, Any]:
    start = time.perf_counter()
    members = stories_of(rows)
    seconds = time.perf_counter() - start
    multi = {story: ids for story, ids in members.items() if len(ids) > 1}
    in_multi = sum(len(ids) for ids in multi.values())
    by_id = {row["id"]: row for row in rows}
    print(f"## {corpus}: {len(rows)} articles")
    print()
    print(f"- stories: {len(members)}; with more than one article: {len(multi)}")
    print(f"- articles in a multi-article story: {in_multi} ({in_multi / max(1, len(rows)):.2%})")
    print(
        f"- assignment time: {seconds:.2f} s ({1000 * seconds / max(1, len(rows)):.2f} s per 1,000)"
    )
    print()
    print("| link threshold | multi-article stories | articles in them | share |")
    print("| ---: | ---: | ---: | ---: |")
    sweep = {}
    for threshold in SWEEP:
        swept = [ids for ids in stories_of(rows, threshold).values() if len(ids) > 1]
        count = sum(len(ids) for ids in swept)
        sweep[threshold] = count
        print(f"| {threshold:.2f} | {len(swept)} | {count} | {count / max(1, len(rows)):.2%} |")
    print()
    print(f"Multi-article stories to check by hand (up to {sample}, seeded sample):")
    print()
    chosen = sorted(multi)
    random.Random(13).shuffle(chosen)
    for story in sorted(chosen[:sample]):
        print_story(story, multi[story], by_id)
    print()
    looser = {s: ids for s, ids in stories_of(rows, LOOSE).items() if len(ids) > 1}
    extra = sorted(s for s, ids in looser.items() if sorted(ids) not in map(sorted, multi.values()))
    print(f"Stories that form only at the looser threshold {LOOSE} (where false joins begin):")
    print()
    for story in extra[:sample]:
        print_story(story, looser[story], by_id)
    print()
    return {
        "articles": len(rows),
        "stories": len(members),
        "multi_stories": len(multi),
        "articles_in_multi": in_multi,
        "sweep": sweep,
        "seconds": seconds,
    }


def print_story(story: str, article_ids: list[str], by_id: dict[str, dict[str, Any]]) -> None:
    """One story and its articles, dated, as a reader checks them by hand."""
    print(f"- story {story}:")
    for article_id in sorted(article_ids):
        row = by_id[article_id]
        date = row["published_at"].date() if row["published_at"] else "undated"
        print(f"    - [{date}] {row['title']!r} {row['url']}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    devset.add_common_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--corpus", choices=CORPORA, action="append", help="default: both")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/nc-stories"))
    parser.add_argument("--sample", type=int, default=15, help="multi-article stories listed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    devset.print_header("newsclean stories", devset.machine_info())
    figures: dict[str, Any] = {}
    for corpus in args.corpus or CORPORA:
        try:
            rows = extracted_rows(corpus, args)
        except devset.DevsetMissing:
            print(devset.missing_message(devset.corpus_archive(args, corpus)))
            continue
        figures[corpus] = report_corpus(corpus, rows, args.sample)
    figures["samples"] = report_samples()
    if args.json:
        devset.save_json(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
