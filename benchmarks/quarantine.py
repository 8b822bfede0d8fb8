"""What the pipeline throws away on a development corpus, and why.

Runs the real path, `newsclean run` (the Prefect flow, validation included), over a corpus's pages
and reads the output's quarantine table: how many pages were published, quarantined and repeated
(the same bytes as another page), the quarantine reasons, and each quarantined page with its
reasons. The target of issue 11: at most 0.5 % of the WCXB article pages quarantined.

Corpora (see devset.py): `trafilatura` (990 pages of ../shared/corpora/trafilatura-eval.tar.xz) or
`wcxb` (793 article pages of ../shared/corpora/wcxb-dev-articles.tar.xz), pages in file-name order.

Usage: python benchmarks/quarantine.py [--corpus trafilatura|wcxb] [--cache-dir DIR] [--limit N]
                                       [--workers N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import devset
import pyarrow.parquet as pq


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--corpus", choices=("trafilatura", "wcxb"), default="wcxb")
    parser.add_argument("--workers", type=int, default=1, help="pipeline workers (default: 1)")
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    return parser.parse_args(argv)


def page_folder(root: Path, corpus: str) -> Path:
    return root / devset.WCXB_DIR / "html" if corpus == "wcxb" else root / devset.PAGE_DIR


def run_pipeline(pages: list[Path], scratch: Path, workers: int) -> dict[str, Any]:
    """`newsclean run` over the pages (linked into one folder), in its own process."""
    inputs = scratch / "in"
    inputs.mkdir()
    for page in pages:
        (inputs / page.name).symlink_to(page.resolve())
    command = [
        sys.executable,
        "-m",
        "flows.cli.main",
        "run",
        str(inputs),
        "--output",
        str(scratch / "out"),
        "--workers",
        str(workers),
        "--no-progress",
        "--json",
    ]
    env = {**os.environ, "PYTHONPATH": str(devset.REPO_ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode not in (0, 1):  # 1: a unit broke the contract; the summary says which
        raise SystemExit(f"newsclean run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def quarantined_pages(output: Path) -> list[dict[str, Any]]:
    folder = output / "quarantine"
    if not folder.is_dir():
        return []
    rows = pq.read_table(folder, columns=["source_uri", "stage", "reasons"]).to_pylist()
    return sorted(
        (
            {"page": Path(row["source_uri"]).name, "stage": row["stage"], "reasons": row["reasons"]}
            for row in rows
        ),
        key=lambda row: row["page"],
    )


def measure(args: argparse.Namespace, root: Path, scratch: Path) -> dict[str, Any]:
    pages = sorted(page_folder(root, args.corpus).glob("*.htm*"))
    pages = pages[: args.limit] if args.limit is not None else pages
    summary = run_pipeline(pages, scratch, args.workers)
    rows = quarantined_pages(scratch / "out")
    reasons = Counter(reason for row in rows for reason in row["reasons"])
    return {
        "corpus": args.corpus,
        "pages": len(pages),
        "published": summary.get("published"),
        "quarantined": len(rows),
        "quarantined_share": len(rows) / len(pages) if pages else 0.0,
        "repeated_inputs": summary.get("repeated_inputs"),
        "reasons": dict(reasons.most_common()),
        "quarantined_pages": rows,
    }


def report(figures: dict[str, Any]) -> None:
    print(
        f"{figures['corpus']}: {figures['pages']} pages, {figures['published']} published, "
        f"{figures['quarantined']} quarantined ({figures['quarantined_share']:.2%}), "
        f"{figures['repeated_inputs']} repeated inputs"
    )
    print()
    print("| reason | pages |")
    print("| --- | ---: |")
    for reason, count in figures["reasons"].items():
        print(f"| `{reason}` | {count} |")
    print()
    for row in figures["quarantined_pages"]:
        print(f"- {row['page']} ({row['stage']}): {', '.join(row['reasons'])}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = devset.machine_info()
    devset.print_header("Quarantine on a development corpus (newsclean run)", info)
    archive = devset.corpus_archive(args, args.corpus)
    cache = devset.cache_dir_of(args.corpus, args.cache_dir)
    figures = devset.measure_in_scratch(
        archive, cache, "newsclean-quarantine-", lambda root, scratch: measure(args, root, scratch)
    )
    if figures is None:
        return 1
    report(figures)
    if args.json is not None:
        devset.save_json(args.json, {**info, **figures})
    return 0


if __name__ == "__main__":
    sys.exit(main())
