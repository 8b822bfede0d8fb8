"""The layout measures benchmarks/block_layout.py tried for the block model (measured out of
fold, not shipped): its walker must cut pages as the pipeline does, and the measures must say
where a block stands against the headline and the densest prose container. No corpus needed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from flows.stages import blocks
from flows.stages.html_facts import parse_tree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import block_layout  # noqa: E402

STORY = [
    "The county library will open on Sundays from March, the first change to its hours in "
    "twenty years, after volunteers offered to staff the reading rooms.",
    "Librarians said the busiest visitors on weekends were students preparing for exams and "
    "families who cannot come during the week because of work.",
    "The council expects the extra day to cost little, since the heating already runs and the "
    "volunteers will be trained by the permanent staff over the winter.",
]
TEASER = (
    "A reader writes that the bus to the library stops running too early in the evening, "
    "and asks the council to look at the timetable again before spring."
)


def page() -> str:
    story = "".join(f"<p>{text}</p>" for text in STORY)
    return f"""<html><head><title>Library to open on Sundays | Valley Courier</title></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li></ul></nav>
<main><article><header><h1>Library to open on Sundays</h1><p>By A. Writer</p></header>
<div class="body">{story}</div></article>
<aside><div class="letters"><p>{TEASER}</p></div></aside></main></body></html>"""


def measured() -> tuple[list[str], np.ndarray]:
    tree = parse_tree(page())
    assert tree is not None
    found, chains, elements = block_layout.chained_blocks(tree)
    x = block_layout.layout_features(found, chains, elements, tree, blocks.title_of(tree))
    return [block.text for block in found], x


def column(name: str) -> int:
    return block_layout.layout_feature_names().index(name)


def test_the_walker_cuts_the_page_as_the_pipeline_does() -> None:
    tree = parse_tree(page())
    assert tree is not None
    found, chains, elements = block_layout.chained_blocks(tree)
    assert [b.text for b in found] == [b.text for b in blocks.page_blocks(tree)]
    assert len(chains) == len(elements) == len(found)
    # The story's paragraphs sit in one container: their chains part only at their own element.
    first, second = (found.index(b) for b in found if b.text in STORY[:2])
    assert chains[first][:-1] == chains[second][:-1]
    assert elements[first] is not None and elements[first].tag == "p"


def test_blocks_stand_before_or_after_the_headline() -> None:
    texts, x = measured()
    headline = texts.index("Library to open on Sundays")
    assert x[headline, column("headline:is")] == 1.0
    assert x[texts.index("Home"), column("headline:before")] == 1.0
    story = texts.index(STORY[0])
    assert x[story, column("headline:before")] == 0.0
    assert x[story, column("headline:block_distance")] > 0
    # The aside's letter is further from the headline's container than the story is.
    letter = texts.index(TEASER)
    assert x[letter, column("headline:levels_up")] > x[story, column("headline:levels_up")]


def test_the_story_is_the_densest_container_and_the_aside_is_outside_it() -> None:
    texts, x = measured()
    for text in STORY:
        assert x[texts.index(text), column("dense:inside")] == 1.0
    letter = texts.index(TEASER)
    assert x[letter, column("dense:inside")] == 0.0
    assert x[letter, column("dense:levels_out")] > 0
    # Three of the page's four prose blocks are the story's.
    share = x[0, column("page:dense_share")]
    assert 0.6 < share < 0.9
    assert x[texts.index(STORY[0]), column("parent:log_prose_rank")] == 0.0
