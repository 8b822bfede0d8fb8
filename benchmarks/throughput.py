"""Throughput of `newsclean run` against a bare trafilatura loop: one table from one run.

On a folder of pages (default: the 990 pages of the trafilatura development set, unpacked as
benchmarks/devset.py does; `--limit N` takes the first N in the order of `evaldata.json`):

  start-up   wall time of `newsclean run` on one page, the whole process, median of 3 (each into
             a fresh output folder), with Prefect's temporary API (no server running: what
             every run paid before `newsclean server start`, and what (b) and (c) pay);
  start-up, reused server: the same, with a local server and the warm runner started once
             beforehand by `newsclean server start` (not timed), found by each run (which runs
             in a fork of the warm runner), stopped at the end;
  (a)        a bare `trafilatura.extract(html)` loop (default settings) in this process, on the
             pages already read and decoded (devset.decode_html), library already imported;
  (b)        `newsclean run <pages> --workers 1`, the whole process;
  (c)        `newsclean run <pages> --workers 2`, the whole process;
  pages/s and MB/s of (b) and (c) are over (wall - start-up); the ratios (b)/(a) and (c)/(b);
  peak RSS   of the whole process tree of (b) (the command and every descendant: the task
             runner's threads, the batch worker processes), sampled every 0.1 s with psutil (or
             /proc when psutil is missing), on 1x and on Nx the pages (`--multiplier`, default
             10): each copy gets the mark " (copy N)" at the end of every piece of its text
             (see unique_copy), so no copy has the same bytes or paragraphs as another and Nx
             is N times the work of one copy (the summary's duplicates and quarantined columns
             show it);
  per step   the run's own counters of (b) (the run summary's `stage_seconds`, plain-clock
             timers): the batches' reading, the per-document stages (extract, clean, metadata)
             and staging, summed over every batch; each whole-run step (repeated_inputs,
             repeated_lines, duplicates: facts, decision, apply); validation, publishing (staged
             for the commit, and the commit) and the reports; the rest of the flow's seconds is
             Prefect's task overhead, planning and the dataset card.

Every `newsclean run` gets the hermetic Prefect environment of the Makefile (no telemetry, quiet
logs, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=180, PREFECT_API_URL unset so each run
starts its own temporary API) and one PREFECT_HOME reused by every run, as `make` reuses
`.prefect/` (default: that folder): a warm-up run on one page, not timed, migrates it first.
When `newsclean server start` already runs for that folder, the temporary-API runs use a scratch
PREFECT_HOME instead (runs would find the server), and the reused-server rows use that server.
The runs go one after the other; other work on the machine slows them, so the load average is
printed before each.

Usage: python benchmarks/throughput.py [--limit N] [--multiplier N] [--cache-dir DIR]
                                       [--devset ARCHIVE] [--prefect-home DIR] [--json PATH]
                                       [--startup-only]
Without the development set archive it says so and measures nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import devset
from scaling import machine_cpu_seconds, memory_total, run_env

from flows.orchestration import local_server

NEWSCLEAN = Path(sys.executable).with_name("newsclean")
STARTUP_RUNS = 3
SAMPLE_SECONDS = 0.1
MB = 1_000_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    parser.add_argument(
        "--multiplier",
        type=int,
        default=10,
        help="peak RSS of the 1-worker run also on this many copies of the pages (default: 10)",
    )
    parser.add_argument(
        "--prefect-home",
        type=Path,
        default=devset.REPO_ROOT / ".prefect",
        help="the PREFECT_HOME every run shares (default: .prefect/, as make uses)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help="measure the start-up rows only (both ways), not (a), (b), (c) or the peak RSS",
    )
    return parser.parse_args(argv)


# --- the pages --------------------------------------------------------------------------------


def copy_pages(refs: list[devset.PageRef], target: Path) -> int:
    """The pages as files in one folder; their total size in bytes."""
    target.mkdir(parents=True, exist_ok=True)
    for ref in refs:
        shutil.copy2(ref.path, target / ref.file)
    return sum(ref.path.stat().st_size for ref in refs)


# The end of a piece of text: its last visible character before a closing tag or a line break.
TEXT_END = re.compile(rb"(?<=[^\s<>])(?=\s*(?:</[a-z][a-z0-9]*\s*>|<br\b))", re.I)
# What holds no paragraph of the page's text, and is left as it is: a mark in a script's
# JSON-LD or in the title would change the page's metadata.
NOT_TEXT = re.compile(rb"(<(?:script|style|title)\b.*?</(?:script|style|title)\s*>)", re.I | re.S)


def unique_copy(raw: bytes, copy: int) -> bytes:
    """The page with a mark of its copy, " (copy N)", at the end of every piece of its text (before
    every closing tag and line break that ends one; else at the end of its body, else at its
    end).

    Every paragraph must carry it: the repeated-lines step counts a short paragraph once per
    distinct body, so copies whose bodies differ by one mark each count, and a paragraph left
    unmarked in all ten copies of one page (text between `<br>`s, in `<div>`s, list items, links
    made paragraphs: a mark at every `</p>` alone left 464 of 745 such paragraphs of 40
    development pages shared between two copies, one at the end of every block element 159 of
    1,091, one at the end of every piece of text 27 of 789: those whose text has line breaks of
    the source in it) is stripped as a publisher's repeated line, which took whole pages below
    the minimum length and made others equal (220 quarantined where 90 were expected, 423
    duplicates). The mark names the copy, not the page: within a copy, pages repeat each other
    exactly as the original pages do, so each copy is the same work as the 1x run.
    """
    mark = f" (copy {copy})".encode()
    parts = NOT_TEXT.split(raw)  # text, then a script (style, title) and text, in turn
    parts[::2] = [TEXT_END.sub(mark, text) for text in parts[::2]]
    marked = b"".join(parts)
    if marked != raw:
        return marked
    at = raw.lower().find(b"</body>")
    if at == -1:
        return raw + b"\n<p>" + mark + b"</p>\n"
    return raw[:at] + mark + raw[at:]


def multiplied_pages(refs: list[devset.PageRef], target: Path, multiplier: int) -> int:
    """`multiplier` copies of every page, each unique; their total size in bytes."""
    total = 0
    for copy in range(multiplier):
        folder = target / f"copy-{copy:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for ref in refs:
            data = unique_copy(ref.path.read_bytes(), copy)
            (folder / ref.file).write_bytes(data)
            total += len(data)
    return total


# --- one whole process, its wall time and the peak RSS of its tree ---------------------------


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone)."""
    try:
        import psutil  # optional: /proc below does the same without it
    except ImportError:
        return _proc_tree_rss(pid)
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def _proc_tree_rss(pid: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
            rss[int(entry.name)] = int((entry / "statm").read_text().split()[1]) * page
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


@dataclass
class Run:
    label: str
    wall: float
    peak_rss: int
    summary: dict[str, Any] = field(default_factory=dict)
    load_at_start: float = 0.0
    busy_share: float = 0.0  # of all the machine's CPUs during the run, whoever used them


def newsclean_run(label: str, pages: Path, out: Path, workers: int, env: dict[str, str]) -> Run:
    command = [
        str(NEWSCLEAN),
        "run",
        str(pages),
        "-o",
        str(out),
        "--workers",
        str(workers),
        "--no-progress",
        "--json",
    ]
    load = os.getloadavg()[0]
    print(f"{label} (load {load:.2f})...", file=sys.stderr)
    busy_before, _ = machine_cpu_seconds()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr, text=True)
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, tree_rss(process.pid))
                stop.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = process.wait()
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
        busy_after, _ = machine_cpu_seconds()
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    try:
        summary = json.loads(output)
    except json.JSONDecodeError:
        tail = "\n".join(errors.strip().splitlines()[-15:])
        print(f"`{' '.join(command)}` exited {returncode}:\n{tail}", file=sys.stderr)
        summary = {"status": f"crashed (exit {returncode})"}
    busy = (busy_after - busy_before) / (wall * (os.cpu_count() or 1))
    shutil.rmtree(out, ignore_errors=True)
    return Run(label, wall, peak, summary, load, busy)


