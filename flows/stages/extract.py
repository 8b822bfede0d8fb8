"""Extract: HTML pages to main text and metadata; plain text passes through.

trafilatura finds the page's metadata and its own main text; the block model
(flows/stages/block_model.py) then judges every text block of the page, with trafilatura's choice
as one of its measures, and the blocks it keeps are the main text. Blocks trafilatura kept and
the model dropped are removed spans (kind `non_article`, with their score).

trafilatura's own de-duplication cache is process-wide and makes results depend on the order of
documents, so it stays off; duplicates are found later, over the whole run, by the dedup stage.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from copy import copy
from dataclasses import replace

from lxml.html import HtmlElement

from flows.core.records import Extracted, Rejection, SeedMetadata, SourceDocument
from flows.stages import block_model, metadata
from flows.stages.document import DocumentState, ExtractionSettings
from flows.stages.html_facts import HtmlFacts, html_facts, parse_tree


class ExtractionError(Exception):
    """The page holds no main text: neither trafilatura nor the block model finds any."""


def stage(state: DocumentState) -> DocumentState | Rejection:
    """The extract stage: the document's main text, or a rejection when a page has none."""
    try:
        extracted = extract(state.doc, state.settings.extraction)
    except ExtractionError as error:
        return state.reject("extract", "no_main_text", str(error))
    # Counted as the clean stage counts its spans: the run's tally matches the rows' boilerplate.
    state.stats.tally("spans_removed", [span.kind for span in extracted.removed])
    return replace(state, extracted=extracted, removed=(*state.removed, *extracted.removed))


def extract(doc: SourceDocument, settings: ExtractionSettings | None = None) -> Extracted:
    if doc.content_kind != "html":
        return Extracted(doc.content, "text", doc.seed)
    return extract_html(doc.content, doc.seed, settings or ExtractionSettings())


def extract_html(html: str, seed: SeedMetadata, settings: ExtractionSettings) -> Extracted:
    # Parsed once, for trafilatura (which works on its own copy), the block model and the page's
    # facts; a page lxml cannot parse goes to trafilatura as a string, as before.
    tree = parse_tree(html)
    page = html if tree is None else tree
    facts = html_facts(page)
    found = trafilatura_result(
        page, seed.url, settings, author_wanted=trafilatura_author_wanted(seed, facts)
    )
    extractor_text = str(found.get("text") or "").strip()
    model = block_model.model_for(settings.block_model)
    if model is not None and tree is not None:
        choice = block_model.main_text(tree, extractor_text, model)
        text, removed = choice.text, choice.removed
    else:
        text, removed = extractor_text, ()
    if not text.strip():
        raise ExtractionError("no main text found in the page")
    return Extracted(text, "html", merge_seed(seed, found, facts), removed)


def trafilatura_result(
    page: str | HtmlElement,
    url: str | None,
    settings: ExtractionSettings,
    *,
    author_wanted: Callable[[str | None], bool] | None = None,
) -> dict[str, object]:
    """trafilatura's main text and metadata for a page; empty when it finds no main text.
    `author_wanted`: see page_metadata."""
    if not isinstance(page, HtmlElement):  # a page lxml could not parse: trafilatura's own way
        return _as_dict(_bare_extraction(page, url, settings, with_metadata=True))
    # The metadata pass works on the copy the text extraction then reads, as bare_extraction's
    # own does (an author search may prune it), so the text is the same as bare_extraction's.
    working = copy(page)
    metadata = page_metadata(working, url, author_wanted=author_wanted)
    found = _as_dict(_bare_extraction(working, url or metadata.get("url"), settings))
    return found | metadata if found else {}


def _bare_extraction(
    page: str | HtmlElement,
    url: object,
    settings: ExtractionSettings,
    *,
    with_metadata: bool = False,
) -> object:
    import trafilatura  # a worker process imports it once; the CLI's --help does not pay for it

    return trafilatura.bare_extraction(
        page,
        url=url if isinstance(url, str) else None,
        with_metadata=with_metadata,
        include_comments=settings.include_comments,
        favor_precision=settings.favor_precision,
        include_tables=settings.include_tables,
        fast=settings.fast,
        deduplicate=False,
    )


