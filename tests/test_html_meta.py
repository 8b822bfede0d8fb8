"""Explicit publication metadata of HTML pages: JSON-LD and meta tags (flows.stages.html_facts)."""

from __future__ import annotations

import pytest

from flows.stages.html_facts import (
    SOURCE_HTML_META,
    SOURCE_JSON_LD,
    HtmlFacts,
    all_jsonld_objects,
    article_objects,
    headline,
    html_facts,
    jsonld_authors,
    meta_authors,
    parse_tree,
)


def page(head: str) -> str:
    return f"<html><head>{head}</head><body><article><p>Text.</p></article></body></html>"


def ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


@pytest.mark.parametrize(
    ("head", "date", "source"),
    [
        (
            ld('{"@type": "NewsArticle", "datePublished": "2023-06-19T08:00:00Z"}'),
            "2023-06-19T08:00:00Z",
            "json_ld",
        ),
        # @graph containers (Yoast) and lists of types.
        (
            ld(
                '{"@graph": [{"@type": "WebSite", "name": "X"}, '
                '{"@type": ["Article"], "datePublished": "2023-06-18"}]}'
            ),
            "2023-06-18",
            "json_ld",
        ),
        # An article's date wins over the web page's, whatever the order.
        (
            ld(
                '[{"@type": "WebPage", "datePublished": "2020-01-01"}, '
                '{"@type": "BlogPosting", "datePublished": "2023-06-17"}]'
            ),
            "2023-06-17",
            "json_ld",
        ),
        # An image's or a video's date is not the article's.
        (
            ld('{"@type": "ImageObject", "datePublished": "2019-01-01"}')
            + '<meta property="article:published_time" content="2023-06-16T10:00:00+02:00">',
            "2023-06-16T10:00:00+02:00",
            "html_meta",
        ),
        # HTML comments around the JSON are tolerated; broken JSON is skipped.
        (
            ld('<!-- {"@type": "NewsArticle", "datePublished": "2023-06-15"} -->'),
            "2023-06-15",
            "json_ld",
        ),
        (
            ld('{"@type": "NewsArticle", "datePublished": ')
            + '<meta name="pubdate" content="2023-06-14">',
            "2023-06-14",
            "html_meta",
        ),
        ('<meta itemprop="datePublished" content="2023-06-13">', "2023-06-13", "html_meta"),
        ("", None, None),
    ],
)
def test_date_and_source(head: str, date: str | None, source: str | None) -> None:
    facts = html_facts(page(head))
    assert (facts.date, facts.date_source) == (date, source)


def test_time_element_with_pubdate() -> None:
    html = '<html><body><time pubdate datetime="2023-06-12T09:00:00Z">12 June</time><p>x</p></body></html>'
    assert html_facts(html).date == "2023-06-12T09:00:00Z"


@pytest.mark.parametrize(
    ("head", "authors", "source"),
    [
        (
            ld('{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Heiko"}}'),
            ("Heiko",),
            "json_ld",
        ),
        (
            ld('{"@type": "NewsArticle", "author": [{"name": "Jane Doe"}, {"name": "John Roe"}]}'),
            ("Jane Doe", "John Roe"),
            "json_ld",
        ),
        (ld('{"@type": "NewsArticle", "author": "Jane Doe"}'), ("Jane Doe",), "json_ld"),
        # An organisation author is not a person; the meta author then speaks.
        (
            ld('{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Daily"}}')
            + '<meta name="author" content="Lars">',
            ("Lars",),
            "html_meta",
        ),
        # Profile links are not names.
        ('<meta name="author" content="https://example.com/lars">', (), None),
    ],
)
def test_authors_and_source(head: str, authors: tuple[str, ...], source: str | None) -> None:
    facts = html_facts(page(head))
    assert (facts.authors, author_source(page(head), facts.authors)) == (authors, source)


def author_source(html: str, authors: tuple[str, ...]) -> str | None:
    """Which of the page's sources states exactly these authors: JSON-LD first, then meta tags."""
    tree = parse_tree(html)
    assert tree is not None
    in_json_ld = tuple(jsonld_authors(article_objects(all_jsonld_objects(tree))))
    if in_json_ld:
        return SOURCE_JSON_LD if in_json_ld == authors else "other"
    if authors and tuple(meta_authors(tree)) == authors:
        return SOURCE_HTML_META
    return None


