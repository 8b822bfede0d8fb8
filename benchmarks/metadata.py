"""Title, author and date accuracy against the development set's gold, beside trafilatura's own.

Both systems get the same page and its URL in the same run:
  trafilatura  trafilatura.bare_extraction(html, url=url, with_metadata=True): title, author, date
  newsclean    flows.stages.process.process_document on an HTML SourceDocument: the article row's
               title, authors (joined with "; ") and published_at (its UTC date)

A field is scored only on pages whose gold value is not empty (the denominators are printed).
Exact match: after normalizing Unicode (NFC), quotes (curly and low quotes to ' and ") and
white space; dates as YYYY-MM-DD. Lenient author score: the same set of names after casefolding,
stripping accents and splitting on ";", ",", "&", " and ", " und ".

Usage: python benchmarks/metadata.py [--limit N] [--jobs N] [--json PATH]
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


# --- the systems under test -------------------------------------------------------------------


@dataclass
class Prediction:
    title: str | None = None
    author: str | None = None  # "; "-joined
    date: str | None = None  # YYYY-MM-DD
    authors: frozenset[str] = frozenset()


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
    )


def predict_newsclean(page: Page) -> Prediction:
    from flows.core.records import Rejection, RunContext, SeedMetadata, SourceDocument
    from flows.stages.process import process_document

    doc = SourceDocument(
        record_id="x",
        source_uri=page.url,
        source_format="html",
        content_kind="html",
        content=page.html,
        raw_size_bytes=len(page.html.encode("utf-8")),
        seed=SeedMetadata(url=page.web_url),
    )
    row = process_document(doc, RunContext("bench", STARTED_AT, "bench")).outcome
    if isinstance(row, Rejection):  # the pipeline keeps no article, so no fields
        return Prediction()
    return Prediction(
        title=normalize_text(row.title),
        author=author_string(row.authors or None),
        date=date_string(row.published_at),
        authors=name_set(row.authors or None),
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

    @classmethod
    def of(cls, item: dict[str, Any]) -> Gold:
        return cls(
            title=normalize_text(item.get("title")),
            author=author_string(item.get("author")),
            date=date_string(item.get("date")),
            authors=name_set(item.get("author")),
        )


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
        return prediction

    def accuracy(self, name: str) -> float | None:
        return self.hits[name] / self.scored[name] if self.scored[name] else None


def fmt(total: SystemTotal, name: str) -> str:
    value = total.accuracy(name)
    if value is None:
        return "n/a"
    return f"{value:.3f} ({total.hits[name]}/{total.scored[name]})"


def table(totals: dict[str, SystemTotal], unavailable: dict[str, str]) -> str:
    lines = [
        "| system | title | author (exact) | author (same names) | date | pages "
        "| timeouts | errors | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for system, total in totals.items():
        cells = " | ".join(fmt(total, name) for name in FIELDS)
        lines.append(
            f"| {LABELS[system]} | {cells} | {total.pages} | {total.timeouts} "
            f"| {total.errors} | {total.seconds:.1f} |"
        )
    for system, why in unavailable.items():
        lines.append(f"| {LABELS[system]} | not available ({why}) | | | | | | | |")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_common_arguments(parser)
    return parser.parse_args(argv)


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
    try:
        with devset.unpacked(args.devset, args.cache_dir) as root:
            refs = devset.page_refs(root, args.limit)
            totals, pages, wall = measure_all(refs, args)
    except devset.DevsetMissing:
        print(devset.missing_message(args.devset))
        return 0
    report(args, info, totals, unavailable, pages, wall)
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
        pages.append(page)
        if done % 100 == 0:
            print(f"  {done}/{len(refs)} pages", file=sys.stderr, flush=True)
    return totals, pages, time.perf_counter() - start


def gold_dict(gold: Gold) -> dict[str, str | None]:
    return {"title": gold.title, "author": gold.author, "date": gold.date}


def report(
    args: argparse.Namespace,
    info: dict[str, Any],
    totals: dict[str, SystemTotal],
    unavailable: dict[str, str],
    pages: list[dict[str, Any]],
    wall: float,
) -> None:
    print(table(totals, unavailable))
    print()
    print(
        f"{len(pages)} pages, {args.jobs} worker processes, {wall:.1f} s wall clock; each cell "
        "is accuracy (hits/pages with a gold value); 'seconds' sums per-page times."
    )
    for system, total in totals.items():
        for line in total.first_errors:
            print(f"error in {system}: {line}")
    if args.json:
        devset.save_json(
            args.json,
            {
                "machine": info,
                "wall_seconds": wall,
                "systems": {
                    system: {
                        "label": LABELS[system],
                        "accuracy": {name: total.accuracy(name) for name in FIELDS},
                        "hits": total.hits,
                        "scored": total.scored,
                        "pages": total.pages,
                        "timeouts": total.timeouts,
                        "errors": total.errors,
                        "seconds": total.seconds,
                        "first_errors": total.first_errors,
                    }
                    for system, total in totals.items()
                },
                "not_available": unavailable,
                "pages": pages,
            },
        )


if __name__ == "__main__":
    sys.exit(main())
