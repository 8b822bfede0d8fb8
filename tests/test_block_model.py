"""The block model's candidates (flows/stages/blocks.py), its tree evaluator and its decision
(flows/stages/block_model.py), and the extract stage that uses them. No corpus needed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from flows.core.records import SeedMetadata
from flows.stages import block_model, blocks
from flows.stages.document import ExtractionSettings
from flows.stages.extract import extract_html
from flows.stages.html_facts import parse_tree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import train_blocks  # noqa: E402

PARAGRAPHS = [
    "The harbour authority said on Tuesday that the new breakwater would be finished before "
    "the winter storms, two years later than first planned and at almost twice the cost.",
    "Engineers blamed the delay on the soft clay under the old quay, which had to be dug out "
    "and replaced with crushed rock before the concrete blocks could be laid.",
    "Fishermen who moor inside the harbour welcomed the news, although several said the "
    "works had cost them a season of landings and that compensation had been slow to arrive.",
    "The council will publish the final accounts for the project in the spring, when the "
    "contractor hands the structure over to the port.",
]


def page(paragraphs: list[str] = PARAGRAPHS) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<html><head><title>Breakwater finished at last | Coast Gazette</title>
<script>var tracking = "not text";</script><style>p {{ color: red }}</style></head>
<body>
<header class="site-header"><nav class="main-menu"><ul>
<li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather</a></li></ul></nav></header>
<div class="cookie-banner" style="display: none">We use cookies to improve your experience.</div>
<main><article class="story">
<h1>Breakwater finished at last</h1>
<div class="story-body">{body}</div>
</article>
<aside class="sidebar related"><h3>More stories</h3><ul>
<li><a href="/a">Ferry timetable changes for the summer season</a></li>
<li><a href="/b">Lifeboat crew called out twice in one night</a></li></ul></aside></main>
<footer class="site-footer"><p>© 2026 Coast Gazette. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> | <a href="/terms">Terms</a></p></footer>
</body></html>"""


def tree_of(html: str):  # type: ignore[no-untyped-def]
    tree = parse_tree(html)
    assert tree is not None
    return tree


# --- blocks ---------------------------------------------------------------------------------------


def test_inline_markup_stays_in_its_block_and_nested_blocks_split() -> None:
    html = (
        "<html><body><div>Lead <b>bold</b> and <a href='#'>a link</a>."
        "<p>Inner <em>para</em>graph.</p>after the paragraph</div></body></html>"
    )
    texts = [block.text for block in blocks.page_blocks(tree_of(html))]
    assert texts == ["Lead bold and a link.", "Inner paragraph.", "after the paragraph"]


def test_scripts_styles_and_hidden_elements_are_not_text() -> None:
    texts = " ".join(block.text for block in blocks.page_blocks(tree_of(page())))
    assert "tracking" not in texts
    assert "color: red" not in texts
    assert "cookies" not in texts  # display: none
    assert "Breakwater finished at last" in texts


def test_line_breaks_stay_lines_and_links_are_measured() -> None:
    html = "<html><body><p>One<br>two <a href='#'>three four</a></p></body></html>"
    (block,) = blocks.page_blocks(tree_of(html))
    assert block.text == "One\ntwo three four"
    assert block.link_chars == len("three four")


def test_class_words_become_hint_groups_of_the_block_and_its_containers() -> None:
    found = {b.text: b for b in blocks.page_blocks(tree_of(page()))}
    home = found["Home"]
    assert "navigation" in home.near_hints and "chrome" in home.near_hints
    paragraph = found[PARAGRAPHS[0]]
    assert "content" in paragraph.near_hints
    assert "aside" not in paragraph.near_hints


def test_features_one_row_per_block_and_named() -> None:
    page_blocks = blocks.page_blocks(tree_of(page()))
    x = blocks.block_features(page_blocks, "Breakwater finished at last", PARAGRAPHS[1])
    assert x.shape == (len(page_blocks), len(blocks.block_feature_names()))
    assert np.isfinite(x).all()


def test_extractor_agreement_matches_whole_words_only() -> None:
    page_blocks = [
        blocks.Block("share", "p", (), frozenset(), frozenset(), 0),
        blocks.Block("The quay was rebuilt.", "p", (), frozenset(), frozenset(), 0),
    ]
    kept = blocks.block_feature_names().index("extractor_kept")
    x = blocks.block_features(page_blocks, None, "Fishermen shared the cost. The quay was rebuilt.")
    assert x[0, kept] == 0.0  # "share" is inside "shared", not a word of the text
    assert x[1, kept] == 1.0


