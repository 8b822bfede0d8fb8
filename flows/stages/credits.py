"""Who wrote it and from where: person names, credit lines, wire agencies and datelines.

Pure functions over the text of the spans the cleaner removed. Rules are the tables at the top;
the functions only apply them. A string that does not look like a person's name is dropped, not
kept: an author list holds people, never "Staff", "Reuters" or "Email the author".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path

# --- wire agencies ---------------------------------------------------------------------------

# Canonical agency name -> the spellings that credit it (matched case-insensitively, whole words,
# except the short all-caps acronyms, which must be printed in capitals).
AGENCY_NAMES: dict[str, tuple[str, ...]] = {
    "Reuters": ("Reuters", "Thomson Reuters"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Bloomberg": ("Bloomberg", "Bloomberg News"),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "Xinhua": ("Xinhua", "Xinhua News Agency"),
    "PA": ("PA", "PA Media", "Press Association"),
    "ANSA": ("ANSA",),
    "EFE": ("EFE", "Agencia EFE"),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "UPI": ("UPI", "United Press International"),
    "Yonhap": ("Yonhap",),
    "Anadolu": ("Anadolu", "Anadolu Agency", "AA"),
    "CNA": ("CNA", "Central News Agency"),
    "Bernama": ("Bernama",),
    "IANS": ("IANS",),
    "PTI": ("PTI", "Press Trust of India"),
    "TASS": ("TASS", "ТАСС"),
    "RIA Novosti": ("RIA Novosti", "РИА Новости"),
    "Interfax": ("Interfax", "Интерфакс"),
    "APA": ("APA",),
    "KNA": ("KNA",),
    "epd": ("epd",),
    "Europa Press": ("Europa Press",),
    "Lusa": ("Lusa",),
    "Jiji": ("Jiji", "Jiji Press", "JIJI"),
}
# Acronyms that are also ordinary words or initials: only their exact printed form credits them.
CASE_SENSITIVE_AGENCY_SPELLINGS = frozenset({"AP", "PA", "AA", "APA", "KNA", "epd", "dpa", "DPA"})

# Wire services of press releases: a dateline "/PRNewswire/" names a distributor, not an agency.
RELEASE_WIRES: dict[str, str] = {
    "prnewswire": "PR Newswire",
    "businesswire": "Business Wire",
    "globe newswire": "GlobeNewswire",
    "globenewswire": "GlobeNewswire",
}


def _agency_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, spellings in AGENCY_NAMES.items():
        for spelling in spellings:
            key = spelling if spelling in CASE_SENSITIVE_AGENCY_SPELLINGS else spelling.lower()
            table[key] = canonical
    return table


AGENCY_LOOKUP = _agency_lookup()

AGENCY_PATTERN = re.compile(
    r"(?<![\w-])(?P<name>"
    + "|".join(
        re.escape(spelling)
        if spelling in CASE_SENSITIVE_AGENCY_SPELLINGS
        else f"(?i:{re.escape(spelling)})"
        for spelling in sorted(
            (s for spellings in AGENCY_NAMES.values() for s in spellings), key=len, reverse=True
        )
    )
    + r")(?![\w-])"
)

# A photo credit names its agency before the slash: "REUTERS/Lea Mellis/Pool", "AFP/Getty".
CAPTION_AGENCY = re.compile(r"\b(?P<name>REUTERS|Reuters|AFP|AP|EPA|ANSA|EFE|dpa|Xinhua)\s*/")


def canonical_agency(name: str | None) -> str | None:
    """The canonical agency for a spelling ("Associated Press" -> "AP"), None if not an agency."""
    if not name:
        return None
    cleaned = " ".join(name.strip(" .,;:()[]/").split())
    return AGENCY_LOOKUP.get(cleaned) or AGENCY_LOOKUP.get(cleaned.lower())


def find_agency(text: str) -> str | None:
    """The first agency named in a text (a credit, a trust statement)."""
    for match in AGENCY_PATTERN.finditer(text):
        agency = canonical_agency(match["name"])
        if agency:
            return agency
    return None


def caption_agency(text: str) -> str | None:
    """The agency of a photo credit in a caption ("... REUTERS/Lea Mellis/Pool")."""
    match = CAPTION_AGENCY.search(text)
    return canonical_agency(match["name"]) if match else None


# --- datelines -------------------------------------------------------------------------------

# "BEIJING (Reuters) –", "BEIJING, June 19 (Reuters) -", "KYIV, Ukraine (AP) —",
# "NEW YORK, Jan. 5, 2024 /PRNewswire/ --", "BERLIN (dpa) -", "PARIS, 19 juin (AFP) -".
DATELINE = re.compile(
    r"^\s*(?P<place>[^\W\d_][^\s,(/–—-]*(?:[ \-][^\W\d_][^\s,(/–—-]*){0,4})"
    r"(?P<rest>,[^(/]*?)?\s*"
    r"(?:\((?P<agency>[^)]{2,40})\)|/(?P<wire>[^/]{2,40})/)?"
    r"\s*(?:[.:]?\s*[-–—]+|:)?\s*$"
)
# A month-day in the dateline's middle part (month name or abbreviation in any language + day).
MONTH_DAY = re.compile(
    r"(?P<md>(?:[^\W\d_]{3,10}\.?\s+\d{1,2}|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,10}\.?)"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?)"
)


@dataclass(frozen=True)
class Dateline:
    place: str | None
    month_day: str | None  # "June 19" as printed, without a year
    year: int | None  # when the dateline prints one
    agency: str | None
    wire: str | None  # press-release distributor (/PRNewswire/), not an agency


def _upper_place(place: str) -> str | None:
    # The place is the upper-case run ("KYIV" of "KYIV, Ukraine"); upper case as printed.
    words = place.split()
    if not words or not all(word.isupper() for word in words):
        return None
    return " ".join(words)


def parse_dateline(text: str) -> Dateline | None:
    """Place, printed date and agency of a dateline prefix; None when the text is not one."""
    match = DATELINE.match(text.strip())
    if not match:
        return None
    place = _upper_place(match["place"])
    rest = match["rest"] or ""
    month_day = year = None
    date_match = MONTH_DAY.search(rest)
    if date_match:
        month_day = re.sub(r",?\s+(?:19|20)\d{2}$", "", date_match["md"]).strip()
        year = int(date_match["year"]) if date_match["year"] else None
    elif place is None and rest:
        return None
    agency = canonical_agency(match["agency"])
    wire = None
    if match["wire"]:
        wire = RELEASE_WIRES.get(match["wire"].strip().lower(), match["wire"].strip())
    if place is None and agency is None:
        return None
    return Dateline(place=place, month_day=month_day, year=year, agency=agency, wire=wire)


# --- person names ----------------------------------------------------------------------------

# Lower-case words allowed inside a name ("Ursula von der Leyen", "Luiz Inácio Lula da Silva").
_PARTICLE_WORDS = "van von der den de del della di da das do dos du la le las los y e bin binti ibn al el ter ten zu"
NAME_PARTICLES = frozenset(_PARTICLE_WORDS.split())
# A date or a date label run into a byline ("Jane Doe February 8, 2024", "Jane Doe Last updated
# May 2"): a month name before a day number is a date, never part of a name.
NAME_DATE_TAIL = re.compile(
    r"\s+(?:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2}(?!\d)"
    r"|(?:last\s+)?(?:updated|modified)\b).*$",
    re.IGNORECASE | re.DOTALL,
)
HONORIFICS = re.compile(r"^(?:(?:Dr|Mr|Mrs|Ms|Prof|Sir|Dame)\.?\s+)+", re.IGNORECASE)
# Words that end a name: organisations, roles and prompts printed next to names in bylines.
_NOT_NAME_WORDS = """
    staff writer writers reporter reporters correspondent correspondents editor editors editorial
    board team desk newsroom news agency press service bureau wire wires media group online digital
    times post journal daily herald tribune gazette telegraph guardian magazine weekly network
    channel tv radio television inc ltd llc corp company email e-mail author authors contributor
    contributors columnist photographer photos photo graphics video by and or the our for with
    about follow contact read more view all share senior chief special deputy associate managing
    foreign political economics business science health sports opinion international national
    reuters bloomberg xinhua afp ap dpa tass interfax anadolu yonhap kyodo associated
    published updated posted twitter facebook linkedin instagram x-twitter
    unknown anonymous admin administrator webmaster guest user name profile profil
    phd mba msc bsc mph dipl
    redaktion newsdesk agencies agentur agenturen foto fotos stand says shares autor autorin auteur