def test_organisations_are_what_json_ld_types_so() -> None:
    facts = html_facts(
        page(
            ld(
                '{"@graph": [{"@type": "WebSite", "name": "Daily News"}, '
                '{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe"}, '
                '"publisher": {"@type": "NewsMediaOrganization", "name": "Daily News Ltd"}}, '
                '{"@type": ["Person", "Organization"], "name": "Blog Owner"}]}'
            )
            + '<meta property="og:site_name" content="Jane Doe">'
        )
    )
    # The site name (og:site_name) is not one: a personal blog's site name is its author's.
    assert facts.organisations == ("Daily News", "Daily News Ltd")
    assert facts.authors == ("Jane Doe",)


def test_no_markup() -> None:
    assert html_facts("") == HtmlFacts()


def test_merge_seed_keeps_htmldate_and_explicit_facts_apart() -> None:
    from flows.core.records import SeedMetadata
    from flows.stages.extract import merge_seed

    facts = HtmlFacts(
        date="2023-06-19T08:00:00Z",
        date_source="json_ld",
        authors=("Heiko",),
        organisations=("Daily News",),
        printed_date="2023-06-18",
    )
    seed = merge_seed(SeedMetadata(url="https://example.com/a"), {"date": "2023-06-19"}, facts)
    assert (seed.date, seed.date_source) == ("2023-06-19", "htmldate")
    assert (seed.page_date, seed.page_date_source) == ("2023-06-19T08:00:00Z", "json_ld")
    assert (seed.page_authors, seed.page_organisations) == (("Heiko",), ("Daily News",))
    assert seed.page_printed_date == "2023-06-18"
    # A JSONL input's own date stays the input's.
    given = SeedMetadata(date="2020-01-01", date_source="input_field")
    assert merge_seed(given, {"date": "2023-06-19"}, facts).date_source == "input_field"


# --- the date printed beside the headline ------------------------------------------------------

PROSE = (
    "<p>The city council voted on Tuesday evening to extend the night bus network to the "
    "eastern suburbs, after a year of petitions from shift workers who said the last train "
    "left them stranded. The new routes start in the spring.</p>"
)


def article(header: str, *, lang: str = "en", masthead: str = "") -> str:
    return (
        f'<html lang="{lang}"><head><title>Night buses reach the suburbs | The Courier</title>'
        f'</head><body>{masthead}<nav><a href="/">Home</a> '
        '<a href="/archive">Archive: January 5, 2019</a></nav>'
        f"<article><div><div>{header}</div></div>{PROSE}"
        "<p>Related: Tram fares frozen until June 30, 2025.</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("header", "lang", "expected"),
    [
        # A byline after the headline.
        (
            '<h1>Night buses reach the suburbs</h1><div class="byline">By Ana Ruiz '
            "<span>March 4, 2024</span></div>",
            "en",
            "2024-03-04",
        ),
        # The first publication wins over the update printed beside it ...
        (
            "<h1>Night buses reach the suburbs</h1><p>Maya Chen | 12 February 2023 - "
            "<em>Updated</em> 2 May 2024</p>",
            "en",
            "2023-02-12",
        ),
        # ... and a date labelled published wins over a bare one, wherever it stands.
        (
            "<h1>Night buses reach the suburbs</h1><p>Printed edition 3 February 2023</p>"
            "<p>Published: 1 February 2023</p>",
            "en",
            "2023-02-01",
        ),
        # An update alone is the date the page shows.
        (
            "<h1>Night buses reach the suburbs</h1><p>Last updated: <time>Jan 9, 2025</time></p>",
            "en",
            "2025-01-09",
        ),
        # A date line above the headline (a kicker), when none follows it.
        (
            '<p class="kicker">Transport · 21.11.2022</p><h1>Night buses reach the suburbs</h1>',
            "de",
            "2022-11-21",
        ),
        # Day first in English outside the US, month first in US English.
        ("<h1>Night buses reach the suburbs</h1><p>04/03/2024</p>", "en-GB", "2024-03-04"),
        ("<h1>Night buses reach the suburbs</h1><p>04/03/2024</p>", "en-US", "2024-04-03"),
        # Other languages' month names.
        (
            "<h1>Night buses reach the suburbs</h1><p>Veröffentlicht am 7. März 2021</p>",
            "de",
            "2021-03-07",
        ),
    ],
)
def test_printed_date(header: str, lang: str, expected: str) -> None:
    assert html_facts(article(header, lang=lang)).printed_date == expected


MASTHEAD = '<header><h1>The Courier</h1><p class="today">Monday, January 6, 2025</p></header>'


