"""Credit lines, names, agencies, datelines and author blocks (flows.stages.credits)."""

from __future__ import annotations

import pytest

from flows.stages import credits as cr

SAMPLE_000_CREDIT = (
    "Coverage by Humeyra Pamuk in Beijing. Additional reporting by Jason Zhieu in Shanghai, "
    "Sophie Yu, Yu Lun Tian, Dominic Button and Joe Cash in Beijing, Jenny Kao and Ben Blanchard "
    "in Taipei, Writing by Hamira Pamuk and Arshad Muhammad; Editing by Simon Cameron Moore"
)
SAMPLE_003_CREDIT = (
    "Reporting by Humeyra Pamuk in Beijing; Additional reporting by Dominique Patton in Beijing "
    "and Katharine Jackson in Washington; Written by Humeyra Pamuk and Arshad Mohammed; "
    "Editing by Bill Berkrot"
)
SAMPLE_004_CREDIT = (
    "Coverage by Humeyra Pamuk in Beijing. Additional reporting by Jason Zhieu in Shanghai, "
    "Sophie Yu, Yu Lun Tian, Dominic Button and Joe Cash in Beijing, and Jenny Kao and Ben "
    "Blanchard in Taipei; Writing by Humeyra Pamuk, John Geddy, and Doina Chiacou; Editing by "
    "Simon Cameron Moore, Andrew Heavens and Lisa Shumaker"
)
BEIJING_TAIPEI_TEAM = [
    "Jason Zhieu",
    "Sophie Yu",
    "Yu Lun Tian",
    "Dominic Button",
    "Joe Cash",
    "Jenny Kao",
    "Ben Blanchard",
]


@pytest.mark.parametrize(
    ("line", "authors", "contributors", "editors", "agency"),
    [
        (
            SAMPLE_000_CREDIT,
            # "Coverage by" is no author role (no page of the development sets prints it): the
            # name after it is nobody's, rather than a guess.
            ["Hamira Pamuk", "Arshad Muhammad"],
            BEIJING_TAIPEI_TEAM,
            ["Simon Cameron Moore"],
            None,
        ),
        (
            SAMPLE_003_CREDIT,
            ["Humeyra Pamuk", "Humeyra Pamuk", "Arshad Mohammed"],
            ["Dominique Patton", "Katharine Jackson"],
            ["Bill Berkrot"],
            None,
        ),
        (
            SAMPLE_004_CREDIT,
            ["Humeyra Pamuk", "John Geddy", "Doina Chiacou"],
            BEIJING_TAIPEI_TEAM,
            ["Simon Cameron Moore", "Andrew Heavens", "Lisa Shumaker"],
            None,
        ),
        # Sample 003's credit glued to what follows it: names stop at the sentence end.
        (
            "Editing by Bill Berkrot Our standards: The Thomson Reuters Trust Principles.",
            [],
            [],
            ["Bill Berkrot"],
            None,
        ),
        (
            "Frank Fang and Dorothy Li contributed to this report.",
            [],
            ["Frank Fang", "Dorothy Li"],
            [],
            None,
        ),
        ("Jane Doe contributed reporting from Kyiv.", [], ["Jane Doe"], [], None),
        (
            "Associated Press writer Mari Yamaguchi in Tokyo contributed to this report.",
            [],
            ["Mari Yamaguchi"],
            [],
            "AP",
        ),
        ("By Jane Doe", ["Jane Doe"], [], [], None),
        (
            "Reporting by Michael Martin and Michelle Martin; Editing by Paul Jones",
            ["Michael Martin", "Michelle Martin"],
            [],
            ["Paul Jones"],
            None,
        ),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"], [], [], None),
        (
            "By Jane Doe, John Roe and Ann Poe, Reuters",
            ["Jane Doe", "John Roe", "Ann Poe"],
            [],
            [],
            "Reuters",
        ),
        ("By JOHN DOE and JANE O'NEIL", ["John Doe", "Jane O'Neil"], [], [], None),
        (
            "By ZEKE MILLER and AAMER MADHANI Associated Press",
            ["Zeke Miller", "Aamer Madhani"],
            [],
            [],
            "AP",
        ),
        ("By Jane Doe, Staff Writer", ["Jane Doe"], [], [], None),
        ("By Dr. Jane Doe | Bloomberg", ["Jane Doe"], [], [], "Bloomberg"),
        ("Compiled by Jane Doe; Editing by John Roe", ["Jane Doe"], [], ["John Roe"], None),
        (
            "Reporting by Jane Doe in Rio de Janeiro; Writing by John Roe; Edited by Ann Poe",
            ["Jane Doe", "John Roe"],
            [],
            ["Ann Poe"],
            None,
        ),
        ("Photos by Jane Doe; Reporting by John Roe", ["John Roe"], [], [], None),
        ("Von Hans Müller und Anna Schmidt", ["Hans Müller", "Anna Schmidt"], [], [], None),
        (
            "Par Jean-Pierre Dupont et Marie Curie",
            ["Jean-Pierre Dupont", "Marie Curie"],
            [],
            [],
            None,
        ),
        ("By Ursula von der Leyen", ["Ursula von der Leyen"], [], [], None),
        ("By Reuters Staff", [], [], [], "Reuters"),
        ("Jane Doe\nJohn Roe", ["Jane Doe", "John Roe"], [], [], None),  # one name per line
        (
            "Reporting by Jane Doe. John Roe contributed to this report.",
            ["Jane Doe"],
            ["John Roe"],
            [],
            None,
        ),
        (
            "By Jane Doe and John Roe | Published June 19, 2023",
            ["Jane Doe", "John Roe"],
            [],
            [],
            None,
        ),
        (
            "Editing by Jane Doe. John Roe and Ann Poe.",
            [],
            [],
            ["Jane Doe", "John Roe", "Ann Poe"],
            None,
        ),
        ("By Editorial Board", [], [], [], None),
        ("Email the author", [], [], [], None),
    ],
)
def test_parse_credit(
    line: str, authors: list[str], contributors: list[str], editors: list[str], agency: str | None
) -> None:
    credits = cr.parse_credit(line)
    assert credits.authors == authors
    assert credits.contributors == contributors
    assert credits.editors == editors
    assert credits.agency == agency


