"""Main-text extraction quality on the development set, scored as trafilatura scores itself.

Scoring follows `evaluate_result` in trafilatura's `tests/comparison.py` / `tests/evaluate.py`:
per page, each `with` snippet found in the result (plain substring test, no normalization of
either side) is a true positive, else a false negative; each `without` snippet found is a false
positive, else a true negative; a page without a result counts all `with` as false negatives
and all `without` as true negatives. Precision, recall, accuracy and F1 come from the totals.

Rows:
  traf-default     trafilatura.extract(html, deduplicate=False): the library's defaults
  traf-precision   the same with favor_precision=True
  traf-nocomments  the same with include_comments=False
  newsclean-html   flows.stages.extract.extract_html, then flows.stages.clean.clean_text(content_kind="html")
  text-baseline    the page's whole visible text (inscriptis), kept as it is
  newsclean-text   that text through flows.stages.clean.clean_text(content_kind="text")

Rule ablation (the newsclean rows): `--without RULE,...` leaves rules of
flows/stages/boilerplate_rules.py out of the cleaner for the run, and `RULE/WORD` takes only the
alternative WORD out of that rule's pattern ("credit_roles_v2/editing"). Every run also prints,
per rule, the pages where it removed something, and per phrase the bundled samples taught the
rules (SAMPLE_PHRASES), the pages where a span of that rule printed the phrase.

`--corpus wcxb` measures on the WCXB development articles instead (CC-BY-4.0,
github.com/Murrough-Foley/web-content-extraction-benchmark): the same scoring on its `with` and
`without` snippets.

Usage: python benchmarks/quality.py [--corpus NAME] [--limit N] [--jobs N] [--only ROW,...]
                                    [--without RULE[/WORD],...] [--json PATH]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import devset
from devset import Page, PageRef

if TYPE_CHECKING:
    from flows.core.records import CleanedText

HTML_ROWS = ("traf-default", "traf-precision", "traf-nocomments", "newsclean-html")
TEXT_ROWS = ("text-baseline", "newsclean-text")
ROWS = HTML_ROWS + TEXT_ROWS
NEWSCLEAN_ROWS = ("newsclean-html", "newsclean-text")
LABELS = {
    "traf-default": "(a) trafilatura, default settings",
    "traf-precision": "(b) trafilatura, favor_precision=True",
    "traf-nocomments": "(c) trafilatura, include_comments=False",
    "newsclean-html": "(d) newsclean, HTML path (extract_html + clean_text)",
    "text-baseline": "(e) whole-page text (inscriptis), do nothing",
    "newsclean-text": "(e) whole-page text (inscriptis) + newsclean clean_text",
}


# --- scoring (trafilatura's evaluate_result and calculate_scores) ------------------------------


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


# --- the systems under test -------------------------------------------------------------------


def run_trafilatura(page: Page, **options: Any) -> str | None:
    import trafilatura

    # deduplicate=False: its process-wide cache would make results depend on page order.
    return trafilatura.extract(page.html, deduplicate=False, **options)


def run_newsclean_html(page: Page) -> CleanedText | None:
    from flows.core.records import SeedMetadata
    from flows.stages.clean import clean_text
    from flows.stages.extract import ExtractionError, ExtractionSettings, extract_html

    try:
        # Production settings and seed, as flows.stages.process would run the page.
        extracted = extract_html(page.html, SeedMetadata(url=page.web_url), ExtractionSettings())
    except ExtractionError:
        return None  # the pipeline rejects the page: nothing extracted
    # As flows.stages.process calls it: the page's own title lets a repeated headline line go.
    return clean_text(extracted.text, content_kind="html", title=extracted.seed.title)


def render_text(page: Page) -> str:
    """The whole visible page as text with its layout: one block per line, boilerplate too."""
    from inscriptis import get_text

    return get_text(page.html)


def run_newsclean_text(text: str) -> CleanedText:
    from flows.stages.clean import clean_text

    return clean_text(text, content_kind="text")


HTML_RUNNERS: dict[str, Callable[[Page], CleanedText | str | None]] = {
    "traf-default": run_trafilatura,
    "traf-precision": lambda page: run_trafilatura(page, favor_precision=True),
    "traf-nocomments": lambda page: run_trafilatura(page, include_comments=False),
    "newsclean-html": run_newsclean_html,
}
TEXT_RUNNERS: dict[str, Callable[[str], CleanedText | str | None]] = {
    "text-baseline": lambda text: text,
    "newsclean-text": run_newsclean_text,
}


# --- one page in a worker process ----------------------------------------------------------------

# Set in the parent before the pool forks; the workers read them.
SELECTED: tuple[str, ...] = ROWS
TIMEOUT = 60


def measure_page(ref: PageRef) -> dict[str, Any]:
    """{row: {confusion, seconds, problem, empty}} for one page."""
    page = ref.load()
    out: dict[str, Any] = {}
    for row in SELECTED:
        if row in HTML_RUNNERS:
            out[row] = measured(page, lambda run=HTML_RUNNERS[row]: run(page))
    text_rows = [row for row in SELECTED if row in TEXT_RUNNERS]
    if not text_rows:
        return out
    # Rendering is the input of both text rows; its time is the baseline row's time.
    text, seconds, problem = devset.timed_call(lambda: render_text(page), TIMEOUT)
    for row in text_rows:
        if problem is not None:
            out[row] = outcome(page, None, seconds, f"render {problem}")
        elif row == "text-baseline":
            out[row] = outcome(page, text, seconds, None)
        else:
            out[row] = measured(page, lambda run=TEXT_RUNNERS[row]: run(text))
    return out


def measured(page: Page, call: Callable[[], CleanedText | str | None]) -> dict[str, Any]:
    result, seconds, problem = devset.timed_call(call, TIMEOUT)
    if result is None or isinstance(result, str):
        return outcome(page, result, seconds, problem)
    # The cleaner's output: score its body, and say which rules removed what.
    return outcome(page, result.body, seconds, problem, rule_spans(result))


def rule_spans(cleaned: CleanedText) -> dict[str, list[str]]:
    """Rule name -> the texts it removed on this page (each cut to 300 characters)."""
    spans: dict[str, list[str]] = {}
    for span in cleaned.removed:
        spans.setdefault(span.rule, []).append(span.text[:300])
    return spans


def outcome(
    page: Page,
    result: str | None,
    seconds: float,
    problem: str | None,
    spans: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "confusion": asdict(evaluate_result(result, page.gold)),
        "confusion_ws": asdict(evaluate_result(collapse_whitespace(result), page.gold)),
        "seconds": seconds,
        "problem": problem,
        "empty": not result,
        "spans": spans or {},
    }


# --- rule ablation -------------------------------------------------------------------------------

# Phrases the bundled samples (data/sample/) taught the rules: (label, the rule that removes them,
# how the phrase reads in a span that rule removed). Each is kept only where the development sets
# show that it pays; the counts say where it fires.
SAMPLE_PHRASES: tuple[tuple[str, str, str], ...] = (
    ('"Coverage by" credit role', "credit_roles_v2", r"^\W*coverage by"),
    ('"Reporting by" credit role', "credit_roles_v2", r"^\W*reporting by"),
    ('"Written by" / "Writing by"', "credit_roles_v2", r"^\W*writ(?:ten|ing) by"),
    ('"Editing by"', "credit_roles_v2", r"^\W*edit(?:ing|ed) by"),
    ('"Additional reporting by"', "credit_roles_v2", r"^\W*additional reporting by"),
    ('"... contributed to this report"', "contributed_v1", r"contributed to this report"),
    ('"Our standards: ... Trust Principles"', "trust_standards_v1", r"."),
    ('"See also"', "see_also_v1", r"^\W*see also"),
    ('"Leave a Reply"', "comment_reply_prompt_v1", r"^\W*leave a reply"),
    (
        '"Your email address will not be published"',
        "comment_reply_prompt_v1",
        r"your email address will not be published",
    ),
    ('"Required fields are marked"', "comment_reply_prompt_v1", r"required fields are marked"),
    ('"date 2023-06-18" line', "date_only_line_v1", r"^date\b"),
    ('"Author" label', "author_label_v1", r"^\W*author\W*$"),
    ('"X is a ... correspondent" bio', "bio_sentence_v1", r"."),
    ("lone name line after credits", "name_line_v1", r"."),
    ('"REUTERS/Name/Pool" caption', "caption_agency_slash_v1", r"reuters\s*/"),
    ('"BEIJING (Reuters) -" dateline', "dateline_agency_v1", r"\((?:reuters|ap)\)"),
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


# --- totals and the table --------------------------------------------------------------------


@dataclass
class RowTotal:
    confusion: Confusion = field(default_factory=Confusion)
    # The same results scored after collapse_whitespace.
    confusion_ws: Confusion = field(default_factory=Confusion)
    pages: int = 0
    empty: int = 0
    timeouts: int = 0
    errors: int = 0
    seconds: float = 0.0
    first_errors: list[str] = field(default_factory=list)
    # Pages where each rule removed something, and where each sample phrase was removed.
    rule_pages: Counter[str] = field(default_factory=Counter)
    phrase_pages: Counter[str] = field(default_factory=Counter)
    phrase_files: dict[str, list[str]] = field(default_factory=dict)
    # Per page (file name): its confusion, to compare runs page by page (ablations).
    page_confusions: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, ref: PageRef, result: dict[str, Any] | None) -> None:
        self.pages += 1
        if result is None:  # lost to a hung worker: scored like a page without a result
            self.confusion.add(evaluate_result(None, ref.gold))
            self.confusion_ws.add(evaluate_result(None, ref.gold))
            self.timeouts += 1
            self.empty += 1
            return
        self.confusion.add(Confusion(**result["confusion"]))
        self.confusion_ws.add(Confusion(**result["confusion_ws"]))
        self.page_confusions[ref.file] = result["confusion"]
        self.count_rules(ref, result["spans"])
        self.seconds += result["seconds"]
        self.empty += int(result["empty"])
        problem = result["problem"]
        if problem and "timeout" in problem:
            self.timeouts += 1
        elif problem:
            self.errors += 1
            if len(self.first_errors) < 5:
                self.first_errors.append(f"{ref.file}: {problem}")

    def count_rules(self, ref: PageRef, spans: dict[str, list[str]]) -> None:
        self.rule_pages.update(spans.keys())
        for label, rule, phrase in SAMPLE_PHRASES:
            if any(re.search(phrase, text, re.IGNORECASE) for text in spans.get(rule, [])):
                self.phrase_pages[label] += 1
                self.phrase_files.setdefault(label, []).append(ref.file)


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def table(
    totals: dict[str, RowTotal], unavailable: dict[str, str], *, collapsed: bool = False
) -> str:
    lines = [
        "| row | precision | recall | F1 | accuracy | pages | empty | timeouts | errors | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row, total in totals.items():
        s = (total.confusion_ws if collapsed else total.confusion).scores()
        lines.append(
            f"| {LABELS[row]} | {fmt(s['precision'])} | {fmt(s['recall'])} | {fmt(s['f1'])} "
            f"| {fmt(s['accuracy'])} | {total.pages} | {total.empty} | {total.timeouts} "
            f"| {total.errors} | {total.seconds:.1f} |"
        )
    for row, why in unavailable.items():
        lines.append(f"| {LABELS[row]} | not available ({why}) | | | | | | | | |")
    return "\n".join(lines)


def usage_table(totals: dict[str, RowTotal]) -> str:
    """Pages where each rule, and each sample phrase, removed something (newsclean rows)."""
    rows = [row for row in totals if row in NEWSCLEAN_ROWS]
    if not rows:
        return ""
    from flows.stages.boilerplate_rules import RULES

    header = "| rule or sample phrase | " + " | ".join(rows) + " |"
    lines = [header, "|---|" + "---:|" * len(rows)]
    for rule in RULES:
        counts = " | ".join(str(totals[row].rule_pages[rule.name]) for row in rows)
        lines.append(f"| {rule.name} | {counts} |")
    for label, rule_name, _ in SAMPLE_PHRASES:
        counts = " | ".join(str(totals[row].phrase_pages[label]) for row in rows)
        lines.append(f"| {label} ({rule_name}) | {counts} |")
    return "Pages where a rule or a sample phrase removed something:\n\n" + "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_common_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument(
        "--corpus",
        choices=("trafilatura", "wcxb"),
        default="trafilatura",
        help="the development set (default: trafilatura)",
    )
    parser.add_argument(
        "--only", default=None, help=f"comma-separated rows to run, of: {','.join(ROWS)}"
    )
    parser.add_argument(
        "--without",
        default="",
        help="comma-separated rules (RULE) or rule alternatives (RULE/WORD) the cleaner runs "
        "without, for ablation",
    )
    args = parser.parse_args(argv)
    args.ablation = tuple(item.strip() for item in args.without.split(",") if item.strip())
    args.rows = tuple(ROWS if args.only is None else (r.strip() for r in args.only.split(",")))
    unknown = [row for row in args.rows if row not in ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; choose from {', '.join(ROWS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    global SELECTED, TIMEOUT
    args = parse_args(argv)
    info = devset.machine_info()
    devset.print_header("newsclean extraction quality (trafilatura's scoring)", info)
    why = devset.import_problem("flows.stages.clean")
    unavailable = {row: why for row in args.rows if row in NEWSCLEAN_ROWS and why}
    SELECTED = tuple(row for row in args.rows if row not in unavailable)
    TIMEOUT = args.timeout
    warm_up()
    if args.ablation and not why:
        apply_ablation(args.ablation)
    archive = devset.corpus_archive(args, args.corpus)
    try:
        with devset.unpacked(archive, devset.cache_dir_of(args.corpus, args.cache_dir)) as root:
            refs = devset.page_refs(root, args.limit)
            totals, wall = measure_all(refs, args)
    except devset.DevsetMissing:
        print(devset.missing_message(archive))
        return 0
    report(args, info, totals, unavailable, wall, len(refs))
    return 0


def warm_up() -> None:
    """Import and first-call the libraries before the workers fork: no row pays for that."""
    import inscriptis
    import trafilatura

    trafilatura.extract("<html><body><p>warm up</p></body></html>")
    inscriptis.get_text("<p>warm up</p>")
    if any(row in NEWSCLEAN_ROWS for row in SELECTED):
        import flows.stages.clean
        import flows.stages.extract  # noqa: F401


def measure_all(refs: list[PageRef], args: argparse.Namespace) -> tuple[dict[str, RowTotal], float]:
    totals = {row: RowTotal() for row in SELECTED}
    start = time.perf_counter()
    # Every row of a page could hit the limit: wait that long (plus slack) before giving up.
    backstop = (len(SELECTED) + 1) * args.timeout + 60
    for done, (ref, result) in enumerate(
        devset.run_pages(measure_page, refs, args.jobs, backstop), 1
    ):
        for row, total in totals.items():
            total.add(ref, None if result is None else result[row])
        if done % 100 == 0:
            print(f"  {done}/{len(refs)} pages", file=sys.stderr, flush=True)
    return totals, time.perf_counter() - start


def report(
    args: argparse.Namespace,
    info: dict[str, Any],
    totals: dict[str, RowTotal],
    unavailable: dict[str, str],
    wall: float,
    pages: int,
) -> None:
    print(f"Corpus: {args.corpus}; cleaner rules left out: {', '.join(args.ablation) or 'none'}")
    print()
    print(table(totals, unavailable))
    print()
    print("The same results, white space in the result collapsed before the substring test:")
    print()
    print(table(totals, unavailable, collapsed=True))
    print()
    print(
        f"{pages} pages, {args.jobs} worker processes, {wall:.1f} s wall clock; 'seconds' is "
        f"the sum of per-page times of that row; per-call limit {args.timeout} s."
    )
    for row, total in totals.items():
        for line in total.first_errors:
            print(f"error in {row}: {line}")
    print()
    print(usage_table(totals))
    if args.json:
        devset.save_json(
            args.json,
            {
                "machine": info,
                "pages": pages,
                "jobs": args.jobs,
                "wall_seconds": wall,
                "rows": {
                    row: {
                        "label": LABELS[row],
                        **total.confusion.scores(),
                        **asdict(total.confusion),
                        "collapsed_whitespace": {
                            **total.confusion_ws.scores(),
                            **asdict(total.confusion_ws),
                        },
                        "pages": total.pages,
                        "empty": total.empty,
                        "timeouts": total.timeouts,
                        "errors": total.errors,
                        "seconds": total.seconds,
                        "first_errors": total.first_errors,
                        "rule_pages": dict(total.rule_pages),
                        "phrase_pages": dict(total.phrase_pages),
                        "phrase_files": total.phrase_files,
                        "page_confusions": total.page_confusions,
                    }
                    for row, total in totals.items()
                },
                "corpus": args.corpus,
                "without": list(args.ablation),
                "not_available": unavailable,
            },
        )


if __name__ == "__main__":
    sys.exit(main())
