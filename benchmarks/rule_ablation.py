"""What each cleaning rule is worth: F1 with and without it, and the pages where it fires.

For every rule of flows/stages/boilerplate_rules.py, and for the cleaner's own units (the first
line repeating the title, the plain-text line model), on both development sets and both paths:
  html  the extract stage's text (`flows.stages.extract.extract`, production settings; the block
        model as `--block-model` says) through `clean_text(content_kind="html", title=...)`
  text  the page rendered by inscriptis through `clean_text(content_kind="text")`
each scored with its corpus's metric, as `benchmarks/quality.py` scores it (WCXB: mean word F1
of the benchmark's evaluate.py, CC-BY-4.0; trafilatura's set: snippet F1 over the totals). The
rules were written from the trafilatura set's pages: its figures are in-sample, WCXB's are not.

The gain of a rule is F1 with every rule minus F1 without that one: positive, the rule pays.
Validation and the whole-run steps are not in the loop (only the cleaner differs between the
variants); a page whose cleaned body is empty scores as an empty result, as the pipeline rejects
it.

Fast because the rules only act on the extracted text: each page is extracted and rendered once
(in worker processes; with `--cache-dir` kept in `ablation-inputs/` there, keyed by the versions
and the extract stage's source), cleaned once with every rule, and cleaned again without a rule
only on the pages where that rule removed something: a rule that removed nothing on a page
changes nothing there (`--exact` re-cleans every page for every rule, to check that on a sample).

Usage: python benchmarks/rule_ablation.py [--corpus trafilatura,wcxb] [--paths html,text]
           [--block-model bundled|none|FILE] [--limit N] [--jobs N] [--pages-file FILE]
           [--exact] [--json PATH] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import devset
import quality
from devset import Page, PageRef

PATHS = ("html", "text")
# The cleaner's units that are not rows of the rule table, by the rule name their spans carry.
TITLE_REPEAT = "title_repeat_v1"
LINE_MODEL = "line_model_v4"
INPUTS_FOLDER = "ablation-inputs"
# The sources whose change changes the extract stage's text (the block model's files when there).
EXTRACT_SOURCES = (
    "flows/stages/extract.py",
    "flows/stages/html_facts.py",
    "flows/stages/blocks.py",
    "flows/stages/block_model.py",
    "flows/readers/decode.py",
    "flows/readers/documents.py",
)

BLOCK_MODEL = "bundled"  # set in the parent before the workers fork


# --- inputs: the extract stage's text and the rendered page, once per page --------------------


def page_inputs(ref: PageRef) -> dict[str, Any]:
    """{"html": {"text", "title"} or None, "text": str or None} for one page (in a worker)."""
    from flows.stages.document import ExtractionSettings
    from flows.stages.extract import ExtractionError, extract

    raw = ref.path.read_bytes()
    page = Page(ref.url, ref.file, devset.decode_html(raw), ref.gold)
    doc = quality.page_document(page, raw)
    html: dict[str, Any] | None = None
    if not hasattr(doc, "reasons"):  # a Rejection: the reader refused the bytes
        with contextlib.suppress(ExtractionError):
            extracted = extract(doc, ExtractionSettings(block_model=BLOCK_MODEL))
            html = {"text": extracted.text, "title": extracted.seed.title}
    rendered = quality.render_text(page).text
    return {"html": html, "text": rendered}


def inputs_fingerprint(block_model: str) -> str:
    digest = hashlib.sha256(block_model.encode("utf-8"))
    for name in ("trafilatura", "inscriptis", "htmldate"):
        digest.update(devset.package_version(name).encode("utf-8"))
    sources = [devset.REPO_ROOT / name for name in EXTRACT_SOURCES]
    sources += sorted((devset.REPO_ROOT / "flows/stages/models").glob("blocks*.json"))
    if Path(block_model).is_file():
        sources.append(Path(block_model))
    for path in sources:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_inputs(
    corpus: str, refs: list[PageRef], args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    cache: Path | None = None
    stored: dict[str, dict[str, Any]] = {}
    if args.cache_dir is not None:
        key = inputs_fingerprint(args.block_model)
        cache = args.cache_dir / INPUTS_FOLDER / f"{corpus}-{key}.json"
        if cache.is_file():
            stored = json.loads(cache.read_text("utf-8"))
    missing = [ref for ref in refs if ref.file not in stored]
    if missing:
        start = time.perf_counter()
        backstop = 3 * args.timeout + 60
        for ref, result in devset.run_pages(page_inputs, missing, args.jobs, backstop):
            stored[ref.file] = result or {"html": None, "text": None}
        print(
            f"{corpus}: extracted and rendered {len(missing)} pages in "
            f"{time.perf_counter() - start:.0f} s",
            file=sys.stderr,
        )
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    return {ref.file: stored[ref.file] for ref in refs}


# --- the cleaner with one unit left out ----------------------------------------------------------


def units() -> list[str]:
    from flows.stages.boilerplate_rules import RULES

    return [rule.name for rule in RULES] + [TITLE_REPEAT, LINE_MODEL]


@contextlib.contextmanager
def left_out(unit: str | None) -> Iterator[None]:
    """The cleaner without one rule of the table (or one of its own units) while inside."""
    from flows.stages import clean
    from flows.stages.boilerplate_rules import Rule

    if unit is None:
        yield
        return
    names = ("LINE_RULES", "TAIL_RULES", "DATELINE_RULES", "TITLE_RULE", "HIGHLIGHT_RULE")
    saved = {name: getattr(clean, name) for name in names}
    saved_functions = {"_same_headline": clean._same_headline}
    saved_functions["_label_off_article"] = clean._label_off_article
    try:
        for name in ("LINE_RULES", "TAIL_RULES", "DATELINE_RULES"):
            setattr(clean, name, tuple(r for r in saved[name] if r.name != unit))
        for name in ("TITLE_RULE", "HIGHLIGHT_RULE"):
            rule = saved[name]
            if rule.name == unit:  # a rule that never matches takes its place
                setattr(clean, name, Rule(rule.name, rule.kind, NEVER, rule.where, check=never))
        if unit == TITLE_REPEAT:
            clean._same_headline = lambda line, title: False  # type: ignore[assignment]
        if unit == LINE_MODEL:
            clean._label_off_article = lambda lines, labels: None  # type: ignore[assignment]
        yield
    finally:
        for name, value in saved.items():
            setattr(clean, name, value)
        for name, function in saved_functions.items():
            setattr(clean, name, function)


NEVER = re.compile(r"(?!)")


def never(text: str) -> bool:
    return False


def cleaned(path: str, item: Any) -> tuple[str | None, frozenset[str]]:
    """The body (None when nothing is left) and the rules that removed something."""
    from flows.stages.clean import clean_text

    if item is None:
        return None, frozenset()
    if path == "html":
        result = clean_text(item["text"], content_kind="html", title=item["title"])
    else:
        result = clean_text(item, content_kind="text")
    rules = frozenset(span.rule.split(" ")[0] for span in result.removed)
    return (result.body if result.body.strip() else None), rules


# --- scores ----------------------------------------------------------------------------------


@dataclass
class Variant:
    """One corpus, one path, all pages: each page's score, and the corpus's figure over them."""

    scores: dict[str, dict[str, Any]] = field(default_factory=dict)

    def f1(self) -> float:
        pages = list(self.scores.values())
        if pages and "confusion" in pages[0]:
            total = quality.Confusion()
            for score in pages:
                total.add(quality.Confusion(**score["confusion"]))
            return total.scores()["f1"] or 0.0
        return sum(score["f1"] for score in pages) / len(pages) if pages else 0.0


def page_value(score: dict[str, Any]) -> float:
    """A page's own figure, to count pages won and lost: word F1, or snippets right minus wrong."""
    if "confusion" in score:
        c = score["confusion"]
        return float(c["tp"] + c["tn"] - c["fp"] - c["fn"])
    return float(score["f1"])


