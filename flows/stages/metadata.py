"""The metadata stage: every descriptive column of an article, from the cleaner's output and seed.

`extract_metadata` reads the body, the spans the cleaner removed (by kind only: title, highlight,
dateline, metadata_line, credit, author_bio, caption, trust_statement) and the seed the input
carried. A field is filled when the document states the fact and left empty when it does not;
the parsers live in `flows.stages.credits` (people, agencies, datelines) and `flows.stages.dates` (dates).

Normal forms: titles and names use straight quotes and apostrophes (' and "), single spaces;
names are "First Last"; published_at is aware UTC, a date-only value midnight UTC with precision
"day"; languages are ISO 639-1 codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flows.core.records import ArticleMetadata, CleanedText, Rejection, SeedMetadata
from flows.core.text import count_words
from flows.stages import credits as cr
from flows.stages import dates as dt
from flows.stages.document import DocumentState, needs
from flows.stages.language import detect_language

# --- words (the language is flows/stages/language.py's) -------------------------------------------

# Words are counted by flows.core.text.count_words: the repeated-lines step recounts stripped
# bodies with the same function.


# --- title -----------------------------------------------------------------------------------

# Typographic quotes -> straight ones; guillemets are kept (they are the quotes of the language).
QUOTE_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
    }
)
# A headline is a line, not a paragraph: longer "titles" are ledes the cleaner mistook.
MAX_TITLE_CHARS = 300


def normalize_text(text: str) -> str:
    """NFC, straight quotes, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).translate(QUOTE_MAP).split())


def normalize_title(text: str | None) -> str | None:
    if not text:
        return None
    title = normalize_text(text)
    if not title or len(title) > MAX_TITLE_CHARS:
        return None
    return title


# "Headline | Reuters", "Headline - BBC News": the site's name after the last separator.
TITLE_SITE_SUFFIX = re.compile(r"^(?P<title>.+?)\s+[|\-–—:·•]\s+(?P<site>[^|\-–—:·•]{2,60})$")


def _site_key(name: str) -> str:
    return re.sub(r"[^\w]", "", name.lower().removeprefix("the "))


def strip_site_suffix(title: str, site_names: Iterable[str | None]) -> str:
    """The title without a trailing "| Site" when Site is this article's publisher or agency."""
    match = TITLE_SITE_SUFFIX.match(title)
    if not match:
        return title
    site = _site_key(match["site"])
    for name in filter(None, site_names):
        key = _site_key(name)
        # "BBC News" is BBC's suffix too: a known name followed by a generic word.
        if key and (site == key or site == key + "news" or site.startswith(key + "com")):
            return match["title"]
    return title


def _title(cleaned: CleanedText, seed: SeedMetadata, site_names: list[str | None]) -> str | None:
    candidates = [seed.title, *(span.text for span in cleaned.spans("title"))]
    title = next((t for t in map(normalize_title, candidates) if t), None)
    return strip_site_suffix(title, site_names) if title else None


# --- dateline --------------------------------------------------------------------------------

# A dateline still at the start of the body (HTML inputs keep it): "WASHINGTON (AP) — ...".
BODY_DATELINE = re.compile(
    r"^(?P<dateline>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ .'’\-]{1,40}(?:,[^()\n]{1,40}?)?\s*"
    r"(?:\([^)\n]{2,40}\)|/[^/\n]{2,40}/)\s*[-–—]+)\s"
)


def _datelines(cleaned: CleanedText) -> list[cr.Dateline]:
    texts = [span.text for span in cleaned.spans("dateline")]
    if cleaned.paragraphs:
        match = BODY_DATELINE.match(cleaned.paragraphs[0])
        if match:
            texts.append(match["dateline"])
    return [d for d in map(cr.parse_dateline, texts) if d is not None]


# --- published_at ----------------------------------------------------------------------------

# Full dates in the text ("June 18, 2023", "18 June 2023") only give a dateline its year.
TEXT_DATE = re.compile(
    r"\b(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+(?:19|20)\d{2}|\d{1,2}\.?\s+[^\W\d_]{3,9}\.?\s+(?:19|20)\d{2})\b"
)
MAX_TEXT_DATES = 20


def _text_dates(texts: Iterable[str], now: datetime, language: str | None) -> list[datetime]:
    found: list[datetime] = []
    for text in texts:
        for match in TEXT_DATE.finditer(text):
            fact = dt.plausible(dt.parse_date(match[0], language=language), now)
            if fact:
                found.append(fact.value)
            if len(found) >= MAX_TEXT_DATES:
                return found
    return found


