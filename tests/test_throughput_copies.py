"""The throughput benchmark's Nx corpus: every piece of a page's text carries its copy's mark, and
nothing else of the page changes (scripts, JSON-LD and the title stay as they were)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from throughput import unique_copy  # noqa: E402

PAGE = b"""<html><head><title>Harbour works begin</title>
<script type="application/ld+json">{"headline": "Harbour works begin</p>", "author": "A. Berg"}</script>
<style>p { margin: 0 }</style></head>
<body><nav><ul><li><a href="/">Home</a></li><li>Local news</li></ul></nav>
<article><h1>Harbour works begin</h1>
<p>The council approved the dredging of the old harbour on Tuesday.</p>
<div>Work starts in <b>March</b><br>and should end by autumn.</div>
</article><footer>Sign up for our newsletter</footer></body></html>"""


def _paragraphs(html: bytes) -> list[str]:
    """The page's visible paragraphs: its text with inline tags dropped, cut at the others (a
    crude reading, enough for a page written for it)."""
    body = re.sub(rb"<(script|style|title)\b.*?</\1>", b"", html, flags=re.S)
    body = re.sub(rb"</?(a|b|i|em|strong|span)\b[^>]*>", b"", body)
    return [piece.decode().strip() for piece in re.split(rb"<[^>]*>", body) if piece.strip()]


def test_every_piece_of_text_that_ends_a_line_carries_the_mark() -> None:
    marked = unique_copy(PAGE, 3)
    for line in (
        "Home (copy 3)",
        "Local news (copy 3)",
        "Harbour works begin (copy 3)</h1>",
        "on Tuesday. (copy 3)</p>",
        "March (copy 3)</b><br>",
        "by autumn. (copy 3)</div>",
        "newsletter (copy 3)</footer>",
    ):
        assert line.encode() in marked, line


def test_scripts_styles_and_the_title_are_left_alone() -> None:
    marked = unique_copy(PAGE, 3)
    data = re.search(rb'<script type="application/ld\+json">(.*?)</script>', marked, re.S)
    assert data is not None
    assert json.loads(data.group(1))["headline"] == "Harbour works begin</p>"
    assert b"<title>Harbour works begin</title>" in marked
    assert b"<style>p { margin: 0 }</style>" in marked


def test_two_copies_share_no_paragraph() -> None:
    first, second = _paragraphs(unique_copy(PAGE, 0)), _paragraphs(unique_copy(PAGE, 1))
    assert len(first) == len(second) == len(_paragraphs(PAGE)) == 7
    assert all(a != b for a, b in zip(first, second, strict=True))


def test_a_page_without_text_ends_gets_the_mark_before_its_body_ends() -> None:
    assert unique_copy(b"<html><body>\n</body></html>", 2) == (
        b"<html><body>\n (copy 2)</body></html>"
    )
    assert unique_copy(b"plain words", 2).endswith(b"<p> (copy 2)</p>\n")