def test_a_short_block_is_kept_only_as_a_good_part_of_one_line() -> None:
    long_line = (
        "the minister said the budget for schools would rise by four percent next year after "
        "a long debate"
    )
    lines = [
        blocks.normalized_words(text)
        for text in ("Read more", long_line, "Officials said the budget stays", "")
    ]
    cases = {
        "Read more": True,  # the whole line
        "budget": False,  # one word of a 19-word sentence
        "the minister said": False,  # 3 words of 19: too small a part
        "said the budget": True,  # 3 of the 5-word line, though also inside the long one
        "more the minister": False,  # short blocks do not run across lines
        "four percent next year after a long": True,  # long blocks match anywhere
        "budget stays read": False,
    }
    words = [blocks.normalized_words(text) for text in cases]
    assert blocks.extractor_kept(words, lines) == list(cases.values())
    assert blocks.extractor_kept([[]], lines) == [False]


# --- the tree evaluator ----------------------------------------------------------------------------


def stump(feature: int, threshold: float, left: float, right: float) -> dict[str, list]:  # type: ignore[type-arg]
    return {
        "feature": [feature, -1, -1],
        "threshold": [threshold, 0.0, 0.0],
        "left": [1, 0, 0],
        "right": [2, 0, 0],
        "value": [0.0, left, right],
    }


def test_trees_add_their_leaves_to_the_baseline() -> None:
    trees = block_model.TreeEnsemble.from_dict(
        {"baseline": 0.5, "depth": 2, "trees": [stump(0, 1.0, -2.0, 2.0), stump(1, 0.0, 1.0, -1.0)]}
    )
    x = np.array([[0.0, -1.0], [5.0, 3.0], [1.0, 0.0]])
    raw = np.array([0.5 - 2.0 + 1.0, 0.5 + 2.0 - 1.0, 0.5 - 2.0 + 1.0])
    assert np.allclose(trees.predict(x), 1 / (1 + np.exp(-raw)))


