"""The development sets shared by the benchmarks: unpack, load pages, run them in worker processes.

Two sets, bundled beside the checkout (a script's `--corpus` picks; `--devset` and `--wcxb-devset`
name other archives):
  trafilatura  trafilatura's public evaluation data: 990 pages and `evaldata.json`,
               `../shared/corpora/trafilatura-eval.tar.xz`
  wcxb         the 793 article pages of the WCXB benchmark's development split (CC-BY-4.0,
               github.com/Murrough-Foley/web-content-extraction-benchmark): `html/<id>.html` and
               `ground-truth/<id>.json`, `../shared/corpora/wcxb-dev-articles.tar.xz`
A set is unpacked once per run into a temporary folder, or once and for all into `--cache-dir`
(the WCXB set into its `wcxb/` subfolder). Both give pages with the same gold keys: `with`,
`without`, `title`, `author`, `date`.

Worker processes get a page reference (url, path, gold), read and decode the page themselves,
and run each measured call under `signal.alarm`, so a pathological page costs at most the time
limit and is counted as a timeout instead of hanging the benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPORA_DIR = REPO_ROOT.parent / "shared" / "corpora"
DEFAULT_ARCHIVE = CORPORA_DIR / "trafilatura-eval.tar.xz"
WCXB_ARCHIVE = CORPORA_DIR / "wcxb-dev-articles.tar.xz"
ARCHIVES = {"trafilatura": DEFAULT_ARCHIVE, "wcxb": WCXB_ARCHIVE}
GOLD_FILE = "evaldata.json"
PAGE_DIR = "eval"
WCXB_DIR = "wcxb-dev-articles"
# A stamp in the cache folder says which archive (size, mtime) it was unpacked from.
CACHE_STAMP = ".unpacked-from"

# The scripts run as `python benchmarks/x.py`: make `flows` importable without an install too.
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))


T = TypeVar("T")


class DevsetMissing(Exception):
    """The archive is not where it was looked for."""


class PageTimeout(Exception):
    """A measured call ran past the per-page time limit."""


@dataclass(frozen=True)
class PageRef:
    """What a worker needs to load one page: small, so it pickles cheaply."""

    url: str
    path: Path
    gold: dict[str, Any]

    @property
    def file(self) -> str:
        return self.path.name

    def load(self) -> Page:
        return Page(self.url, self.file, decode_html(self.path.read_bytes()), self.gold)


@dataclass(frozen=True)
class Page:
    url: str  # the key in evaldata.json; 36 keys are labels such as "hard::site.html"
    file: str
    html: str
    gold: dict[str, Any]

    @property
    def web_url(self) -> str | None:
        """The URL to give an extractor: a label or a typo ("xhttps://") is no evidence."""
        return self.url if self.url.startswith(("http://", "https://")) else None

    def html_document(self, record_id: str) -> Any:
        """The page as the pipeline's HTML reader hands it over (a SourceDocument), its URL as
        the seed's."""
        # Imported here: the benchmarks' workers import the stages, the parent need not.
        from flows.core.records import SeedMetadata, SourceDocument

        return SourceDocument(
            record_id=record_id,
            source_uri=self.url,
            source_format="html",
            content_kind="html",
            content=self.html,
            raw_size_bytes=len(self.html.encode("utf-8")),
            seed=SeedMetadata(url=self.web_url),
        )


# --- command line ---------------------------------------------------------------------------


