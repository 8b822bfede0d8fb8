"""Main-text extraction quality on both development sets: what a user of newsclean gets.

The newsclean rows run the pipeline's real per-document path: the page is read as the HTML reader
reads a file (`flows.readers.documents.document_from_bytes`, the page's URL in the seed as a WARC
record or a JSONL field gives it), goes through `flows.stages.process.process_document` (extract,
clean, metadata), and the article rows of a whole corpus are then validated in one batch by the
row suite (`flows.quality.validate.validate_articles`, as the publish step validates). A page the
stages reject or validation quarantines scores as an empty result. Out of scope: the whole-run
steps (`flows/run_steps/`: repeated inputs, lines repeated across a run, duplicates), which need
the other documents of a run; each page is its own run here (its article id is unique, so the
repeat and duplicate checks never fire).

Each corpus is scored with its own metric:
  trafilatura  trafilatura's `evaluate_result` (`tests/comparison.py` in adbar/trafilatura): per
               page, each `with` snippet found in the result (plain substring test) is a true
               positive, else a false negative; each `without` snippet found is a false positive,
               else a true negative; P, R, F1, accuracy over the totals. The same after collapsing
               white space in the result is shown too (the variant issue 3 quoted).
  wcxb         the benchmark's own `evaluate.py` (github.com/Murrough-Foley/web-content-extraction-
               benchmark, CC-BY-4.0), loaded from the unpacked corpus: `word_f1` (lower-cased `\\w+`
               tokens, bag-of-words overlap) against the gold main text, P/R/F1 averaged over
               pages, and `snippet_check`: the mean share of `with` / `without` snippets found.

Rows (`--only` names):
  traf-default                trafilatura.extract(html, deduplicate=False)
  traf-nocomments             ... include_comments=False
  traf-precision              ... favor_precision=True
  traf-precision-nocomments   ... both
  newsclean-html              the pipeline, production settings (block_model="bundled")
  newsclean-html-rules        the pipeline with block_model="none": trafilatura + the rules
  newsclean-html-fast         production settings with `--fast-extraction` (no trafilatura fallbacks)
  model-<stem>                the pipeline with block_model=<file> for each `--model FILE`
  newsclean-html-other-sites  with `--folds DIR` (benchmarks/train_blocks.py --save-folds): each
                              page through the pipeline with the fold model trained without its
                              site; only the pages the folds list are measured
  text-baseline               the page's whole visible text (inscriptis), kept as it is
  newsclean-text              that text as a plain-text document through the pipeline

`ms/page` is the CPU time (`time.process_time`) of the system under test per page: the extract
call for trafilatura, `process_document` for newsclean, the rendering for `text-baseline` (the
`newsclean-text` row excludes it). Validation runs once per corpus and row; its CPU time per page
is its own column. `--pages-file FILE` restricts a run to the pages it lists (one page file name,
id or URL a line; `#` comments), e.g. the pages of domains a model did not see in training.
With `--cache-dir`, trafilatura's and inscriptis's results are kept in `quality-results/` there
and reused (their CPU time with them), so repeated runs only redo the newsclean rows.

Rule ablation: `--without RULE,...` leaves rules of flows/stages/boilerplate_rules.py out of the
cleaner for the run, `RULE/WORD` only the alternative WORD of that rule's pattern
(`credit_roles_v2/editing`); `benchmarks/rule_ablation.py` measures every rule in one go. Every
run prints, per newsclean row, the pages where each rule removed something.

Usage: python benchmarks/quality.py [--corpus trafilatura,wcxb] [--limit N] [--jobs N]
                                    [--only ROW,...] [--model FILE ...] [--folds DIR] [--pages-file FILE]
                                    [--without RULE[/WORD],...] [--json PATH] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import devset
from devset import Page, PageRef

if TYPE_CHECKING:
    from flows.core.records import RunContext
    from flows.core.rows import ArticleRow

CORPORA = ("trafilatura", "wcxb")
TRAF_PRESETS: dict[str, dict[str, bool]] = {
    "traf-default": {},
    "traf-nocomments": {"include_comments": False},
    "traf-precision": {"favor_precision": True},
    "traf-precision-nocomments": {"favor_precision": True, "include_comments": False},
}
# The row `--folds DIR` adds: each page scored by the fold model that did not see its site.
OTHER_SITES_ROW = "newsclean-html-other-sites"
# newsclean HTML rows and the block model each runs with (`--model` adds more).
NEWSCLEAN_HTML = {
    "newsclean-html": "bundled",
    "newsclean-html-rules": "none",
    "newsclean-html-fast": "bundled",
}
# Rows run with `--fast-extraction` (trafilatura without its fallback extractors).
FAST_ROWS = ("newsclean-html-fast",)
TEXT_ROWS = ("text-baseline", "newsclean-text")
ROWS = (*TRAF_PRESETS, *NEWSCLEAN_HTML, *TEXT_ROWS)
LABELS = {
    "traf-default": "trafilatura, defaults",
    "traf-nocomments": "trafilatura, include_comments=False",
    "traf-precision": "trafilatura, favor_precision=True",
    "traf-precision-nocomments": "trafilatura, favor_precision + include_comments=False",
    "newsclean-html": "newsclean HTML, bundled block model (production)",
    "newsclean-html-rules": "newsclean HTML, block_model=none (trafilatura + rules)",
    "newsclean-html-fast": "newsclean HTML, bundled block model, --fast-extraction",
    OTHER_SITES_ROW: "newsclean HTML, block model trained without the page's site",
    "text-baseline": "whole-page text (inscriptis), do nothing",
    "newsclean-text": "whole-page text (inscriptis) + newsclean text path",
}
# Rows whose result does not depend on newsclean's code: cached across runs under --cache-dir.
CACHED_ROWS = (*TRAF_PRESETS, "text-baseline")
RESULTS_FOLDER = "quality-results"


def label_of(row: str) -> str:
    return LABELS.get(row, f"newsclean HTML, block model {row.removeprefix('model-')}")


# --- scoring --------------------------------------------------------------------------------


@dataclass
class Confusion:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, other: Confusion) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.tn += other.tn

    def scores(self) -> dict[str, float | None]:
        def ratio(num: int, den: int) -> float | None:
            return num / den if den else None

        return {
            "precision": ratio(self.tp, self.tp + self.fp),
            "recall": ratio(self.tp, self.tp + self.fn),
            "f1": ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn),
            "accuracy": ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn),
        }


def collapse_whitespace(result: str | None) -> str | None:
    """trafilatura's `trim()`: runs of white space to one space. Not applied by its
    evaluate_result; the issue's target figures match scoring after it (see docs)."""
    return None if result is None else " ".join(result.split())


