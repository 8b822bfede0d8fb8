"""One person or two: when two printed names fold into one (flows.stages.credits.fold_names).

Folding needs evidence from the article: the names stand in different places, one is a variant
of the other that typing or shortening makes (never two real given names), and it fits nobody
else. Names printed together in one list are different people by construction.
"""

from __future__ import annotations

import pytest

from flows.stages import credits as cr

# --- different people with similar names ------------------------------------------------------

# Pairs of different people: never folded, whether one list prints both or two places do.
DIFFERENT_PEOPLE = [
    # Gendered pairs: a given name and its feminine or masculine form, one surname.
    ("Michael Martin", "Michelle Martin"),
    ("Paul Jones", "Paula Jones"),
    ("Mark Smith", "Mary Smith"),
    ("Daniel Lee", "Daniela Lee"),
    ("Jan Novak", "Jana Novak"),
    ("Andrea Weber", "Andreas Weber"),
    ("Carlos Ruiz", "Carla Ruiz"),
    ("Mario Rossi", "Maria Rossi"),
    ("Ivan Petrovic", "Ivana Petrovic"),
    ("Stefan Braun", "Stefanie Braun"),
    ("Gabriel Silva", "Gabriela Silva"),
    ("Simon Keller", "Simone Keller"),
    ("Francis Collins", "Frances Collins"),
    ("Louis Martin", "Louise Martin"),
    ("Julian Costa", "Juliana Costa"),
    ("Adrian Lopez", "Adriana Lopez"),
    ("Patrick Kelly", "Patricia Kelly"),
    ("Eric Chen", "Erica Chen"),
    ("Christian Berg", "Christina Berg"),
    ("Brian Walsh", "Briana Walsh"),
    ("Alexander Wolf", "Alexandra Wolf"),
    ("Antonio Russo", "Antonia Russo"),
    ("Fernando Lima", "Fernanda Lima"),
    ("Luis Gomez", "Luisa Gomez"),
    ("Martin Novak", "Martina Novak"),
    ("Nicola Ferrari", "Nicole Ferrari"),
    ("Leon Hart", "Leona Hart"),
    ("Denis Roy", "Denise Roy"),
    ("Joseph Weiss", "Josephine Weiss"),
    ("Robert Flack", "Roberta Flack"),
    # One surname, given names one or two letters apart that are both real names.
    ("Jane Doe", "June Doe"),
    ("Kate Bell", "Katie Bell"),
    ("Sara Lee", "Sarah Lee"),
    ("Steven King", "Stephen King"),
    ("Katherine Jackson", "Katharine Jackson"),
    ("Catherine Ross", "Katherine Ross"),
    ("Ann Hall", "Anne Hall"),
    ("Alan Ford", "Allan Ford"),
    ("Eric Larsen", "Erik Larsen"),
    ("Carl Meyer", "Karl Meyer"),
    ("Matthew Perry", "Mathew Perry"),
    ("Philip Morris", "Phillip Morris"),
    ("Lena Berg", "Lina Berg"),
    ("Marta Diaz", "Martha Diaz"),
    ("Teresa May", "Theresa May"),
    ("Michael Scott", "Micheal Scott"),
    ("Ahmed Hassan", "Ahmad Hassan"),
    ("Dmitri Ivanov", "Dmitry Ivanov"),
    ("Jon Snow", "John Snow"),
    ("Jenny Kao", "Ben Kao"),
    ("Jane Doe", "John Doe"),
    # Short given names: one letter apart is another name ("Wei" and "Wen").
    ("Li Wei", "Li Wen"),
    ("Wei Zhang", "Wen Zhang"),
    ("Wang Fang", "Wang Feng"),
    ("Kim Min-jun", "Kim Min-jin"),
    # One given name, surnames alike: surnames are never folded.
    ("Michael Martin", "Michael Martins"),
    ("John Smith", "John Smyth"),
    ("Anna Schmidt", "Anna Schmitt"),
    ("Arshad Mohammed", "Arshad Muhammad"),
    ("Emma Clark", "Emma Clarke"),
    ("Sophie Yu", "Yu Lun Tian"),
    # Different given names with one initial each.
    ("J. Smith", "K. Smith"),
]
# Pairs that may be one person when two places print them, never when one list prints both.
SAME_LIST_PAIRS = [
    ("J. Smith", "John Smith"),
    ("A. Patel", "Anil Patel"),
    ("John Smith", "John F. Smith"),
    ("Humeyra Pamuk", "Humera Pamuk"),
    ("Katharine Jackson", "Katharnie Jackson"),
]


def test_negative_table_is_large() -> None:
    assert len(DIFFERENT_PEOPLE) + len(SAME_LIST_PAIRS) >= 50


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE)
def test_different_people_are_no_variant(a: str, b: str) -> None:
    assert cr.spelling_variant(a, b) is None
    assert cr.spelling_variant(b, a) is None


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE)
def test_different_people_stay_two_in_different_places(a: str, b: str) -> None:
    assert cr.fold_names([[a], [b]]) == [a, b]
    assert cr.fold_names([[b]], known=[a]) == [b]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE + SAME_LIST_PAIRS)
