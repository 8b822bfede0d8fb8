"""Explicit publication metadata of an HTML page: JSON-LD and meta tags, with where each came from.

trafilatura (through htmldate) already finds a date and an author, but it does not say where it
found them, and it drops a single-word <meta name="author"> ("Heiko"). This module reads only
what the publisher stated explicitly, so the metadata stage can trust it above heuristics and
label it honestly: `json_ld` for schema.org data, `html_meta` for meta tags and marked-up
elements. Values stay raw strings; the metadata stage parses and normalizes them.

Three facts are read from the visible page instead, as a reader sees the article: its headline
(the <h1> that is most of the page's title), the date printed beside it (found by parsing, so
given as an ISO day) and the names of a labelled byline there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from flows.stages import dates as dt

SOURCE_JSON_LD = "json_ld"
SOURCE_HTML_META = "html_meta"

# schema.org types whose datePublished/author describe the article itself (not an image, a
# video or the site). "WebPage" types come second: their dates are often the page's, not the story's.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "discussionforumposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "review",
        "posting",
    }
)
PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "qapage", "collectionpage"})
# Author types that are not people: an organisation is a publisher, never an author.
NON_PERSON_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "brand", "localbusiness"}
)
SITE_TYPES = frozenset({"website"})

# Meta tags that state the publication date, most specific first (name/property, lower-case).
META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "published-date",
    "publication_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "originalpublicationdate",
    "article.published",
)
# Meta tags that name the author (a person or a list of people), most specific first.
META_AUTHOR = (
    "author",
    "article:author",
    "og:article:author",
    "parsely-author",
    "sailthru.author",
    "citation_author",
    "dc.creator",
    "dcterms.creator",
    "byl",
)
# A URL or an e-mail address in an author field is a profile link, not a name.
NOT_A_NAME_VALUE = re.compile(r"^(?:https?:|www\.|/)|@\S+\.\w", re.IGNORECASE)
# HTML comments and CDATA wrappers that some sites leave inside JSON-LD scripts.
JSON_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


@dataclass(frozen=True)
class HtmlFacts:
    """What the page's structured metadata states; empty when it states nothing."""

    date: str | None = None
    date_source: str | None = None
    authors: tuple[str, ...] = field(default_factory=tuple)
    # Names JSON-LD types as organisations (publisher, site, organisation authors): an author
    # field holding one names an outlet, not a person. og:site_name is not used: a personal
    # blog's site name is its author's name.
    organisations: tuple[str, ...] = field(default_factory=tuple)
    # The day printed beside the headline (ISO "YYYY-MM-DD"): what a reader sees as its date.
    printed_date: str | None = None
    # The names of a labelled byline ("By ...") beside the headline, as printed.
    byline: str | None = None
    # The headline's text (see `headline`): the title as the page prints it, without the site
    # name and search-engine variants of <title> and og:title.
    headline: str | None = None


# --- JSON-LD -----------------------------------------------------------------------------------


def _json_documents(tree: HtmlElement) -> Iterator[Any]:
    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = JSON_WRAPPERS.sub("", script.text or "")
        try:
            yield json.loads(text, strict=False)
        except ValueError:  # broken JSON-LD is common; the page's other metadata still counts
            continue


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Top-level schema.org objects: lists and @graph containers are flattened."""
    if isinstance(value, list):
        for item in value:
            yield from _objects(item)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _objects(value["@graph"])


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1].lower() for k in kinds if isinstance(k, str)}


def all_jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    return [obj for doc in _json_documents(tree) for obj in _objects(doc)]


def article_objects(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Article objects first, then web-page objects; others (images, videos, sites) are ignored."""
    articles = [obj for obj in found if _types(obj) & ARTICLE_TYPES]
    pages = [obj for obj in found if _types(obj) & PAGE_TYPES and not _types(obj) & ARTICLE_TYPES]
    return [*articles, *pages]


def _first_string(value: Any) -> str | None:
    if isinstance(value, list):
        return next(filter(None, map(_first_string, value)), None)
    return value.strip() or None if isinstance(value, str) else None


def _person_names(value: Any) -> list[str]:
    """Names of a schema.org author value: a string, a Person, or a list of them."""
    if isinstance(value, list):
        return [name for item in value for name in _person_names(item)]
    if isinstance(value, str):
        return [value.strip()] if value.strip() and not NOT_A_NAME_VALUE.search(value) else []
    if isinstance(value, dict) and not _types(value) & NON_PERSON_TYPES:
        return _person_names(value.get("name"))
    return []


