"""The whole-page line classifier (flows/stages/line_model.py), its training script and its use in clean."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from flows.stages import line_model as lineclass
from flows.stages.clean import clean_text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import train_lines  # noqa: E402

EN_STOPS = "the of and to a in is that it was for on with as by he at from"
DE_STOPS = "der die und in den von zu das mit sich des auf für ist im dem nicht"
STOPWORDS = {"en": frozenset(EN_STOPS.split(" ")), "de": frozenset(DE_STOPS.split(" "))}

ARTICLE = [
    "The city council voted on Tuesday to expand the bus network to the northern districts.",
    "The plan, which was debated for more than a year, adds four lines and 60 new stops.",
    "Residents of the area had complained that the nearest stop was a long walk from their homes.",
    "Funding will come from a regional transport fund and a small rise in parking fees.",
    "What happens next",
    "Construction of the new stops is due to start in the spring and to finish by the end of the year.",
    "The mayor said that the council would review the timetable after the first six months.",
    "Opposition members said that the fee rise was unfair to drivers who have no other option.",
]
MENU = ["Home", "News", "Sport", "Business", "Culture", "Weather", "Log in", "Subscribe"]
COOKIES = [
    "We use cookies to improve your experience. By continuing you accept our cookie policy.",
    "Accept all",
    "Manage settings",
]
RELATED = [
    "Related stories",
    "Mayor opens new library in the old town",
    "Ten photos of the winter market",
    "Train strike: what you need to know",
]
FOOTER = ["About us", "Contact", "Privacy policy", "Terms of use", "© 2024 Example Media Ltd"]


def whole_page() -> list[str]:
    return [*COOKIES, *MENU, "Council expands bus network", *ARTICLE, *RELATED, *FOOTER]


# --- features -----------------------------------------------------------------------------------


def test_feature_matrix_has_one_row_per_line_and_named_columns() -> None:
    lines = ["Home", "The council voted on Tuesday to expand the bus network to the north."]
    x = lineclass.features(lines, STOPWORDS)
    assert x.shape == (2, len(lineclass.feature_names()))
    assert np.isfinite(x).all()
    assert lineclass.features([], STOPWORDS).shape == (0, len(lineclass.feature_names()))


def test_base_features_measure_the_line_shape() -> None:
    lines = [
        "Home | News | Sport",
        "The council voted on Tuesday to expand the bus network to the north.",
        "The council voted on Tuesday to expand the bus network to the north.",
        "CONTACT",
    ]
    x = lineclass.features(lines, STOPWORDS)
    col = {name: i for i, name in enumerate(lineclass.feature_names())}
    assert x[1, col["sentence_end"]] == 1.0 and x[0, col["sentence_end"]] == 0.0
    assert x[1, col["stop_ratio"]] > 0.3 and x[0, col["stop_ratio"]] == 0.0
    assert x[0, col["separators"]] > 0 and x[1, col["separators"]] == 0
    assert x[0, col["title_case_ratio"]] == 1.0
    assert x[3, col["all_caps"]] == 1.0
    assert x[1, col["repeats"]] > 0 and x[0, col["repeats"]] == 0  # the sentence is there twice
    # The neighbours' features are the neighbours' own.
    assert x[1, col["sentence_end@-1"]] == 0.0 and x[0, col["missing@-1"]] == 1.0
    assert x[0, col["sentence_end@+1"]] == 1.0


def test_page_language_picks_the_stopword_list_that_covers_the_page() -> None:
    german = ["Der Rat hat am Dienstag die Erweiterung des Busnetzes in den Norden beschlossen."]
    assert lineclass.page_language(ARTICLE, STOPWORDS) == "en"
    assert lineclass.page_language(german, STOPWORDS) == "de"
    assert lineclass.page_language(["市议会周二投票决定扩大公交网络。"], STOPWORDS) == "cjk"
    assert lineclass.page_language(["12345"], STOPWORDS) is None


# --- model ----------------------------------------------------------------------------------------


def test_shipped_model_is_small_and_loads() -> None:
    assert lineclass.MODEL_PATH.stat().st_size < 1_000_000
    model = lineclass.load_model()
    assert model.name == lineclass.RULE_NAME
    assert 0.0 < model.threshold < 1.0 and 0.0 <= model.drop_below < 1.0
    assert {"en", "de", "fr", "es", "it", "pt", "ru"} <= set(model.stopwords)


def test_scores_are_probabilities_and_deterministic() -> None:
    lines = whole_page()
    first, second = lineclass.score(lines), lineclass.score(list(lines))
    assert first == second
    assert len(first) == len(lines) and all(0.0 <= s <= 1.0 for s in first)
    assert lineclass.score([]) == []


def test_a_model_whose_features_differ_is_refused() -> None:
    data = json.loads(lineclass.MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="features"):
        lineclass.model_from_dict(data)


# --- main block -----------------------------------------------------------------------------------


def test_main_block_bridges_a_short_gap_and_leaves_islands_out() -> None:
    scores = [0.1, 0.9, 0.1, 0.1, 0.9, 0.9, 0.2, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.6, 0.1]
    block = lineclass.main_block(scores, 0.5)
    assert block == [False] * 4 + [True] * 5 + [False] * 6


def test_main_block_of_low_scores_is_empty() -> None:
    assert lineclass.main_block([0.1, 0.2, 0.3], 0.5) == [False, False, False]


# --- in the cleaner ---------------------------------------------------------------------------------


def test_whole_page_text_keeps_the_article_and_drops_the_rest() -> None:
    result = clean_text("\n".join(whole_page()), content_kind="text")
    for sentence in ARTICLE:
        if sentence != "What happens next":
            assert sentence in result.paragraphs
    for junk in [*MENU, *COOKIES[1:], *RELATED[1:], *FOOTER]:
        assert junk not in result.paragraphs, junk
    dropped = [span for span in result.removed if span.rule.startswith(lineclass.RULE_NAME)]
    assert dropped and all(span.kind == lineclass.KIND for span in dropped)
    assert all("score=" in span.rule for span in dropped)


def test_an_all_prose_text_keeps_everything() -> None:
    prose = [line for line in ARTICLE if line.endswith(".")]
    result = clean_text("\n\n".join(prose), content_kind="text")
    assert result.paragraphs == prose


def test_html_mode_does_not_use_the_model() -> None:
    result = clean_text("\n".join(whole_page()), content_kind="html")
    assert not [span for span in result.removed if span.rule.startswith(lineclass.RULE_NAME)]


# --- training -------------------------------------------------------------------------------------


def synthetic_pages(n: int) -> list[dict[str, object]]:
    pages = []
    for k in range(n):
        article = [f"{line} (story {k})" for line in ARTICLE]
        lines = [*MENU, *article, *RELATED, *FOOTER]
        pages.append(
            {
                "url": f"https://site{k % 4}.example/story-{k}",
                "file": f"{k}.html",
                "text": "\n".join(lines),
                "html_body": "\n\n".join(article),
                "with": [article[0][:40], article[-1][:40]],
                "without": [FOOTER[0], RELATED[1]],
            }
        )
    return pages


def test_labels_come_from_the_html_path_output() -> None:
    lines = ["Home", "The council voted on Tuesday to expand the network.", "Contact us"]
    body = "The council voted on Tuesday to expand the network.\n\nAnother paragraph."
    assert train_lines.label_lines(lines, body) == [0, 1, 0]


def test_split_is_by_host_and_deterministic() -> None:
    assert train_lines.split_of("example.com") == train_lines.split_of("example.com")
    hosts = [f"site{k}.example" for k in range(40)]
    assert {train_lines.split_of(h) for h in hosts} == {"train", "heldout"}
    assert train_lines.host_of("https://www.example.com/a", "x.html") == "example.com"


def test_training_script_runs_on_a_tiny_synthetic_set(tmp_path: Path) -> None:
    data = tmp_path / "pages.jsonl"
    data.write_text("\n".join(json.dumps(page) for page in synthetic_pages(8)) + "\n")
    out = tmp_path / "model.json"
    argv = ["train", "--data", str(data), "--split", "all", "--out", str(out), "--epochs", "3"]
    assert train_lines.main(argv) == 0
    model = lineclass.model_from_dict(json.loads(out.read_text()))
    lines = [*MENU, *ARTICLE, *FOOTER]
    assert len(lineclass.score(lines, model)) == len(lines)