def evaluate_result(result: str | None, gold: dict[str, Any]) -> Confusion:
    """trafilatura's counting, unchanged: a raw `in` test on the result text."""
    if result is None or not isinstance(result, str):
        return Confusion(fn=len(gold["with"]), tn=len(gold["without"]))
    found_with = sum(1 for snippet in gold["with"] if snippet in result)
    found_without = sum(1 for snippet in gold["without"] if snippet in result)
    return Confusion(
        tp=found_with,
        fn=len(gold["with"]) - found_with,
        fp=found_without,
        tn=len(gold["without"]) - found_without,
    )


# The WCXB benchmark's evaluate.py (CC-BY-4.0), loaded from the unpacked corpus by `load_wcxb_
# scoring` before the workers fork. Its command line wants the original repository's folders;
# its functions need nothing but the standard library.
WCXB_EVALUATE: ModuleType | None = None


def load_wcxb_scoring(root: Path) -> ModuleType:
    path = root / devset.WCXB_DIR / "evaluate.py"
    spec = importlib.util.spec_from_file_location("wcxb_evaluate", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the WCXB scoring from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_score(result: str | None, gold: dict[str, Any]) -> dict[str, Any]:
    """One page's score under its corpus's metric (WCXB gold has `main_content`)."""
    if "main_content" in gold:
        assert WCXB_EVALUATE is not None, "load_wcxb_scoring first"
        text = result or ""
        precision, recall, f1 = WCXB_EVALUATE.word_f1(text, gold["main_content"])
        return {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "with": WCXB_EVALUATE.snippet_check(text, gold["with"]),
            "without": WCXB_EVALUATE.snippet_check(text, gold["without"]),
        }
    return {
        "confusion": asdict(evaluate_result(result, gold)),
        "confusion_ws": asdict(evaluate_result(collapse_whitespace(result), gold)),
    }


# --- the systems under test -------------------------------------------------------------------


@dataclass
class Produced:
    """What a system made of one page: its text (None: nothing), and for the pipeline its article
    row (to validate) or the reason it was rejected."""

    text: str | None
    cpu: float
    article: ArticleRow | None = None
    rejected: str | None = None
    rules: tuple[str, ...] = ()


def cpu_timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    result = call()
    return result, time.process_time() - start


def run_trafilatura(page: Page, options: dict[str, bool]) -> Produced:
    import trafilatura  # in the worker: imported (and warmed up) before the fork

    # deduplicate=False: its process-wide cache would make results depend on page order.
    text, cpu = cpu_timed(lambda: trafilatura.extract(page.html, deduplicate=False, **options))
    return Produced(text, cpu)


def render_text(page: Page) -> Produced:
    """The whole visible page as text with its layout: one block per line, boilerplate too."""
    from inscriptis import get_text  # in the worker: imported before the fork

    text, cpu = cpu_timed(lambda: get_text(page.html))
    return Produced(text, cpu)


def page_document(page: Page, raw: bytes, *, text: str | None = None) -> Any:
    """The page as the pipeline's readers make it a document (or a text document of `text`).

    The article id is the page's own (a hash of its file name), so that pages with the same bytes
    do not collide in the batch validation: repeats are a whole-run step, out of scope here.
    """
    from flows.core.records import SeedMetadata, SourceDocument
    from flows.readers.documents import document_from_bytes

    seed = SeedMetadata(url=page.web_url)
    page_id = hashlib.sha256(page.file.encode("utf-8")).hexdigest()[:16]
    if text is not None:
        data = text.encode("utf-8")
        return SourceDocument(page_id, page.file, "text", "text", text, len(data), seed, page_id)
    doc = document_from_bytes(page.file, page.file, "html", raw, seed, prefer_html=True)
    return replace(doc, record_id=page_id)


def run_pipeline(doc: Any, block_model: str | None, *, fast: bool = False) -> Produced:
    from flows.core.records import Rejection
    from flows.stages.document import ExtractionSettings, ProcessSettings
    from flows.stages.process import process_document

    if isinstance(doc, Rejection):  # the reader refused the bytes
        return Produced(None, 0.0, rejected=f"read: {doc.reasons[0]}")
    extraction = ExtractionSettings(fast=fast)
    settings = ProcessSettings(
        extraction if block_model is None else replace(extraction, block_model=block_model)
    )
    result, cpu = cpu_timed(lambda: process_document(doc, CONTEXT, settings))
    outcome = result.outcome
    if isinstance(outcome, Rejection):
        return Produced(None, cpu, rejected=f"{outcome.stage}: {','.join(outcome.reasons)}")
    rules = tuple(sorted({span["rule"].split(" ")[0] for span in outcome.boilerplate}))
    return Produced(outcome.body, cpu, article=outcome, rules=rules)


# --- one page in a worker process ----------------------------------------------------------------

# Set in the parent before the pool forks; the workers read them.
SELECTED: tuple[str, ...] = ROWS
MODELS: dict[str, str] = {}  # row -> block model of the newsclean HTML rows
FOLD_MODELS: dict[str, str] = {}  # page file -> the fold model trained without its site
TIMEOUT = 60
CACHE: dict[str, dict[str, dict[str, Any]]] = {}  # row -> page file -> {"text", "cpu"}
CONTEXT: RunContext | None = None


def measure_page(ref: PageRef) -> dict[str, Any]:
    """{row: {text, cpu, problem, article, rejected, rules, score}} for one page."""
    raw = ref.path.read_bytes()
    page = Page(ref.url, ref.file, devset.decode_html(raw), ref.gold)
    out: dict[str, Any] = {}
    for row in SELECTED:
        if row in TRAF_PRESETS:
            out[row] = cached(row, page, lambda row=row: run_trafilatura(page, TRAF_PRESETS[row]))
        elif row in MODELS:
            model = FOLD_MODELS[page.file] if row == OTHER_SITES_ROW else MODELS[row]
            out[row] = measured(
                page,
                lambda m=model, f=row in FAST_ROWS: run_pipeline(
                    page_document(page, raw), m, fast=f
                ),
            )
    text_rows = [row for row in SELECTED if row in TEXT_ROWS]
    if text_rows:
        rendered = cached("text-baseline", page, lambda: render_text(page))
        for row in text_rows:
            if row == "text-baseline":
                out[row] = rendered
            elif rendered["text"] is None:
                out[row] = {**rendered, "cpu": 0.0, "score": page_score(None, page.gold)}
            else:
                doc = page_document(page, raw, text=rendered["text"])
                out[row] = measured(page, lambda doc=doc: run_pipeline(doc, None))
    return out


def cached(row: str, page: Page, call: Callable[[], Produced]) -> dict[str, Any]:
    hit = CACHE.get(row, {}).get(page.file)
    if hit is not None:
        return {**hit, "problem": None, "cached": True, "score": page_score(hit["text"], page.gold)}
    return measured(page, call)


def measured(page: Page, call: Callable[[], Produced]) -> dict[str, Any]:
    produced, seconds, problem = devset.timed_call(call, TIMEOUT)
    if produced is None:
        produced = Produced(None, seconds)  # timed out or crashed: CPU unknown, wall time taken
    return {
        "text": produced.text,
        "cpu": produced.cpu,
        "problem": problem,
        "article": produced.article,
        "rejected": produced.rejected,
        "rules": produced.rules,
        "score": page_score(produced.text, page.gold),
    }


# --- validation of a corpus's article rows in one batch --------------------------------------


def quarantined_pages(
    articles: dict[str, ArticleRow], now: datetime
) -> tuple[dict[str, list[str]], float]:
    """Page file -> the row expectations its article failed, and the CPU seconds it took."""
    from flows.dataset.parquet import articles_table
    from flows.quality.validate import frame_for_validation, validate_articles

    if not articles:
        return {}, 0.0
    page_of = {row.article_id: page for page, row in articles.items()}
    start = time.process_time()
    table = articles_table(articles.values())
    outcome = validate_articles(frame_for_validation(table), now=now)
    seconds = time.process_time() - start
    ids = table.column("article_id").to_pylist()
    return {page_of[ids[i]]: reasons for i, reasons in outcome.row_failures.items()}, seconds


# --- rule ablation (--without) -------------------------------------------------------------------

# Phrases the bundled samples (data/sample/) taught the rules: (label, the rule that removes them,
# how the phrase reads in a span that rule removed). The usage table says where each fires.
SAMPLE_PHRASES: tuple[tuple[str, str, str], ...] = (
    ('"Reporting by" credit role', "credit_roles_v2", r"^\W*reporting by"),
    ('"Written by" / "Writing by"', "credit_roles_v2", r"^\W*writ(?:ten|ing) by"),
    ('"Editing by"', "credit_roles_v2", r"^\W*edit(?:ing|ed) by"),
    ('"See also"', "see_also_v1", r"^\W*see also"),
    ('"Leave a Reply"', "comment_reply_prompt_v1", r"^\W*leave a reply"),
    ('"Author" label', "author_label_v1", r"^\W*author\W*$"),
    ("lone name line after credits", "name_line_v1", r"."),
)


def without_alternative(source: str, word: str) -> str:
    """A pattern's source with one alternative of its alternations taken out."""
    stripped = source.replace(f"{word}|", "").replace(f"|{word}", "")
    if stripped == source:
        raise ValueError(f"no alternative {word!r} in {source[:80]!r}")
    return stripped


def apply_ablation(items: tuple[str, ...]) -> None:
    """Take rules (`RULE`) or alternatives of rules (`RULE/WORD`) out of the cleaner.

    Done in the parent before the workers fork; the cleaner reads its rule tuples from its
    module globals, so both modules get the new tuples.
    """
    from flows.stages import boilerplate_rules as rules
    from flows.stages import clean

    table = list(rules.RULES)
    for item in items:
        name, _, word = item.partition("/")
        index = next((i for i, rule in enumerate(table) if rule.name == name), None)
        if index is None:
            raise SystemExit(f"--without: no rule named {name!r}")
        rule = table[index]
        if word:
            source = without_alternative(rule.pattern.pattern, word)
            table[index] = replace(rule, pattern=re.compile(source, rule.pattern.flags))
        else:
            del table[index]
    rules.RULES = tuple(table)
    for attribute, where in (
        ("LINE_RULES", rules.Where.ANYWHERE),
        ("TAIL_RULES", rules.Where.TAIL),
        ("DATELINE_RULES", rules.Where.PREFIX),
    ):
        chosen = tuple(rule for rule in table if rule.where is where)
        setattr(rules, attribute, chosen)
        setattr(clean, attribute, chosen)


# --- totals and the tables -------------------------------------------------------------------


@dataclass
class RowTotal:
    pages: int = 0
    empty: int = 0
    rejected: int = 0
    quarantined: int = 0
    timeouts: int = 0
    errors: int = 0
    cached: int = 0
    cpu: float = 0.0
    validation_cpu: float = 0.0
    # trafilatura set: snippet confusion (plain, and white space collapsed).
    confusion: Confusion = field(default_factory=Confusion)
    confusion_ws: Confusion = field(default_factory=Confusion)
    # WCXB: sums of per-page word P/R/F1 and snippet rates.
    sums: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)
    rule_pages: Counter[str] = field(default_factory=Counter)
    phrase_pages: Counter[str] = field(default_factory=Counter)
    # Per page (file name): its score, to compare runs page by page.
    page_scores: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, ref: PageRef, result: dict[str, Any] | None, reasons: list[str] | None) -> None:
        self.pages += 1
        if result is None:  # lost to a hung worker: scored like a page without a result
            result = {"text": None, "cpu": 0.0, "problem": "timeout (worker lost)"}
            result["score"] = page_score(None, ref.gold)
        score = result["score"]
        if reasons:  # quarantined by validation: the user gets nothing
            self.quarantined += 1
            self.reasons.update(f"validation: {reason}" for reason in reasons)
            score = page_score(None, ref.gold)
        elif result.get("rejected"):
            self.rejected += 1
            self.reasons[result["rejected"]] += 1
        self.page_scores[ref.file] = score
        if "confusion" in score:
            self.confusion.add(Confusion(**score["confusion"]))
            self.confusion_ws.add(Confusion(**score["confusion_ws"]))
        else:
            self.sums.update(score)
        self.cpu += result["cpu"]
        self.cached += int(bool(result.get("cached")))
        self.empty += int(bool(reasons) or not result["text"])
        problem = result["problem"]
        if problem and "timeout" in problem:
            self.timeouts += 1
        elif problem:
            self.errors += 1
            if len(self.first_errors) < 5:
                self.first_errors.append(f"{ref.file}: {problem}")
        self.count_rules(ref, result.get("rules", ()), result.get("article"))

    def count_rules(self, ref: PageRef, rules: tuple[str, ...], article: Any) -> None:
        self.rule_pages.update(rules)
        if article is None:
            return
        spans = article.boilerplate
        for label, rule, phrase in SAMPLE_PHRASES:
            texts = (span["text"] for span in spans if span["rule"] == rule)
            if any(re.search(phrase, text, re.IGNORECASE) for text in texts):
                self.phrase_pages[label] += 1

    def means(self) -> dict[str, float | None]:
        keys = ("precision", "recall", "f1", "with", "without")
        return {key: self.sums[key] / self.pages if self.pages else None for key in keys}

    def ms_per_page(self) -> float:
        return 1000 * self.cpu / self.pages if self.pages else 0.0

    def validation_ms(self) -> float:
        return 1000 * self.validation_cpu / self.pages if self.pages else 0.0


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def outcome_cells(total: RowTotal) -> str:
    return (
        f"{total.pages} | {total.empty} | {total.rejected} | {total.quarantined} "
        f"| {total.timeouts + total.errors} | {total.ms_per_page():.1f} | {total.validation_ms():.1f}"
    )