def _organisation_names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _organisation_names(item)]
    # Personal sites type their owner ["Person", "Organization"]: a person, so not listed here.
    if (
        isinstance(value, dict)
        and _types(value) & NON_PERSON_TYPES
        and "person" not in _types(value)
    ):
        return [n for n in [_first_string(value.get("name"))] if n]
    return []


def jsonld_organisations(objects: Iterable[dict[str, Any]]) -> list[str]:
    """Organisations named anywhere at the top level: the site itself, publishers, org authors."""
    names: list[str] = []
    for obj in objects:
        names += _organisation_names(obj)
        if _types(obj) & SITE_TYPES:
            names += [n for n in [_first_string(obj.get("name"))] if n]
        for key in ("publisher", "author", "creator", "sourceOrganization"):
            names += _organisation_names(obj.get(key))
    return names


def jsonld_date(objects: Iterable[dict[str, Any]]) -> str | None:
    return next(filter(None, (_first_string(obj.get("datePublished")) for obj in objects)), None)


def jsonld_authors(objects: Iterable[dict[str, Any]]) -> list[str]:
    for obj in objects:
        names = _person_names(obj.get("author")) or _person_names(obj.get("creator"))
        if names:
            return names
    return []


# --- meta tags and marked-up elements ----------------------------------------------------------


def _meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """meta name/property/itemprop (lower-case) -> contents, in document order."""
    values: dict[str, list[str]] = {}
    for meta in tree.iterfind(".//meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (meta.get(attribute) or "").strip().lower()
            if key:
                values.setdefault(key, []).append(content)
    return values


def _marked_up_date(tree: HtmlElement) -> str | None:
    """<time pubdate>, or any element itemprop="datePublished" with a machine-readable value."""
    for element in tree.iter("time", "span", "div", "p", "abbr"):
        if element.get("itemprop", "").strip().lower() == "datepublished" or (
            element.tag == "time" and element.get("pubdate") is not None
        ):
            value = element.get("datetime") or element.get("content") or element.get("title")
            if value and value.strip():
                return value.strip()
    return None


def meta_date(tree: HtmlElement, values: dict[str, list[str]] | None = None) -> str | None:
    """`values`: the page's `_meta_values`, when the caller has them already."""
    values = _meta_values(tree) if values is None else values
    for key in META_PUBLISHED:
        if values.get(key):
            return values[key][0]
    return _marked_up_date(tree)


def meta_authors(tree: HtmlElement, values: dict[str, list[str]] | None = None) -> list[str]:
    """`values`: the page's `_meta_values`, when the caller has them already."""
    values = _meta_values(tree) if values is None else values
    for key in META_AUTHOR:
        names = [v for v in values.get(key, []) if not NOT_A_NAME_VALUE.search(v)]
        if names:
            return list(dict.fromkeys(names))
    return []


# --- the date printed beside the headline --------------------------------------------------------

# A date as pages print it in a byline: "June 3, 2023", "3rd June 2023", "19. Juni 2023",
# "2023-06-19", "19.06.2023", "06/19/2023", "2023/06/19". Month words are checked by the parser.
MONTH_WORD = r"[^\W\d_]{3,10}\.?"
DATE_FORMS = (
    r"\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:de\s+|of\s+)?" + MONTH_WORD + r",?\s+(?:de\s+)?(?:19|20)\d{2}"
    r"|" + MONTH_WORD + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
    r"|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[./]\d{1,2}[./](?:19|20)\d{2}"
    r"|(?:19|20)\d{2}/\d{1,2}/\d{1,2}"
)
PRINTED_DATE = re.compile(r"(?<!\w)(?:" + DATE_FORMS + r")(?!\w)", re.IGNORECASE)
# Labels just before a printed date. A byline printing both a first publication and an update
# ("June 3, 2023 - Updated July 9, 2024") dates the article by its publication.
PUBLISHED_LABEL = re.compile(
    r"(?:published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato)"
    r"\W{0,3}(?:on|am|le|el|il)?\W{0,3}$",
    re.IGNORECASE,
)
UPDATED_LABEL = re.compile(
    r"(?:updated|modified|revised|aktualisiert|mis à jour|actualizado|aggiornato|atualizado)"
    r"\W{0,3}(?:on|am|le|el|il|em)?\W{0,3}$",
    re.IGNORECASE,
)
LABEL_CONTEXT_CHARS = 30
# The byline is short text right after the headline (or just before it: a kicker, a date
# line above the title). A text longer than PROSE_CHARS is the article's first paragraph: the
# header has ended. A date inside a longer piece of text is a date the text talks about.
HEADER_CHARS_AFTER = 400
HEADER_CHARS_BEFORE = 150
HEADER_BLOCK_LEVELS = 3
PROSE_CHARS = 200
MAX_DATE_PIECE_CHARS = 80
# The headline is the <h1> most of whose words are in the page's title (og:title, <title>),
# and which holds a good part of the title's words: a site logo or a section name is not it.
HEADLINE_SHARE = 0.6
TITLE_SHARE = 0.25
INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "button", "select", "option", "head"}
)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _page_titles(tree: HtmlElement, values: dict[str, list[str]]) -> list[set[str]]:
    titles = [*values.get("og:title", []), *values.get("twitter:title", [])]
    title = tree.find(".//title")
    if title is not None:
        titles.append(title.text_content())
    return [words for words in map(_words, titles) if words]