@dataclass
class UnitResult:
    fired: int = 0
    gain: float = 0.0  # F1 with every rule minus F1 without this one
    won: int = 0  # pages the unit makes better
    lost: int = 0  # pages the unit makes worse


def ablate(
    path: str,
    refs: list[PageRef],
    inputs: dict[str, dict[str, Any]],
    exact: bool,
) -> tuple[float, dict[str, UnitResult]]:
    base = Variant()
    fired: dict[str, list[PageRef]] = {}
    for ref in refs:
        body, rules = cleaned(path, inputs[ref.file][path])
        base.scores[ref.file] = quality.page_score(body, ref.gold)
        for rule in rules:
            fired.setdefault(rule, []).append(ref)
    base_f1 = base.f1()
    results: dict[str, UnitResult] = {}
    for unit in units():
        pages = refs if exact else fired.get(unit, [])
        variant = Variant(dict(base.scores))
        result = UnitResult(fired=len(fired.get(unit, [])))
        with left_out(unit):
            for ref in pages:
                body, _ = cleaned(path, inputs[ref.file][path])
                variant.scores[ref.file] = quality.page_score(body, ref.gold)
        for ref in pages:
            before = page_value(base.scores[ref.file])
            after = page_value(variant.scores[ref.file])
            result.won += int(before > after)
            result.lost += int(before < after)
        result.gain = base_f1 - variant.f1()
        if exact and ref_changed(base, variant, fired.get(unit, [])):
            print(
                f"warning: leaving out {unit} changed pages where it fired on none", file=sys.stderr
            )
        results[unit] = result
    return base_f1, results


