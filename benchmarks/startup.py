"""Start-up of `newsclean run` on one page: this checkout against another, interleaved.

On a shared machine the load changes from minute to minute, so the configurations are run in
turns (one round = one run of each, in the same order), and each row's median is over its rounds:

  base, temporary API      the other checkout (`--base DIR`, e.g. a `git worktree` of main), no
                           server running: Prefect's temporary API starts in every run;
  this, temporary API      this checkout, the same;
  base, server             the other checkout with PREFECT_API_URL set to a running local server;
  this, reused server      this checkout finding that server by itself (`newsclean server start`,
                           recorded in its PREFECT_HOME), PREFECT_API_URL unset.

The server is started once by this checkout's `newsclean server start` (not timed) and stopped at
the end. Each configuration runs once untimed first (the temporary-API home is migrated then).
Every run is the whole process (`newsclean run <1 page> --workers 1`, wall time, peak RSS of its
process tree); the table also gives the run's own flow seconds and the load average at its start.

Usage: python benchmarks/startup.py --base DIR [--rounds N] [--page FILE]
Without --base, only this checkout's two rows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import devset
from scaling import run_env
from throughput import NEWSCLEAN, Run, newsclean_run

REPO = devset.REPO_ROOT
DEFAULT_PAGE = REPO / "data" / "sample" / "000_0f23289b817f5c70.txt"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, default=None, help="the other checkout's root")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each row (default: 3)")
    parser.add_argument("--page", type=Path, default=DEFAULT_PAGE, help="the one input page")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    devset.print_header("newsclean run: start-up on one page", devset.machine_info())
    with tempfile.TemporaryDirectory(prefix="newsclean-startup-") as folder:
        scratch = Path(folder)
        page = scratch / "page"
        page.mkdir()
        shutil.copy2(args.page, page / args.page.name)
        temporary_home, server_home = scratch / "home-temporary", scratch / "home-server"
        this = run_env(temporary_home, scratch, REPO)
        served = run_env(server_home, scratch, REPO)
        started = subprocess.run(
            [str(NEWSCLEAN), "server", "start"], env=served, capture_output=True, text=True
        )
        if started.returncode != 0:
            print(f"`newsclean server start` failed:\n{started.stderr}")
            return 1
        try:
            url = json.loads((server_home / "newsclean-server.json").read_text())["api_url"]
            rows = {"this, temporary API": this, "this, reused server": served}
            if args.base is not None:
                rows = {
                    "base, temporary API": run_env(temporary_home, scratch, args.base),
                    "this, temporary API": this,
                    "base, server (PREFECT_API_URL)": {
                        **run_env(server_home, scratch, args.base),
                        "PREFECT_API_URL": url,
                    },
                    "this, reused server": served,
                }
            runs = measure(rows, page, scratch, args.rounds)
        finally:
            subprocess.run([str(NEWSCLEAN), "server", "stop"], env=served, capture_output=True)
    print("| configuration | start-up (median) | runs: wall s (flow s, load at start) | peak RSS |")
    print("| --- | ---: | --- | ---: |")
    for label, done in runs.items():
        median = statistics.median(run.wall for run in done)
        each = ", ".join(
            f"{run.wall:.1f} ({run.summary.get('seconds', float('nan')):.1f}, "
            f"{run.load_at_start:.1f})"
            for run in done
        )
        rss = max(run.peak_rss for run in done) / 2**20
        print(f"| {label} | {median:.1f} s | {each} | {rss:.0f} MiB |")
    return 0


def measure(
    rows: dict[str, dict[str, str]], page: Path, scratch: Path, rounds: int
) -> dict[str, list[Run]]:
    for label, env in rows.items():
        warm = newsclean_run(f"warm-up: {label}", page, scratch / "out", 1, env)
        if "seconds" not in warm.summary:
            raise SystemExit(f"the warm-up run of {label} failed (see above)")
    runs: dict[str, list[Run]] = {label: [] for label in rows}
    for number in range(rounds):
        for label, env in rows.items():
            name = f"{label} {number + 1}/{rounds}"
            runs[label].append(newsclean_run(name, page, scratch / "out", 1, env))
    return runs


if __name__ == "__main__":
    sys.exit(main())
