"""Behaviour equality on the development corpora: the baseline commit's pipeline and the working
tree's, run on the same pages, must write the same rows.

The comparison is benchmarks/compare_runs.py's (the one tests/test_behaviour_equality.py runs on
the sample and the awkward fixtures): each version runs `flows.pipeline.clean_articles` in its
own process, then articles, quarantine and inputs are compared row by row, matched by key, every
column but run_id and ingested_at. The corpora:

- trafilatura (default): the 990 pages of ../shared/corpora/trafilatura-eval.tar.xz, in the order
  of its evaldata.json (see devset.py; --cache-dir unpacks it once and for all);
- wcxb: the html/ pages of ../shared/corpora/wcxb-dev-articles.tar.xz, in file-name order
  (unpacked into <cache-dir>/wcxb with --cache-dir).

Usage: python benchmarks/behaviour_equality.py [--corpora trafilatura wcxb] [--limit N]
           [--workers 2] [--baseline COMMIT] [--cache-dir DIR] [--work-dir DIR] [--json PATH]
Prints a table per corpus and table; exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import compare_runs
import devset

DEFAULT_WCXB = devset.REPO_ROOT.parent / "shared" / "corpora" / "wcxb-dev-articles.tar.xz"
WCXB_PAGES = Path("wcxb-dev-articles") / "html"
CORPORA = ("trafilatura", "wcxb")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    parser.add_argument(
        "--wcxb", type=Path, default=DEFAULT_WCXB, help="the wcxb-dev-articles.tar.xz archive"
    )
    parser.add_argument(
        "--corpora",
        nargs="+",
        choices=CORPORA,
        default=["trafilatura"],
        help="default: trafilatura",
    )
    parser.add_argument("--workers", type=int, default=2, help="pipeline workers (default: 2)")
    parser.add_argument(
        "--baseline",
        default=compare_runs.BASELINE_COMMIT,
        help=f"the commit to compare with (default: {compare_runs.BASELINE_COMMIT[:7]})",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="keep the pages, both outputs and the Prefect home here (default: a temporary folder)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    return parser.parse_args(argv)


def copy_pages(sources: list[Path], target: Path) -> int:
    """The pages in one folder of their own (emptied first): both versions read exactly these."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sources:
        shutil.copy2(path, target / path.name)
    return len(sources)


def corpus_pages(name: str, root: Path, limit: int | None) -> list[Path]:
    if name == "trafilatura":
        return [ref.path for ref in devset.page_refs(root, limit)]
    pages = sorted((root / WCXB_PAGES).glob("*.html"))
    return pages[:limit] if limit is not None else pages


def archive_and_cache(name: str, args: argparse.Namespace) -> tuple[Path, Path | None]:
    if name == "trafilatura":
        return args.devset, args.cache_dir
    return args.wcxb, args.cache_dir / "wcxb" if args.cache_dir else None


def table_rows(comparison: compare_runs.Comparison, pages: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for corpus, diffs in comparison.tables.items():
        for diff in diffs:
            counts = diff.column_counts().most_common()
            rows.append(
                {
                    "corpus": corpus,
                    "pages": pages[corpus],
                    "table": diff.table,
                    "rows_old": diff.old_rows,
                    "rows_new": diff.new_rows,
                    "identical": diff.identical,
                    "differing": len(diff.differing),
                    "only_old": len(diff.only_old),
                    "only_new": len(diff.only_new),
                    "differing_columns": dict(counts),
                    "schema_changes": diff.schema_changes,
                }
            )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        "| corpus | pages | table | rows old | rows new | identical | differing | only old "
        "| only new | differing columns (rows) |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        columns = ", ".join(f"{c} ({n})" for c, n in row["differing_columns"].items())
        columns = "; ".join(filter(None, [columns, *row["schema_changes"]])) or "-"
        print(
            f"| {row['corpus']} | {row['pages']} | {row['table']} | {row['rows_old']} "
            f"| {row['rows_new']} | {row['identical']} | {row['differing']} | {row['only_old']} "
            f"| {row['only_new']} | {columns} |"
        )


def compare(args: argparse.Namespace, work: Path, stack: contextlib.ExitStack) -> int:
    jobs, pages = [], {}
    for name in args.corpora:
        archive, cache = archive_and_cache(name, args)
        try:
            root = stack.enter_context(devset.unpacked(archive, cache))
        except devset.DevsetMissing:
            print(devset.missing_message(archive, "compared"))
            return 0
        pages[name] = copy_pages(corpus_pages(name, root, args.limit), work / "pages" / name)
        jobs.append(compare_runs.Job(name, (str(work / "pages" / name),)))
    print(f"- baseline: {args.baseline}; workers: {args.workers}; pages: {pages}", flush=True)
    start = time.perf_counter()
    try:
        comparison = compare_runs.compare_with_baseline(
            jobs, work, commit=args.baseline, workers=args.workers
        )
    except (compare_runs.BaselineMissing, compare_runs.RunFailed) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - start
    rows = table_rows(comparison, pages)
    statuses = {
        run.label: {job: summary.get("status") for job, summary in run.summaries.items()}
        for run in (comparison.baseline, comparison.current)
    }
    print(
        f"- pipeline seconds: {comparison.baseline.label} {comparison.baseline.seconds:.0f}, "
        f"{comparison.current.label} {comparison.current.seconds:.0f}; "
        f"whole comparison {wall:.0f} s"
    )
    print(f"- run status: {statuses}")
    print()
    print_table(rows)
    if not comparison.same:
        print()
        print(comparison.report(max_rows=5))
    if args.json:
        devset.save_json(
            args.json,
            {
                "machine": devset.machine_info(),
                "baseline": args.baseline,
                "workers": args.workers,
                "seconds": {
                    "baseline": round(comparison.baseline.seconds, 1),
                    "working_tree": round(comparison.current.seconds, 1),
                    "total": round(wall, 1),
                },
                "status": statuses,
                "same": comparison.same,
                "rows": rows,
            },
        )
    return 0 if comparison.same else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    devset.print_header("Behaviour equality: baseline vs working tree", devset.machine_info())
    with contextlib.ExitStack() as stack:
        if args.work_dir is not None:
            args.work_dir.mkdir(parents=True, exist_ok=True)
            work = args.work_dir
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsclean-eq-")))
        return compare(args, work, stack)


if __name__ == "__main__":
    sys.exit(main())