def add_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the dev set is, where to unpack it, and how many of its pages to use."""
    parser.add_argument(
        "--devset", type=Path, default=DEFAULT_ARCHIVE, help="the trafilatura-eval.tar.xz archive"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="unpack the archive here once and reuse it (default: a temporary folder per run)",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")


def add_wcxb_argument(parser: argparse.ArgumentParser) -> None:
    """For the scripts that measure on the WCXB set too (their `--corpus` option)."""
    parser.add_argument(
        "--wcxb-devset",
        type=Path,
        default=WCXB_ARCHIVE,
        help="the wcxb-dev-articles.tar.xz archive",
    )


def corpus_archive(args: argparse.Namespace, corpus: str) -> Path:
    return args.wcxb_devset if corpus == "wcxb" else args.devset


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    add_corpus_arguments(parser)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)"
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=60,
        help="seconds one measured call may take on one page before it counts as a timeout",
    )
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")


# --- unpacking and loading --------------------------------------------------------------------


def cache_dir_of(corpus: str, cache_dir: Path | None) -> Path | None:
    """The trafilatura set unpacks into the cache folder itself (as it always did), others
    into a subfolder named after them."""
    if cache_dir is None or corpus == "trafilatura":
        return cache_dir
    return cache_dir / corpus


@contextlib.contextmanager
def unpacked(archive: Path, cache_dir: Path | None = None) -> Iterator[Path]:
    """The folder the archive unpacks into; a temporary one is removed on exit."""
    if not archive.is_file():
        raise DevsetMissing(str(archive))
    if cache_dir is not None:
        yield unpack_cached(archive, cache_dir)
        return
    with tempfile.TemporaryDirectory(prefix="newsclean-devset-") as folder:
        extract_archive(archive, Path(folder))
        yield Path(folder)


def unpack_cached(archive: Path, cache_dir: Path) -> Path:
    stat = archive.stat()
    stamp = f"{archive.resolve()} {stat.st_size} {stat.st_mtime_ns}"
    stamp_file = cache_dir / CACHE_STAMP
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return cache_dir
    cache_dir.mkdir(parents=True, exist_ok=True)
    extract_archive(archive, cache_dir)
    # Written last: an interrupted unpack is redone next time.
    stamp_file.write_text(stamp)
    return cache_dir


def extract_archive(archive: Path, target: Path) -> None:
    with tarfile.open(archive, "r:*") as tar:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        tar.extractall(target, filter="data")


def page_refs(root: Path, limit: int | None = None) -> list[PageRef]:
    """Pages in the order of `evaldata.json` (the order trafilatura's evaluation uses), or of
    the WCXB set's file ids."""
    if (root / WCXB_DIR).is_dir():
        refs = wcxb_page_refs(root / WCXB_DIR)
    else:
        gold = json.loads((root / GOLD_FILE).read_text(encoding="utf-8"))
        refs = [
            PageRef(url, root / PAGE_DIR / item["file"], item)
            for url, item in gold.items()
            if item.get("file")
        ]
    return refs[:limit] if limit is not None else refs


def wcxb_page_refs(folder: Path) -> list[PageRef]:
    """WCXB pages with their gold under trafilatura's keys (`publish_date` becomes `date`)."""
    refs = []
    for truth_file in sorted((folder / "ground-truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        gold = truth.get("ground_truth") or {}
        page = folder / "html" / f"{truth_file.stem}.html"
        if not page.is_file():
            continue
        refs.append(
            PageRef(
                truth.get("url") or truth_file.stem,
                page,
                {
                    "file": page.name,
                    "with": list(gold.get("with") or []),
                    "without": list(gold.get("without") or []),
                    "title": gold.get("title"),
                    "author": gold.get("author"),
                    "date": gold.get("publish_date"),
                    # The complete gold text: what the benchmark's word-level F1 compares with.
                    "main_content": gold.get("main_content") or "",
                },
            )
        )
    return refs


META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(raw: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8 (as trafilatura's evaluation reads them), else the
    charset the page declares, stray bad bytes replaced (as browsers do: some pages declared
    UTF-8 carry a few Latin-1 bytes in an ad script), else charset_normalizer's guess, else
    cp1252 with replacements."""
    with contextlib.suppress(UnicodeDecodeError):
        return raw.decode("utf-8-sig")
    declared = META_CHARSET.search(raw[:8192])
    if declared:
        with contextlib.suppress(LookupError):
            return raw.decode(declared.group(1).decode("ascii"), errors="replace")
    with contextlib.suppress(ImportError):
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is not None:
            return str(best)
    return raw.decode("cp1252", errors="replace")


# --- running pages in worker processes ----------------------------------------------------------


def _raise_timeout(signum: int, frame: object) -> None:
    raise PageTimeout


def timed_call(function: Callable[[], Any], seconds: int) -> tuple[Any, float, str | None]:
    """(result, elapsed seconds, problem) where problem is None, "timeout" or "error: ...".

    SIGALRM interrupts Python code between bytecodes; a single C call that never returns is
    caught by the parent's backstop in `run_pages` instead.
    """
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.alarm(seconds)
    start = time.perf_counter()
    try:
        return function(), time.perf_counter() - start, None
    except PageTimeout:
        return None, time.perf_counter() - start, "timeout"
    except Exception as error:  # a crash on one page is a figure, not the end of the run
        return None, time.perf_counter() - start, f"error: {type(error).__name__}: {error}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_pages(
    worker: Callable[[PageRef], dict[str, Any]],
    refs: list[PageRef],
    jobs: int,
    backstop_seconds: float,
) -> Iterator[tuple[PageRef, dict[str, Any] | None]]:
    """Yield (page, worker result) in page order; None for pages lost to a hung worker.

    `backstop_seconds` bounds the wait for any one result; if it passes, the pool is
    terminated and the pages not yet done are yielded with None.
    """
    # fork: workers inherit the imported libraries and the script's functions.
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes=max(1, jobs), maxtasksperchild=200)
    done = 0
    try:
        results = pool.imap(worker, refs, chunksize=1)
        for ref in refs:
            try:
                result = results.next(timeout=backstop_seconds)
            except multiprocessing.TimeoutError:
                print(
                    f"warning: no result for {ref.file} within {backstop_seconds:.0f} s; "
                    "stopping the workers",
                    file=sys.stderr,
                )
                break
            done += 1
            yield ref, result
    finally:
        pool.terminate()
        pool.join()
    for ref in refs[done:]:
        yield ref, None


# --- header: what ran, where ----------------------------------------------------------------


def import_problem(*modules: str) -> str | None:
    """None when the modules import, else why not: a broken stage costs its row, not the run."""
    import importlib

    try:
        for module in modules:
            importlib.import_module(module)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def git_state() -> str:
    """HEAD and whether the stages under flows/ differ from it (the cleaner may be in flux)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "flows"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    files = sorted(line[3:] for line in changed if line.strip())
    if not files:
        return f"{head} (flows/ clean)"
    return f"{head} + uncommitted changes in flows/: {', '.join(files)}"


def machine_info() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "trafilatura": package_version("trafilatura"),
        "inscriptis": package_version("inscriptis"),
        "git": git_state(),
    }


def print_header(title: str, info: dict[str, Any]) -> None:
    print(f"# {title}")
    print()
    for key in ("command", "date", "cpus", "cpus_usable", "cpu_model", "python", "platform"):
        print(f"- {key}: {info[key]}")
    print(f"- trafilatura {info['trafilatura']}, inscriptis {info['inscriptis']}")
    print(f"- newsclean: {info['git']}")
    print()


def missing_message(archive: Path, nothing: str = "measured") -> str:
    return f"development set not found at {archive}, nothing {nothing}"


def measure_in_scratch(
    archive: Path, cache_dir: Path | None, prefix: str, measure: Callable[[Path, Path], T]
) -> T | None:
    """`measure(unpacked corpus, scratch folder)`, both removed afterwards unless cached; None
    (with the reason printed) when the archive is missing."""
    try:
        with unpacked(archive, cache_dir) as root, tempfile.TemporaryDirectory(prefix=prefix) as f:
            return measure(root, Path(f))
    except DevsetMissing:
        print(missing_message(archive))
        print(f"Put {archive.name} there, or pass --devset PATH.")
        return None


def save_json(path: Path, figures: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n")