OUTCOME_HEADER = (
    "pages | empty | rejected | quarantined | timeouts+errors | ms/page | valid. ms/page"
)


def snippet_table(totals: dict[str, RowTotal], unavailable: dict[str, str]) -> str:
    lines = [
        f"| row | P | R | F1 | accuracy | F1 (ws collapsed) | {OUTCOME_HEADER} |",
        "|---|" + "---:|" * 12,
    ]
    for row, total in totals.items():
        s = total.confusion.scores()
        ws = total.confusion_ws.scores()
        lines.append(
            f"| {label_of(row)} | {fmt(s['precision'])} | {fmt(s['recall'])} | {fmt(s['f1'])} "
            f"| {fmt(s['accuracy'])} | {fmt(ws['f1'])} | {outcome_cells(total)} |"
        )
    lines += [f"| {label_of(row)} | not available ({why}) |" for row, why in unavailable.items()]
    return "\n".join(lines)


def word_table(totals: dict[str, RowTotal], unavailable: dict[str, str]) -> str:
    lines = [
        f"| row | P | R | F1 | with | without | {OUTCOME_HEADER} |",
        "|---|" + "---:|" * 12,
    ]
    for row, total in totals.items():
        m = total.means()
        lines.append(
            f"| {label_of(row)} | {fmt(m['precision'])} | {fmt(m['recall'])} | {fmt(m['f1'])} "
            f"| {fmt(m['with'])} | {fmt(m['without'])} | {outcome_cells(total)} |"
        )
    lines += [f"| {label_of(row)} | not available ({why}) |" for row, why in unavailable.items()]
    return "\n".join(lines)