def _is_site_name(h1: HtmlElement, values: dict[str, list[str]]) -> bool:
    """An <h1> holding the site's name: a link home (the logo) or og:site_name's text."""
    for link in h1.iter("a"):
        href = (link.get("href") or "").strip()
        target = urlsplit(href)
        links_home = bool(href) and target.path in ("", "/") and not target.query
        if (links_home and not href.startswith("#")) or "home" in (link.get("rel") or "").split():
            return True
    text = " ".join(h1.text_content().split()).casefold()
    names = [*values.get("og:site_name", []), *values.get("application-name", [])]
    return any(text == " ".join(name.split()).casefold() for name in names)


def headline(tree: HtmlElement, values: dict[str, list[str]] | None = None) -> HtmlElement | None:
    """The article's headline: the <h1> that shares the most words with the page's title.

    Most of its words are in the title, and they are a fair part of the title's words: a site
    logo in an <h1> is in the title ("Headline | Site") but only its smaller part. An <h1>
    linking home, or holding og:site_name, is the site's name, never the headline.
    """
    values = _meta_values(tree) if values is None else values
    titles = _page_titles(tree, values)
    best, best_shared = None, 0
    for h1 in tree.iter("h1"):
        words = _words(h1.text_content())
        for title in titles:
            shared = len(words & title)
            if (
                shared > best_shared
                and shared >= HEADLINE_SHARE * len(words)
                and shared >= TITLE_SHARE * len(title)
                and not _is_site_name(h1, values)
            ):
                best, best_shared = h1, shared
    return best


def _visible_texts(
    element: HtmlElement, hidden: bool = False
) -> Iterator[tuple[HtmlElement, bool, str]]:
    """(element, is its tail, text) in reading order, leaving out what is never shown."""
    tag = element.tag if isinstance(element.tag, str) else ""
    hidden = hidden or tag in INVISIBLE_TAGS
    if not hidden and element.text:
        yield element, False, element.text
    for child in element:
        yield from _visible_texts(child, hidden)
        if not hidden and child.tail:
            yield child, True, child.tail


def _header_block(title: HtmlElement) -> set[HtmlElement]:
    """The elements of the headline's block (up to three levels up): what stands above the
    headline there (a kicker, a date line) belongs to it; a menu elsewhere does not."""
    block = title
    for _ in range(HEADER_BLOCK_LEVELS):
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        block = parent
    return set(block.iter())


def header_texts(tree: HtmlElement, title: HtmlElement) -> tuple[list[str], list[str]]:
    """The short texts just before the headline and after it, up to the first paragraph."""
    inside = set(title.iter())
    before: list[str] = []
    after: list[str] = []
    seen = False
    after_chars = 0
    block = _header_block(title)
    for element, is_tail, raw in _visible_texts(tree):
        text = " ".join(raw.split())
        if not text:
            continue
        if element in inside and not (element is title and is_tail):
            seen = True
            continue
        if not seen:
            if element in block:
                before.append(text)
            continue
        if len(text) > PROSE_CHARS:
            break
        after.append(text)
        after_chars += len(text)
        if after_chars > HEADER_CHARS_AFTER:
            break
    kept: list[str] = []
    chars = 0
    for text in reversed(before):
        chars += len(text)
        if chars > HEADER_CHARS_BEFORE:
            break
        kept.append(text)
    return kept[::-1], after


def _date_language(tree: HtmlElement) -> str | None:
    """The page's declared language, as the date parser's hint. English outside the US writes
    day/month/year: any other English region is given as "en-gb", which reads it so."""
    declared = (tree.get("lang") or tree.get("xml:lang") or tree.get(XML_LANG) or "").strip()
    code = declared.lower().replace("_", "-")
    if not code:
        return None
    if code.startswith("en-") and code != "en-us":
        return "en-gb"
    return code.split("-")[0]