def _dateline_date(
    datelines: list[cr.Dateline],
    evidence: list[datetime],
    years: list[int],
    language: str | None,
) -> dt.DateFact | None:
    for dateline in datelines:
        if not dateline.month_day:
            continue
        if dateline.year:
            return dt.parse_date(f"{dateline.month_day} {dateline.year}", language=language)
        if evidence:
            return dt.complete_month_day(dateline.month_day, evidence, language=language)
        if years:
            return dt.parse_date(f"{dateline.month_day} {years[0]}", language=language)
    return None


INPUT_FIELD = "input_field"
HTMLDATE = "htmldate"
URL = "url"
PAGE_HEADER = "page_header"


def _page_date(
    seed: SeedMetadata, now: datetime, language: str | None
) -> tuple[dt.DateFact | None, str | None]:
    """An HTML page's date: htmldate's day, labelled by the explicit evidence that agrees with it.

    htmldate (through trafilatura, original_date=True) already reads JSON-LD and meta tags; where
    its day and the page's explicit datePublished disagree, htmldate was right more often on the
    development set (it weighs modified dates, URL dates and the text). So the explicit date only
    decides alone when htmldate found nothing, and otherwise names the source when it agrees.
    Days are the publisher's printed day: htmldate gives no time of day.
    """
    heuristic = dt.plausible(dt.parse_date(seed.date, language=language), now)
    explicit = dt.plausible(dt.printed_day(seed.page_date, language=language), now)
    if heuristic is None:
        return (explicit, seed.page_date_source) if explicit else (None, None)
    day = heuristic.value.date()
    if explicit and explicit.value.date() == day and seed.page_date_source:
        return heuristic, seed.page_date_source
    url_fact = dt.parse_url_date(seed.url)
    if url_fact and url_fact.value.date() == day:
        return heuristic, URL
    return heuristic, seed.date_source or HTMLDATE


def _published(
    cleaned: CleanedText,
    seed: SeedMetadata,
    datelines: list[cr.Dateline],
    now: datetime,
    language: str | None,
) -> tuple[dt.DateFact | None, str | None]:
    """The publication date and where it came from, in the order of trust of the sources."""
    if seed.date_source in (None, INPUT_FIELD):  # a JSONL field (a seed date with no source too)
        input_fact = dt.plausible(dt.parse_date(seed.date, language=language), now)
        if input_fact:
            return input_fact, INPUT_FIELD
    # Lazy: parsing stops at the first metadata line with a plausible date.
    line_facts = (
        dt.plausible(dt.parse_metadata_line(span.text, language=language), now)
        for span in cleaned.spans("metadata_line")
    )
    line_fact = next((fact for fact in line_facts if fact), None)
    page_fact, page_source = _page_date(seed, now, language)
    # htmldate's guess with no explicit or URL evidence behind it loses to the date the page
    # prints beside its headline, then to a date on a metadata line of the text ("Veröffentlicht
    # am 16.08.2019"): both are what the reader is shown as the article's date, where htmldate
    # may have taken any date of the page (a sidebar's, a comment's, the page's last change).
    # Where they disagreed, the printed day was right on 14 pages and the guess on 2 (trafilatura
    # set), on 23 and 0 (WCXB); the metadata line 4 times and the guess once (trafilatura set).
    no_url_date = dt.parse_url_date(seed.url) is None
    unsupported = page_source == HTMLDATE or (page_fact is None and no_url_date)
    printed = dt.plausible(dt.parse_iso(seed.page_printed_date or ""), now)
    if unsupported and printed:
        return printed, PAGE_HEADER
    if page_fact and page_source == HTMLDATE and line_fact:
        return line_fact, "metadata_line"
    if page_fact:
        return page_fact, page_source
    if line_fact:
        return line_fact, "metadata_line"
    url_fact = dt.plausible(dt.parse_url_date(seed.url), now)
    # A dateline prints month and day; the year must come from elsewhere in the document.
    evidence = [fact.value for fact in (url_fact,) if fact]
    if not evidence:
        texts = [*(s.text for s in cleaned.spans("caption", "metadata_line")), *cleaned.paragraphs]
        evidence = _text_dates(texts, now, language)
    years = [year for year in (dt.url_year(seed.url),) if year]
    dateline_fact = dt.plausible(_dateline_date(datelines, evidence, years, language), now)
    if dateline_fact:
        return dateline_fact, "dateline"
    if url_fact:
        return url_fact, "url"
    return None, None


