"""The cleaning stage on the bundled samples and on texts in other outlets' styles."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from flows.core.records import CleanedText, RemovedSpan
from flows.core.residue import ResiduePattern, residue_patterns
from flows.stages.boilerplate_rules import DATELINE_RULES, LINE_RULES, TAIL_RULES, first_match
from flows.stages.clean import RESIDUE_RULE, clean_text, cut_residue

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "sample"

# Per sample: the first and last article sentence (fragments), a subheading that must stay (or
# None), the span kinds its boilerplate has, and a sensible range for the number of paragraphs.
EXPECTED = {
    "000": (
        "U.S. Secretary of State Antony Blinken discussed Taiwan and other thorny issues",
        "communication, though relations have deteriorated since then.",
        "Taiwan ‘primary interest’",
        {
            "title",
            "dateline",
            "see_also",
            "caption",
            "credit",
            "trust_statement",
            "author_bio",
            "comment_prompt",
        },
        (20, 32),
    ),
    "001": (
        "U.S. State Secretary Antony Blinken met with China’s top diplomat",
        "of deliberately provoking risks.",
        "Taiwan Issue",
        {"credit", "author_bio"},
        (14, 20),
    ),
    "002": (
        "U.S. Secretary of State Antony Blinken held the second and final day",
        "For Australia, the United Kingdom and the United States.",
        None,
        {"title", "dateline", "see_also", "comment_prompt"},
        (18, 26),
    ),
    "003": (
        "U.S. Secretary of State Antony Blinken will meet China’s top diplomat",
        "It could also pave the way for talks between Xi and Biden at multilateral summits "
        "later in the year.",
        None,
        {"metadata_line", "dateline", "credit", "trust_statement", "author_bio"},
        (1, 3),
    ),
    "004": (
        "China and the United States agreed on Monday to stabilize their bitter rivalry",
        "which Beijing has refused to rule out.",
        "Taiwan’s core issue",
        {
            "title",
            "highlight",
            "dateline",
            "see_also",
            "credit",
            "trust_statement",
            "author_bio",
            "comment_prompt",
        },
        (24, 34),
    ),
}


def _sample(prefix: str) -> str:
    (path,) = SAMPLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _clean_sample(prefix: str) -> CleanedText:
    return clean_text(_sample(prefix))


_BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·]|[*\-–—](?=\s))")


def _assert_nothing_lost(text: str, cleaned: CleanedText) -> None:
    """Every non-whitespace character of the input is in a paragraph or a removed span.

    Highlight spans drop their bullet glyph (list formatting, like whitespace), so those are
    taken off the input side too.
    """
    highlights = Counter(span.text for span in cleaned.spans("highlight"))
    expected: Counter[str] = Counter()
    for line in text.splitlines():
        bullet = _BULLET.match(line)
        if bullet and highlights[line[bullet.end() :].strip()] > 0:
            highlights[line[bullet.end() :].strip()] -= 1
            line = line[bullet.end() :]
        expected.update(ch for ch in line if not ch.isspace())
    got: Counter[str] = Counter()
    for piece in [*cleaned.paragraphs, *(span.text for span in cleaned.removed)]:
        got.update(ch for ch in piece if not ch.isspace())
    assert got == expected


def _assert_in_order(text: str, cleaned: CleanedText) -> None:
    position = 0
    for paragraph in cleaned.paragraphs:
        found = text.find(paragraph, position)
        assert found >= 0, f"paragraph out of order or altered: {paragraph[:60]!r}"
        position = found + len(paragraph)


# ---------------------------------------------------------------------------------------------
# The samples


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_first_and_last_sentence_survive(prefix: str) -> None:
    first, last, _, _, _ = EXPECTED[prefix]
    cleaned = _clean_sample(prefix)
    assert cleaned.paragraphs[0].startswith(first)
    assert cleaned.paragraphs[-1].endswith(last)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_body_lines_match_no_rule(prefix: str) -> None:
    cleaned = _clean_sample(prefix)
    for paragraph in cleaned.paragraphs:
        assert first_match(paragraph, LINE_RULES) is None, paragraph
    assert first_match(cleaned.paragraphs[-1], TAIL_RULES) is None
    assert not any(rule.pattern.match(cleaned.paragraphs[0]) for rule in DATELINE_RULES)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_removed_kinds(prefix: str) -> None:
    kinds = {span.kind for span in _clean_sample(prefix).removed}
    assert kinds == EXPECTED[prefix][3]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_paragraph_count_is_sensible(prefix: str) -> None:
    low, high = EXPECTED[prefix][4]
    assert low <= len(_clean_sample(prefix).paragraphs) <= high


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_subheadings_stay(prefix: str) -> None:
    subheading = EXPECTED[prefix][2]
    if subheading is not None:
        assert subheading in _clean_sample(prefix).paragraphs


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_nothing_lost_and_order_kept(prefix: str) -> None:
    text = _sample(prefix)
    cleaned = clean_text(text)
    _assert_nothing_lost(text, cleaned)
    _assert_in_order(text, cleaned)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_junk_phrases_gone_from_body(prefix: str) -> None:
    body = _clean_sample(prefix).body
    for junk in ("See also", "Our standards", "Leave a Reply", "Editing by", "Required fields"):
        assert junk not in body
    assert not re.search(r"is a (?:senior|freelance) \w+ (?:correspondent|writer)", body)


def test_related_headlines_from_see_also_lines() -> None:
    cleaned = _clean_sample("000")
    assert len(cleaned.related_headlines) == len(cleaned.spans("see_also")) == 3
    assert all(not h.lower().startswith("see also") for h in cleaned.related_headlines)


def test_glued_tail_is_cut_at_the_sentence_boundary() -> None:
    cleaned = _clean_sample("003")
    assert len(cleaned.paragraphs) == 1
    tail = [span.kind for span in cleaned.removed[2:]]
    assert tail[0] == "credit"
    assert "trust_statement" in tail
    assert tail[-1] == "author_bio"
    assert cleaned.removed[0].kind == "metadata_line"
    assert cleaned.removed[1].text.startswith("BEIJING, June 19 (")


def test_highlights_drop_their_bullets() -> None:
    highlights = _clean_sample("004").spans("highlight")
    assert len(highlights) == 4
    assert all(not span.text.startswith(("•", "-", "*")) for span in highlights)


def test_lede_is_not_taken_for_a_title() -> None:
    cleaned = _clean_sample("001")
    assert not cleaned.spans("title")


def test_typos_inside_article_text_are_left_alone() -> None:
    assert "capabilitiesincluding in Cuba." in _clean_sample("002").body


# ---------------------------------------------------------------------------------------------
# Other outlets' styles

AP_STYLE = """China's Xi meets Gates in Beijing, calls him an old friend