def _dates_in(texts: list[str], language: str | None) -> list[tuple[int, str]]:
    """(rank, ISO day) of the dates in short texts: 0 labelled published, 1 bare, 2 updated."""
    found = []
    for index, text in enumerate(texts):
        if len(text) > MAX_DATE_PIECE_CHARS:
            continue
        for match in PRINTED_DATE.finditer(text):
            fact = dt.parse_date(match[0], language=language)
            if fact is None:
                continue
            label = text[max(0, match.start() - LABEL_CONTEXT_CHARS) : match.start()]
            if not label.strip() and index > 0:  # "Updated:" in its own element
                label = texts[index - 1][-LABEL_CONTEXT_CHARS:]
            rank = 0 if PUBLISHED_LABEL.search(label) else 2 if UPDATED_LABEL.search(label) else 1
            found.append((rank, fact.value.date().isoformat()))
    return found


def _date_of(before: list[str], after: list[str], language: str | None) -> str | None:
    """The day the page prints beside its headline (ISO), as a reader sees the article dated.

    The byline right after the headline first, else the last date just before it; a date
    labelled published wins over a bare one, and both over an update.
    """
    for found in (_dates_in(after, language), _dates_in(before, language)[::-1]):
        if found:
            return min(found, key=lambda item: item[0])[1]
    return None


# A byline's label: "By", "Written by:", "Author:", "Von", "Par", "Por". What follows it (or
# the next text, when the label stands alone in its element) names the author.
BYLINE_LABEL = re.compile(
    r"^(?:(?:written|posted|authored|words|story|text)\s+by|by|author|autor(?:in)?|auteur|"
    r"von|par|por)\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# Where the names end: a date, or a separator before the next item of the byline.
BYLINE_END = re.compile(r"\s*(?:[|•·]|\s[-–—]\s|,?\s*(?:" + DATE_FORMS + "))", re.IGNORECASE)
MAX_BYLINE_CHARS = 80
NAME_JOINERS = frozenset({"", "and", "&", "und", "et", "y", "e"})


def _byline_in(texts: list[str]) -> str | None:
    """The names of a labelled byline ("By Jane Doe and John Roe") as printed, or None."""
    for index, text in enumerate(texts):
        label = BYLINE_LABEL.match(text) if len(text) <= MAX_BYLINE_CHARS else None
        if label is None:
            continue
        # The names as printed: after the label, or in the next element when it stands alone;
        # co-authors each in their own link ("Jane Doe", "and", "John Roe") joined again.
        at = index if label["rest"] else index + 1
        parts = [label["rest"] or (texts[at] if at < len(texts) else "")]
        while at + 2 < len(texts) and texts[at + 1].strip(" ,").lower() in NAME_JOINERS:
            parts += [texts[at + 1], texts[at + 2]]
            at += 2
        names = BYLINE_END.split(" ".join(parts), maxsplit=1)[0].strip(" ,;:")
        if names and len(names) <= MAX_BYLINE_CHARS:
            return names
    return None


# --- the page ----------------------------------------------------------------------------------


def parse_tree(html: str) -> HtmlElement | None:
    from trafilatura.utils import load_html  # copes with encoding declarations and broken markup

    tree = load_html(html)
    return tree if isinstance(tree, HtmlElement) else None


def html_facts(page: str | HtmlElement) -> HtmlFacts:
    """The publication date and authors the page states in JSON-LD, else in meta tags.

    `page` is the HTML, or its tree as `parse_tree` gives it (which is only read, never changed).
    """
    tree = page if isinstance(page, HtmlElement) else parse_tree(page)
    if tree is None:
        return HtmlFacts()
    found = all_jsonld_objects(tree)
    objects = article_objects(found)
    values = _meta_values(tree)  # read once, for the date and the authors
    date, date_source = jsonld_date(objects), SOURCE_JSON_LD
    if not date:
        date, date_source = meta_date(tree, values), SOURCE_HTML_META
    authors = jsonld_authors(objects) or meta_authors(tree, values)
    # The headline and the texts around it, found once for the title, the date and the byline.
    title = headline(tree, values)
    before, after = header_texts(tree, title) if title is not None else ([], [])
    return HtmlFacts(
        headline=None if title is None else " ".join(title.text_content().split()) or None,
        printed_date=_date_of(before, after, _date_language(tree)),
        byline=_byline_in(after) or _byline_in(before),
        date=date,
        date_source=date_source if date else None,
        authors=tuple(authors),
        organisations=tuple(
            name
            for name in dict.fromkeys(jsonld_organisations(found))
            if name not in authors and not NOT_A_NAME_VALUE.search(name)
        ),
    )