# --- agency and publisher --------------------------------------------------------------------

# Well-known hosts -> outlet names; other hosts give their registrable domain.
PUBLISHER_HOSTS: dict[str, str] = {
    "reuters.com": "Reuters",
    "apnews.com": "AP News",
    "theepochtimes.com": "The Epoch Times",
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "theguardian.com": "The Guardian",
    "cnn.com": "CNN",
    "bloomberg.com": "Bloomberg",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "aljazeera.com": "Al Jazeera",
    "npr.org": "NPR",
    "foxnews.com": "Fox News",
    "nbcnews.com": "NBC News",
    "cbsnews.com": "CBS News",
    "abcnews.go.com": "ABC News",
    "usatoday.com": "USA Today",
    "latimes.com": "Los Angeles Times",
    "politico.com": "Politico",
    "axios.com": "Axios",
    "scmp.com": "South China Morning Post",
    "france24.com": "France 24",
    "dw.com": "DW",
    "spiegel.de": "Der Spiegel",
    "zeit.de": "Die Zeit",
    "faz.net": "Frankfurter Allgemeine Zeitung",
    "sueddeutsche.de": "Süddeutsche Zeitung",
    "lemonde.fr": "Le Monde",
    "lefigaro.fr": "Le Figaro",
    "elpais.com": "El País",
    "elmundo.es": "El Mundo",
    "corriere.it": "Corriere della Sera",
    "repubblica.it": "la Repubblica",
    "ansa.it": "ANSA",
    "folha.uol.com.br": "Folha de S.Paulo",
    "globo.com": "O Globo",
    "tass.ru": "TASS",
    "ria.ru": "RIA Novosti",
    "xinhuanet.com": "Xinhua",
    "news.cn": "Xinhua",
    "chinadaily.com.cn": "China Daily",
    "globaltimes.cn": "Global Times",
    "afp.com": "AFP",
}
# Second-level labels under a country code that are not registrable on their own (co.uk, com.br).
SECOND_LEVEL_LABELS = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go"})
HOST_PREFIXES = re.compile(r"^(?:www\d?|m|amp|mobile|edition|beta)\.")
# A seed publisher that is a host name ("www.reuters.com") is mapped like a URL.
HOST_LIKE = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")