def test_name_list_with_places_gives_six_names() -> None:
    names, _ = cr.split_names(
        "Sophie Yu, Yu Lun Tian, Dominic Button and Joe Cash in Beijing, "
        "Jenny Kao and Ben Blanchard in Taipei"
    )
    assert names == [
        "Sophie Yu",
        "Yu Lun Tian",
        "Dominic Button",
        "Joe Cash",
        "Jenny Kao",
        "Ben Blanchard",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Doe", "Jane Doe"),
        ("  By   Jane  Doe ", "Jane Doe"),
        ("by jane doe", None),  # lower case prose is not a byline
        ("JOHN DOE", "John Doe"),
        ("JEAN-PIERRE O’NEIL", "Jean-Pierre O'Neil"),
        ("Dr. Jane Doe", "Jane Doe"),
        ("John F. Kennedy", "John F. Kennedy"),
        ("J. R. Smith", "J. R. Smith"),
        ("Ursula von der Leyen", "Ursula von der Leyen"),
        ("Jane Doe Staff Writer", "Jane Doe"),
        ("Madonna", None),  # one word is not enough to call it a person
        ("Staff", None),
        ("Reuters", None),
        ("Thomson Reuters", None),
        ("Associated Press", None),
        ("Editorial Board", None),
        ("Email the author", None),
        ("The Epoch Times", None),
        ("Jane Doe 2023", "Jane Doe"),
        ("Jane Doe February 8, 2024", "Jane Doe"),
        ("JANE DOE Updated Feb. 8", "Jane Doe"),
        ("April Ryan", "April Ryan"),
        ("June Carter Cash", "June Carter Cash"),
        ("jane.doe@example.com", None),
        ("Author", None),
    ],
)
def test_normalize_name(raw: str, expected: str | None) -> None:
    assert cr.normalize_name(raw) == expected