def test_exported_scikit_learn_trees_score_as_scikit_learn_does() -> None:
    pytest.importorskip("sklearn")
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    width = len(blocks.block_feature_names())
    x = rng.normal(size=(600, width))
    y = (x[:, 3] + 0.5 * x[:, 10] - x[:, 40] > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(x, y)
    exported = train_blocks.export(model, 0.5, "test")
    ours = block_model.model_from_dict(exported).score(x)
    assert np.allclose(ours, model.predict_proba(x)[:, 1], atol=1e-9)


def model_keeping(feature: str, at_most: float, threshold: float = 0.5) -> block_model.BlockModel:
    """A one-stump model: a block is kept when `feature` <= `at_most`."""
    column = blocks.block_feature_names().index(feature)
    data = {
        "name": "stump_model",
        "features": blocks.block_feature_names(),
        "threshold": threshold,
        "ensemble": {"baseline": 0.0, "depth": 2, "trees": [stump(column, at_most, 5.0, -5.0)]},
    }
    return block_model.model_from_dict(data)


def test_a_model_file_for_other_features_is_refused(tmp_path: Path) -> None:
    data = {"name": "old", "features": ["a", "b"], "threshold": 0.5, "ensemble": {}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(block_model.ModelFileError, match="features"):
        block_model.load_model(path)


# --- the decision over a page -------------------------------------------------------------------


def test_dropped_blocks_the_extractor_kept_are_kept_as_removed_spans() -> None:
    tree = tree_of(page())
    extractor_text = "\n".join(["Home", *PARAGRAPHS])
    choice = block_model.main_text(tree, extractor_text, model_keeping("link_density", 0.5))
    for paragraph in PARAGRAPHS:
        assert paragraph in choice.text
    assert "Home" not in choice.text.split("\n")
    removed = {span.text: span for span in choice.removed}
    assert set(removed) == {"Home"}  # the other links were never in the extractor's text
    assert removed["Home"].kind == "non_article"
    assert removed["Home"].rule.startswith("stump_model score=")


def test_when_the_model_keeps_nothing_the_extractor_text_stands() -> None:
    choice = block_model.main_text(
        tree_of(page()), "what trafilatura found", model_keeping("log_depth", -1.0)
    )
    assert choice.text == "what trafilatura found"
    assert choice.removed == ()


def test_no_model_means_trafilatura_text() -> None:
    assert block_model.model_for("none") is None
    settings = ExtractionSettings(block_model="none")
    extracted = extract_html(page(), SeedMetadata(), settings)
    assert extracted.removed == ()
    assert PARAGRAPHS[0] in extracted.text


def test_the_bundled_model_keeps_a_plain_article_and_drops_its_chrome() -> None:
    """The trained model on a page no corpus holds: the story in, menus and footer out."""
    extracted = extract_html(page(), SeedMetadata(), ExtractionSettings())
    lines = extracted.text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines
    for chrome in (
        "Home",
        "Weather",
        "Privacy | Terms",
        "© 2026 Coast Gazette. All rights reserved.",
    ):
        assert chrome not in lines


def test_the_bundled_model_recovers_an_article_trafilatura_cut_short() -> None:
    """Article paragraphs the extractor missed are recovered (its text is only a hint), and the
    page's chrome is not pulled in with them."""
    tree = tree_of(page())
    choice = block_model.main_text(tree, PARAGRAPHS[0], block_model.load_model())
    lines = choice.text.split("\n")
    recovered = [paragraph for paragraph in PARAGRAPHS[1:] if paragraph in lines]
    assert len(recovered) >= 2
    assert not {"Home", "Weather", "Privacy | Terms", "More stories"} & set(lines)


def test_the_model_tag_names_the_model_and_changes_with_its_file(tmp_path: Path) -> None:
    data = json.loads(block_model.MODEL_PATH.read_text(encoding="utf-8"))
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(data))
    retrained = tmp_path / "retrained.json"
    data["threshold"] = data["threshold"] / 2
    retrained.write_text(json.dumps(data))
    tag = block_model.model_tag(str(copy))
    assert tag.startswith(f"{data['name']}.")
    assert tag != block_model.model_tag(str(retrained))
    assert block_model.model_tag("none") == "no-block-model"


def test_the_extract_stage_counts_the_spans_it_removes(tmp_path: Path) -> None:
    """The run's "spans_removed" tally covers the block model's spans, as the rows record them."""
    from datetime import UTC, datetime

    from flows.core.records import RunContext, SourceDocument
    from flows.stages import extract
    from flows.stages.document import DocumentState, ProcessSettings

    model_file = tmp_path / "stump.json"
    stump_model = model_keeping("title_overlap", 0.5)  # drops the headline
    column = blocks.block_feature_names().index("title_overlap")
    model_file.write_text(
        json.dumps(
            {
                "name": stump_model.name,
                "features": blocks.block_feature_names(),
                "threshold": 0.5,
                "ensemble": {"baseline": 0.0, "depth": 2, "trees": [stump(column, 0.5, 5.0, -5.0)]},
            }
        )
    )
    html = page()
    doc = SourceDocument("0123456789abcdef", "mem://doc.html", "html", "html", html, len(html))
    context = RunContext("run", datetime(2026, 1, 1, tzinfo=UTC), "test")
    settings = ProcessSettings(ExtractionSettings(block_model=str(model_file)))
    state = extract.stage(DocumentState(doc, context, settings))
    assert isinstance(state, DocumentState)
    kinds: dict[str, int] = {}
    for span in state.removed:
        kinds[span.kind] = kinds.get(span.kind, 0) + 1
    assert kinds  # the model dropped something trafilatura had kept
    assert state.stats.breakdown("spans_removed") == kinds


def _snippet_page(with_: list[str], without: list[str]) -> train_blocks.PageData:
    empty = np.zeros(0)
    return train_blocks.PageData(
        "trafilatura", "p.html", "example.org", np.zeros((0, 1)), empty, empty, [], "",
        {"with": with_, "without": without},
    )  # fmt: skip


def test_the_snippet_metric_counts_each_page_and_sums_them() -> None:
    first = _snippet_page(["the council met", "a new bridge"], ["sign up now"])
    second = _snippet_page(["rain is expected"], ["read more"])
    # The first page's text keeps one `with` snippet (across a line break) and its `without`.
    text = "Yesterday the council\nmet in the hall.\nSign up now"
    assert train_blocks.snippet_counts(first, text) == (1, 0, 1)  # matching is case-sensitive
    assert train_blocks.snippet_counts(first, text.replace("Sign", "sign")) == (1, 1, 1)
    figures = train_blocks.score_pages(
        [first, second], [text.replace("Sign", "sign"), "rain is expected tomorrow"], lambda *_: ()
    )
    # tp 2, fp 1, fn 1 over both pages.
    assert figures == {"P": 2 / 3, "R": 2 / 3, "F1": 4 / 6}


def test_a_variant_keeps_the_shipped_columns_and_the_tried_ones_it_names() -> None:
    names = ["headline:before", "dense:inside", "headline:after"]
    columns = train_blocks.extra_columns(3, names, lambda name: name.startswith("headline:"))
    assert columns == [0, 1, 2, 3, 5]
    assert train_blocks.extra_columns(3, names, lambda name: False) == [0, 1, 2]
