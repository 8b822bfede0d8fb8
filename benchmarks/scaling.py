"""Whole-run speed-up of `newsclean run` with 1 and 2 workers, on threads and on a local Dask cluster.

Every run is the real command line, one after the other, on the same pages (the first --limit
pages of the development set, in the order of `evaldata.json`), each into a fresh output folder:

  newsclean run <pages> -o <out> --workers N --task-runner R --no-progress --json

The runs use a frozen copy of the committed code (`git archive HEAD`, put first on PYTHONPATH,
so the Dask workers import it too): edits in the checkout while the benchmark runs do not mix
into it. `--working-tree` runs the checkout as it is instead.

All runs share one PREFECT_HOME whose database a warm-up run (a few pages, not timed) has already
migrated, so no run pays the migrations. `flow s` is the run summary's `seconds` (the flow's own
time: batches, publish, reports; for Dask it includes the local cluster's start, not the temporary
Prefect API's start); `wall s` is the whole command, API start included; `busy %` is the share
of the machine's CPUs in use during the command, by this run or any other job (from /proc/stat;
a run's own CPU time cannot be had from getrusage: the per-document processes are children of a
fork server nobody waits for). On 2 CPUs a 1-worker run alone is about 50 %, so one near 100 %
shared the machine with another job; `steal s` is the CPU time the host of this virtual machine
took away during the run. The load average is read just before each run; its 1-minute figure
still carries the previous run's tail (about 1 to 2 after a run on an idle machine).

Usage: python benchmarks/scaling.py [--limit N] [--workers 1 2] [--runners threads dask]
                                    [--cache-dir DIR] [--prefect-home DIR] [--working-tree]
                                    [--json PATH]
Prints a markdown table; without the development set archive it says so and measures nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import devset

NEWSCLEAN = Path(sys.executable).with_name("newsclean")
WARM_UP_PAGES = 3


@dataclass
class Row:
    runner: str
    workers: int
    status: str
    documents: int
    published: int
    quarantined: int
    flow_seconds: float
    wall_seconds: float
    busy_share: float  # of all the machine's CPUs, during the command, whoever used them
    load_at_start: float
    steal_seconds: float  # CPU time the virtual machine's host took away during the run
    speedup: float | None = None  # vs 1 worker of the same runner, by flow seconds

    @property
    def rate(self) -> float:
        return self.documents / self.flow_seconds if self.flow_seconds else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    devset.add_corpus_arguments(parser)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="default: 1 2")
    parser.add_argument(
        "--runners",
        nargs="+",
        choices=["threads", "dask"],
        default=["threads", "dask"],
        help="default: threads dask",
    )
    parser.add_argument(
        "--prefect-home",
        type=Path,
        default=None,
        help="an already migrated PREFECT_HOME to reuse (default: a temporary one, warmed up)",
    )
    parser.add_argument(
        "--working-tree",
        action="store_true",
        help="run the checkout as it is (default: a frozen copy of HEAD)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    return parser.parse_args(argv)


def freeze_head(target: Path) -> str:
    """HEAD's files under `target`; returns the commit."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=devset.REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"],
        cwd=devset.REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return head


def run_env(prefect_home: Path, scratch: Path, code: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if code is not None:  # before the editable install's path
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    env.pop("PREFECT_API_URL", None)  # every run starts its own temporary API, like a user's run
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_EPHEMERAL_ENABLED="true",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_LOGGING_LEVEL="CRITICAL",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
        DASK_TEMPORARY_DIRECTORY=str(scratch),
        DASK_LOGGING__DISTRIBUTED="warning",
    )
    return env


def newsclean_run(
    pages: Path, out: Path, workers: int, runner: str, env: dict[str, str]
) -> tuple[dict[str, Any], float, float, float]:
    """One `newsclean run`: its summary, wall seconds, the share of the machine's CPUs busy
    meanwhile, and the CPU seconds the host of this virtual machine took away meanwhile."""
    command = [
        str(NEWSCLEAN),
        "run",
        str(pages),
        "-o",
        str(out),
        "--workers",
        str(workers),
        "--task-runner",
        runner,
        "--no-progress",
        "--json",
    ]
    busy_before, steal_before = machine_cpu_seconds()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    busy_after, steal_after = machine_cpu_seconds()
    busy = (busy_after - busy_before) / (wall * (os.cpu_count() or 1))
    steal = steal_after - steal_before
    try:
        summary = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        print(f"`{' '.join(command)}` exited {done.returncode}:\n{tail}", file=sys.stderr)
        summary = {"status": f"crashed (exit {done.returncode})"}
    return summary, wall, busy, steal