By JOHN DOE Associated Press

BEIJING (AP) — Chinese leader Xi Jinping met Microsoft co-founder Bill Gates on Friday.

Chinese President Xi Jinping shakes hands with Bill Gates in Beijing, June 16, 2023. (AP Photo/Andy Wong)

Xi called Gates "an old friend" and said the two sides can cooperate.

Gates said he was optimistic after the meeting.

Associated Press writer Jane Roe in Hong Kong contributed to this report.

Copyright 2023 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.
"""

BLOG_STYLE = """Ten things I learned hiking the Alps
Posted on June 3, 2023 by admin
The first thing you notice is the silence, which is louder than you would think.
The second is how quickly the weather can turn above two thousand metres.
Pack layers, and always carry more water than you think you will need.
Share this:
Twitter
Facebook
Like this:
Like Loading...
Related
Hiking the Dolomites in autumn with kids
June 3, 2023
In "Travel"
Why I stopped using trekking poles on steep descents
12 Comments
Leave a Reply
Cancel reply
Your email address will not be published. Required fields are marked *
Comment *
Name *
Email *
Website
Save my name, email, and website in this browser for the next time I comment.
"""

GERMAN_STYLE = """Scholz reist nach Paris

Von Max Mustermann

Berlin (dpa) - Bundeskanzler Olaf Scholz reist am Montag nach Paris.