def test_credit_lists_keep_their_clauses() -> None:
    # Each clause is one list of names: the places `fold_names` never folds within.
    credits = cr.parse_credit(SAMPLE_003_CREDIT)
    assert credits.lists_of(cr.AUTHORS) == [
        ("Humeyra Pamuk",),
        ("Humeyra Pamuk", "Arshad Mohammed"),
    ]
    assert credits.lists_of(cr.CONTRIBUTORS) == [("Dominique Patton", "Katharine Jackson")]
    assert credits.lists_of(cr.EDITORS) == [("Bill Berkrot",)]


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("Reuters", "Reuters"),
        ("Thomson Reuters", "Reuters"),
        ("REUTERS", "Reuters"),
        ("AP", "AP"),
        ("Associated Press", "AP"),
        ("The Associated Press", "AP"),
        ("AFP", "AFP"),
        ("Agence France-Presse", "AFP"),
        ("DPA", "dpa"),
        ("dpa", "dpa"),
        ("Xinhua", "Xinhua"),
        ("Bloomberg", "Bloomberg"),
        ("Kyodo News", "Kyodo"),
        ("Yonhap", "Yonhap"),
        ("RIA Novosti", "RIA Novosti"),
        ("Press Trust of India", "PTI"),
        ("EFE", "EFE"),
        ("ANSA", "ANSA"),
        ("ap", None),  # the acronyms count only in capitals
        ("The Epoch Times", None),
        ("", None),
    ],
)
def test_canonical_agency(spelling: str, canonical: str | None) -> None:
    assert cr.canonical_agency(spelling) == canonical


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("Our standards: The Thomson Reuters Trust Principles.", "Reuters"),
        ("Copyright 2023 The Associated Press. All rights reserved.", "AP"),
        ("Nothing here maps to a wire.", None),
    ],
)
def test_find_agency(text: str, agency: str | None) -> None:
    assert cr.find_agency(text) == agency


@pytest.mark.parametrize(
    ("caption", "agency"),
    [
        ("Blinken meets Qin in Beijing, June 18, 2023. REUTERS/Lea Mellis/Pool", "Reuters"),
        ("A view of the city. AFP/John Doe", "AFP"),
        ("A view of the city. Photo by Jane Doe", None),
    ],
)
def test_caption_agency(caption: str, agency: str | None) -> None:
    assert cr.caption_agency(caption) == agency


@pytest.mark.parametrize(
    ("text", "place", "month_day", "year", "agency"),
    [
        ("BEIJING (Reuters) –", "BEIJING", None, None, "Reuters"),
        ("BEIJING, June 19 (Reuters) -", "BEIJING", "June 19", None, "Reuters"),
        ("WASHINGTON (AP) —", "WASHINGTON", None, None, "AP"),
        ("LONDON, March 3 (Reuters) -", "LONDON", "March 3", None, "Reuters"),
        ("PARIS (AFP) -", "PARIS", None, None, "AFP"),
        ("NEW YORK, Jan. 5, 2024 /PRNewswire/ --", "NEW YORK", "Jan. 5", 2024, None),
        ("KYIV, Ukraine (AP) —", "KYIV", None, None, "AP"),
        ("BERLIN (dpa) -", "BERLIN", None, None, "dpa"),
        ("PARIS, 19 juin (AFP) -", "PARIS", "19 juin", None, "AFP"),
        ("SAN FRANCISCO (Reuters) -", "SAN FRANCISCO", None, None, "Reuters"),
        ("RIO DE JANEIRO, Brazil (AP) —", "RIO DE JANEIRO", None, None, "AP"),
        ("TOKYO, June 19 (Kyodo) -", "TOKYO", "June 19", None, "Kyodo"),
        ("WASHINGTON —", "WASHINGTON", None, None, None),
    ],
)
def test_parse_dateline(
    text: str, place: str, month_day: str | None, year: int | None, agency: str | None
) -> None:
    dateline = cr.parse_dateline(text)
    assert dateline is not None
    assert (dateline.place, dateline.month_day, dateline.year, dateline.agency) == (
        place,
        month_day,
        year,
        agency,
    )


def test_dateline_names_release_wire_not_agency() -> None:
    dateline = cr.parse_dateline("NEW YORK, Jan. 5, 2024 /PRNewswire/ --")
    assert dateline is not None and dateline.wire == "PR Newswire"


@pytest.mark.parametrize("text", ["Some sentence here.", "", "The talks (held Monday) -"])
def test_parse_dateline_rejects_prose(text: str) -> None:
    assert cr.parse_dateline(text) is None