def bare_trafilatura(refs: list[devset.PageRef]) -> float:
    """Seconds of `trafilatura.extract(html)` over the pages, read and decoded beforehand."""
    import trafilatura  # imported here: only this measure needs it in this process

    pages = [devset.decode_html(ref.path.read_bytes()) for ref in refs]
    print(f"(a) bare trafilatura.extract on {len(pages)} pages...", file=sys.stderr)
    start = time.perf_counter()
    for html in pages:
        trafilatura.extract(html)
    return time.perf_counter() - start


# --- the measures -------------------------------------------------------------------------------


@dataclass
class Figures:
    pages: int
    size: int
    multiplier: int
    multiplied_size: int
    startups: list[Run]
    reused_startups: list[Run]
    bare_seconds: float = 0.0
    one: Run | None = None  # None: --startup-only
    two: Run | None = None
    many: Run | None = None

    @property
    def startup(self) -> float:
        return statistics.median(run.wall for run in self.startups)

    @property
    def reused_startup(self) -> float:
        return statistics.median(run.wall for run in self.reused_startups)

    def net(self, run: Run) -> float:
        return max(run.wall - self.startup, 1e-9)


def measure(args: argparse.Namespace, root: Path, scratch: Path) -> Figures:
    refs = devset.page_refs(root, args.limit)
    pages = scratch / "pages"
    size = copy_pages(refs, pages)
    one_page = scratch / "one-page"
    copy_pages(refs[:1], one_page)
    many = scratch / "pages-multiplied"
    multiplied_size = 0 if args.startup_only else multiplied_pages(refs, many, args.multiplier)
    home = args.prefect_home
    home.mkdir(parents=True, exist_ok=True)
    # The temporary-API runs need a PREFECT_HOME where no server is recorded (runs would find it):
    # a scratch one (migrated by the warm-up run) when `newsclean server start` runs for `home`.
    server_running = local_server.find_running_server(home) is not None
    env = run_env(scratch / "prefect-home" if server_running else home, scratch, None)

    warm = newsclean_run("warm-up (not timed)", one_page, scratch / "out-warm-up", 1, env)
    if "seconds" not in warm.summary:
        raise SystemExit("the warm-up run failed (see above): nothing measured")
    startups = [
        newsclean_run(f"start-up {i + 1}/{STARTUP_RUNS}", one_page, scratch / f"out-s{i}", 1, env)
        for i in range(STARTUP_RUNS)
    ]
    reused = reused_server_startups(
        one_page, scratch, run_env(home, scratch, None), already_running=server_running
    )
    if args.startup_only:
        return Figures(len(refs), size, args.multiplier, 0, startups, reused)
    bare = bare_trafilatura(refs)
    one = newsclean_run(f"(b) {len(refs)} pages, 1 worker", pages, scratch / "out-b", 1, env)
    two = newsclean_run(f"(c) {len(refs)} pages, 2 workers", pages, scratch / "out-c", 2, env)
    multiplied = newsclean_run(
        f"(b) {args.multiplier}x: {args.multiplier * len(refs)} pages, 1 worker",
        many,
        scratch / "out-many",
        1,
        env,
    )
    return Figures(
        len(refs),
        size,
        args.multiplier,
        multiplied_size,
        startups,
        reused,
        bare,
        one,
        two,
        multiplied,
    )


