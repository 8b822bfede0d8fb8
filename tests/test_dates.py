"""Date strings, metadata lines, URL dates and dateline years (flows.stages.dates)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.stages import dates as dt

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language", "expected", "precision"),
    [
        ("2023-06-18", None, utc(2023, 6, 18), "day"),
        ("2023-06-19T08:00:00Z", None, utc(2023, 6, 19, 8), "second"),
        ("2023-06-19T08:00:00+08:00", None, utc(2023, 6, 19, 0), "second"),
        ("2023-06-19 23:30:00-05:00", None, utc(2023, 6, 20, 4, 30), "second"),
        # A time without a zone is not an instant: only the printed day is kept.
        ("2023-06-19T08:00:00", None, utc(2023, 6, 19), "day"),
        ("Mon, 19 Jun 2023 08:00:00 GMT", None, utc(2023, 6, 19, 8), "second"),
        ("June 3, 2023 10:00 ET", None, utc(2023, 6, 3, 14), "second"),
        ("Jan. 5, 2024 10:00 ET", None, utc(2024, 1, 5, 15), "second"),  # EST in winter
        ("June 3, 2023 10:00 EDT", None, utc(2023, 6, 3, 14), "second"),
        ("June 3, 2023 10:00", None, utc(2023, 6, 3), "day"),
        ("Jan. 5, 2024", None, utc(2024, 1, 5), "day"),
        ("19. Juni 2023", "de", utc(2023, 6, 19), "day"),
        ("19 juin 2023", "fr", utc(2023, 6, 19), "day"),
        ("3 de junio de 2023", "es", utc(2023, 6, 3), "day"),
        ("19 июня 2023", "ru", utc(2023, 6, 19), "day"),
        ("2023年6月19日", "zh", utc(2023, 6, 19), "day"),
    ],
)
def test_parse_date(text: str, language: str | None, expected: datetime, precision: str) -> None:
    fact = dt.parse_date(text, language=language)
    assert fact == dt.DateFact(expected, precision)
    assert fact.value.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "June 19",
        "19 juin",
        "2023",
        "yesterday",
        "2 hours ago",
        "not a date",
        "2023-13-45",
    ],
)
def test_parse_date_needs_a_full_date(text: str) -> None:
    assert dt.parse_date(text) is None


@pytest.mark.parametrize(
    ("line", "expected", "precision"),
    [
        ("date 2023-06-18", utc(2023, 6, 18), "day"),
        (" date 2023-06-18 ", utc(2023, 6, 18), "day"),
        ("Published: June 3, 2023 10:00 ET", utc(2023, 6, 3, 14), "second"),
        ("Published June 3, 2023", utc(2023, 6, 3), "day"),
        ("Updated June 5, 2023 | Published June 3, 2023", utc(2023, 6, 3), "day"),
        ("Updated: June 5, 2023", utc(2023, 6, 5), "day"),
        ("Veröffentlicht am 19. Juni 2023", utc(2023, 6, 19), "day"),
    ],
)
def test_parse_metadata_line(line: str, expected: datetime, precision: str) -> None:
    assert dt.parse_metadata_line(line, language="de") == dt.DateFact(expected, precision)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.reuters.com/world/china/2023/06/19/blinken-xi/", utc(2023, 6, 19)),
        ("https://example.com/2023/6/9/story.html", utc(2023, 6, 9)),
        ("https://example.com/news/story-2023-06-19/", utc(2023, 6, 19)),
        ("https://example.com/news/20230619/story", utc(2023, 6, 19)),
        ("https://example.com/2023/06/", None),  # a month is not a day
        ("https://example.com/2023/02/30/story", None),  # no such day
        ("https://example.com/article/123456789", None),
        (None, None),
    ],
)
def test_parse_url_date(url: str | None, expected: datetime | None) -> None:
    fact = dt.parse_url_date(url)
    assert (fact.value if fact else None) == expected


def test_url_year() -> None:
    assert dt.url_year("https://example.com/2023/06/story") == 2023
    assert dt.url_year("https://example.com/story") is None


@pytest.mark.parametrize(
    ("month_day", "anchor", "expected"),
    [
        ("June 19", utc(2023, 6, 18), utc(2023, 6, 19)),
        ("Dec. 31", utc(2024, 1, 1), utc(2023, 12, 31)),  # the year before the evidence
        ("Jan. 2", utc(2023, 12, 30), utc(2024, 1, 2)),
        ("19 juin", utc(2023, 6, 18), utc(2023, 6, 19)),
    ],
)
def test_complete_month_day(month_day: str, anchor: datetime, expected: datetime) -> None:
    fact = dt.complete_month_day(month_day, [anchor], language="fr")
    assert fact is not None and fact.value == expected


def test_complete_month_day_without_evidence_gives_nothing() -> None:
    assert dt.complete_month_day("June 19", []) is None


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (utc(2023, 6, 18), True),
        (utc(1990, 1, 1), True),
        (utc(1989, 12, 31), False),  # too old to be a publication date
        (utc(2026, 11, 24, 12, 0), True),
        (utc(2026, 11, 25), False),  # in the future
        (utc(2031, 1, 1), False),
    ],
)
def test_plausible_rejects_future_and_old(value: datetime, kept: bool) -> None:
    fact = dt.DateFact(value, "day")
    assert (dt.plausible(fact, NOW) is not None) is kept


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Dots: day.month.year in every language that writes them.
        ("10.12.2022, 07:00:03", "de", utc(2022, 12, 10)),
        ("10.12.2022", "en", utc(2022, 12, 10)),
        ("Di., 25.01.2022 - 14:45", "de", utc(2022, 1, 25)),
        # Slashes: month first only in English, unless the first number cannot be a month.
        ("10/05/2022 05:22 pm", "es", utc(2022, 5, 10)),
        ("10/05/2022", "en", utc(2022, 10, 5)),
        ("13/05/2022", "en", utc(2022, 5, 13)),
        ("31.02.2022", "de", None),  # no such day
        ("1.2.3.2020", "de", None),  # a version number, not a date
    ],
)
def test_numeric_dates(text: str, language: str, expected: datetime | None) -> None:
    fact = dt.parse_date(text, language=language)
    assert (fact.value if fact else None) == expected
    assert fact is None or fact.precision == "day"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The publisher's calendar day, not the UTC one.
        ("2023-11-08T22:05:41-05:00", utc(2023, 11, 8)),
        ("2022-01-28T00:00:00+01:00", utc(2022, 1, 28)),
        ("2023-06-19", utc(2023, 6, 19)),
        ("Wed, 04 May 2022 00:25:56 GMT", utc(2022, 5, 4)),
        ("10.12.2022, 07:00:03", utc(2022, 12, 10)),
        ("not a date", None),
        (None, None),
    ],
)
def test_printed_day(text: str | None, expected: datetime | None) -> None:
    fact = dt.printed_day(text, language="de")
    assert (fact.value if fact else None) == expected
    assert fact is None or fact.precision == "day"