"""
NOT_NAME_WORDS = frozenset(_NOT_NAME_WORDS.split())
NAME_TOKEN = re.compile(r"^(?:[^\W\d_]\.)+$|^[^\W\d_][^\W\d_'’.\-]*(?:['’\-][^\W\d_]+)*\.?$")
MIN_NAME_TOKENS = 2
MAX_NAME_TOKENS = 5


def _title_token(token: str) -> str:
    # "O'NEIL" -> "O'Neil", "JEAN-PIERRE" -> "Jean-Pierre"; initials ("J.") stay.
    return re.sub(r"[^\W\d_]+", lambda m: m[0][:1].upper() + m[0][1:].lower(), token)


def _is_shouted(words: list[str]) -> bool:
    letters = [w for w in words if sum(c.isalpha() for c in w) > 1]
    return bool(letters) and all(w.isupper() for w in letters)


def normalize_name(raw: str) -> str | None:
    """One person's name as "First Last", or None when the text is not a person's name.

    Strips "By", honorifics and quotes; title-cases ALL-CAPS bylines; keeps the leading run of
    name-like words, so "Jane Doe Staff Writer" gives "Jane Doe" and "Email the author" nothing.
    """
    text = unicodedata.normalize("NFC", raw).replace("’", "'").replace("‘", "'")
    text = NAME_DATE_TAIL.sub("", text)
    text = re.sub(r"^\s*(?:by|von|par|por|di|de)\s+", "", text, flags=re.IGNORECASE)
    text = HONORIFICS.sub("", text.strip(" \t\"'“”«».,;:|()[]–—-"))
    words = text.split()
    if _is_shouted(words):
        words = [_title_token(word) for word in words]
    kept: list[str] = []
    for word in words:
        bare = word.strip(",;:")
        if bare.lower().strip(".") in NOT_NAME_WORDS or not NAME_TOKEN.match(bare):
            break
        if bare[0].islower() and bare not in NAME_PARTICLES:
            break
        kept.append(bare)
        if bare != word:  # punctuation after the word ends the name
            break
    while kept and (kept[-1] in NAME_PARTICLES):
        kept.pop()
    if not kept or kept[0][0].islower():
        return None
    if not MIN_NAME_TOKENS <= len(kept) <= MAX_NAME_TOKENS:
        return None
    if canonical_agency(" ".join(kept)):
        return None
    return " ".join(kept)


def name_key(name: str) -> str:
    """Accent-free lower-case letters and spaces: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", letters.lower()).split())


