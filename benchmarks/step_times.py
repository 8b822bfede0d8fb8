"""Where a page's time goes: a plain clock around each step of the per-document path.

One warm process runs every page through `process_document` (extract, clean, metadata), with
`time.process_time` read around the stages and around the named steps inside them (parsing,
trafilatura's text, trafilatura's metadata and htmldate, the page's own facts, the block model,
the cleaner, the language). No profiler: each step's own clock, so the figures add up to what a
run spends. Bare `trafilatura.extract(html)` on the same pages, in the same process, is the bar
the throughput issue compares against. The whole-run steps (duplicates, stories, validation,
writing) are in the run summary's `stage_seconds` (benchmarks/throughput.py prints them).

    python benchmarks/step_times.py --cache-dir /tmp/nc-cache --corpus trafilatura --limit 300

`--configs default,fast-no-block-model` times several extraction settings side by side, each
page through each of them and through bare trafilatura in turn, so their ratios survive the
machine's drift in speed. Compare commits by running it at each (a checkout of the older one
with `--repo`), one after the other on a quiet machine: CPU time is less sensitive to other jobs
than wall time, not immune.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import devset

# (module, function, the step's name): the steps timed inside the stages. A step missing from a
# checkout (`--repo` at an older commit) is skipped.
STEPS = (
    ("flows.stages.extract", "parse_tree", "extract: parse"),
    ("flows.stages.extract", "html_facts", "extract: the page's own facts"),
    ("flows.stages.extract", "page_metadata", "extract: trafilatura's metadata (with htmldate)"),
    ("htmldate", "find_date", "extract: htmldate (inside the metadata)"),
    ("flows.stages.extract", "_bare_extraction", "extract: trafilatura's text"),
    ("flows.stages.block_model", "main_text", "extract: block model"),
    ("flows.stages.clean", "clean_text", "clean: the cleaner"),
    ("flows.stages.metadata", "detect_language", "metadata: language"),
)
STAGES = ("extract", "clean", "metadata")

# The extraction settings each `--configs` name stands for (the run's flags in brackets).
CONFIGS = {
    "default": {},
    "fast": {"fast": True},  # [--fast-extraction]
    "no-block-model": {"block_model": "none"},
    "fast-no-block-model": {"fast": True, "block_model": "none"},
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--corpus", choices=sorted(devset.ARCHIVES), default="trafilatura")
    parser.add_argument(
        "--repo", type=Path, default=devset.REPO_ROOT, help="the checkout whose flows/ is timed"
    )
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    parser.add_argument(
        "--configs",
        default="default",
        help=f"comma-separated extraction settings to time side by side: {', '.join(CONFIGS)}",
    )
    return parser.parse_args(argv)


@contextmanager
def clocked(spent: dict[str, float]) -> Iterator[None]:
    """Each function of STEPS wrapped so that its CPU time adds to `spent[step]`; restored after.
    A step called inside another (htmldate inside the metadata) counts in both."""
    restore: list[tuple[Any, str, Callable[..., Any]]] = []
    for module_name, name, step in STEPS:
        module = importlib.import_module(module_name)
        function = getattr(module, name, None)
        if function is None:
            continue

        def timed(*args: Any, _function: Any = function, _step: str = step, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_step] += time.process_time() - started

        restore.append((module, name, function))
        setattr(module, name, timed)
    # The stages themselves, as the per-document path calls them (by name, from its table).
    from flows.stages import process

    table = process.DOCUMENT_STAGES
    originals = dict(table)
    for stage, function in originals.items():

        def timed_stage(state: Any, _function: Any = function, _stage: str = stage) -> Any:
            started = time.process_time()
            try:
                return _function(state)
            finally:
                spent[f"stage {_stage}"] += time.process_time() - started

        table[stage] = timed_stage  # type: ignore[index]
    try:
        yield
    finally:
        for module, name, function in restore:
            setattr(module, name, function)
        table.update(originals)  # type: ignore[attr-defined]


def measure(pages: list[devset.Page], configs: list[str]) -> dict[str, Any]:
    """Every page through each configuration and through bare trafilatura, one after the other
    (the order rotating from page to page), so that the machine's drift in speed falls on all
    of them alike and their ratios hold even when the absolute figures wander."""
    # Imported here: `--repo` decides which flows/ is importable.
    import trafilatura

    from flows.core.records import RunContext
    from flows.stages.document import ExtractionSettings, ProcessSettings
    from flows.stages.process import process_document

    context = RunContext("step-times", datetime.now(UTC), "step-times")
    documents = [page.html_document(f"page-{i}") for i, page in enumerate(pages)]
    settings = {
        name: ProcessSettings(extraction=ExtractionSettings(**CONFIGS[name])) for name in configs
    }
    for document in documents[:3]:  # warm: langdetect's profiles, the models, dateparser
        for setting in settings.values():
            process_document(document, context, setting)
    spent: dict[str, float] = defaultdict(float)
    steps = {name: defaultdict(float) for name in configs}
    whole = dict.fromkeys(configs, 0.0)
    bare = 0.0
    runs: list[str | None] = [*configs, None]  # None: bare trafilatura
    with clocked(spent):
        for i, (document, page) in enumerate(zip(documents, pages, strict=True)):
            for name in runs[i % len(runs) :] + runs[: i % len(runs)]:
                before = dict(spent)
                started = time.process_time()
                if name is None:
                    trafilatura.extract(page.html, url=page.web_url)
                    bare += time.process_time() - started
                    continue
                process_document(document, context, settings[name])
                whole[name] += time.process_time() - started
                for step, value in spent.items():
                    steps[name][step] += value - before.get(step, 0.0)
    return {"pages": len(pages), "bare": bare, "configs": configs, "whole": whole, "steps": steps}


def report(figures: dict[str, Any]) -> None:
    n = max(1, figures["pages"])
    configs = figures["configs"]
    bare = 1000 * figures["bare"] / n
    print("| step (CPU ms per page) | " + " | ".join(f"`{name}`" for name in configs) + " |")
    print("|---|" + "---:|" * len(configs))

    def row(label: str, values: list[float]) -> None:
        print(f"| {label} | " + " | ".join(f"{value:.1f}" for value in values) + " |")

    row(
        "bare `trafilatura.extract(html)` (the bar, the same in every column)",
        [bare] * len(configs),
    )
    whole = [1000 * figures["whole"][name] / n for name in configs]
    row("**per-document path, all three stages**", whole)
    print(
        "| per-document path / the bar | "
        + " | ".join(f"{value / bare:.2f}" if bare else "-" for value in whole)
        + " |"
    )
    labels = [(f"stage {stage}", f"stage `{stage}`") for stage in STAGES]
    labels += [(step, step) for _module, _name, step in STEPS]
    for key, label in labels:
        if any(key in figures["steps"][name] for name in configs):
            row(label, [1000 * figures["steps"][name].get(key, 0.0) / n for name in configs])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configs = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown or not configs:
        print(
            f"--configs: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(CONFIGS)}"
        )
        return 2
    sys.path.insert(0, str(args.repo.resolve()))
    info = devset.machine_info()
    devset.print_header(f"Time per step, {args.corpus} set (CPU ms per page)", info)
    archive = devset.corpus_archive(args, args.corpus)
    try:
        with devset.unpacked(archive, devset.cache_dir_of(args.corpus, args.cache_dir)) as root:
            pages = [ref.load() for ref in devset.page_refs(root, args.limit)]
    except devset.DevsetMissing:
        print(devset.missing_message(archive))
        return 1
    figures = measure(pages, configs)
    report(figures)
    if args.json:
        devset.save_json(args.json, {**info, **figures, "repo": str(args.repo)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