def usage_table(totals: dict[str, RowTotal]) -> str:
    """Pages where each rule, and each sample phrase, removed something (newsclean rows)."""
    rows = [row for row in totals if row in MODELS or row == "newsclean-text"]
    if not rows:
        return ""
    names = sorted(set().union(*(totals[row].rule_pages for row in rows)))
    lines = ["| rule or sample phrase | " + " | ".join(rows) + " |", "|---|" + "---:|" * len(rows)]
    for name in names:
        lines.append(
            f"| {name} | " + " | ".join(str(totals[r].rule_pages[name]) for r in rows) + " |"
        )
    for label, rule_name, _ in SAMPLE_PHRASES:
        counts = " | ".join(str(totals[row].phrase_pages[label]) for row in rows)
        lines.append(f"| {label} ({rule_name}) | {counts} |")
    return "Pages where a rule or a sample phrase removed something:\n\n" + "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    devset.add_common_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument(
        "--corpus",
        default=",".join(CORPORA),
        help="comma-separated development sets (default: trafilatura,wcxb)",
    )
    parser.add_argument(
        "--only", default=None, help=f"comma-separated rows to run, of: {','.join(ROWS)}, model-*"
    )
    parser.add_argument(
        "--model",
        action="append",
        type=Path,
        default=[],
        help="a block model file: adds the row model-<file stem> (repeatable)",
    )
    parser.add_argument(
        "--folds",
        type=Path,
        default=None,
        help="a folder of fold-K.json models and fold-K.pages lists (benchmarks/train_blocks.py "
        "--save-folds): adds the row newsclean-html-other-sites, each page scored by the model "
        "trained without its site",
    )
    parser.add_argument(
        "--pages-file",
        type=Path,
        default=None,
        help="only the pages this file lists: a page file name, id or URL a line",
    )
    parser.add_argument(
        "--without",
        default="",
        help="comma-separated rules (RULE) or rule alternatives (RULE/WORD) the cleaner runs "
        "without, for ablation",
    )
    args = parser.parse_args(argv)
    args.corpora = tuple(c.strip() for c in args.corpus.split(",") if c.strip())
    if not args.corpora or any(c not in CORPORA for c in args.corpora):
        parser.error(f"--corpus: choose from {', '.join(CORPORA)}")
    args.ablation = tuple(item.strip() for item in args.without.split(",") if item.strip())
    args.models = dict(NEWSCLEAN_HTML)
    for path in args.model:
        if not path.is_file():
            parser.error(f"--model: no file {path}")
        args.models[f"model-{path.stem}"] = str(path.resolve())
    args.fold_models = read_folds(args.folds) if args.folds else {}
    if args.folds:
        if not args.fold_models:
            parser.error(f"--folds: no fold-K.json and fold-K.pages in {args.folds}")
        args.models[OTHER_SITES_ROW] = "folds"
    every = (*ROWS, *(row for row in args.models if row not in ROWS))
    args.rows = every if args.only is None else tuple(r.strip() for r in args.only.split(","))
    unknown = [row for row in args.rows if row not in every]
    if unknown:
        parser.error(f"unknown rows {unknown}; choose from {', '.join(every)}")
    return args