# --- one person or two ------------------------------------------------------------------------
#
# Folding two printed names into one person is a claim, and it needs evidence from the article:
#   - the two names stand in different places. Names printed together in one list ("A and B",
#     "A, B and C", "A; B") are different people by construction, whatever they look like;
#   - one name is a variant of the other of a kind that typing or shortening makes: a given name
#     one edit away (not when both are real given names: Paul and Paula are two people), a given
#     name printed as its initial, a middle name or initial printed in one place only. The
#     surname is always the same;
#   - the variant fits exactly one other person of the article (J. Smith beside both John and
#     Jane Smith stays J. Smith).
# When in doubt both names stay: a duplicated name is a smaller harm than a lost person. The
# callers fold the names of one role at a time (authors with authors), so both places already
# credit the person in the same role.

GIVEN_NAMES_FILE = Path(__file__).resolve().parent / "names" / "given_names.txt"
# "Wei"/"Wen", "Jon"/"Jan": in names this short one letter makes another name, not a typo.
MIN_MISSPELT_LETTERS = 4

SAME, MISSPELT, INITIAL, MIDDLE = "same name", "misspelt", "initial", "middle name"


@cache
def given_names() -> frozenset[str]:
    """Real given names, lower case (source and licence in the file's header)."""
    lines = GIVEN_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def one_edit_apart(a: str, b: str) -> bool:
    """One letter changed, added or dropped, or two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    first = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    if len(a) != len(b):
        shorter, longer = sorted((a, b), key=len)
        return shorter[first:] == longer[first + 1 :]
    if a[first + 1 :] == b[first + 1 :]:
        return True
    swapped = a[first] == b[first + 1 : first + 2] and b[first] == a[first + 1 : first + 2]
    return swapped and a[first + 2 :] == b[first + 2 :]


def _is_misspelling(a: str, b: str) -> bool:
    if min(len(a), len(b)) < MIN_MISSPELT_LETTERS or a[0] != b[0]:
        return False
    return one_edit_apart(a, b) and not (a in given_names() and b in given_names())


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    rest = iter(long)
    return all(word in rest for word in short)


def spelling_variant(a: str, b: str) -> str | None:
    """How `b` could be `a` printed differently (SAME, MISSPELT, INITIAL, MIDDLE), else None.

    None means two people, or not enough to tell: the names must share their surname (the last
    word) and differ in one given name only, by one edit or as its initial, or by middle names.
    Where the names stand is `fold_names`'s business, not this function's.
    """
    key_a, key_b = name_key(a), name_key(b)
    if key_a == key_b:
        return SAME
    words_a, words_b = key_a.split(), key_b.split()
    if min(len(words_a), len(words_b)) < MIN_NAME_TOKENS or words_a[-1] != words_b[-1]:
        return None
    if len(words_a) != len(words_b):
        shorter, longer = sorted((words_a, words_b), key=len)
        same_ends = shorter[0] == longer[0]
        return MIDDLE if same_ends and _is_subsequence(shorter[1:-1], longer[1:-1]) else None
    differ = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    if len(differ) != 1:
        return None
    (x, y) = differ[0]
    if min(len(x), len(y)) == 1:
        return INITIAL if max(len(x), len(y)) > 1 and x[0] == y[0] else None
    return MISSPELT if _is_misspelling(x, y) else None


@dataclass
class _Person:
    spelling: str  # as first printed
    first_seen: int  # its position among all names printed, for the output order
    places: set[int]  # the lists that print it
    known: bool


def _distinct_names(lists: list[Sequence[str]], known_place: int | None) -> list[_Person]:
    """One entry per name key (the same name printed again is the same person)."""
    by_key: dict[str, _Person] = {}
    position = 0
    for place, names in enumerate(lists):
        for name in names:
            key = name_key(name)
            if not key:
                continue
            person = by_key.setdefault(key, _Person(name, position, set(), False))
            person.places.add(place)
            person.known = person.known or place == known_place
            position += 1
    return list(by_key.values())


def fold_names(lists: Iterable[Sequence[str]], known: Sequence[str] = ()) -> list[str]:
    """The people of name lists, in order of first mention, each in the spelling printed first.

    `lists` holds the names of each place that prints names (one credit clause, one author
    field, one bio line), in printed order. `known` holds people listed already (the authors,
    for the contributors), as one list: a name that is one of them is left out. Two spellings
    fold only as the comment above says: different places, a `spelling_variant`, and each the
    other's only candidate.
    """
    all_lists: list[Sequence[str]] = [known, *lists]
    people = _distinct_names(all_lists, known_place=0 if known else None)
    candidates: dict[int, list[int]] = {index: [] for index in range(len(people))}
    for i, j in combinations(range(len(people)), 2):
        one, other = people[i], people[j]
        if one.places.isdisjoint(other.places) and spelling_variant(one.spelling, other.spelling):
            candidates[i].append(j)
            candidates[j].append(i)
    folded_into: dict[int, int] = {}
    for i, found in candidates.items():
        if len(found) == 1 and candidates[found[0]] == [i] and i > found[0]:
            folded_into[i] = found[0]
    for i, j in folded_into.items():  # j < i: the spelling printed first stays
        people[j].known = people[j].known or people[i].known
    kept = [p for i, p in enumerate(people) if i not in folded_into and not p.known]
    return [person.spelling for person in sorted(kept, key=lambda p: p.first_seen)]


# --- credit lines ----------------------------------------------------------------------------

AUTHORS, CONTRIBUTORS, EDITORS, OTHER = "authors", "contributors", "editors", "other"

# Role markers inside a credit line, longest first so "Additional reporting by" wins over
# "reporting by". Roles in OTHER (photos, graphics) are parsed only so their names do not leak.
CREDIT_ROLES: tuple[tuple[str, str], ...] = (
    (r"\badditional\s+(?:reporting|writing|research)\s+by\b", CONTRIBUTORS),
    (r"\b(?:with\s+)?(?:additional\s+)?contributions?\s+(?:by|from)\b", CONTRIBUTORS),
    (
        r"\b(?:reporting|reported|writing|written|compiled|text|story|words)\s+by\b",
        AUTHORS,
    ),
    (r"\b(?:editing|edited|sub-?editing)\s+by\b", EDITORS),
    (
        r"\b(?:photos?|photographs?|photography|graphics?|video|illustrations?|design|"
        r"fact-?checking|research|production|produced|translation|translated)\s+by\b",
        OTHER,
    ),
    (r"\b(?:mitarbeit|mit\s+material\s+von|redaktion)\b", OTHER),
    # A bare "By"/"Von"/"Par"/"Por" opens a byline only at the start of the line or a clause.
    (r"(?:^|(?<=[;|•]))\s*(?:by|von|par|por)\b", AUTHORS),
)
ROLE_MARKER = re.compile(
    "|".join(f"(?P<r{i}>{pattern})" for i, (pattern, _) in enumerate(CREDIT_ROLES)),
    re.IGNORECASE,
)

# "Frank Fang and Dorothy Li contributed to this report." / "... contributed reporting from Kyiv."
CONTRIBUTED = re.compile(
    r"^(?P<names>.+?)\s+(?:also\s+)?contributed(?:\s+(?:reporting|research|writing|to\s+this\s+"
    r"(?:report|story|article)))?\b",
    re.IGNORECASE,
)
# "Associated Press writer Jane Doe in Tokyo contributed ..." : the role in front of the names.
ROLE_PREFIX = re.compile(
    r"^(?:(?:the\s+)?[\w .-]{0,40}?\s)?(?:staff\s+|senior\s+|special\s+)?"
    r"(?:writers?|reporters?|correspondents?|journalists?|researchers?)\s+",
    re.IGNORECASE,
)
# "in Beijing", "from Hong Kong", "in Rio de Janeiro": places after a name, removed before splitting.
PLACE_AFTER_NAME = re.compile(
    r"\s+(?:in|from|at)\s+[A-Z][\w.'’-]*(?:\s+(?:(?:de|da|do|del|la|el|al|of|on|upon)\s+)?"
    r"[A-Z][\w.'’-]*)*"
)
# Separators of names in a list: commas, semicolons, "and" in the languages of the corpus.
NAME_SEPARATOR = re.compile(r"\s*(?:[,;&/|]|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.IGNORECASE)
# A sentence end inside a credit clause: stop reading names there ("... in Beijing. Our standards").
# Periods of initials and abbreviations ("John F. Kennedy", "Dr. Jane Doe") do not end it.
ABBREVIATIONS = ("Dr", "Mr", "Mrs", "Ms", "Prof", "Jr", "Sr", "St")
_NOT_ABBREVIATION = r"(?<!\b[A-Z])" + "".join(rf"(?<!\b{a})" for a in ABBREVIATIONS)
CLAUSE_END = re.compile(_NOT_ABBREVIATION + r"[.:!?](?:\s|$)")
SENTENCE_END = re.compile(_NOT_ABBREVIATION + r"[.!?](?:\s|$)")


@dataclass(frozen=True)
class NameList:
    """The names one credit clause prints together, in one role: different people each."""

    role: str
    names: tuple[str, ...]


@dataclass
class Credits:
    """The name lists of credit lines, in printed order, and the agency they credit."""

    lists: list[NameList] = field(default_factory=list)
    agency: str | None = None

    def add(self, role: str, names: Iterable[str]) -> None:
        found = tuple(names)
        if found and role != OTHER:
            self.lists.append(NameList(role, found))

    def lists_of(self, role: str) -> list[tuple[str, ...]]:
        return [name_list.names for name_list in self.lists if name_list.role == role]

    def names_of(self, role: str) -> list[str]:
        return [name for names in self.lists_of(role) for name in names]

    @property
    def authors(self) -> list[str]:
        return self.names_of(AUTHORS)

    @property
    def contributors(self) -> list[str]:
        return self.names_of(CONTRIBUTORS)

    @property
    def editors(self) -> list[str]:
        return self.names_of(EDITORS)

    def extend(self, other: Credits) -> None:
        self.lists += other.lists
        self.agency = self.agency or other.agency


def split_names(
    text: str, normalize: Callable[[str], str | None] | None = None
) -> tuple[list[str], str | None]:
    """Person names of a name list, and an agency credited among them ("X and Y, Reuters")."""
    normalize = normalize or normalize_name
    clause = CLAUSE_END.split(text, maxsplit=1)[0]
    clause = PLACE_AFTER_NAME.sub("", clause)
    names: list[str] = []
    agency = None
    for piece in NAME_SEPARATOR.split(clause):
        if not piece.strip():
            continue
        named = AGENCY_PATTERN.search(piece)
        if named:  # "AAMER MADHANI Associated Press": the agency ends the name
            agency = agency or canonical_agency(named["name"])
            piece = piece[: named.start()]
        name = normalize(piece)
        if name:
            names.append(name)
    return names, agency


def _role_of(match: re.Match[str]) -> str:
    index = int(next(key for key, value in match.groupdict().items() if value is not None)[1:])
    return CREDIT_ROLES[index][1]


def _sentences(text: str) -> list[str]:
    """The lines of a credit span, each cut at its sentence ends, white space collapsed."""
    return [
        " ".join(sentence.split())
        for line in text.splitlines()
        for sentence in SENTENCE_END.split(line)
        if sentence.strip()
    ]


def _parse_contributed(sentence: str, credits: Credits) -> bool:
    """ "X and Y contributed to this report." -> contributors; False when not that shape."""
    contributed = CONTRIBUTED.match(sentence)
    if not contributed:
        return False
    names_text = contributed["names"]
    credits.agency = credits.agency or find_agency(names_text)
    credits.add(CONTRIBUTORS, split_names(ROLE_PREFIX.sub("", names_text))[0])
    return True


def parse_credit(text: str) -> Credits:
    """Authors, contributors, editors and agency of one credit span, in printed order.

    Each sentence is read on its own; a sentence without a role marker continues the role of
    the one before it ("Reporting by X. Y in Kyiv."), and a first one is a byline (authors).
    """
    credits = Credits()
    role = AUTHORS
    for sentence in _sentences(text):
        if _parse_contributed(sentence, credits):
            continue
        markers = list(ROLE_MARKER.finditer(sentence))
        pieces = [(role, sentence)] if not markers else []
        if markers and sentence[: markers[0].start()].strip(" ,;|"):
            pieces.append((role, sentence[: markers[0].start()]))
        for index, marker in enumerate(markers):
            end = markers[index + 1].start() if index + 1 < len(markers) else len(sentence)
            role = _role_of(marker)
            pieces.append((role, sentence[marker.end() : end]))
        for piece_role, piece in pieces:
            names, agency = split_names(piece)
            credits.agency = credits.agency or agency
            credits.add(piece_role, names)
    return credits


# --- explicit author fields -------------------------------------------------------------------

# Labels printed in front of a name in author fields and byline elements ("Autor: X").
AUTHOR_LABEL = re.compile(
    r"^\s*(?:(?:zeige\s+)?alle\s+beiträge\s+von|(?:ein\s+)?beitrag\s+von|artikel\s+von|"
    r"geschrieben\s+von|posted\s+by|written\s+by|zum\s+profil\s+von|autor(?:in)?|author|"
    r"auteur|autore|interview)\s*[:\-–]?\s+",
    re.IGNORECASE,
)
# Words and word endings of organisations: a piece holding one names an outlet, never a person.
_ORGANISATION_WORDS = """
    gmbh ag kg ev e.v. inc inc. ltd ltd. llc corp plc sarl srl s.a. verlag stiftung verband
    verein institut institute university universität université ministerium ministry pressestelle