def test_one_list_names_different_people(a: str, b: str) -> None:
    assert cr.fold_names([[a, b]]) == [a, b]
    assert cr.fold_names([[b, a]]) == [b, a]


@pytest.mark.parametrize(
    "line",
    [
        "Reporting by Michael Martin and Michelle Martin; Editing by Paul Jones",
        "By Michael Martin, Michelle Martin and Paul Jones",
        "Michael Martin and Michelle Martin contributed to this report.",
        "Von Daniel Lee und Daniela Lee",
    ],
)
def test_credit_line_keeps_every_name(line: str) -> None:
    credits = cr.parse_credit(line)
    for role in (cr.AUTHORS, cr.CONTRIBUTORS, cr.EDITORS):
        lists = credits.lists_of(role)
        assert cr.fold_names(lists) == [name for names in lists for name in names]


# --- real co-author lists -----------------------------------------------------------------------

# Gold authors of pages with several authors, copied from the two development sets (names only,
# credentials such as "PhD" or "MD" left out): trafilatura's evaluation set (evaldata.json) and
# the WCXB development articles (ground-truth/*.json, CC-BY-4.0). Every one must survive.
GOLD_CO_AUTHORS = [
    # trafilatura-eval
    ["Benjamin Fischer", "Marcus Theurer"],
    ["Lars Fischer", "Alina Schadwinkel"],
    ["Richard David Precht", "Karin Fischer"],
    ["Roland Brockmann", "Sebastian Drescher"],
    ["Markus M. Haefliger", "Beat Bumbacher"],
    ["Volkmar Kabisch", "Jan Lukas Strozyk", "Benedikt Strunz"],
    ["Michael L. Anderson", "Carlos Dobkin", "Devon Gorry"],
    ["Nathan Parker", "Varun Khaneja", "Eric Mill", "Kiran C Nair"],
    ["Jelko Djuren", "Jutta Klaukien"],
    ["Daniel Braun", "Davor Pasoski"],
    ["Sarah Hinger", "Sylvia Torres-Guillén"],
    ["Sadhbh O'Sullivan", "Elisabeth Kochan"],
    ["Fiona Bornhöft", "Mariam Hofbeck"],
    ["Luana Patriolino", "Raphael Felice"],
    ["Isabel Caro", "Rocío Latorre", "José Miguel Wilson"],
    ["Rudolf Fischer", "Simon Kohler"],
    ["Clara Löw", "Siddharth Prakash", "Klaus Jacob"],
    ["Ibtisam Mahdi", "Ruwaida Kamal Amer"],
    ["David Brand", "Ramsey Khalifeh"],
    ["Jessica Holly", "Gail Levy"],
    # WCXB development articles
    ["Danielle DeSiato", "Donna Enzmann", "Natalie Nguyen"],
    [
        "Nicholas Collins",
        "Scott Munro",
        "Matt De La O",
        "Vineet Asthana",
        "Rory O'Sullivan",
        "Corey Maurer",
        "Hamish Shah",
        "Philipp Bose",
    ],
    ["Manoj Jain", "Jagpreet Chhatwal"],
    ["Jared Newman", "Sam Singleton"],
    ["Rui Ma", "Heba Ledwon", "Manoel Cortes Mendez", "Suparn Patra"],
    ["Moses Kim", "Kate Shokurova"],
    ["Marna van der Merwe", "Dieter Veldsman", "Erik van Vulpen"],
    ["Thomas Broderick", "Nalea Ko"],
    ["Naftali Tishby", "Fernando C. Pereira", "William Bialek"],
    ["Chengcheng Pei", "Yuan Lin"],
    [
        "Jennifer Huberty",
        "Jeni Green",
        "Christine Glissmann",
        "Linda Larkey",
        "Megan Puzia",
        "Chong Lee",
    ],
    ["Mark SubbaRao", "Jonas Jaegermeyer"],
    ["Aditya Mahindru", "Pradeep Patil", "Varun Agrawal"],
    ["Md Najmul Hossain", "Jaeeun Lee", "Hongseok Choi", "Yi-Sub Kwak", "Jongnam Kim"],
    ["Chen Zhao", "Daryl Fairweather"],
    ["Adrien Ramirez", "Joanna Nelius"],
    ["Michael Rander", "Emily Acton"],
    ["John A. Alic", "David C. Mowery", "Edward S. Rubin"],
    ["Ellen Lindell", "Monique Feyrecilde", "Debra Horwitz", "Gary Landsberg"],
    ["Julie Weisenhorn", "Natalie Hoidal"],
]


def test_gold_lists_are_a_few_dozen() -> None:
    assert len(GOLD_CO_AUTHORS) >= 36


@pytest.mark.parametrize("names", GOLD_CO_AUTHORS, ids=lambda names: names[0])
def test_every_gold_co_author_survives(names: list[str]) -> None:
    # As one list (a byline, an author field) and as a list per name (separate bios).
    assert cr.fold_names([names]) == names
    assert cr.fold_names([[name] for name in names]) == names
    assert cr.explicit_names([", ".join(names)]) == names
    assert cr.parse_credit("By " + ", ".join(names[:-1]) + " and " + names[-1]).authors == names