def ref_changed(base: Variant, variant: Variant, fired: list[PageRef]) -> bool:
    """Whether a page where the unit removed nothing scored differently without it."""
    where = {ref.file for ref in fired}
    return any(base.scores[f] != variant.scores[f] for f in base.scores if f not in where)


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    devset.add_common_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument("--corpus", default="wcxb,trafilatura", help="comma-separated sets")
    parser.add_argument("--paths", default="html,text", help="comma-separated: html, text")
    parser.add_argument(
        "--block-model", default="bundled", help="the extract stage's block model (default bundled)"
    )
    parser.add_argument("--pages-file", type=Path, default=None, help="only the pages it lists")
    parser.add_argument(
        "--exact", action="store_true", help="re-clean every page without every rule (slow)"
    )
    args = parser.parse_args(argv)
    args.corpora = tuple(c.strip() for c in args.corpus.split(",") if c.strip())
    args.path_list = tuple(p.strip() for p in args.paths.split(",") if p.strip())
    if any(c not in quality.CORPORA for c in args.corpora):
        parser.error(f"--corpus: choose from {', '.join(quality.CORPORA)}")
    if any(p not in PATHS for p in args.path_list):
        parser.error(f"--paths: choose from {', '.join(PATHS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    global BLOCK_MODEL
    args = parse_args(argv)
    BLOCK_MODEL = args.block_model
    info = devset.machine_info()
    devset.print_header("newsclean rule ablation (each corpus's own scoring)", info)
    quality.warm_up()
    wanted = quality.read_pages_file(args.pages_file) if args.pages_file else None
    columns: dict[str, tuple[float, dict[str, UnitResult]]] = {}
    pages: dict[str, int] = {}
    for corpus in args.corpora:
        archive = devset.corpus_archive(args, corpus)
        try:
            with devset.unpacked(archive, devset.cache_dir_of(corpus, args.cache_dir)) as root:
                if corpus == "wcxb":
                    quality.WCXB_EVALUATE = quality.load_wcxb_scoring(root)
                refs = quality.restrict(devset.page_refs(root, None), wanted)[: args.limit]
                inputs = load_inputs(corpus, refs, args)
                pages[corpus] = len(refs)
                for path in args.path_list:
                    start = time.perf_counter()
                    columns[f"{corpus} {path}"] = ablate(path, refs, inputs, args.exact)
                    seconds = time.perf_counter() - start
                    print(f"{corpus} {path}: ablation in {seconds:.0f} s", file=sys.stderr)
        except devset.DevsetMissing:
            print(devset.missing_message(archive))
    report(columns, pages, args, info)
    return 0


def report(
    columns: dict[str, tuple[float, dict[str, UnitResult]]],
    pages: dict[str, int],
    args: argparse.Namespace,
    info: dict[str, Any],
) -> None:
    print(
        f"Pages: {', '.join(f'{c} {n}' for c, n in pages.items())}; block model: {args.block_model}"
    )
    print()
    print("F1 with every rule:", ", ".join(f"{name} {f1:.4f}" for name, (f1, _) in columns.items()))
    print()
    print(
        "Per rule: pages where it removed something, gain = F1 with it - F1 without it (in 1e-4;"
        " positive: it pays), and pages it makes better / worse."
    )
    print()
    names = list(columns)
    print("| rule | " + " | ".join(f"{n}: pages | gain | +/- " for n in names) + "|")
    print("|---|" + "---:|---:|---:|" * len(names))
    for unit in units():
        cells = []
        for name in names:
            r = columns[name][1][unit]
            cells.append(f"{r.fired} | {r.gain * 1e4:+.1f} | {r.won}/{r.lost}")
        print(f"| {unit} | " + " | ".join(cells) + " |")
    if args.json:
        devset.save_json(
            args.json,
            {
                "machine": info,
                "pages": pages,
                "block_model": args.block_model,
                "exact": args.exact,
                "columns": {
                    name: {
                        "f1": f1,
                        "units": {u: vars(r) for u, r in results.items()},
                    }
                    for name, (f1, results) in columns.items()
                },
            },
        )


if __name__ == "__main__":
    sys.exit(main())
