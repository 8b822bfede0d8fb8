"""Date evidence: parse date strings, metadata lines, URL dates and dateline dates into UTC.

Every function returns a `DateFact` (an aware UTC datetime plus its precision) or None. Nothing is
guessed: a string without a year gives no date, a time without a time zone keeps only the printed
day, and dates in the future or before 1990 are rejected as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

# Earliest date accepted as evidence: older "dates" are years in the text, not publication dates.
MIN_DATE = datetime(1990, 1, 1, tzinfo=UTC)

PRECISION_DAY = "day"
PRECISION_SECOND = "second"

# ISO 8601 date with optional time and offset: the form of HTML meta tags and JSON fields.
ISO_DATE = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?\s*$",
    re.IGNORECASE,
)

# A clock time in a free-form date string; without one the date is day precision.
CLOCK_TIME = re.compile(r"\b\d{1,2}(?::\d{2}|h\d{2})\b|\b\d{1,2}\s*[ap]\.?m\.?\b", re.IGNORECASE)

# Zone abbreviations dateparser does not know; mapped to real zones so DST is applied right.
EXTRA_ZONES: dict[str, str] = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}
EXTRA_ZONE_TOKEN = re.compile(r"\b(?P<zone>" + "|".join(EXTRA_ZONES) + r")\.?\s*$")

# Labels in front of a date on a metadata line ("date 2023-06-18", "Published: June 3, 2023").
DATE_LABEL = re.compile(
    r"(?P<label>\b(?:date|dated|published(?:\s+on)?|first\s+published(?:\s+on)?|posted(?:\s+on)?|"
    r"(?:last\s+)?updated(?:\s+on)?|modified|publication\s+date|"
    r"veröffentlicht(?:\s+am)?|aktualisiert(?:\s+am)?|stand|"
    r"publié\s+le|mis\s+à\s+jour\s+le|publicado(?:\s+el)?|actualizado(?:\s+el)?|"
    r"pubblicato(?:\s+il)?|aggiornato(?:\s+il)?|atualizado(?:\s+em)?|"
    r"опубликовано|обновлено))\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Labels of a later revision: a published date on the same line wins over them.
UPDATE_LABEL = re.compile(
    r"updated|modified|aktualisiert|stand|mis à jour|actualizado|aggiornato|atualizado|обновлено",
    re.IGNORECASE,
)
PIECE_SEPARATOR = re.compile(r"\s*[|•·]\s*")

# Date paths in URLs: /2023/06/19/, /2023-06-19/, /20230619/.
URL_DATES = (
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/|$|[-_])"),
    re.compile(r"[/_-](?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?:/|$|[-_.])"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:/|$|[-_.])"),
)
# A year-month path (/2023/06/) is evidence of the year only.
URL_YEAR = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?:\d{1,2}/)?")

# All-numeric dates: "10.12.2022" is day.month.year wherever dots are written; with slashes
# "10/05/2022" is month/day only in English (US) text, day/month in other languages.
NUMERIC_DATE = re.compile(
    r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2})(?![\d.]\d)"
)

DATEPARSER_SETTINGS: dict[str, Any] = {
    # A date must carry its own year: dateparser would otherwise fill in today's.
    "REQUIRE_PARTS": ["day", "month", "year"],
    # No relative dates ("2 hours ago" is relative to the scrape, not known here), no timestamps.
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
}


@dataclass(frozen=True)
class DateFact:
    """A publication date: aware UTC datetime, and whether the time of day is known."""

    value: datetime
    precision: str


def plausible(fact: DateFact | None, now: datetime) -> DateFact | None:
    """The fact when it can be a publication date (1990 .. now), else None."""
    if fact is None:
        return None
    # A date-only value is midnight UTC; its day may start before `now` in UTC even if later locally.
    if fact.value < MIN_DATE or fact.value > now:
        return None
    return fact


def _utc(value: datetime) -> DateFact:
    """An aware datetime -> UTC second precision; a naive one -> its printed day, day precision."""
    if value.tzinfo is None:
        return day_fact(value.date())
    return DateFact(value.astimezone(UTC), PRECISION_SECOND)


def day_fact(day: date) -> DateFact:
    return DateFact(datetime.combine(day, time(), tzinfo=UTC), PRECISION_DAY)


def _offset(text: str) -> tzinfo:
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_iso(text: str) -> DateFact | None:
    """ISO 8601 dates and datetimes; a time without an offset keeps only the day."""
    match = ISO_DATE.match(text)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if match["H"] is None or match["tz"] is None:
        return day_fact(day)
    try:
        clock = time(int(match["H"]), int(match["M"]), int(match["S"] or 0))
    except ValueError:
        return day_fact(day)
    return _utc(datetime.combine(day, clock, tzinfo=_offset(match["tz"])))


@lru_cache(maxsize=32)
def _date_parser(languages: tuple[str, ...]) -> Any:
    from dateparser.date import DateDataParser  # slow import; only when a free-form date is seen

    return DateDataParser(settings=DATEPARSER_SETTINGS, languages=list(languages))


def _language_hint(language: str | None) -> tuple[str, ...]:
    """The article's language (when dateparser knows it) and English, the language of bylines.

    Restricting dateparser's languages keeps a failed parse at milliseconds instead of seconds.
    """
    # Imported here: dateparser's data: loaded in worker processes, only when a date needs it.
    from dateparser.data import language_order

    known = language if language in language_order else None
    return tuple(dict.fromkeys([known, "en"] if known else ["en"]))


def parse_numeric_date(text: str, *, language: str | None = None) -> DateFact | None:
    """The day of an all-numeric date ("10.12.2022", "10/05/2022 05:22 pm"); None if none or invalid.

    A time next to it has no zone in these forms, so only the printed day is kept.
    """
    match = NUMERIC_DATE.search(text)
    if not match:
        return None
    first, second = int(match["a"]), int(match["b"])
    month_first = match["sep"] == "/" and (language in (None, "en") or second > 12)
    day, month = (second, first) if month_first else (first, second)
    try:
        return day_fact(date(int(match["y"]), month, day))
    except ValueError:
        return None


def printed_day(text: str | None, *, language: str | None = None) -> DateFact | None:
    """The calendar day a date string prints, not converted to UTC: the publisher's own day.

    "2023-11-08T22:05:41-05:00" is November 8 where it was published, though November 9 in UTC.
    """
    if not text or not text.strip():
        return None
    iso = ISO_DATE.match(text)
    if iso:
        try:
            return day_fact(date(int(iso["y"]), int(iso["m"]), int(iso["d"])))
        except ValueError:
            return None
    fact = parse_date(text, language=language)
    return day_fact(fact.value.date()) if fact else None


def parse_date(text: str | None, *, language: str | None = None) -> DateFact | None:
    """A date string in any common form (ISO, RFC 2822, "June 3, 2023 10:00 ET", "19. Juni 2023").

    The string must hold a year, a month and a day. A time with a zone gives second precision;
    a time without a zone is not converted (the instant is unknown) and keeps the printed day.
    """
    if not text or not text.strip():
        return None
    text = " ".join(text.split())
    iso = parse_iso(text)
    if iso is not None:
        return iso
    numeric = parse_numeric_date(text, language=language)
    if numeric is not None:
        return numeric
    zone = None
    extra = EXTRA_ZONE_TOKEN.search(text)
    if extra:
        zone = ZoneInfo(EXTRA_ZONES[extra["zone"]])
        text = text[: extra.start()].strip()
    found = _date_parser(_language_hint(language)).get_date_data(text).date_obj
    if found is None:
        return None
    if not CLOCK_TIME.search(text):
        return day_fact(found.date())
    if zone is not None and found.tzinfo is None:
        found = found.replace(tzinfo=zone)
    return _utc(found)


def _metadata_pieces(line: str) -> list[tuple[bool, str]]:
    """(is_update, text) for each labelled or separated piece of a metadata line, in order."""
    pieces: list[tuple[bool, str]] = []
    for part in PIECE_SEPARATOR.split(line):
        labels = list(DATE_LABEL.finditer(part))
        if not labels:
            pieces.append((False, part))
            continue
        for index, label in enumerate(labels):
            end = labels[index + 1].start() if index + 1 < len(labels) else len(part)
            is_update = bool(UPDATE_LABEL.search(label["label"]))
            pieces.append((is_update, part[label.end() : end]))
    return pieces


def parse_metadata_line(line: str, *, language: str | None = None) -> DateFact | None:
    """The publication date on a metadata line; an 'Updated' date only when no other is given."""
    facts = [
        (is_update, parse_date(piece, language=language))
        for is_update, piece in _metadata_pieces(line)
        if piece.strip()
    ]
    for wanted_update in (False, True):
        for is_update, fact in facts:
            if fact is not None and is_update == wanted_update:
                return fact
    return None


def _url_path(url: str) -> str:
    """The URL without its scheme and host, so digits in a host name never read as a date."""
    return re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.IGNORECASE)


def parse_url_date(url: str | None) -> DateFact | None:
    """A day in the URL path (/2023/06/19/, /2023-06-19/, /20230619/)."""
    if not url:
        return None
    path = _url_path(url)
    for pattern in URL_DATES:
        for match in pattern.finditer(path):
            try:
                return day_fact(date(int(match["y"]), int(match["m"]), int(match["d"])))
            except ValueError:
                continue
    return None


def url_year(url: str | None) -> int | None:
    """The year of a /YYYY/ or /YYYY/MM/ path segment."""
    if not url:
        return None
    path = _url_path(url)
    match = URL_YEAR.search(path)
    return int(match["y"]) if match else None


def complete_month_day(
    month_day: str, evidence: list[datetime], *, language: str | None = None
) -> DateFact | None:
    """A dateline's "June 19" dated with the year of other evidence in the document.

    The year is chosen so the dateline lands closest to the evidence (a Dec 31 dateline next to a
    Jan 1 metadata date belongs to the previous year). Without evidence there is no date.
    """
    if not evidence:
        return None
    anchor = evidence[0]
    best: DateFact | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        fact = parse_date(f"{month_day} {year}", language=language)
        if fact is None:
            continue
        if best is None or abs(fact.value - anchor) < abs(best.value - anchor):
            best = fact
    if best is not None and abs(best.value - anchor) > timedelta(days=183):
        return None
    return best