def registrable_domain(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL_LABELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def publisher_from_host(url_or_host: str | None) -> str | None:
    """The outlet named by a URL's host: a known name, else the registrable domain."""
    if not url_or_host:
        return None
    target = url_or_host if "//" in url_or_host else f"//{url_or_host}"
    host = (urlsplit(target).hostname or "").lower().rstrip(".")
    if not host or "." not in host:
        return None
    host = HOST_PREFIXES.sub("", host)
    for known, name in PUBLISHER_HOSTS.items():
        if host == known or host.endswith("." + known):
            return name
    return registrable_domain(host)


def _agency(
    cleaned: CleanedText, datelines: list[cr.Dateline], credit_agency: str | None
) -> str | None:
    """Wire service, from the most direct credit: dateline, credits, photo credits, trust line."""
    candidates = [
        *(d.agency for d in datelines),
        credit_agency,
        *(cr.caption_agency(span.text) for span in cleaned.spans("caption")),
        *(cr.find_agency(span.text) for span in cleaned.spans("trust_statement")),
    ]
    return next((agency for agency in candidates if agency), None)


def _publisher(cleaned: CleanedText, seed: SeedMetadata, agency: str | None) -> str | None:
    if seed.publisher and seed.publisher.strip():
        raw = seed.publisher.strip()
        return publisher_from_host(raw) if HOST_LIKE.match(raw) else normalize_text(raw)
    for span in cleaned.spans("author_bio", "credit"):
        outlet = cr.writes_for(span.text)
        if outlet:
            return normalize_text(outlet)
    # An agency's own trust statement ("Thomson Reuters Trust Principles") on an article that
    # agency is credited for: the agency published it.
    trusted = {cr.find_agency(span.text) for span in cleaned.spans("trust_statement")}
    if agency and agency in trusted:
        return agency
    return publisher_from_host(seed.url)


# --- people ----------------------------------------------------------------------------------


def _site_names(seed: SeedMetadata) -> list[str | None]:
    """Names that are the outlet's on this page: its host, and what JSON-LD types an organisation.

    An author field holding one ("tagesschau.de", "Tagesschau De") names the outlet. The plain
    site name is not among them: a personal blog's site name is its author's name.
    """
    host = HOST_PREFIXES.sub("", (urlsplit(seed.url or "").hostname or "").lower())
    return [*seed.page_organisations, host, registrable_domain(host) if host else None]


def stated_authors(seed: SeedMetadata) -> list[str]:
    """The authors the page names itself and the metadata stage keeps: its explicit author fields
    (JSON-LD, meta), else the byline beside its headline; none that name the outlet."""
    sites = _site_names(seed)
    authors = cr.fold_names([cr.explicit_name_list(seed.page_authors, sites)])
    if not authors and seed.page_byline:
        # The byline printed beside the headline, after a "By" label: what the reader is shown,
        # so above the text's credit lines and trafilatura's guesses.
        authors = cr.fold_names([cr.explicit_name_list([seed.page_byline], sites)])
    return authors


@dataclass(frozen=True)
class _People:
    authors: list[str]
    contributors: list[str]
    editors: list[str]
    agency: str | None  # the agency a credit line names


def _people(cleaned: CleanedText, seed: SeedMetadata) -> _People:
    """Authors, contributors and editors; an author block only names an uncredited author.

    The page's explicit author fields (JSON-LD, meta) are the publisher's own statement and win;
    then the labelled byline beside the headline; then the credit lines of the text and
    trafilatura's author (its byline heuristics). Each list of names is one place for
    `fold_names`: names printed together are never folded.
    """
    found = cr.Credits()
    for span in cleaned.spans("credit"):
        found.extend(cr.parse_credit(span.text))
    authors = stated_authors(seed)
    if not authors:
        sites = _site_names(seed)
        seed_authors = cr.explicit_name_list([seed.author], sites) if seed.author else []
        authors = cr.fold_names([*found.lists_of(cr.AUTHORS), seed_authors])
    if not authors:
        bio_lines = (line for s in cleaned.spans("author_bio") for line in s.text.splitlines())
        bio_names = (cr.bio_name(line) for line in bio_lines)
        authors = cr.fold_names([[name] for name in bio_names if name])  # a place per line
    return _People(
        authors=authors,
        contributors=cr.fold_names(found.lists_of(cr.CONTRIBUTORS), known=authors),
        editors=cr.fold_names(found.lists_of(cr.EDITORS)),
        agency=found.agency,
    )


# --- the stage -------------------------------------------------------------------------------

HIGHLIGHT_BULLET = re.compile(r"^\s*[•·▪◦●*\-–—]\s*")


def stage(state: DocumentState) -> DocumentState | Rejection:
    """The metadata stage: the cleaned article's descriptive fields (the run's start is "now")."""
    extracted = needs(state.extracted, "extracted text")
    cleaned = needs(state.cleaned, "cleaned text")
    metadata = extract_metadata(cleaned, extracted.seed, now=state.context.started_at)
    return replace(state, metadata=metadata)


def extract_metadata(cleaned: CleanedText, seed: SeedMetadata, *, now: datetime) -> ArticleMetadata:
    """Every descriptive field of one article; `now` bounds the dates accepted as evidence."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    body = cleaned.body
    language, language_score = detect_language(body)
    datelines = _datelines(cleaned)
    published, published_source = _published(cleaned, seed, datelines, now, language)
    people = _people(cleaned, seed)
    agency = _agency(cleaned, datelines, people.agency)
    publisher = _publisher(cleaned, seed, agency)
    site_names = [publisher, agency, publisher_from_host(seed.url), seed.publisher]
    return ArticleMetadata(
        title=_title(cleaned, seed, site_names),
        published_at=published.value if published else None,
        published_at_precision=published.precision if published else None,
        published_at_source=published_source,
        dateline=next((d.place for d in datelines if d.place), None),
        agency=agency,
        publisher=publisher,
        authors=people.authors,
        contributors=people.contributors,
        editors=people.editors,
        highlights=[
            text
            for text in (
                normalize_text(HIGHLIGHT_BULLET.sub("", s.text)) for s in cleaned.spans("highlight")
            )
            if text
        ],
        language=language,
        language_score=language_score,
        word_count=count_words(body),
    )
