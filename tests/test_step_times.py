"""The step-times benchmark's side-by-side configurations: each configuration's clock holds only
its own work (the block model's step is empty where the model is off), and a wrong name is a
clear error rather than a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import devset  # noqa: E402
import step_times  # noqa: E402

PARAGRAPH = (
    "The regional water board said on Monday that the reservoir would stay closed to boats "
    "until the spring survey of its banks is finished and the new jetty has been inspected."
)
PAGE = f"""<html><head><title>Reservoir stays closed</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Reservoir stays closed</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></article>
<footer>All rights reserved</footer></body></html>"""


def _pages(count: int) -> list[devset.Page]:
    return [
        devset.Page(f"https://example.org/news/{i}", f"{i}.html", PAGE, {}) for i in range(count)
    ]


def test_each_configuration_is_clocked_on_its_own() -> None:
    figures = step_times.measure(_pages(4), ["default", "no-block-model"])
    assert figures["pages"] == 4
    assert figures["bare"] > 0
    for name in ("default", "no-block-model"):
        assert figures["whole"][name] > 0
        assert figures["steps"][name]["stage extract"] > 0
    assert figures["steps"]["default"]["extract: block model"] > 0
    assert figures["steps"]["no-block-model"].get("extract: block model", 0.0) == 0.0


def test_the_stages_are_restored_after_the_clock() -> None:
    from flows.stages import process

    before = dict(process.DOCUMENT_STAGES)
    step_times.measure(_pages(1), ["default"])
    assert dict(process.DOCUMENT_STAGES) == before


def test_an_unknown_configuration_is_a_clear_error(capsys) -> None:  # type: ignore[no-untyped-def]
    assert step_times.main(["--configs", "default,turbo", "--limit", "1"]) == 2
    assert "turbo" in capsys.readouterr().out