def machine_cpu_seconds() -> tuple[float, float]:
    """Since boot: CPU seconds every process of the machine used, and seconds stolen by the host
    of a virtual machine (its CPUs were wanted but ran something else); zeros without /proc."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, IndexError, ValueError):
        return 0.0, 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields + [0] * (8 - len(fields))
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def copy_pages(root: Path, target: Path, limit: int | None) -> int:
    target.mkdir(parents=True, exist_ok=True)
    refs = devset.page_refs(root, limit)
    for ref in refs:
        shutil.copy2(ref.path, target / ref.file)
    return len(refs)


def measure(args: argparse.Namespace, root: Path, scratch: Path) -> list[Row]:
    pages = scratch / "pages"
    count = copy_pages(root, pages, args.limit)
    print(f"{count} pages copied to {pages}", file=sys.stderr)
    home = args.prefect_home or scratch / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    code = None
    if not args.working_tree:
        code = scratch / "code"
        print(f"- code: frozen copy of HEAD {freeze_head(code)}")
    else:
        print("- code: the working tree as it is")
    print(f"- pages: {count}")
    print()
    env = run_env(home, scratch, code)

    warm = scratch / "warm-up-pages"
    copy_pages(root, warm, WARM_UP_PAGES)
    print("warm-up run (migrates PREFECT_HOME; not timed)...", file=sys.stderr)
    warm_summary, *_ = newsclean_run(warm, scratch / "out-warm-up", 1, "threads", env)
    if "seconds" not in warm_summary:
        raise SystemExit("the warm-up run failed (see above): nothing measured")

    rows: list[Row] = []
    for runner in args.runners:
        for workers in args.workers:
            load = os.getloadavg()[0]
            print(f"{runner}, {workers} workers (load {load:.2f})...", file=sys.stderr)
            out = scratch / f"out-{runner}-{workers}"
            summary, wall, busy, steal = newsclean_run(pages, out, workers, runner, env)
            rows.append(
                Row(
                    runner=runner,
                    workers=workers,
                    status=summary["status"],
                    documents=summary.get("documents", 0),
                    published=summary.get("published", 0),
                    quarantined=summary.get("quarantined", 0),
                    flow_seconds=summary.get("seconds", 0.0),
                    wall_seconds=round(wall, 1),
                    busy_share=round(busy, 3),
                    load_at_start=round(load, 2),
                    steal_seconds=round(steal, 1),
                )
            )
            shutil.rmtree(out, ignore_errors=True)
    for row in rows:
        base = next(
            (r for r in rows if r.runner == row.runner and r.workers == 1 and r.flow_seconds), None
        )
        if base is not None and row.flow_seconds:
            row.speedup = round(base.flow_seconds / row.flow_seconds, 2)
    return rows


def print_table(rows: list[Row]) -> None:
    print(
        "| runner | workers | documents | flow s | documents/s | speed-up vs 1 worker "
        "| efficiency | wall s | busy % | steal s | load at start | status |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        speedup = f"{r.speedup:.2f}" if r.speedup is not None else "n/a"
        efficiency = f"{r.speedup / r.workers:.2f}" if r.speedup is not None else "n/a"
        print(
            f"| {r.runner} | {r.workers} | {r.documents} | {r.flow_seconds:.1f} | {r.rate:.2f} "
            f"| {speedup} | {efficiency} | {r.wall_seconds:.1f} | {100 * r.busy_share:.0f} "
            f"| {r.steal_seconds:.1f} "
            f"| {r.load_at_start:.2f} | {r.status} ({r.published} published, "
            f"{r.quarantined} quarantined) |"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = devset.machine_info()
    info["memory"] = memory_total()
    devset.print_header("newsclean run: speed-up with workers", info)
    print(f"- memory: {info['memory']}")
    print()
    if not NEWSCLEAN.is_file():
        print(f"{NEWSCLEAN} not found: install the project (make test) first, nothing measured")
        return 1
    rows = devset.measure_in_scratch(
        args.devset,
        args.cache_dir,
        "newsclean-scaling-",
        lambda root, folder: measure(args, root, folder),
    )
    if rows is None:
        return 1
    print_table(rows)
    if args.json is not None:
        devset.save_json(args.json, {"machine": info, "runs": [asdict(r) for r in rows]})
    return 0


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    sys.exit(main())