@pytest.mark.parametrize(
    ("header", "masthead"),
    [
        # No byline date: the article's first paragraph ends the header, and the dates of the
        # navigation and of the related links are not the article's.
        ("<h1>Night buses reach the suburbs</h1><p>By Ana Ruiz</p>", ""),
        # A date inside a sentence is a date the text talks about.
        (
            "<h1>Night buses reach the suburbs</h1><p>The council will meet again on "
            "March 12, 2024 to vote on the budget for the new night routes and depots.</p>",
            "",
        ),
        # The site's logo in an <h1> is not the headline, and its date line is not the
        # article's: it stands outside the headline's block.
        ("<h1>Night buses reach the suburbs</h1><p>By Ana Ruiz</p>", MASTHEAD),
        # No headline at all.
        ("<h2>Night buses reach the suburbs</h2><p>March 4, 2024</p>", ""),
    ],
)
def test_no_printed_date(header: str, masthead: str) -> None:
    assert html_facts(article(header, masthead=masthead)).printed_date is None


def test_headline_is_the_h1_matching_the_title() -> None:
    tree = parse_tree(
        "<html><head><meta property='og:title' content='Harbour ferry returns'></head><body>"
        "<h1>Coastal Times</h1><main><h1>Harbour ferry returns after repairs</h1></main></body></html>"
    )
    assert tree is not None
    found = headline(tree)
    assert found is not None and found.text_content() == "Harbour ferry returns after repairs"


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ('<h1>Night buses reach the suburbs</h1><p class="byline">By Ana Ruiz</p>', "Ana Ruiz"),
        # The label in its own element; the names end at a date or a separator.
        (
            "<h1>Night buses reach the suburbs</h1><div><span>Written by:</span> "
            "<a href='/u/ar'>Ana Ruiz</a> <span>March 4, 2024</span></div>",
            "Ana Ruiz",
        ),
        ("<h1>Night buses reach the suburbs</h1><p>by: Ana Ruiz, March 4, 2024</p>", "Ana Ruiz"),
        ("<h1>Night buses reach the suburbs</h1><p>By Ana Ruiz | 6 min read</p>", "Ana Ruiz"),
        # Co-authors, each in a link of their own.
        (
            "<h1>Night buses reach the suburbs</h1><p>By <a href='/u/1'>Ana Ruiz</a> and "
            "<a href='/u/2'>Tom Okafor</a></p>",
            "Ana Ruiz and Tom Okafor",
        ),
        ("<h1>Night buses reach the suburbs</h1><p>Von Lena Brandt</p>", "Lena Brandt"),
        # No label, no byline: a bare name could be anything (a section, a tag).
        ("<h1>Night buses reach the suburbs</h1><p>Ana Ruiz</p>", None),
        # A "by" inside a sentence is not a byline.
        (
            "<h1>Night buses reach the suburbs</h1><p>Routes chosen by riders</p>",
            None,
        ),
    ],
)
def test_printed_byline(header: str, names: str | None) -> None:
    assert html_facts(article(header)).byline == names


def blog(h1: str, head: str = "") -> str:
    return (
        "<html><head><title>Spring migration counts | Field Notes</title>"
        f"{head}</head><body><header>{h1}</header><main><h2>Spring migration counts</h2>"
        "<p>Forty-one species passed the ridge this week.</p></main></body></html>"
    )


@pytest.mark.parametrize(
    "page_html",
    [
        # The blog's name links home: a logo, however well it matches the title's suffix.
        blog('<h1 class="site-title"><a href="https://notes.example.org/">Field Notes</a></h1>'),
        blog('<h1><a href="/" rel="home">Field Notes</a></h1>'),
        # The site's name as og:site_name says it.
        blog("<h1>Field Notes</h1>", '<meta property="og:site_name" content="Field Notes">'),
    ],
)
def test_a_site_name_is_no_headline(page_html: str) -> None:
    assert html_facts(page_html).headline is None


def test_headline_text() -> None:
    page_html = (
        "<html><head><title>Harbour ferry returns after repairs - Coastal Times</title></head>"
        '<body><h1><a href="/2024/05/ferry">Harbour ferry\n   returns after repairs</a></h1>'
        "</body></html>"
    )
    # A link to the article itself is no logo; white space is collapsed.
    assert html_facts(page_html).headline == "Harbour ferry returns after repairs"


def test_merge_seed_title_order() -> None:
    from flows.core.records import SeedMetadata
    from flows.stages.extract import merge_seed

    facts = HtmlFacts(headline="Harbour ferry returns after repairs")
    found = {"title": "Harbour ferry returns after repairs | Coastal Times"}
    # The page's headline before trafilatura's title, an input's own title before both.
    assert merge_seed(SeedMetadata(), found, facts).title == "Harbour ferry returns after repairs"
    assert merge_seed(SeedMetadata(), found, HtmlFacts()).title == found["title"]
    given = SeedMetadata(title="Ferry back in service")
    assert merge_seed(given, found, facts).title == "Ferry back in service"