Dort trifft er den französischen Präsidenten zu einem Arbeitsessen.

Mehr zum Thema

Macron und Scholz streiten über Atomkraft in der EU

Die Gespräche sollen zwei Tage dauern, teilte ein Regierungssprecher mit.

Artikel teilen

Kommentare

(dpa/AFP)
"""

COOKIE_STYLE = """We use cookies to give you the best experience. By continuing to browse, you agree to our use of cookies.
Accept all
Manage preferences
Skip to content
Home > World > Europe
Storm batters Britain's south coast
Updated 10:32 GMT, 19 June 2023
Thousands of homes were left without power on Monday after a storm battered the south coast.
Advertisement
Wind speeds of up to 80 mph were recorded, the Met Office said.
Follow us on Twitter
Sign up for our daily newsletter
© 2023 Example News Ltd
"""

MULTILINGUAL_TAILS = {
    "fr": "Le gouvernement a présenté sa réforme mardi.\nLes syndicats ont appelé à la grève.\n"
    "Partager\nLaisser un commentaire\nTous droits réservés",
    "es": "El Gobierno aprobó el decreto el martes.\nLa oposición lo criticó con dureza.\n"
    "Compartir\nDeja un comentario\nTe puede interesar: La inflación baja en mayo",
    "it": "Il governo ha approvato il decreto martedì.\nL'opposizione ha protestato.\n"
    "Condividi\nLascia un commento\nLeggi anche: L'inflazione scende a maggio",
    "pt": "O governo aprovou o decreto na terça-feira.\nA oposição criticou a medida.\n"
    "Compartilhe\nDeixe um comentário\nLeia também: Inflação cai em maio",
    "ru": "Правительство одобрило указ во вторник.\nОппозиция раскритиковала решение.\n"
    "Поделиться\nКомментарии\nЧитайте также: Инфляция замедлилась в мае",
    "zh": "政府周二批准了该法令。\n反对派对此提出批评。\n分享到\n发表评论\n相关阅读：五月通胀回落",
}


def test_ap_style() -> None:
    cleaned = clean_text(AP_STYLE)
    assert cleaned.paragraphs == [
        "Chinese leader Xi Jinping met Microsoft co-founder Bill Gates on Friday.",
        'Xi called Gates "an old friend" and said the two sides can cooperate.',
        "Gates said he was optimistic after the meeting.",
    ]
    kinds = [span.kind for span in cleaned.removed]
    assert kinds == ["title", "credit", "dateline", "caption", "credit", "trust_statement"]
    _assert_nothing_lost(AP_STYLE, cleaned)


def test_blog_with_share_related_and_comment_blocks() -> None:
    cleaned = clean_text(BLOG_STYLE)
    assert len(cleaned.paragraphs) == 3
    assert cleaned.paragraphs[0].startswith("The first thing you notice")
    assert cleaned.paragraphs[-1].startswith("Pack layers")
    assert cleaned.related_headlines == [
        "Hiking the Dolomites in autumn with kids",
        "Why I stopped using trekking poles on steep descents",
    ]
    kinds = {span.kind for span in cleaned.removed}
    assert {"title", "metadata_line", "social", "see_also", "comment_prompt"} <= kinds
    _assert_nothing_lost(BLOG_STYLE, cleaned)


def test_german_article() -> None:
    cleaned = clean_text(GERMAN_STYLE)
    assert cleaned.paragraphs == [
        "Bundeskanzler Olaf Scholz reist am Montag nach Paris.",
        "Dort trifft er den französischen Präsidenten zu einem Arbeitsessen.",
        "Die Gespräche sollen zwei Tage dauern, teilte ein Regierungssprecher mit.",
    ]
    assert cleaned.related_headlines == ["Macron und Scholz streiten über Atomkraft in der EU"]
    assert [s.text for s in cleaned.spans("dateline")] == ["Berlin (dpa) -"]
    assert {"social", "comment_prompt", "credit", "title"} <= {s.kind for s in cleaned.removed}


def test_cookie_notice_and_page_furniture_at_the_top() -> None:
    cleaned = clean_text(COOKIE_STYLE)
    assert cleaned.paragraphs == [
        "Thousands of homes were left without power on Monday after a storm battered the south "
        "coast.",
        "Wind speeds of up to 80 mph were recorded, the Met Office said.",
    ]
    assert [s.text for s in cleaned.spans("title")] == ["Storm batters Britain's south coast"]
    kinds = {span.kind for span in cleaned.removed}
    assert {
        "cookie_notice",
        "navigation",
        "metadata_line",
        "advertisement",
        "social",
        "newsletter",
        "trust_statement",
    } <= kinds


@pytest.mark.parametrize("lang", sorted(MULTILINGUAL_TAILS))
def test_multilingual_tails(lang: str) -> None:
    text = MULTILINGUAL_TAILS[lang]
    cleaned = clean_text(text, content_kind="html")
    assert cleaned.paragraphs == text.splitlines()[:2]
    assert len(cleaned.removed) == 3
    _assert_nothing_lost(text, cleaned)


def test_html_text_never_gives_a_title() -> None:
    text = "Xi, Blinken agree to stabilize relations\nChina and the United States agreed on Monday."
    assert clean_text(text, content_kind="html").paragraphs == text.splitlines()
    assert clean_text(text).spans("title")


def test_reuters_glued_credit_in_parentheses() -> None:
    text = (
        "Oil prices rose on Monday. Brent crude gained 2%. (Reporting by Jane Doe in London; "
        "Editing by Bill Smith)"
    )
    cleaned = clean_text(text)
    assert cleaned.paragraphs == ["Oil prices rose on Monday. Brent crude gained 2%."]
    assert [s.kind for s in cleaned.removed] == ["credit", "credit"]


# ---------------------------------------------------------------------------------------------
# What must stay


def test_prose_that_mentions_reuters_reporting_and_photos_stays() -> None:
    text = (
        "Reuters reported that the talks had stalled.\n"
        "Reporting by Reuters showed that the ministry had known for months.\n"
        "The photo was taken by an AP photographer outside the hall.\n"
        "Editing by committee rarely works, the diplomat said."
    )
    cleaned = clean_text(text, content_kind="html")
    assert cleaned.paragraphs == text.splitlines()
    assert cleaned.removed == []


def test_bio_like_last_sentence_alone_stays() -> None:
    # Without credits or prompts around it, a sentence like this is the article's own.
    text = (
        "Moscow said the trial would be held behind closed doors.\n"
        "Evan Gershkovich is a reporter for The Wall Street Journal."
    )
    assert clean_text(text, content_kind="html").paragraphs == text.splitlines()


def test_glued_bio_goes_on_only_about_its_person() -> None:
    # A glued tail follows the line rule for bios: the sentence after a bio continues it only
    # when it speaks of a third person; the news sentence after it stays in the body.
    text = (
        "The talks end Friday, officials said. Reporting by Jane Doe. "
        "Jane Doe is a reporter for Reuters. "
        "The ministry did not respond to a request for comment."
    )
    cleaned = clean_text(text)
    assert cleaned.body.endswith("The ministry did not respond to a request for comment.")
    assert not any(span.rule == "bio_continuation_v1" for span in cleaned.removed)
    bio = text.replace("The ministry did not respond", "She covers energy and did not respond")
    cleaned = clean_text(bio)
    assert cleaned.body == "The talks end Friday, officials said."
    assert cleaned.removed[-1].rule == "bio_continuation_v1"


def test_name_like_subheadings_in_the_middle_stay() -> None:
    text = (
        "The talks began on Monday.\nTaiwan Issue\nTaiwan remains the core dispute.\n"
        "Reporting by Jane Doe; Editing by Bill Smith"
    )
    cleaned = clean_text(text, content_kind="html")
    assert cleaned.paragraphs == text.splitlines()[:3]


def test_lists_inside_the_article_are_not_highlights() -> None:
    text = (
        "The plan has three parts.\n- cut emissions by half\n- plant trees\n"
        "Officials said the plan would cost billions."
    )
    assert clean_text(text).paragraphs == text.splitlines()


def test_empty_and_blank_input() -> None:
    assert clean_text("").paragraphs == []
    assert clean_text(" \n\n \t\n").removed == []


def test_only_boilerplate_gives_no_paragraphs() -> None:
    cleaned = clean_text("Leave a Reply\nShare this article\n© 2023 Example")
    assert cleaned.paragraphs == []
    assert len(cleaned.removed) == 3


# ---------------------------------------------------------------------------------------------
# Property: nothing is lost, whatever the mix of lines

_ARTICLE_LINES = [
    "The ministry said on Monday that talks would resume next week.",
    "“We will not back down,” the spokesman told reporters in Beijing.",
    "Reuters reported that the deal had been delayed twice.",
    "Taiwan Issue",
    "Prices rose 5% in May, more than economists had forecast.",
    "BEIJING (Reuters) – The talks ended without a deal.",
    "• A bullet point about the talks",
    "- another list item",
]
_JUNK_LINES = [
    "See also  Markets slide as oil jumps",
    "Related",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "By Jane Doe and John Roe, Reuters",
    "Reporting by Jane Doe; Editing by Bill Smith",
    "Jane Doe",
    "Thomson Reuters",
    "Jane Doe is a senior correspondent based in London.",
    "Our standards: The Thomson Reuters Trust Principles.",
    "Protesters march. REUTERS/Jane Doe",
    "date 2023-06-18",
    "Share this article",
    "Advertisement",
    "Home > World > Asia",
    "We use cookies to improve your experience.",
    "Blinken lands in Beijing for a rare visit",
]


@pytest.mark.parametrize("seed", range(200))
def test_property_nothing_lost(seed: int) -> None:
    rng = random.Random(seed)
    pool = _ARTICLE_LINES + _JUNK_LINES
    lines = [rng.choice(pool) for _ in range(rng.randint(1, 14))]
    if rng.random() < 0.5:
        # Glue some lines into one, as single-paragraph scrapes do.
        lines = [" ".join(lines[: len(lines) // 2]), *lines[len(lines) // 2 :]]
    text = rng.choice(["\n", "\n\n", "\r\n"]).join(lines)
    for kind in ("text", "html"):
        cleaned = clean_text(text, content_kind=kind)
        _assert_nothing_lost(text, cleaned)
        _assert_in_order(text, cleaned)


def test_big_input_is_fast_enough() -> None:
    import time

    text = _sample("000") * 100
    started = time.perf_counter()
    cleaned = clean_text(text)
    assert time.perf_counter() - started < 10
    # How many of the hundred copies' lines the line model keeps is its call (a page of one
    # article a hundred times over is no article page); nothing may be lost, and the article
    # must not be.
    _assert_nothing_lost(text, cleaned)
    first = clean_text(_sample("000")).paragraphs[0]
    assert first in cleaned.paragraphs
    assert len(cleaned.paragraphs) > len(clean_text(_sample("000")).paragraphs)


@pytest.mark.parametrize("kind", ["html", "text"])
def test_first_line_repeating_the_known_title_is_the_title(kind: str) -> None:
    text = "Port city approves ferry line\nThe council voted on Wednesday to open a new line.\nIt runs from May."
    cleaned = clean_text(
        text, content_kind=kind, title="Port city approves ferry line | Harbour Daily"
    )
    assert cleaned.paragraphs[0].startswith("The council voted")
    assert [(s.kind, s.rule) for s in cleaned.removed] == [("title", "title_repeat_v1")]


def test_a_first_line_that_only_shares_words_with_the_title_stays() -> None:
    text = "Port city approves ferry line after long debate about costs and the harbour traffic.\nMore text here."
    cleaned = clean_text(text, content_kind="html", title="Port city")
    assert cleaned.paragraphs[0].startswith("Port city approves")


# ---------------------------------------------------------------------------------------------
# The last step: residue the row suite forbids, cut with the suite's own patterns


def test_see_also_glued_to_the_last_sentence_is_cut_and_recorded() -> None:
    text = (
        "The harbour reopened on Monday after a week of repairs to the cranes.\n"
        "Dock workers said the backlog would take a month to clear. "
        "See also our map of the shipping routes."
    )
    cleaned = clean_text(text, content_kind="html")
    assert cleaned.paragraphs[-1].endswith("would take a month to clear.")
    assert [(s.kind, s.text, s.rule) for s in cleaned.removed] == [
        ("see_also", "See also our map of the shipping routes.", RESIDUE_RULE)
    ]


def _paragraphs(*texts: str) -> CleanedText:
    return CleanedText(paragraphs=list(texts))


def test_residue_lines_at_the_head_and_the_tail_go_with_their_kind() -> None:
    cleaned = cut_residue(
        _paragraphs(
            "See also: Ferry fares rise again",
            "The harbour reopened on Monday.",
            "Dock workers expect a busy month.",
            "(Reporting by Jane Doe; Editing by Mark Stone)",
        ),
        residue_patterns(),
    )
    assert cleaned.paragraphs == [
        "The harbour reopened on Monday.",
        "Dock workers expect a busy month.",
    ]
    kinds = {span.text: span.kind for span in cleaned.removed}
    assert kinds == {
        "See also: Ferry fares rise again": "see_also",
        "(Reporting by Jane Doe; Editing by Mark Stone)": "credit",
    }
    assert {span.rule for span in cleaned.removed} == {RESIDUE_RULE}


def test_residue_spans_keep_document_order() -> None:
    # Spans the rules removed before: one after the first paragraph, one after the last.
    before = [RemovedSpan("caption", "A crane at dawn.", "x"), RemovedSpan("social", "Share", "y")]
    cleaned = CleanedText(
        paragraphs=[
            "See also: Ferry fares",
            "The harbour reopened.",
            "Dock workers expect a busy month. Writing by Jane Doe; Editing by Mark Stone",
        ],
        removed=list(before),
    )
    cut_residue(cleaned, residue_patterns(), ends=[0, 1, 1])
    assert cleaned.paragraphs == ["The harbour reopened.", "Dock workers expect a busy month."]
    assert [span.text for span in cleaned.removed] == [
        "See also: Ferry fares",
        "A crane at dawn.",
        "Writing by Jane Doe; Editing by Mark Stone",
        "Share",
    ]


def test_a_match_inside_a_paragraph_is_left_for_validation() -> None:
    # Not at a paragraph's end, or starting inside a word: the cleaner cannot tell where the junk
    # ends, so it leaves the text whole (and validation decides).
    patterns = (ResiduePattern("credit", re.compile(r"Editing by [A-Z]\w+")),)
    cleaned = cut_residue(
        _paragraphs(
            "Editing by Mark was the slowest part of the project.",
            "The award for Photo-Editing by Mark",
        ),
        patterns,
    )
    assert cleaned.removed == []
    assert len(cleaned.paragraphs) == 2


def test_a_body_of_nothing_but_residue_is_emptied() -> None:
    cleaned = cut_residue(
        _paragraphs("Leave a Reply", "Your email address will not be published."),
        residue_patterns(),
    )
    assert cleaned.paragraphs == []
    assert [span.kind for span in cleaned.removed] == ["comment_prompt", "comment_prompt"]