def _as_dict(result: object) -> dict[str, object]:
    if result is None:
        return {}
    return result.as_dict() if hasattr(result, "as_dict") else dict(result)  # type: ignore[call-overload]


def page_metadata(
    tree: HtmlElement,
    url: str | None,
    *,
    author_wanted: Callable[[str | None], bool] | None = None,
) -> dict[str, object]:
    """trafilatura's metadata fields this pipeline reads: title, author, url, date, sitename.

    trafilatura's own steps in its order (meta tags, then JSON-LD over them, then the page's
    elements for what is still missing, htmldate for the date), without the categories, tags
    and licence that extract_metadata also looks for: nothing here reads them, and the category
    and tag searches alone cost about 5 ms a page, a sixth of a whole extraction.

    trafilatura's author search over the page's elements (about 6 ms a page) runs only when
    `author_wanted(the page's URL)` says its answer can matter (`trafilatura_author_wanted`); the
    URL is found first for it (both steps only read the tree, so their order changes nothing).
    """
    # Imported in the worker only, as trafilatura is (see _bare_extraction).
    from htmldate import find_date
    from trafilatura import metadata as tm
    from trafilatura.settings import DEFAULT_CONFIG, set_date_params

    found = tm.examine_meta(tree)
    if found.author and " " not in found.author:  # one word is a handle, not a name
        found.author = None
    # trafilatura guards its JSON-LD reader the same way: a bug there leaves the meta tags' fields.
    with suppress(Exception):
        found = tm.extract_meta_json(tree, found)
    found.title = found.title or tm.extract_title(tree)
    found.url = found.url or tm.extract_url(tree, url)
    if not found.author and (author_wanted is None or author_wanted(found.url)):
        found.author = tm.extract_author(tree)
    date_params = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
    found.date = find_date(tree, **(date_params | {"url": found.url}))
    if not found.sitename:
        found.sitename = tm.extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url and (site := tm.META_URL.match(found.url)):
        found.sitename = site[1]
    found.clean_and_trim()
    return {key: getattr(found, key) for key in ("title", "author", "url", "date", "sitename")}


def trafilatura_author_wanted(seed: SeedMetadata, facts: HtmlFacts) -> Callable[[str | None], bool]:
    """Whether trafilatura's author can reach the row, given the page's URL: not when the input
    names the author, nor when the page's own statement (JSON-LD, meta, a byline beside the
    headline) gives names the metadata stage keeps, since those come first there
    (`metadata.stated_authors`, the same function, so the row cannot differ)."""

    def wanted(page_url: str | None) -> bool:
        if seed.author:
            return False
        return not metadata.stated_authors(merge_seed(seed, {"url": page_url}, facts))

    return wanted


def merge_seed(
    seed: SeedMetadata, found: dict[str, object], facts: HtmlFacts | None = None
) -> SeedMetadata:
    """Fields the input gave explicitly (JSONL) win over what the page's HTML says.

    `found` is trafilatura's metadata (its date is htmldate's choice); `facts` what the page
    states explicitly, kept apart so the metadata stage can weigh and label the two.
    """
    facts = facts or HtmlFacts()

    def text(key: str) -> str | None:
        value = found.get(key)
        return value.strip() or None if isinstance(value, str) else None

    html_date = text("date")
    return replace(
        seed,
        url=seed.url or text("url"),
        # The headline the page prints before trafilatura's title (<title>, og:title: with site
        # names and search-engine variants); an input's own title field before both.
        title=seed.title or facts.headline or text("title"),
        date=seed.date or html_date,
        date_source=seed.date_source or ("htmldate" if html_date else None),
        author=seed.author or text("author"),
        publisher=seed.publisher or text("sitename"),
        page_date=seed.page_date or facts.date,
        page_date_source=seed.page_date_source or facts.date_source,
        page_printed_date=seed.page_printed_date or facts.printed_date,
        page_byline=seed.page_byline or facts.byline,
        page_authors=seed.page_authors or facts.authors,
        page_organisations=(*seed.page_organisations, *facts.organisations),
    )
