"""The metadata stage on hand-built cleaner output shaped like the samples (flows.stages.metadata)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from test_credits import (  # the samples' credit lines
    BEIJING_TAIPEI_TEAM,
    SAMPLE_000_CREDIT,
    SAMPLE_003_CREDIT,
)

from flows.core.records import ArticleMetadata, CleanedText, RemovedSpan, SeedMetadata
from flows.stages.language import detect_language, language_sample
from flows.stages.metadata import (
    count_words,
    extract_metadata,
    normalize_title,
    publisher_from_host,
    strip_site_suffix,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ENGLISH = (
    "U.S. Secretary of State Antony Blinken discussed Taiwan and other thorny issues with China's "
    "top diplomat, Wang Yi, in Beijing on the final day of a rare visit aimed at preventing "
    "friction between the two rival powers from spiraling into conflict."
)
REUTERS_BIO = (
    "Hamira Pamuk is a senior foreign policy correspondent based in Washington, DC. She covers "
    "the US State Department, and travels regularly with the US Secretary of State."
)


def span(kind: str, text: str) -> RemovedSpan:
    return RemovedSpan(kind=kind, text=text, rule=f"test_{kind}")


def extract(
    removed: list[RemovedSpan], seed: SeedMetadata | None = None, body: str = ENGLISH
) -> ArticleMetadata:
    return extract_metadata(
        CleanedText(paragraphs=[body], removed=removed), seed or SeedMetadata(), now=NOW
    )


# --- the samples' shapes -----------------------------------------------------------------------


def test_sample_000_reuters_with_caption_and_misspelled_bio() -> None:
    meta = extract_metadata(
        CleanedText(
            paragraphs=[ENGLISH],
            removed=[
                span(
                    "title",
                    "Blinken, Wang deal with difficult cases as a possible meeting with Xi looms",
                ),
                span("dateline", "BEIJING (Reuters) –"),
                span("see_also", "See also  Hezbollah fires on Israel"),
                span(
                    "caption",
                    "US Secretary of State Antony Blinken meets with Chinese Foreign Minister Chen "
                    "Gang in Beijing, China, June 18, 2023. REUTERS/Lea Mellis/Pool",
                ),
                span("credit", SAMPLE_000_CREDIT),
                span("trust_statement", "Our standards: Thomson Reuters Trust Principles."),
                span("author_bio", "Humera Pamuk"),
                span("author_bio", "Thomson Reuters"),
                span("author_bio", REUTERS_BIO),
                span("comment_prompt", "Leave a Reply"),
            ],
        ),
        SeedMetadata(),
        now=NOW,
    )
    assert (
        meta.title == "Blinken, Wang deal with difficult cases as a possible meeting with Xi looms"
    )
    assert meta.dateline == "BEIJING"
    assert meta.agency == "Reuters"
    assert meta.publisher == "Reuters"
    # "Coverage by" credits no author; "Hamira" (three letters from "Humeyra") is printed as
    # the writer and stays as printed: no evidence makes it someone else's misspelling.
    assert meta.authors == ["Hamira Pamuk", "Arshad Muhammad"]
    assert meta.contributors == BEIJING_TAIPEI_TEAM
    assert meta.editors == ["Simon Cameron Moore"]
    # The dateline prints no day: no published_at from it, whatever the caption says.
    assert meta.published_at is None
    assert meta.published_at_source is None
    assert meta.published_at_precision is None
    assert meta.language == "en"


def test_sample_001_epoch_times_author_block() -> None:
    meta = extract(
        [
            span("credit", "Frank Fang and Dorothy Li contributed to this report."),
            span("author_bio", "Aldgra Fredly"),
            span("author_bio", "Author"),
            span(
                "author_bio",
                "Aldgra Fredly is a freelance writer covering U.S. and Asia Pacific news for "
                "The Epoch Times.",
            ),
        ]
    )
    assert meta.authors == ["Aldgra Fredly"]
    assert meta.contributors == ["Frank Fang", "Dorothy Li"]
    assert meta.publisher == "The Epoch Times"
    assert meta.agency is None
    assert meta.dateline is None
    assert meta.title is None
    assert meta.published_at is None


def test_sample_002_ap_dateline() -> None:
    meta = extract([span("dateline", "BEIJING (AP) —")])
    assert (meta.dateline, meta.agency, meta.publisher) == ("BEIJING", "AP", None)
    assert meta.authors == []


def test_sample_003_metadata_line_wins_over_dateline() -> None:
    meta = extract(
        [
            span("metadata_line", "date 2023-06-18"),
            span("dateline", "BEIJING, June 19 (Reuters) –"),
            span("credit", SAMPLE_003_CREDIT),
            span("trust_statement", "Our standards: The Thomson Reuters Trust Principles."),
            span("author_bio", "Cotton Humeyra"),
            span("author_bio", "Thomson Reuters"),
        ]
    )
    assert meta.published_at == datetime(2023, 6, 18, tzinfo=UTC)
    assert meta.published_at_precision == "day"
    assert meta.published_at_source == "metadata_line"
    assert meta.dateline == "BEIJING"
    assert meta.agency == "Reuters"
    assert meta.authors == ["Humeyra Pamuk", "Arshad Mohammed"]
    assert meta.contributors == ["Dominique Patton", "Katharine Jackson"]
    assert meta.editors == ["Bill Berkrot"]


def test_sample_004_highlights() -> None:
    meta = extract(
        [
            span("title", "Xi, Blinken agree to stabilize US-China relations in Beijing talks"),
            span(
                "highlight", "The first meeting of its kind since 2018 aimed at conflict management"
            ),
            span("highlight", "• Xi says great powers can overcome difficulties"),
            span("highlight", "Linkin welcomes ‘frank and constructive’ conversations"),
            span("dateline", "BEIJING (Reuters) –"),
        ]
    )
    assert meta.highlights == [
        "The first meeting of its kind since 2018 aimed at conflict management",
        "Xi says great powers can overcome difficulties",
        "Linkin welcomes 'frank and constructive' conversations",
    ]
    assert meta.published_at is None  # "since 2018" is not a date


# --- published_at sources and priority ---------------------------------------------------------


@pytest.mark.parametrize(
    ("removed", "seed", "body", "expected", "precision", "source"),
    [
        (
            [span("metadata_line", "date 2023-06-18")],
            SeedMetadata(date="2023-06-19T08:00:00+02:00", date_source="html_meta"),
            ENGLISH,
            datetime(2023, 6, 19, 6, tzinfo=UTC),
            "second",
            "html_meta",
        ),
        (
            [],
            SeedMetadata(date="2023-06-19"),
            ENGLISH,
            datetime(2023, 6, 19, tzinfo=UTC),
            "day",
            "input_field",
        ),
        (
            [span("metadata_line", "Published: June 3, 2023 10:00 ET")],
            SeedMetadata(),
            ENGLISH,
            datetime(2023, 6, 3, 14, tzinfo=UTC),
            "second",
            "metadata_line",
        ),
        # The dateline's year from the URL.
        (
            [span("dateline", "LONDON, March 3 (Reuters) -")],
            SeedMetadata(url="https://example.com/2023/03/03/story"),
            ENGLISH,
            datetime(2023, 3, 3, tzinfo=UTC),
            "day",
            "dateline",
        ),
        # The dateline's year from a full date elsewhere in the document.
        (
            [
                span("dateline", "BEIJING, June 19 (Reuters) -"),
                span(
                    "caption", "Blinken in Beijing, China, June 18, 2023. REUTERS/Lea Mellis/Pool"
                ),
            ],
            SeedMetadata(),
            ENGLISH,
            datetime(2023, 6, 19, tzinfo=UTC),
            "day",
            "dateline",
        ),
        (
            [span("dateline", "NEW YORK, Jan. 5, 2024 /PRNewswire/ --")],
            SeedMetadata(),
            ENGLISH,
            datetime(2024, 1, 5, tzinfo=UTC),
            "day",
            "dateline",
        ),
        (
            [],
            SeedMetadata(url="https://www.reuters.com/world/2023/06/19/blinken/"),
            ENGLISH,
            datetime(2023, 6, 19, tzinfo=UTC),
            "day",
            "url",
        ),
    ],
)
def test_published_at(
    removed: list[RemovedSpan],
    seed: SeedMetadata,
    body: str,
    expected: datetime,
    precision: str,
    source: str,
) -> None:
    meta = extract(removed, seed, body)
    assert meta.published_at == expected
    assert meta.published_at.tzinfo is not None
    assert meta.published_at_precision == precision
    assert meta.published_at_source == source


@pytest.mark.parametrize(
    ("removed", "seed"),
    [
        ([span("dateline", "BEIJING, June 19 (Reuters) -")], SeedMetadata()),  # no year evidence
        ([], SeedMetadata(date="2031-01-01")),  # future
        ([span("metadata_line", "date 1985-06-18")], SeedMetadata()),  # too old
        ([span("metadata_line", "Published 2 hours ago")], SeedMetadata()),  # relative
        ([], SeedMetadata(url="https://example.com/2030/01/01/story")),  # future URL
        ([], SeedMetadata(date="not a date", date_source="input_field")),
    ],
)
def test_no_published_at_without_a_plausible_fact(
    removed: list[RemovedSpan], seed: SeedMetadata
) -> None:
    meta = extract(removed, seed)
    assert (meta.published_at, meta.published_at_precision, meta.published_at_source) == (
        None,
        None,
        None,
    )


def test_future_seed_date_falls_back_to_next_source() -> None:
    meta = extract([span("metadata_line", "date 2023-06-18")], SeedMetadata(date="2031-01-01"))
    assert meta.published_at_source == "metadata_line"


# --- other fields --------------------------------------------------------------------------------


def test_seed_fields_win() -> None:
    meta = extract(
        [span("title", "Headline line"), span("credit", "By Jane Doe")],
        SeedMetadata(
            url="https://www.nytimes.com/2023/06/19/world/asia/blinken.html",
            title="  Blinken’s  “frank” talks ",
            author="Jane Doe; John Roe",
            publisher="The New York Times",
        ),
    )
    assert meta.title == 'Blinken\'s "frank" talks'
    assert meta.authors == ["Jane Doe", "John Roe"]
    assert meta.publisher == "The New York Times"


def test_dateline_left_in_body_is_read() -> None:
    meta = extract([], body="WASHINGTON (AP) — " + ENGLISH)
    assert (meta.dateline, meta.agency) == ("WASHINGTON", "AP")


def test_bio_name_is_not_added_next_to_credited_authors() -> None:
    meta = extract([span("credit", "By Jane Doe"), span("author_bio", "John Roe")])
    assert meta.authors == ["Jane Doe"]


def test_author_block_of_several_lines() -> None:
    meta = extract([span("author_bio", "Aldgra Fredly\nAuthor\nAldgra Fredly is a writer.")])
    assert meta.authors == ["Aldgra Fredly"]


def test_contributor_who_is_an_author_is_listed_once() -> None:
    meta = extract(
        [span("credit", "Reporting by Jane Doe; Additional reporting by Jane Doe and John Roe")]
    )
    assert (meta.authors, meta.contributors) == (["Jane Doe"], ["John Roe"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Blinken,\n Wang  deal ", "Blinken, Wang deal"),
        ("“Frank” talks", '"Frank" talks'),
        ("China’s top diplomat", "China's top diplomat"),
        ("« Bonjour » dit-il", "« Bonjour » dit-il"),
        ("", None),
        ("   ", None),
        (None, None),
        ("x" * 400, None),
    ],
)
def test_normalize_title(raw: str | None, expected: str | None) -> None:
    assert normalize_title(raw) == expected


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        ("Blinken meets Xi | Reuters", ["Reuters"], "Blinken meets Xi"),
        ("Blinken meets Xi - BBC News", ["BBC"], "Blinken meets Xi"),
        ("Blinken meets Xi | The Guardian", ["The Guardian"], "Blinken meets Xi"),
        ("Blinken meets Xi - example.com", ["example.com"], "Blinken meets Xi"),
        ("Blinken meets Xi - Analysis", ["Reuters"], "Blinken meets Xi - Analysis"),
        ("US-China talks: what next", ["Reuters"], "US-China talks: what next"),
        ("Blinken meets Xi | Reuters", [None], "Blinken meets Xi | Reuters"),
    ],
)
def test_strip_site_suffix(title: str, sites: list[str | None], expected: str) -> None:
    assert strip_site_suffix(title, sites) == expected


def test_title_loses_site_suffix_of_its_publisher() -> None:
    seed = SeedMetadata(title="Blinken meets Xi | Reuters", url="https://www.reuters.com/x")
    assert extract([], seed).title == "Blinken meets Xi"


@pytest.mark.parametrize(
    ("url", "publisher"),
    [
        ("https://www.reuters.com/world/china/x", "Reuters"),
        ("https://apnews.com/article/x", "AP News"),
        ("https://www.theepochtimes.com/x", "The Epoch Times"),
        ("https://www.nytimes.com/2023/06/19/x.html", "The New York Times"),
        ("https://www.bbc.co.uk/news/x", "BBC"),
        ("https://www.bbc.com/news/x", "BBC"),
        ("https://amp.theguardian.com/world/x", "The Guardian"),
        ("https://news.example.co.uk/x", "example.co.uk"),
        ("https://blog.example.com/x", "example.com"),
        ("www.reuters.com", "Reuters"),
        ("not a url", None),
        (None, None),
    ],
)
def test_publisher_from_host(url: str | None, publisher: str | None) -> None:
    assert publisher_from_host(url) == publisher


def test_publisher_from_url_when_nothing_else() -> None:
    assert (
        extract([], SeedMetadata(url="https://www.theguardian.com/x")).publisher == "The Guardian"
    )


# --- language and words ------------------------------------------------------------------------

LANGUAGE_SAMPLES = {
    "en": ENGLISH,
    "de": "Die Bundesregierung hat am Montag neue Maßnahmen gegen die steigenden Energiepreise "
    "beschlossen, wie ein Sprecher in Berlin mitteilte.",
    "fr": "Le gouvernement a annoncé lundi de nouvelles mesures contre la hausse des prix de "
    "l'énergie, a indiqué un porte-parole à Paris.",
    "es": "El Gobierno anunció el lunes nuevas medidas contra la subida de los precios de la "
    "energía, informó un portavoz en Madrid.",
    "it": "Il governo ha annunciato lunedì nuove misure contro l'aumento dei prezzi dell'energia, "
    "ha detto un portavoce a Roma.",
    "pt": "O governo anunciou na segunda-feira novas medidas contra a alta dos preços da energia, "
    "informou um porta-voz em Lisboa.",
    "ru": "Правительство в понедельник объявило о новых мерах против роста цен на энергоносители, "
    "сообщил представитель в Москве.",
    "zh": "中国外交部发言人星期一在北京表示，双方同意继续就两国关系中的重要问题保持沟通。",
}


@pytest.mark.parametrize(("code", "text"), sorted(LANGUAGE_SAMPLES.items()))
def test_detect_language(code: str, text: str) -> None:
    language, score = detect_language(text)
    assert language == code
    assert score is not None and 0.5 < score <= 1.0


def test_detect_language_is_deterministic_in_any_order() -> None:
    texts = list(LANGUAGE_SAMPLES.values())
    forward = [detect_language(text) for text in texts]
    backward = [detect_language(text) for text in reversed(texts)][::-1]
    again = [detect_language(text) for text in texts]
    assert forward == backward == again


@pytest.mark.parametrize("text", ["", "   ", "OK", "12345 67890 !!!", "Hi there"])
def test_detect_language_undetectable(text: str) -> None:
    assert detect_language(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Hello world", 2),
        ("U.S. officials, it's 7.5 hours — well-known.", 6),
        ("中国外交部", 5),
        ("東京でニュース", 7),  # Han, Hiragana and Katakana, one word per character
        ("서울 뉴스", 4),
        ("我爱北京 hello world", 6),
        ("Привет, мир!", 2),
        ("Ça va très bien", 4),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_word_count_is_body_words() -> None:
    assert extract([]).word_count == count_words(ENGLISH)


# --- HTML pages: htmldate's day, labelled by the explicit evidence that agrees ------------------

HTML_URL = "https://example.com/news/story.html"


@pytest.mark.parametrize(
    ("seed", "expected", "source"),
    [
        # htmldate's day and JSON-LD's printed day agree: the explicit source is named.
        (
            SeedMetadata(
                url=HTML_URL,
                date="2023-11-08",
                date_source="htmldate",
                page_date="2023-11-08T22:05:41-05:00",
                page_date_source="json_ld",
            ),
            datetime(2023, 11, 8, tzinfo=UTC),
            "json_ld",
        ),
        (
            SeedMetadata(
                url=HTML_URL,
                date="2023-06-19",
                date_source="htmldate",
                page_date="2023-06-19T08:00:00+02:00",
                page_date_source="html_meta",
            ),
            datetime(2023, 6, 19, tzinfo=UTC),
            "html_meta",
        ),
        # They disagree: htmldate's day stands; the URL names it when it agrees.
        (
            SeedMetadata(
                url="https://example.com/2017/07/12/story",
                date="2017-07-12",
                date_source="htmldate",
                page_date="2019-06-17T18:28:00+0200",
                page_date_source="json_ld",
            ),
            datetime(2017, 7, 12, tzinfo=UTC),
            "url",
        ),
        (
            SeedMetadata(
                url=HTML_URL,
                date="2022-01-06",
                date_source="htmldate",
                page_date="2022-01-04T07:29:00Z",
                page_date_source="json_ld",
            ),
            datetime(2022, 1, 6, tzinfo=UTC),
            "htmldate",
        ),
        # htmldate found nothing: the explicit date alone.
        (
            SeedMetadata(url=HTML_URL, page_date="2022-01-27", page_date_source="html_meta"),
            datetime(2022, 1, 27, tzinfo=UTC),
            "html_meta",
        ),
        # A future explicit date is no evidence; the URL is next.
        (
            SeedMetadata(
                url="https://example.com/2023/06/19/story",
                page_date="2031-01-01",
                page_date_source="json_ld",
            ),
            datetime(2023, 6, 19, tzinfo=UTC),
            "url",
        ),
    ],
)
def test_html_page_date(seed: SeedMetadata, expected: datetime, source: str) -> None:
    meta = extract([], seed)
    assert (meta.published_at, meta.published_at_precision, meta.published_at_source) == (
        expected,
        "day",
        source,
    )


@pytest.mark.parametrize(
    ("seed", "expected", "source"),
    [
        # htmldate's guess has nothing behind it: the day printed beside the headline wins.
        (
            SeedMetadata(
                url=HTML_URL,
                date="2024-03-02",
                date_source="htmldate",
                page_printed_date="2021-09-14",
            ),
            datetime(2021, 9, 14, tzinfo=UTC),
            "page_header",
        ),
        # htmldate disagrees with the page's datePublished: still only a guess.
        (
            SeedMetadata(
                url=HTML_URL,
                date="2024-03-02",
                date_source="htmldate",
                page_date="2021-09-10T10:00:00Z",
                page_date_source="json_ld",
                page_printed_date="2021-09-14",
            ),
            datetime(2021, 9, 14, tzinfo=UTC),
            "page_header",
        ),
        # htmldate agrees with JSON-LD: the printed day does not overrule them.
        (
            SeedMetadata(
                url=HTML_URL,
                date="2021-09-10",
                date_source="htmldate",
                page_date="2021-09-10T10:00:00Z",
                page_date_source="json_ld",
                page_printed_date="2021-09-14",
            ),
            datetime(2021, 9, 10, tzinfo=UTC),
            "json_ld",
        ),
        # ... nor the day in the URL.
        (
            SeedMetadata(
                url="https://example.com/2021/09/10/story",
                date="2021-09-10",
                date_source="htmldate",
                page_printed_date="2021-09-14",
            ),
            datetime(2021, 9, 10, tzinfo=UTC),
            "url",
        ),
        # No other date at all: the printed one.
        (
            SeedMetadata(url=HTML_URL, page_printed_date="2021-09-14"),
            datetime(2021, 9, 14, tzinfo=UTC),
            "page_header",
        ),
        # A printed day in the future (a scrape's "today" is not) is no evidence.
        (
            SeedMetadata(
                url=HTML_URL,
                date="2024-03-02",
                date_source="htmldate",
                page_printed_date="2031-01-01",
            ),
            datetime(2024, 3, 2, tzinfo=UTC),
            "htmldate",
        ),
    ],
)
def test_printed_date_beats_an_unsupported_guess(
    seed: SeedMetadata, expected: datetime, source: str
) -> None:
    meta = extract([], seed)
    assert (meta.published_at, meta.published_at_precision, meta.published_at_source) == (
        expected,
        "day",
        source,
    )


def test_printed_date_beats_a_metadata_line_too() -> None:
    seed = SeedMetadata(
        url=HTML_URL, date="2024-03-02", date_source="htmldate", page_printed_date="2021-09-14"
    )
    meta = extract([RemovedSpan("metadata_line", "Published 12 August 2020", "rule")], seed)
    assert (meta.published_at, meta.published_at_source) == (
        datetime(2021, 9, 14, tzinfo=UTC),
        "page_header",
    )


# --- authors: explicit author fields first --------------------------------------------------------


@pytest.mark.parametrize(
    ("removed", "seed", "authors"),
    [
        # A single-word JSON-LD / meta author is kept.
        ([], SeedMetadata(page_authors=("Heiko",)), ["Heiko"]),
        # The page's explicit authors win over the text's credit line and trafilatura's guess.
        (
            [span("credit", "By John Roe")],
            SeedMetadata(page_authors=("Jane Doe",), author="Art Edwards"),
            ["Jane Doe"],
        ),
        # Without explicit fields: credit lines and trafilatura's author, folded.
        (
            [span("credit", "By John Roe")],
            SeedMetadata(author="John Roe; Jane Doe"),
            ["John Roe", "Jane Doe"],
        ),
        # The outlet in an author field (its host, or a JSON-LD organisation) is not an author.
        ([], SeedMetadata(url="https://www.tagesschau.de/x", author="Tagesschau De"), []),
        (
            [],
            SeedMetadata(page_authors=("Die Furche",), page_organisations=("Die Furche",)),
            [],
        ),
        # Only organisations and roles in the explicit field: the credit line speaks.
        ([span("credit", "By John Roe")], SeedMetadata(page_authors=("Redaktion",)), ["John Roe"]),
        # The byline beside the headline: after the explicit fields, before credit lines and
        # trafilatura's guess.
        (
            [span("credit", "By John Roe")],
            SeedMetadata(page_byline="Ana Ruiz and Tom Okafor", author="Ana Ruiz Fact"),
            ["Ana Ruiz", "Tom Okafor"],
        ),
        ([], SeedMetadata(page_authors=("Jane Doe",), page_byline="Ana Ruiz"), ["Jane Doe"]),
        # A byline naming the outlet names nobody: the next source speaks.
        (
            [span("credit", "By John Roe")],
            SeedMetadata(url="https://www.tagesschau.de/x", page_byline="tagesschau.de"),
            ["John Roe"],
        ),
    ],
)
def test_authors_from_explicit_fields(
    removed: list[RemovedSpan], seed: SeedMetadata, authors: list[str]
) -> None:
    assert extract(removed, seed).authors == authors


# --- authors, contributors, editors: folding needs evidence ---------------------------------------


@pytest.mark.parametrize(
    ("removed", "seed", "authors", "contributors", "editors"),
    [
        # The wire story: one credit list, two people with one surname.
        (
            [
                span(
                    "credit",
                    "Reporting by Michael Martin and Michelle Martin; Editing by Paul Jones",
                )
            ],
            SeedMetadata(),
            ["Michael Martin", "Michelle Martin"],
            [],
            ["Paul Jones"],
        ),
        # An explicit author field listing both (JSON-LD's author array is one list).
        (
            [],
            SeedMetadata(page_authors=("Paul Jones", "Paula Jones")),
            ["Paul Jones", "Paula Jones"],
            [],
            [],
        ),
        # Two places, two real given names: still two people.
        (
            [span("credit", "By Daniel Lee")],
            SeedMetadata(author="Daniela Lee"),
            ["Daniel Lee", "Daniela Lee"],
            [],
            [],
        ),
        # A byline and trafilatura's author one letter apart: one person, the byline's spelling.
        (
            [span("credit", "By Humeyra Pamuk")],
            SeedMetadata(author="Humera Pamuk"),
            ["Humeyra Pamuk"],
            [],
            [],
        ),
        # Bios only: a name line and a bio sentence with a missing letter name one reporter.
        (
            [
                span("author_bio", "Humeyra Pamuk"),
                span("author_bio", "Humera Pamuk is a senior foreign policy correspondent."),
            ],
            SeedMetadata(),
            ["Humeyra Pamuk"],
            [],
            [],
        ),
        # Two bios of two reporters with one surname.
        (
            [
                span("author_bio", "Mark Smith is a correspondent in Paris."),
                span("author_bio", "Mary Smith is a reporter in London."),
            ],
            SeedMetadata(),
            ["Mark Smith", "Mary Smith"],
            [],
            [],
        ),
        # A contributor who is an author is listed once; one with a similar name is not dropped.
        (
            [
                span(
                    "credit",
                    "Reporting by Daniel Lee; Additional reporting by Daniela Lee and Daniel Lee",
                )
            ],
            SeedMetadata(),
            ["Daniel Lee"],
            ["Daniela Lee"],
            [],
        ),
        (
            [span("credit", "Reporting by Humeyra Pamuk. Additional reporting by Humera Pamuk")],
            SeedMetadata(),
            ["Humeyra Pamuk"],
            [],
            [],
        ),
    ],
)
def test_people_fold_only_on_evidence(
    removed: list[RemovedSpan],
    seed: SeedMetadata,
    authors: list[str],
    contributors: list[str],
    editors: list[str],
) -> None:
    meta = extract(removed, seed)
    assert (meta.authors, meta.contributors, meta.editors) == (authors, contributors, editors)


@pytest.mark.parametrize(
    ("seed", "expected", "source"),
    [
        # htmldate's bare guess loses to the page's printed metadata line.
        (
            SeedMetadata(url=HTML_URL, date="2019-08-24", date_source="htmldate"),
            datetime(2019, 8, 16, tzinfo=UTC),
            "metadata_line",
        ),
        # Backed by the explicit metadata (or the URL), htmldate's day stays.
        (
            SeedMetadata(
                url=HTML_URL,
                date="2019-08-24",
                date_source="htmldate",
                page_date="2019-08-24T10:00:00Z",
                page_date_source="json_ld",
            ),
            datetime(2019, 8, 24, tzinfo=UTC),
            "json_ld",
        ),
        (
            SeedMetadata(
                url="https://example.com/2019/08/24/story",
                date="2019-08-24",
                date_source="htmldate",
            ),
            datetime(2019, 8, 24, tzinfo=UTC),
            "url",
        ),
    ],
)
def test_metadata_line_against_htmldate(
    seed: SeedMetadata, expected: datetime, source: str
) -> None:
    meta = extract([span("metadata_line", "Veröffentlicht am 16.08.2019")], seed)
    assert (meta.published_at, meta.published_at_source) == (expected, source)


def test_language_sample_is_bounded_and_reads_the_middle_too() -> None:
    opening, middle, ending = "a" * 3000, "MIDDLE" + "b" * 3000, "c" * 3000
    sample = language_sample(opening + middle + ending, size=500)
    assert len(sample) <= 2 * 500 + 1
    assert sample.startswith("a" * 500)
    assert "b" * 100 in sample and "c" not in sample
    assert language_sample("short text", size=500) == "short text"


def test_language_of_a_long_text_from_its_sample() -> None:
    english = "The committee published its report on the river's water quality this week. " * 80
    german = "Der Ausschuss hat diese Woche seinen Bericht über die Wasserqualität vorgelegt. " * 80
    assert detect_language(english)[0] == "en"
    assert detect_language(german)[0] == "de"