def reused_server_startups(
    one_page: Path, scratch: Path, env: dict[str, str], *, already_running: bool
) -> list[Run]:
    """The one-page runs against the server `newsclean server start` left running for env's
    PREFECT_HOME: the user's when one runs, else one started here (not timed) and stopped
    afterwards, whatever happens."""
    if not already_running:
        print("starting a local Prefect server (not timed)...", file=sys.stderr)
        command = [str(NEWSCLEAN), "server", "start"]
        started = subprocess.run(command, env=env, capture_output=True, text=True)
        if started.returncode != 0:
            raise SystemExit(f"`newsclean server start` failed:\n{started.stderr}")
    try:
        return [
            newsclean_run(
                f"start-up, reused server {i + 1}/{STARTUP_RUNS}",
                one_page,
                scratch / f"out-r{i}",
                1,
                env,
            )
            for i in range(STARTUP_RUNS)
        ]
    finally:
        if not already_running:
            subprocess.run([str(NEWSCLEAN), "server", "stop"], env=env, capture_output=True)


def startup_rows(f: Figures) -> list[str]:
    rows = []
    for name, runs, median in (
        (
            "start-up: `newsclean run` on 1 page, whole process (temporary Prefect API)",
            f.startups,
            f.startup,
        ),
        (
            "start-up, reused server and warm runner (`newsclean server start` once)",
            f.reused_startups,
            f.reused_startup,
        ),
    ):
        walls = ", ".join(f"{run.wall:.1f}" for run in runs)
        flows = ", ".join(f"{run.summary.get('seconds', 0.0):.1f}" for run in runs)
        loads = ", ".join(f"{run.load_at_start:.1f}" for run in runs)
        rows.append(
            f"| {name} | {median:.1f} s | median of {len(runs)} runs: wall {walls} s "
            f"(flow {flows} s; load at start {loads}) |"
        )
    return rows


def table(f: Figures) -> list[str]:
    lines = ["| figure | value | detail |", "| --- | ---: | --- |", *startup_rows(f)]
    if f.one is None or f.two is None or f.many is None:
        return lines
    return lines + throughput_rows(f, f.one, f.two, f.many)


