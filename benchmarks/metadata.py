"""Title, author and date accuracy against the development sets' gold, beside trafilatura's own.

Both systems get the same page and its URL in the same run:
  trafilatura  trafilatura.bare_extraction(html, url=url, with_metadata=True): title, author, date
  newsclean    flows.stages.process.process_document on an HTML SourceDocument: the article row's
               title, authors (joined with "; ") and published_at (its UTC date)

A field is scored only on pages whose gold value is not empty (the denominators are printed).
Exact match: after normalizing Unicode (NFC), quotes (curly and low quotes to ' and ") and
white space; dates as YYYY-MM-DD. Lenient author score: the same set of names after casefolding,
stripping accents and splitting on ";", ",", "&", " and ", " und ".

Co-author recall: on the pages whose gold names two or more people, the share of those gold names
found among the system's authors (compared as lower-case letters without accents or
punctuation). The gold's people are its pieces (split on ";", ",", "&", "/", " and ", " und ") that
look like a person's name: 2-5 words, capitalised but for name particles, no digits; credentials
("PhD", "M.D. FACLM"), roles ("Shipping Expert"), places and outlets ("London", "NDR") are left
out. The exact-match columns score how a whole author list is printed; this one asks whether any
co-author was lost.

Both development sets by default (`--corpus trafilatura,wcxb`): trafilatura's evaluation set and
the WCXB development articles (CC-BY-4.0, github.com/Murrough-Foley/web-content-extraction-benchmark);
one table each.

Usage: python benchmarks/metadata.py [--corpus NAMES] [--limit N] [--jobs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import devset
from devset import Page, PageRef

SYSTEMS = ("trafilatura", "newsclean")
LABELS = {
    "trafilatura": "trafilatura bare_extraction(with_metadata=True)",
    "newsclean": "newsclean process_document",
}
FIELDS = ("title", "author", "author_lenient", "date")
CORPORA = ("trafilatura", "wcxb")

# --- normalization -------------------------------------------------------------------------------

QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
    }
)
NAME_SEPARATORS = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b)\s*", re.IGNORECASE)
DATE_PARTS = re.compile(r"(\d{4})\D(\d{1,2})\D(\d{1,2})")


def normalize_text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(unicodedata.normalize("NFC", value).translate(QUOTES).split())
    return text or None


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def author_string(value: object) -> str | None:
    """Gold and trafilatura give "A; B" (gold sometimes a list); newsclean gives a list."""
    if isinstance(value, list | tuple):
        value = "; ".join(str(name) for name in value if name)
    return normalize_text(value)


def name_set(value: object) -> frozenset[str]:
    text = author_string(value)
    if text is None:
        return frozenset()
    names = NAME_SEPARATORS.split(strip_accents(text).casefold())
    return frozenset(" ".join(name.split()) for name in names if name.strip())


def date_string(value: object) -> str | None:
    """YYYY-MM-DD from a date, a datetime (its own date: newsclean's is UTC) or a string."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    # The gold has a few malformed dates ("2022-01.26", "2022-11-1"): read the parts.
    match = DATE_PARTS.search(value)
    if not match:
        return None
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


# People of a gold author value: the pieces that look like a person's name.
GOLD_NAME_SEPARATORS = re.compile(r"\s*(?:;|,|&|/|\band\b|\bund\b)\s*", re.IGNORECASE)
GOLD_NAME_PREFIX = re.compile(r"^(?:(?:by|von|dr|prof|mr|mrs|ms)\.?\s+)+", re.IGNORECASE)
NAME_PARTICLES = frozenset(
    (
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "ter",
        "ten",
        "bin",
        "al",
        "el",
    )
)
# Role and outlet words the gold prints beside names ("Shipping Expert", "ACO Rankings Team").
NOT_PERSON_WORDS = frozenset(
    (
        "expert",
        "team",
        "educator",
        "horticulturalist",
        "staff",
        "editor",
        "editors",
        "news",
        "redaktion",
        "from",
        "the",
    )
)
# Credentials printed after names ("M.D. FACLM", "PhD"): a piece of only these is nobody.
CREDENTIALS = frozenset(
    (
        "md",
        "m.d.",
        "phd",
        "ph.d.",
        "faclm",
        "rd",
        "ms",
        "mph",
        "dvm",
        "vmd",
        "dacvb",
        "cfp",
        "cpp",
        "psp",
        "rn",
        "ba",
        "fand",
        "lvt",
        "vts",
    )
)


def gold_people(value: object) -> list[str]:
    """The person names of a gold author value, in order: credentials, roles, places and
    outlets left out. Pages with two or more are the co-author recall's pages."""
    text = author_string(value)
    if text is None:
        return []
    people = []
    for piece in GOLD_NAME_SEPARATORS.split(text):
        name = GOLD_NAME_PREFIX.sub("", piece.strip())
        words = name.split()
        if not 2 <= len(words) <= 5 or re.search(r"[\d@()]", name):
            continue
        if all(word.lower().strip(",") in CREDENTIALS for word in words):
            continue
        if any(word.lower() in NOT_PERSON_WORDS for word in words):
            continue
        if all(word[0].isupper() or word.lower() in NAME_PARTICLES for word in words):
            people.append(name)
    return people


def person_key(name: str) -> str:
    """Lower-case letters without accents, punctuation as spaces: "Kiran C. Nair" ~ "Kiran C Nair"."""
    letters = re.sub(r"[^\w\s]|_", " ", strip_accents(name).casefold())
    return " ".join(letters.split())


def people_found(gold: list[str], predicted: list[str]) -> int:
    keys = {person_key(name) for name in predicted}
    return sum(person_key(name) in keys for name in gold)


# --- the systems under test -------------------------------------------------------------------


@dataclass
class Prediction:
    title: str | None = None
    author: str | None = None  # "; "-joined
    date: str | None = None  # YYYY-MM-DD
    authors: frozenset[str] = frozenset()
    people: list[str] = field(default_factory=list)  # the names as the system lists them


def split_people(value: object) -> list[str]:
    """trafilatura's "A; B" (its own separator) as a list."""
    text = author_string(value)
    return [name.strip() for name in text.split(";") if name.strip()] if text else []


def predict_trafilatura(page: Page) -> Prediction:
    import trafilatura

    document = trafilatura.bare_extraction(
        page.html, url=page.web_url, with_metadata=True, deduplicate=False
    )
    if document is None:
        return Prediction()
    found = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return Prediction(
        title=normalize_text(found.get("title")),
        author=author_string(found.get("author")),
        date=date_string(found.get("date")),
        authors=name_set(found.get("author")),
        people=split_people(found.get("author")),
    )


def predict_newsclean(page: Page) -> Prediction:
    from flows.core.records import Rejection, RunContext
    from flows.stages.process import process_document

    doc = page.html_document("x")
    row = process_document(doc, RunContext("bench", STARTED_AT, "bench")).outcome
    if isinstance(row, Rejection):  # the pipeline keeps no article, so no fields
        return Prediction()
    return Prediction(
        title=normalize_text(row.title),
        author=author_string(row.authors or None),
        date=date_string(row.published_at),
        authors=name_set(row.authors or None),
        people=list(row.authors or []),
    )


PREDICTORS: dict[str, Callable[[Page], Prediction]] = {
    "trafilatura": predict_trafilatura,
    "newsclean": predict_newsclean,
}


# --- one page in a worker process ----------------------------------------------------------------

# Set in the parent before the pool forks; the workers read them.
SELECTED: tuple[str, ...] = SYSTEMS
TIMEOUT = 60
STARTED_AT = datetime.now(UTC)


def measure_page(ref: PageRef) -> dict[str, Any]:
    page = ref.load()
    out: dict[str, Any] = {}
    for system in SELECTED:
        prediction, seconds, problem = devset.timed_call(
            lambda run=PREDICTORS[system]: run(page), TIMEOUT
        )
        out[system] = {"prediction": prediction or Prediction(), "seconds": seconds}
        out[system]["problem"] = problem
    return out


# --- scoring ---------------------------------------------------------------------------------------


@dataclass
class Gold:
    title: str | None
    author: str | None
    date: str | None
    authors: frozenset[str]
    people: list[str]

    @classmethod
    def of(cls, item: dict[str, Any]) -> Gold:
        return cls(
            title=normalize_text(item.get("title")),
            author=author_string(item.get("author")),
            date=date_string(item.get("date")),
            authors=name_set(item.get("author")),
            people=gold_people(item.get("author")),
        )

    @property
    def has_co_authors(self) -> bool:
        return len(self.people) >= 2


def field_hits(gold: Gold, prediction: Prediction) -> dict[str, bool | None]:
    """Per field: True/False when the gold has a value, None when the page is not scored on it."""
    has_author = gold.author is not None
    return {
        "title": None if gold.title is None else prediction.title == gold.title,
        "author": prediction.author == gold.author if has_author else None,
        "author_lenient": prediction.authors == gold.authors if has_author else None,
        "date": None if gold.date is None else prediction.date == gold.date,
    }


@dataclass
class SystemTotal:
    hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    pages: int = 0
    timeouts: int = 0
    errors: int = 0
    seconds: float = 0.0
    first_errors: list[str] = field(default_factory=list)
    # Co-author recall: gold people found / gold people, over pages with two or more.
    co_author_pages: int = 0
    co_authors: int = 0
    co_authors_found: int = 0

    def add(self, ref: PageRef, gold: Gold, result: dict[str, Any] | None) -> Prediction:
        self.pages += 1
        prediction = Prediction() if result is None else result["prediction"]
        problem = "timeout" if result is None else result["problem"]
        if result is not None:
            self.seconds += result["seconds"]
        if problem == "timeout":
            self.timeouts += 1
        elif problem:
            self.errors += 1
            if len(self.first_errors) < 5:
                self.first_errors.append(f"{ref.file}: {problem}")
        for name, hit in field_hits(gold, prediction).items():
            if hit is not None:
                self.scored[name] += 1
                self.hits[name] += int(hit)
        if gold.has_co_authors:
            self.co_author_pages += 1
            self.co_authors += len(gold.people)
            self.co_authors_found += people_found(gold.people, prediction.people)
        return prediction

    def co_author_recall(self) -> float | None:
        return self.co_authors_found / self.co_authors if self.co_authors else None

    def accuracy(self, name: str) -> float | None:
        return self.hits[name] / self.scored[name] if self.scored[name] else None


def fmt(total: SystemTotal, name: str) -> str:
    value = total.accuracy(name)
    if value is None:
        return "n/a"
    return f"{value:.3f} ({total.hits[name]}/{total.scored[name]})"


def fmt_recall(total: SystemTotal) -> str:
    value = total.co_author_recall()
    if value is None:
        return "n/a"
    return f"{value:.3f} ({total.co_authors_found}/{total.co_authors} on {total.co_author_pages})"


def table(totals: dict[str, SystemTotal], unavailable: dict[str, str]) -> str:
    lines = [
        "| system | title | author (exact) | author (same names) | co-author recall | date "
        "| pages | timeouts | errors | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for system, total in totals.items():
        title, exact, same, date = (fmt(total, name) for name in FIELDS)
        lines.append(
            f"| {LABELS[system]} | {title} | {exact} | {same} | {fmt_recall(total)} | {date} "
            f"| {total.pages} | {total.timeouts} | {total.errors} | {total.seconds:.1f} |"
        )
    for system, why in unavailable.items():
        lines.append(f"| {LABELS[system]} | not available ({why}) | | | | | | | | |")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_common_arguments(parser)
    devset.add_wcxb_argument(parser)
    parser.add_argument(
        "--corpus",
        default=",".join(CORPORA),
        help=f"comma-separated development sets to measure, of: {','.join(CORPORA)} (default: both)",
    )
    args = parser.parse_args(argv)
    args.corpora = tuple(name.strip() for name in args.corpus.split(",") if name.strip())
    unknown = [name for name in args.corpora if name not in CORPORA]
    if unknown or not args.corpora:
        parser.error(f"unknown corpora {unknown}; choose from {', '.join(CORPORA)}")
    return args


@dataclass
class CorpusRun:
    totals: dict[str, SystemTotal]
    pages: list[dict[str, Any]]
    wall: float


def main(argv: list[str] | None = None) -> int:
    global SELECTED, TIMEOUT
    args = parse_args(argv)
    info = devset.machine_info()
    devset.print_header("newsclean metadata accuracy against the gold", info)
    why = devset.import_problem(
        "flows.stages.clean", "flows.stages.metadata", "flows.stages.process"
    )
    unavailable = {"newsclean": why} if why else {}
    SELECTED = tuple(system for system in SYSTEMS if system not in unavailable)
    TIMEOUT = args.timeout
    warm_up()
    runs: dict[str, CorpusRun] = {}
    for corpus in args.corpora:
        archive = devset.corpus_archive(args, corpus)
        try:
            with devset.unpacked(archive, devset.cache_dir_of(corpus, args.cache_dir)) as root:
                refs = devset.page_refs(root, args.limit)
                runs[corpus] = CorpusRun(*measure_all(refs, args))
        except devset.DevsetMissing:
            print(devset.missing_message(archive))
            continue
        report(corpus, args, runs[corpus], unavailable)
    if args.json and runs:
        save(args.json, info, runs, unavailable)
    return 0


def warm_up() -> None:
    """Import the libraries before the workers fork, so no row pays for imports."""
    import trafilatura

    trafilatura.bare_extraction("<html><body><p>warm up</p></body></html>", with_metadata=True)
    if "newsclean" in SELECTED:
        import flows.stages.process  # noqa: F401


def measure_all(
    refs: list[PageRef], args: argparse.Namespace
) -> tuple[dict[str, SystemTotal], list[dict[str, Any]], float]:
    totals = {system: SystemTotal() for system in SELECTED}
    pages: list[dict[str, Any]] = []
    start = time.perf_counter()
    backstop = (len(SELECTED) + 1) * args.timeout + 60
    for done, (ref, result) in enumerate(
        devset.run_pages(measure_page, refs, args.jobs, backstop), 1
    ):
        gold = Gold.of(ref.gold)
        page: dict[str, Any] = {"url": ref.url, "file": ref.file, "gold": gold_dict(gold)}
        for system, total in totals.items():
            prediction = total.add(ref, gold, None if result is None else result[system])
            page[system] = {
                "title": prediction.title,
                "author": prediction.author,
                "date": prediction.date,
                "hits": field_hits(gold, prediction),
            }
            if gold.has_co_authors:
                page[system]["co_authors_found"] = people_found(gold.people, prediction.people)
        pages.append(page)
        if done % 100 == 0:
            print(f"  {done}/{len(refs)} pages", file=sys.stderr, flush=True)
    return totals, pages, time.perf_counter() - start


def gold_dict(gold: Gold) -> dict[str, Any]:
    return {"title": gold.title, "author": gold.author, "date": gold.date, "people": gold.people}


def report(
    corpus: str, args: argparse.Namespace, run: CorpusRun, unavailable: dict[str, str]
) -> None:
    print(f"## {corpus}")
    print()
    print(table(run.totals, unavailable))
    print()
    print(
        f"{len(run.pages)} pages, {args.jobs} worker processes, {run.wall:.1f} s wall clock; each "
        "cell is accuracy (hits/pages with a gold value); co-author recall is gold people found/"
        "gold people on the pages with two or more; 'seconds' sums per-page times."
    )
    for system, total in run.totals.items():
        for line in total.first_errors:
            print(f"error in {system}: {line}")
    print()


def save(
    path: Any, info: dict[str, Any], runs: dict[str, CorpusRun], unavailable: dict[str, str]
) -> None:
    devset.save_json(
        path,
        {
            "machine": info,
            "not_available": unavailable,
            "corpora": {
                corpus: {
                    "wall_seconds": run.wall,
                    "systems": {
                        system: {
                            "label": LABELS[system],
                            "accuracy": {name: total.accuracy(name) for name in FIELDS},
                            "hits": total.hits,
                            "scored": total.scored,
                            "co_author_recall": total.co_author_recall(),
                            "co_author_pages": total.co_author_pages,
                            "co_authors": total.co_authors,
                            "co_authors_found": total.co_authors_found,
                            "pages": total.pages,
                            "timeouts": total.timeouts,
                            "errors": total.errors,
                            "seconds": total.seconds,
                            "first_errors": total.first_errors,
                        }
                        for system, total in run.totals.items()
                    },
                    "pages": run.pages,
                }
                for corpus, run in runs.items()
            },
        },
    )


if __name__ == "__main__":
    sys.exit(main())