"""
ORGANISATION_WORDS = frozenset(_ORGANISATION_WORDS.split())
# Institution nouns: anywhere in an author field they make the whole field an organisation's
# ("Landesanstalt für Wald und Forstwirtschaft" is not a list of two).
INSTITUTION_ENDINGS = (
    "verband",
    "verlag",
    "stiftung",
    "institut",
    "gesellschaft",
    "ministerium",
    "anstalt",
)
# Outlet nouns: they make one name of a list an outlet ("Jane Doe, Redaktion" keeps Jane Doe).
ORGANISATION_ENDINGS = (
    *INSTITUTION_ENDINGS,
    "zeitung",
    "magazin",
    "magazine",
    "redaktion",
    "online",
)
# A host name ("jungefreiheit.de", "Hessenschau De" after trafilatura's clean-up is caught by
# the site-name comparison instead), a URL or an e-mail address.
HOST_OR_ADDRESS = re.compile(
    r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$|^(?:https?:|www\.)|@\S+\.\w", re.IGNORECASE
)
# A user name or a single given name an author field gives ("Heiko", "gnaddrig", "HansG").
SINGLE_NAME = re.compile(r"^[^\W\d_][\w'’.\-]{1,39}$")
# All-caps tokens this short are acronyms (NDR, IWB, SWR): organisations, not people.
MAX_ACRONYM_LETTERS = 5


def _is_organisation(text: str, endings: tuple[str, ...] = ORGANISATION_ENDINGS) -> bool:
    words = [w.strip(",;:()").lower() for w in text.split()]
    return any(w in ORGANISATION_WORDS or w.endswith(endings) for w in words)


def _printed_name(text: str) -> str | None:
    """ "Mobasir hassan": two or three name-shaped words as printed, the first capitalized."""
    words = text.split()
    if not 2 <= len(words) <= 3 or not words[0][0].isupper():
        return None
    if any(not NAME_TOKEN.match(w) or w.lower().strip(".") in NOT_NAME_WORDS for w in words):
        return None
    return " ".join(words)


def _single_name(text: str) -> str | None:
    """A one-word author as printed, unless it is a role, an organisation or an acronym."""
    token = re.sub(r"^(?:by|von|par|por)\s+", "", text.strip(" \t\"'“”«».,;:|()[]–—-"), flags=re.I)
    if not SINGLE_NAME.match(token) or sum(c.isalpha() for c in token) < 2:
        return None
    if token.lower().strip(".") in NOT_NAME_WORDS or canonical_agency(token):
        return None
    if token.isupper() and len(token) <= MAX_ACRONYM_LETTERS:
        return None
    return token


def normalize_explicit_name(raw: str) -> str | None:
    """A name from a field that is an author by definition (JSON-LD author, meta author, byline).

    Normalized like any name, but a single word is kept: the field says it is the author.
    """
    text = NAME_DATE_TAIL.sub("", AUTHOR_LABEL.sub("", " ".join(raw.split())))
    if not text or HOST_OR_ADDRESS.search(text) or _is_organisation(text):
        return None
    return normalize_name(text) or _single_name(text) or _printed_name(text)


def site_keys(names: Iterable[str | None]) -> set[str]:
    """Comparison keys of site and publisher names, and of host names ("mdr.de" ~ "Mdr De")."""
    return {name_key(name) for name in names if name and name_key(name)}


def explicit_name_list(
    values: Iterable[str], organisations: Iterable[str | None] = ()
) -> list[str]:
    """The people of explicit author fields as printed: split, normalized, not the site's name.

    The values come from one source (a page's JSON-LD author, its meta author tags): one list,
    so one place for `fold_names`.
    """
    not_people = site_keys(organisations)
    names: list[str] = []
    for value in values:
        # Checked on the whole field: a URL or an institution's name is not a list to split.
        if HOST_OR_ADDRESS.search(value.strip()) or _is_organisation(value, INSTITUTION_ENDINGS):
            continue
        for name in split_names(value, normalize_explicit_name)[0]:
            if name_key(name) not in not_people:
                names.append(name)
    return names


def explicit_names(values: Iterable[str], organisations: Iterable[str | None] = ()) -> list[str]:
    """The people of explicit author fields, each once."""
    return fold_names([explicit_name_list(values, organisations)])


# --- author blocks ---------------------------------------------------------------------------

# "X is a freelance writer covering ...", "X covers ...": the subject of a bio sentence.
BIO_SUBJECT = re.compile(
    r"^(?P<name>[^.,;:]{3,60}?)\s+(?:is|was|has\s+been|covers|writes|reports|joined|ist|est|es|è)\b"
)
# "writer for The Epoch Times": the outlet a bio says the author writes for.
WRITES_FOR = re.compile(
    r"\b(?:writer|reporter|correspondent|contributor|columnist|editor|journalist|producer)s?\b"
    r"(?:[^.]|(?<=\b[A-Z])\.|\.(?=\S))*?\b(?:for|at|with)\s+"
    r"(?P<outlet>(?:The\s+)?[A-Z][\w&'’.-]*(?:\s+(?:of\s+)?[A-Z][\w&'’-]*){0,5})"
)


def bio_name(text: str) -> str | None:
    """The person an author block names: a lone name line or the subject of a bio sentence."""
    text = " ".join(text.split())
    subject = BIO_SUBJECT.match(text)
    candidate = subject["name"] if subject else text
    if not subject and len(candidate.split()) > MAX_NAME_TOKENS:
        return None
    name = normalize_name(candidate)
    if name and len(name.split()) != len(candidate.strip(" .").split()):
        return None  # a line that only starts with a name is prose, not a name line
    return name


def writes_for(text: str) -> str | None:
    """The outlet of "... is a writer for The Epoch Times."; None when no such statement."""
    match = WRITES_FOR.search(" ".join(text.split()))
    return match["outlet"].rstrip(".") if match else None