def throughput_rows(f: Figures, one: Run, two: Run, many: Run) -> list[str]:
    mb = f.size / MB
    rate_a = f.pages / f.bare_seconds
    rate_b = f.pages / f.net(one)
    rate_c = f.pages / f.net(two)

    def run_row(name: str, run: Run, pages: int, size: int) -> str:
        net = f.net(run)
        s = run.summary
        return (
            f"| {name} | {pages / net:.1f} pages/s, {size / MB / net:.2f} MB/s "
            f"| wall {run.wall:.1f} s - start-up {f.startup:.1f} s = {net:.1f} s; "
            f"flow {s.get('seconds', 0.0):.1f} s; {s.get('status')}: {s.get('documents', 0)} "
            f"documents, {s.get('published', 0)} published ({s.get('duplicates', 0)} duplicates), "
            f"{s.get('quarantined', 0)} quarantined; peak RSS {run.peak_rss / 2**20:.0f} MiB; "
            f"busy {100 * run.busy_share:.0f} % of the CPUs; load at start "
            f"{run.load_at_start:.2f} |"
        )

    rss_1, rss_n = one.peak_rss, many.peak_rss
    lines = [
        f"| (a) bare `trafilatura.extract(html)` loop, 1 process | {rate_a:.1f} pages/s, "
        f"{mb / f.bare_seconds:.2f} MB/s | {f.pages} pages, {mb:.1f} MB, {f.bare_seconds:.1f} s |",
        run_row("(b) `newsclean run --workers 1`", one, f.pages, f.size),
        run_row("(c) `newsclean run --workers 2`", two, f.pages, f.size),
        f"| (b) / (a) | {rate_b / rate_a:.2f} | pages/s over pages/s (target >= 1.0) |",
        f"| (c) / (b) | {rate_c / rate_b:.2f} | pages/s over pages/s (target >= 1.8) |",
        f"| peak RSS of (b), 1x ({f.pages} pages) | {rss_1 / 2**20:.0f} MiB "
        f"| whole process tree, sampled every {SAMPLE_SECONDS} s |",
        f"| peak RSS of (b), {f.multiplier}x ({f.multiplier * f.pages} pages) "
        f"| {rss_n / 2**20:.0f} MiB | {rss_n / max(rss_1, 1):.2f} x the 1x peak "
        f"(target <= 1.2); {f.multiplied_size / MB:.1f} MB of pages |",
        run_row(f"(b) on {f.multiplier}x", many, f.multiplier * f.pages, f.multiplied_size),
    ]
    documents = one.summary.get("documents") or 0
    steps = one.summary.get("stage_seconds")
    if not steps:
        lines.append("| time per step of (b) | n/a | the run summary has no `stage_seconds` |")
        return lines
    for step, spent in steps.items():
        per_page = f"{1000 * spent / documents:.1f} ms/page" if documents else "n/a"
        lines.append(
            f"| step `{step}` in (b) | {per_page} | {spent:.2f} s over {documents} documents "
            "(run summary's `stage_seconds`) |"
        )
    flow = one.summary.get("seconds", 0.0)
    rest = flow - sum(steps.values())
    if documents:
        lines.append(
            f"| rest of (b)'s flow | {1000 * rest / documents:.1f} ms/page | flow {flow:.1f} s "
            f"- the steps above = {rest:.1f} s: planning, Prefect's task overhead, the "
            "dataset card |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = devset.machine_info()
    info["memory"] = memory_total()
    info["load_at_start"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    devset.print_header("newsclean run: throughput against bare trafilatura", info)
    print(f"- memory: {info['memory']}")
    print(f"- load average at the start (1, 5, 15 min): {info['load_at_start']}")
    print(f"- PREFECT_HOME: {args.prefect_home}")
    if not NEWSCLEAN.is_file():
        print(f"{NEWSCLEAN} not found: install the project (make test) first, nothing measured")
        return 1
    if args.multiplier < 1:
        print("--multiplier must be 1 or more")
        return 2
    figures = devset.measure_in_scratch(
        args.devset,
        args.cache_dir,
        "newsclean-throughput-",
        lambda root, folder: measure(args, root, folder),
    )
    if figures is None:
        return 1
    print(f"- pages: {figures.pages} ({figures.size / MB:.1f} MB)")
    print()
    print("\n".join(table(figures)))
    if args.json is not None:
        devset.save_json(
            args.json,
            {
                "machine": info,
                "pages": figures.pages,
                "bytes": figures.size,
                "startup_seconds": figures.startup,
                "reused_server_startup_seconds": figures.reused_startup,
                "bare_trafilatura_seconds": figures.bare_seconds,
                "runs": [
                    {
                        "label": run.label,
                        "wall_seconds": run.wall,
                        "peak_rss_bytes": run.peak_rss,
                        "load_at_start": run.load_at_start,
                        "summary": run.summary,
                    }
                    for run in [
                        *figures.startups,
                        *figures.reused_startups,
                        *(r for r in (figures.one, figures.two, figures.many) if r is not None),
                    ]
                ],
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
