"""The extract stage's metadata pass: trafilatura's own fields, without the parts nothing reads.

`page_metadata` composes trafilatura's metadata steps itself to skip the category, tag and
licence searches; these tests hold it to trafilatura's `extract_metadata` on pages of different
shapes, so a trafilatura upgrade that changes the steps shows here.
"""

from __future__ import annotations

from copy import copy

import pytest
import trafilatura
from lxml.html import HtmlElement, document_fromstring
from trafilatura.metadata import extract_metadata

from flows.core.records import SeedMetadata
from flows.stages.document import ExtractionSettings
from flows.stages.extract import page_metadata, trafilatura_author_wanted, trafilatura_result
from flows.stages.html_facts import HtmlFacts

FIELDS = ("title", "author", "url", "date", "sitename")
PROSE = (
    "<p>The council voted on Tuesday to extend the night bus service to the northern districts, "
    "after a year in which ridership grew faster than any other route in the city network.</p>"
    "<p>Officials said the extension would cost less than expected because the buses already "
    "exist and only the drivers' schedules need to change for the winter timetable.</p>"
)

PAGES = {
    "meta tags": f"""<html><head><title>Night buses extended | City Courier</title>
        <meta property="og:title" content="Night buses extended">
        <meta name="author" content="Maria Lopez">
        <meta property="og:site_name" content="City Courier">
        <meta property="article:published_time" content="2024-03-05T08:00:00Z">
        <link rel="canonical" href="https://courier.example.org/2024/03/night-buses"></head>
        <body><article><h1>Night buses extended</h1>{PROSE}</article></body></html>""",
    "json-ld only": f"""<html><head><title>Night buses - Courier</title>
        <script type="application/ld+json">{{"@context": "https://schema.org",
        "@type": "NewsArticle", "headline": "Night buses extended",
        "author": {{"@type": "Person", "name": "Sam Whitfield"}},
        "datePublished": "2023-11-20", "publisher": {{"@type": "Organization",
        "name": "Courier"}}}}</script></head>
        <body><main><h1>Night buses extended</h1>{PROSE}</main></body></html>""",
    "nothing in the head": f"""<html><body><div class="story">
        <h1>Night buses extended</h1><p class="byline">By Jean Dupont</p>
        <p class="date">Published 12 January 2022</p>{PROSE}</div></body></html>""",
    "one-word author, lower-case site": f"""<html><head><title>Night buses</title>
        <meta name="author" content="admin">
        <meta property="og:site_name" content="courier">
        </head><body><h1>Night buses</h1>{PROSE}</body></html>""",
}


def tree(page: str) -> HtmlElement:
    return document_fromstring(page)


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_fields_are_trafilaturas(page: str) -> None:
    theirs = extract_metadata(tree(page))
    ours = page_metadata(tree(page), None)
    assert ours == {field: getattr(theirs, field) for field in FIELDS}


def test_the_page_it_reads_is_not_changed() -> None:
    page = tree(PAGES["nothing in the head"])
    before = page.text_content()
    trafilatura_result(page, None, ExtractionSettings())
    assert page.text_content() == before


def test_text_and_metadata_together() -> None:
    found = trafilatura_result(tree(PAGES["meta tags"]), None, ExtractionSettings())
    assert "night bus service" in str(found["text"])
    assert found["author"] == "Maria Lopez"
    assert str(found["date"]).startswith("2024-03-05")
    assert found["url"] == "https://courier.example.org/2024/03/night-buses"


def test_no_text_no_metadata() -> None:
    empty = "<html><head><title>Only a title</title></head><body><script>var a = 1;</script></body></html>"
    assert trafilatura_result(tree(empty), None, ExtractionSettings()) == {}
    assert (
        trafilatura_result(copy(tree(empty)), "https://example.org/x", ExtractionSettings()) == {}
    )


@pytest.mark.parametrize("fast", [False, True])
def test_the_extraction_settings_reach_trafilatura(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}
    real = trafilatura.bare_extraction

    def spy(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    settings = ExtractionSettings(fast=fast, include_comments=True, favor_precision=True)
    trafilatura_result(tree(PAGES["meta tags"]), None, settings)
    assert seen["fast"] is fast
    assert seen["include_comments"] is True and seen["favor_precision"] is True
    assert seen["deduplicate"] is False


# trafilatura's author search finds the name in the page's elements (a byline-like class).
AUTHOR_ONLY_IN_ELEMENTS = f"""<html><head>
    <link rel="canonical" href="https://courier.example.org/2024/03/night-buses"></head>
    <body><div class="story"><h1>Night buses extended</h1>
    <div class="author-name">Priya Raman</div>{PROSE}</div></body></html>"""


def test_the_author_search_runs_when_wanted() -> None:
    asked: list[str | None] = []

    def wanted(url: str | None) -> bool:
        asked.append(url)
        return True

    found = page_metadata(tree(AUTHOR_ONLY_IN_ELEMENTS), None, author_wanted=wanted)
    assert found["author"] == "Priya Raman"
    assert asked == ["https://courier.example.org/2024/03/night-buses"]  # the page's own URL


def test_the_author_search_is_skipped_when_not_wanted() -> None:
    found = page_metadata(tree(AUTHOR_ONLY_IN_ELEMENTS), None, author_wanted=lambda url: False)
    assert found["author"] is None
    assert found["title"] and found["url"]  # the other fields are still there


PAGE_URL = "https://www.courier.example.org/2024/03/night-buses"


@pytest.mark.parametrize(
    ("seed", "facts", "wanted"),
    [
        (SeedMetadata(), HtmlFacts(), True),
        # the input names the author: it wins over anything found in the page
        (SeedMetadata(author="Ana Silva"), HtmlFacts(), False),
        # the page names a person in its markup, or in a byline beside its headline
        (SeedMetadata(), HtmlFacts(authors=("Priya Raman",)), False),
        (SeedMetadata(), HtmlFacts(byline="By Priya Raman"), False),
        # a name the metadata stage drops (the outlet's own host) leaves the search wanted
        (SeedMetadata(), HtmlFacts(authors=("courier.example.org",)), True),
    ],
)
def test_the_author_search_is_wanted_only_where_its_answer_can_reach_the_row(
    seed: SeedMetadata, facts: HtmlFacts, wanted: bool
) -> None:
    assert trafilatura_author_wanted(seed, facts)(PAGE_URL) is wanted