def read_folds(folder: Path) -> dict[str, dict[str, str]]:
    """corpus -> page file -> the model of the fold that held the page out."""
    found: dict[str, dict[str, str]] = {}
    for pages in sorted(folder.glob("fold-*.pages")):
        model = pages.with_suffix(".json")
        if not model.is_file():
            continue
        for line in pages.read_text("utf-8").splitlines():
            corpus, _, page = line.partition("\t")
            if page:
                found.setdefault(corpus, {})[page] = str(model.resolve())
    return found


def read_pages_file(path: Path) -> set[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return {line for line in lines if line}


def restrict(refs: list[PageRef], wanted: set[str] | None) -> list[PageRef]:
    """The pages named in `wanted` by file name, file stem or URL."""
    if wanted is None:
        return refs
    return [ref for ref in refs if {ref.file, ref.path.stem, ref.url} & wanted]


def main(argv: list[str] | None = None) -> int:
    global SELECTED, TIMEOUT, MODELS, CONTEXT
    args = parse_args(argv)
    info = devset.machine_info()
    devset.print_header("newsclean extraction quality (each corpus's own scoring)", info)
    pipeline_rows = [row for row in args.rows if row in args.models or row == "newsclean-text"]
    why = devset.import_problem(
        "flows.stages.process", "flows.quality.validate", "flows.readers.documents"
    )
    unavailable = {row: why for row in pipeline_rows if why}
    SELECTED = tuple(row for row in args.rows if row not in unavailable)
    MODELS = {row: model for row, model in args.models.items() if row in SELECTED}
    TIMEOUT = args.timeout
    wanted = read_pages_file(args.pages_file) if args.pages_file else None
    warm_up()
    if args.ablation and not why:
        apply_ablation(args.ablation)
    figures: dict[str, Any] = {}
    for corpus in args.corpora:
        archive = devset.corpus_archive(args, corpus)
        try:
            with devset.unpacked(archive, devset.cache_dir_of(corpus, args.cache_dir)) as root:
                refs = restrict(devset.page_refs(root, None), wanted)[: args.limit]
                figures[corpus] = measure_corpus(corpus, root, refs, args, unavailable)
        except devset.DevsetMissing:
            print(devset.missing_message(archive))
    if args.json:
        devset.save_json(
            args.json,
            {
                "machine": info,
                "jobs": args.jobs,
                "without": list(args.ablation),
                "models": args.models,
                "pages_file": str(args.pages_file) if args.pages_file else None,
                "not_available": unavailable,
                "corpora": figures,
            },
        )
    return 0


_WARM_UP_PARAGRAPH = (
    "<p>The council voted on Tuesday to extend the night bus service to the outer districts, "
    "after a year in which passenger numbers grew faster than the city had planned for. The "
    "transport office said the new routes would start in the spring and cost less than the "
    "taxis the districts now pay for.</p>"
)
WARM_UP_PAGE = (
    "<html><head><title>Night buses for the outer districts</title></head><body><nav>Home | "
    "News | Sport</nav><article><h1>Night buses for the outer districts</h1>"
    + _WARM_UP_PARAGRAPH * 4
    + "</article><footer>Leave a Reply</footer></body></html>"
)


def warm_up() -> None:
    """Import and first-call the libraries before the workers fork: no row pays for that."""
    global CONTEXT
    import inscriptis
    import trafilatura

    trafilatura.extract("<html><body><p>warm up</p></body></html>")
    inscriptis.get_text("<p>warm up</p>")
    if MODELS or "newsclean-text" in SELECTED:
        from flows import __version__
        from flows.core.records import RunContext, SourceDocument
        from flows.quality.validate import load_suites
        from flows.stages.document import ExtractionSettings, ProcessSettings
        from flows.stages.process import process_document

        CONTEXT = RunContext("quality-bench", datetime.now(UTC), __version__)
        load_suites()
        # A whole article through every stage: each block model, the language detector and the
        # line model load here, once, not in every worker's first page.
        html = WARM_UP_PAGE
        doc = SourceDocument("warm", "warm", "html", "html", html, len(html))
        for model in MODELS.values():
            if model == "folds":
                continue  # each page loads its fold's model
            process_document(doc, CONTEXT, ProcessSettings(ExtractionSettings(block_model=model)))
        text = inscriptis.get_text(html)
        process_document(replace(doc, content_kind="text", content=text), CONTEXT)


def measure_corpus(
    corpus: str,
    root: Path,
    refs: list[PageRef],
    args: argparse.Namespace,
    unavailable: dict[str, str],
) -> dict[str, Any]:
    global WCXB_EVALUATE, CACHE, FOLD_MODELS
    FOLD_MODELS = args.fold_models.get(corpus, {})
    if OTHER_SITES_ROW in SELECTED:
        refs = [ref for ref in refs if ref.file in FOLD_MODELS]
    if corpus == "wcxb":
        WCXB_EVALUATE = load_wcxb_scoring(root)
    cache_file = results_cache_file(args.cache_dir, corpus)
    CACHE = load_cache(cache_file)
    results, wall = run_all(refs, args)
    totals = score_all(refs, results)
    save_cache(cache_file, refs, results)
    print(f"## {corpus}: {len(refs)} pages")
    print()
    if args.ablation:
        print(f"Cleaner rules left out: {', '.join(args.ablation)}")
        print()
    if corpus == "wcxb":
        print(
            "Word-level P/R/F1 and snippet rates, means over pages (the benchmark's evaluate.py):"
        )
        print()
        print(word_table(totals, unavailable))
    else:
        print("Snippets (trafilatura's evaluate_result), totals over pages:")
        print()
        print(snippet_table(totals, unavailable))
    print()
    print(
        f"{len(refs)} pages, {args.jobs} worker processes, {wall:.1f} s wall clock; ms/page is "
        f"CPU time of the system under test; per-call limit {args.timeout} s."
    )
    for row, total in totals.items():
        if total.cached:
            print(f"{row}: {total.cached} pages from the results cache")
        if total.reasons:
            reasons = ", ".join(f"{k} {v}" for k, v in total.reasons.most_common())
            print(f"{row}: pages lost: {reasons}")
        for line in total.first_errors:
            print(f"error in {row}: {line}")
    print()
    print(usage_table(totals))
    print()
    return {
        "pages": len(refs),
        "wall_seconds": wall,
        "rows": {row: row_figures(row, total) for row, total in totals.items()},
    }


def run_all(
    refs: list[PageRef], args: argparse.Namespace
) -> tuple[list[dict[str, Any] | None], float]:
    start = time.perf_counter()
    results: list[dict[str, Any] | None] = []
    # Every row of a page could hit the limit: wait that long (plus slack) before giving up.
    backstop = (len(SELECTED) + 1) * args.timeout + 60
    for done, (_, result) in enumerate(
        devset.run_pages(measure_page, refs, args.jobs, backstop), 1
    ):
        results.append(result)
        if done % 100 == 0:
            print(f"  {done}/{len(refs)} pages", file=sys.stderr, flush=True)
    return results, time.perf_counter() - start


def score_all(refs: list[PageRef], results: list[dict[str, Any] | None]) -> dict[str, RowTotal]:
    totals = {row: RowTotal() for row in SELECTED}
    for row, total in totals.items():
        articles = {
            ref.file: result[row]["article"]
            for ref, result in zip(refs, results, strict=True)
            if result is not None and result[row].get("article") is not None
        }
        now = CONTEXT.started_at if CONTEXT is not None else datetime.now(UTC)
        failures, total.validation_cpu = quarantined_pages(articles, now)
        for ref, result in zip(refs, results, strict=True):
            total.add(ref, None if result is None else result[row], failures.get(ref.file))
    return totals


def row_figures(row: str, total: RowTotal) -> dict[str, Any]:
    scores: dict[str, Any]
    if total.sums:
        scores = total.means()
    else:
        scores = {
            **total.confusion.scores(),
            **asdict(total.confusion),
            "collapsed_whitespace": {**total.confusion_ws.scores(), **asdict(total.confusion_ws)},
        }
    return {
        "label": label_of(row),
        **scores,
        "pages": total.pages,
        "empty": total.empty,
        "rejected": total.rejected,
        "quarantined": total.quarantined,
        "reasons": dict(total.reasons),
        "timeouts": total.timeouts,
        "errors": total.errors,
        "ms_per_page": total.ms_per_page(),
        "validation_ms_per_page": total.validation_ms(),
        "first_errors": total.first_errors,
        "rule_pages": dict(total.rule_pages),
        "phrase_pages": dict(total.phrase_pages),
        "page_scores": total.page_scores,
    }


# --- the results cache of the rows that do not depend on newsclean ------------------------------


def results_cache_file(cache_dir: Path | None, corpus: str) -> Path | None:
    if cache_dir is None:
        return None
    versions = f"trafilatura-{devset.package_version('trafilatura')}"
    versions += f"-inscriptis-{devset.package_version('inscriptis')}"
    return cache_dir / RESULTS_FOLDER / f"{corpus}-{versions}.json"


def load_cache(path: Path | None) -> dict[str, dict[str, dict[str, Any]]]:
    if path is None or not path.is_file():
        return {}
    loaded: dict[str, dict[str, dict[str, Any]]] = json.loads(path.read_text("utf-8"))
    return loaded


def save_cache(
    path: Path | None, refs: list[PageRef], results: list[dict[str, Any] | None]
) -> None:
    if path is None:
        return
    updated = False
    for ref, result in zip(refs, results, strict=True):
        for row in CACHED_ROWS:
            if result is None or row not in result or result[row].get("cached"):
                continue
            if result[row]["problem"] is None:  # a timeout is not a result to keep
                CACHE.setdefault(row, {})[ref.file] = {
                    "text": result[row]["text"],
                    "cpu": result[row]["cpu"],
                }
                updated = True
    if updated:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(CACHE, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
