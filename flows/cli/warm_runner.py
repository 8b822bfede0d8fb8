"""The warm runner's process: `python -m flows.cli.warm_runner --socket PATH`.

Started by `newsclean server start` (flows/orchestration/warm_runner.py says what it is for). It
imports everything a run needs, loads the expectation suites and the models by running two small
made-up documents through the per-document stages, and then serves commands until stopped.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from flows.orchestration import warm_runner

# Prefork at most this many batch workers per run: each costs a fork, and more are rarely used.
MAX_PREFORKED_WORKERS = 4

_WARM_UP_HTML = """<html><head><title>Harbour works begin</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour works begin</h1><p>Published 3 March 2024 by A. Writer</p>
<p>Work on the harbour wall started on Monday, the council said, and is expected to last
until the end of the summer. Boats will use the northern quay while the wall is rebuilt.</p>
<p>Residents were told that the road along the front stays open to traffic throughout.</p>
</article><footer>Contact us</footer></body></html>"""


def warm_up() -> None:
    """Import and load what a run would on its first document and its first validation."""
    # Imported here, not at the top: importing them is the warm-up, timed by its caller.
    import flows.pipeline  # noqa: F401  Prefect and every stage: the point of this process
    from flows.core.records import RunContext, SeedMetadata, SourceDocument
    from flows.quality import validate
    from flows.readers.documents import document_from_bytes
    from flows.stages.document import ProcessSettings
    from flows.stages.process import process_document

    validate.warm_up()
    context = RunContext("warm-up", datetime.now(UTC), "warm-up")
    # The HTML path, and the plain-text path with its line model.
    for text, html in ((_WARM_UP_HTML, True), (re.sub(r"<[^>]+>", "", _WARM_UP_HTML), False)):
        raw = text.encode()
        seed = SeedMetadata()
        document = document_from_bytes("warm-up", "warm-up", "html", raw, seed, prefer_html=html)
        if isinstance(document, SourceDocument):
            process_document(document, context, ProcessSettings())


def prefork_workers() -> None:
    """In the fork, before any thread: the batch workers, forked from this warm process."""
    # Imported here, not at the top: the module itself must import before warm-up is timed.
    from flows.core.records import RunContext
    from flows.orchestration.isolation import WORKERS

    # A placeholder run: a batch tells its worker the real one before its first document.
    placeholder = RunContext("preforked", datetime.now(UTC), "")
    WORKERS.prefork(min(os.cpu_count() or 1, MAX_PREFORKED_WORKERS), placeholder)


def run_command(argv: list[str]) -> int:
    """In the fork: the command line's main."""
    # Imported here: flows.cli.main imports the commands, one of which starts this process.
    from flows.cli.main import main

    return main(argv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.cli.warm_runner")
    parser.add_argument("--socket", required=True, type=Path)
    args = parser.parse_args(argv)
    warm_up()
    fingerprint = warm_runner.newsclean_fingerprint()
    warm_runner.serve(args.socket, run_command, fingerprint, before_threads=prefork_workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