# --- what does fold -----------------------------------------------------------------------------

# Different places, one person: (first printed, printed elsewhere, kind of variant).
SAME_PERSON = [
    # The sample: a credit line's "Humeyra Pamuk" and the bio's "Humera Pamuk" (a missing letter).
    ("Humeyra Pamuk", "Humera Pamuk", cr.MISSPELT),
    ("Humeyra Pamuk", "HUMEYRA PAMUK", cr.SAME),
    ("José Álvarez", "Jose Alvarez", cr.SAME),
    ("Simon Cameron Moore", "Simon Cameron-Moore", cr.SAME),
    # Synthetic variants: one letter changed, two letters swapped, one added, one missing.
    ("Dominique Patton", "Dominiqeu Patton", cr.MISSPELT),
    ("Katharine Jackson", "Katharnie Jackson", cr.MISSPELT),
    ("Humeyra Pamuk", "Huemyra Pamuk", cr.MISSPELT),
    ("Aldgra Fredly", "Aldrga Fredly", cr.MISSPELT),
    ("Arshad Mohammed", "Arshadd Mohammed", cr.MISSPELT),
    ("Aldgra Fredly", "Aldra Fredly", cr.MISSPELT),
    ("Doina Chiacou", "Doima Chiacou", cr.MISSPELT),
    # Shortened: an initial, a middle name or initial left out.
    ("Jane Doe", "J. Doe", cr.INITIAL),
    ("John F. Kennedy", "John Kennedy", cr.MIDDLE),
    ("Yu Lun Tian", "Yu Tian", cr.MIDDLE),
]


@pytest.mark.parametrize(("first", "other", "kind"), SAME_PERSON)
def test_variants_in_different_places_fold(first: str, other: str, kind: str) -> None:
    assert cr.spelling_variant(first, other) == kind
    assert cr.fold_names([[first], [other]]) == [first]
    assert cr.fold_names([[other]], known=[first]) == []


def test_sample_bio_folds_into_the_credited_spelling() -> None:
    # A byline "Humeyra Pamuk" and a bio "Humera Pamuk is a ... correspondent".
    bio = cr.bio_name("Humera Pamuk is a senior foreign policy correspondent based in Washington.")
    assert bio == "Humera Pamuk"
    credited = cr.parse_credit("Reporting by Humeyra Pamuk in Beijing").lists_of(cr.AUTHORS)
    assert cr.fold_names([*credited, [bio]]) == ["Humeyra Pamuk"]


def test_fold_keeps_first_printed_form_and_order() -> None:
    lists = [["Humeyra Pamuk"], ["Hamira Pamuk", "Arshad Muhammad"], ["Humera Pamuk"], ["Jane Doe"]]
    # "Hamira" is three letters from "Humeyra": no evidence it is one person, so it stays.
    assert cr.fold_names(lists) == ["Humeyra Pamuk", "Hamira Pamuk", "Arshad Muhammad", "Jane Doe"]


def test_ambiguous_variant_folds_into_nobody() -> None:
    # "J. Smith" could be John or Jane: both stay, and so does the initial.
    assert cr.fold_names([["J. Smith"], ["John Smith", "Jane Smith"]]) == [
        "J. Smith",
        "John Smith",
        "Jane Smith",
    ]
    assert cr.fold_names([["J. Smith"], ["John Smith"]]) == ["J. Smith"]


def test_variant_of_a_name_its_own_list_prints_too_stays() -> None:
    # The contributors' list prints both spellings: two people, though one is an author's name.
    assert cr.fold_names([["Humeyra Pamuk", "Humera Pamuk"]], known=["Humeyra Pamuk"]) == [
        "Humera Pamuk"
    ]


def test_same_name_twice_is_one_person() -> None:
    assert cr.fold_names([["Jane Doe", "John Roe"], ["JANE DOE"], []]) == ["Jane Doe", "John Roe"]


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        ("humeyra", "humera", True),  # one dropped
        ("humera", "humeyra", True),  # one added
        ("humeyra", "humeyre", True),  # one changed
        ("humeyra", "huemyra", True),  # neighbours swapped
        ("humeyra", "humeyra", False),
        ("humeyra", "hamira", False),
        ("humeyra", "hmuyera", False),
        ("abcd", "badc", False),  # two swaps
        ("abc", "abcde", False),
    ],
)
def test_one_edit_apart(a: str, b: str, apart: bool) -> None:
    assert cr.one_edit_apart(a, b) is apart


def test_given_names_list_knows_the_issue_names() -> None:
    names = cr.given_names()
    for name in ("michael", "michelle", "paul", "paula", "mark", "mary", "daniel", "daniela"):
        assert name in names
    # The sample's misspellings are nobody's given name in the list.
    assert "humera" not in names and "hamira" not in names
    header = cr.GIVEN_NAMES_FILE.read_text(encoding="utf-8").split("\n", 12)[:12]
    assert any("Source:" in line for line in header)