@pytest.mark.parametrize(
    ("text", "name", "outlet"),
    [
        ("Aldgra Fredly", "Aldgra Fredly", None),
        ("Author", None, None),
        ("Thomson Reuters", None, None),
        (
            "Aldgra Fredly is a freelance writer covering U.S. and Asia Pacific news for "
            "The Epoch Times.",
            "Aldgra Fredly",
            "The Epoch Times",
        ),
        (
            "Hamira Pamuk is a senior foreign policy correspondent based in Washington, DC. She "
            "covers the US State Department, and travels regularly with the US Secretary of State.",
            "Hamira Pamuk",
            None,
        ),
        ("Jane Doe is a reporter at The Guardian covering climate.", "Jane Doe", "The Guardian"),
        ("Leave a Reply to this article now", None, None),
    ],
)
def test_author_block(text: str, name: str | None, outlet: str | None) -> None:
    assert cr.bio_name(text) == name
    assert cr.writes_for(text) == outlet


# --- explicit author fields (JSON-LD author, meta author, byline elements) ----------------------


@pytest.mark.parametrize(
    ("values", "organisations", "names"),
    [
        # A single word is kept: the field says it is the author (a given name, a user name).
        (["Heiko"], [], ["Heiko"]),
        (["gnaddrig"], [], ["gnaddrig"]),
        (["HansG"], [], ["HansG"]),
        # Prefixes, labels, roles and credentials go; lists are split.
        (["Por Alberto Ávila"], [], ["Alberto Ávila"]),
        (["Von Vanessa Franke"], [], ["Vanessa Franke"]),
        (["Zeige alle Beiträge von Petra Ruland"], [], ["Petra Ruland"]),
        (["Interview Julia Lauter"], [], ["Julia Lauter"]),
        (["Grant Tinsley, PhD"], [], ["Grant Tinsley"]),
        (["Michael Rädel, Redaktion"], [], ["Michael Rädel"]),
        (["Rob Picheta, CNN"], [], ["Rob Picheta"]),
        (["Alexander Karper Foto"], [], ["Alexander Karper"]),
        (["Sara Zinnecker Stand"], [], ["Sara Zinnecker"]),
        (["Rudolf Fischer, Simon Kohler"], [], ["Rudolf Fischer", "Simon Kohler"]),
        (["Jane Doe", "Jane Doe"], [], ["Jane Doe"]),
        (["Günter W. Kienitz"], [], ["Günter W. Kienitz"]),
        (["Mobasir hassan"], [], ["Mobasir hassan"]),
        # A byline's date run into the field is no part of the name; a month-named person is.
        (["Brightline Movers March 12, 2024"], [], ["Brightline Movers"]),
        (["Priya Raman Last updated Oct 3, 2023"], [], ["Priya Raman"]),
        (["Theresa May"], [], ["Theresa May"]),
        # Roles, placeholders, agencies, acronyms, organisations and addresses are no people.
        (["Redaktion"], [], []),
        (["Staff Writer"], [], []),
        (["Unknown"], [], []),
        (["Admin"], [], []),
        (["NDR"], [], []),
        (["JIJI"], [], []),
        (["Reuters"], [], []),
        (["jungefreiheit.de"], [], []),
        (["https://example.com/author/jane"], [], []),
        (["cipha[at]cipha.net"], [], []),
        (["Web Commerce GmbH"], [], []),
        (["Deutscher Caritasverband e.V."], [], []),
        (["Bayerische Landesanstalt für Wald und Forstwirtschaft"], [], []),
        # The outlet's own name (JSON-LD organisation, host) in an author field.
        (["Tagesschau De"], ["tagesschau.de"], []),
        (["Evening Standard", "April Roach"], ["Evening Standard"], ["April Roach"]),
    ],
)
def test_explicit_names(values: list[str], organisations: list[str], names: list[str]) -> None:
    assert cr.explicit_names(values, organisations) == names


def test_single_words_stay_out_of_credit_lines() -> None:
    # In running text one capitalised word is not enough to be a name: only explicit fields.
    assert cr.normalize_name("Heiko") is None
    assert cr.parse_credit("By Heiko").authors == []
