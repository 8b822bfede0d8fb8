"""The whole-page line classifier (flows/stages/line_model.py), its training script and its use in clean."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from flows.stages import line_model as lineclass
from flows.stages.clean import clean_text
from flows.stages.trees import TreeEnsemble

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


def decision(**numbers: object) -> lineclass.LineModel:
    """The bundled model with the decision numbers a test sets: one block and one set of numbers
    for every language unless it says otherwise."""
    defaults: dict[str, object] = {"secondary_share": 0.0, "by_language": {}}
    return replace(lineclass.load_model(), **(defaults | numbers))


def test_off_article_floors_short_lines_higher_and_only_on_long_texts() -> None:
    model = decision(
        threshold=0.3, drop_below=0.2, short_line_words=4, short_drop_below=0.5, floor_min_lines=6
    )
    lines = [
        "Home",
        "The bridge over the river will close for repairs from Monday until the end of May.",
        "Photo gallery",  # short, inside the block, scoring between the two floors: goes
        "Drivers are asked to use the ring road, which adds about ten minutes to the trip.",
        "Buses will keep running over a temporary lane on the eastern side of the bridge.",
        "The works were planned after cracks were found in two of the supports last year.",
        "Contact",
    ]
    scores = [0.05, 0.9, 0.35, 0.25, 0.9, 0.9, 0.05]
    # A long line at 0.25 is over its floor (0.2); the short one at 0.35 is under its own (0.5).
    expected = [True, False, True, False, False, False, True]
    assert lineclass.off_article(lines, scores, model) == expected
    # The same lines in a text shorter than floor_min_lines: no floor inside the main block.
    short_text = replace(model, floor_min_lines=len(lines) + 1)
    assert lineclass.off_article(lines, scores, short_text) == [True] + [False] * 5 + [True]


def test_a_short_text_drops_a_line_only_outside_the_block_and_under_the_floor() -> None:
    model = decision(threshold=0.5, drop_below=0.3, short_line_words=4, short_drop_below=0.6)
    lines = [
        "Accept cookies",
        "Storm leaves thousands without power across the coast on Monday night.",
        "Advert",
        "Wind speeds of up to 80 mph were recorded, the weather service said.",
        "Follow us",
    ]
    # The first article line scores under the block threshold but over its floor: the scores of
    # a text this short are not sure enough to drop it on one signal.
    scores = [0.55, 0.4, 0.05, 0.9, 0.05]
    short_text = replace(model, floor_min_lines=len(lines) + 1)
    assert lineclass.off_article(lines, scores, short_text) == [True, False, True, False, True]
    # On a whole page, outside the block is enough.
    whole_page = replace(model, floor_min_lines=len(lines))
    assert lineclass.off_article(lines, scores, whole_page) == [True, True, True, False, True]


def test_article_blocks_add_a_secondary_run_only_when_it_weighs_enough() -> None:
    # A main run of five strong lines, a long gap of low lines, then a run of three strong lines.
    scores = [0.1, 0.9, 0.9, 0.9, 0.9, 0.9] + [0.05] * 8 + [0.9, 0.9, 0.9, 0.1]
    weights = [1.0] * len(scores)
    main = [False] + [True] * 5 + [False] * 12
    second = [False] * 14 + [True] * 3 + [False]
    # No share: the main block alone, as main_block finds it.
    assert lineclass.article_blocks(scores, 0.5, weights) == main
    assert lineclass.main_block(scores, 0.5, weights) == main
    # The second run has 3/5 of the main block's mass: kept under a share of 0.5, not of 0.7.
    both = [m or s for m, s in zip(main, second, strict=True)]
    assert lineclass.article_blocks(scores, 0.5, weights, 0.5) == both
    assert lineclass.article_blocks(scores, 0.5, weights, 0.7) == main
    # Nothing above the threshold: no block, secondary or not.
    assert not any(lineclass.article_blocks([0.1] * 6, 0.5, [1.0] * 6, 0.1))


def test_off_article_keeps_a_secondary_block_of_a_split_article() -> None:
    model = decision(threshold=0.3, drop_below=0.2, short_line_words=0, floor_min_lines=0)
    lines = [
        "Home",
        "The harbour will get a second ferry terminal, the port authority announced on Friday.",
        "The terminal is to open in three years and handle up to twelve crossings a day.",
        "Local shops hope that the extra passengers will bring more trade to the old town.",
        *(f"Gallery picture {k}" for k in range(1, 16)),
        "The authority will present the detailed plans to residents at a meeting next month.",
        "Objections can be filed in writing until the end of the summer.",
        "Contact",
    ]
    scores = [0.05, 0.95, 0.95, 0.95, *[0.05] * 15, 0.95, 0.95, 0.05]
    one_block = lineclass.off_article(lines, scores, model)
    assert one_block[1:4] == [False] * 3
    assert one_block[19:21] == [True, True]  # the article's second part is lost
    split = lineclass.off_article(lines, scores, replace(model, secondary_share=0.3))
    assert split[1:4] == [False] * 3 and split[19:21] == [False, False]
    assert all(split[4:19]) and split[0] and split[-1]


def test_off_article_uses_the_numbers_of_the_page_language() -> None:
    model = decision(
        threshold=0.3,
        drop_below=0.2,
        short_line_words=0,
        floor_min_lines=0,
        stopwords=STOPWORDS,
        by_language={"de": (0.3, 0.6, 0.6)},
    )
    english = [
        "The new library opened on Monday with a reading for the children of the town.",
        "It was built on the site of the old market hall and is open from early in the day.",
        "The shelves hold more than forty thousand books and a collection of old maps.",
    ]
    german = [
        "Die neue Bibliothek ist seit Montag für die Leserinnen und Leser der Stadt geöffnet.",
        "Sie steht auf dem Platz der alten Markthalle und ist auch am Abend nicht geschlossen.",
        "In den Regalen stehen mehr als vierzigtausend Bücher und eine Sammlung von Karten.",
    ]
    scores = [0.9, 0.5, 0.9]
    # The middle line is over the global floor (0.2) but under the German pages' own (0.6).
    assert lineclass.off_article(english, scores, model) == [False, False, False]
    assert lineclass.off_article(german, scores, model) == [False, True, False]
    # The language the caller already guessed is the one the numbers come from.
    assert lineclass.off_article(english, scores, model, language="de") == [False, True, False]
    assert lineclass.off_article(german, scores, model, language="en") == [False, False, False]
    # A language without numbers of its own uses the model's.
    assert model.for_language("fr").drop_below == 0.2
    assert model.for_language("de").drop_below == 0.6


def test_decision_numbers_survive_the_model_file() -> None:
    table = {lang: sorted(words) for lang, words in STOPWORDS.items()}
    model = decision(
        secondary_share=0.15, by_language={"de": (0.1, 0.25, 0.45), "en": (0.3, 0.3, 0.3)}
    )
    data = json.loads(json.dumps(train_lines.model_dict(model, "test", table)))
    again = lineclass.model_from_dict(data)
    assert again.secondary_share == 0.15
    assert again.by_language == {"de": (0.1, 0.25, 0.45), "en": (0.3, 0.3, 0.3)}
    # An older file without them: one block, one set of numbers.
    del data["secondary_share"], data["by_language"]
    older = lineclass.model_from_dict(data)
    assert older.secondary_share == 0.0 and older.by_language == {}


def test_word_count_counts_cjk_characters_as_half_words() -> None:
    assert lineclass.word_count("The bridge will close on Monday.") == 6
    assert lineclass.word_count("大桥将于周一关闭") == 4
    assert lineclass.word_count("大桥将于周一关闭 (Reuters)") == 5
    assert lineclass.word_count("12 34") == 0


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
    """Pages in the prepared format: WCXB-like ones with a gold text, trafilatura-like ones with
    snippets and the HTML path's body."""
    pages: list[dict[str, object]] = []
    for k in range(n):
        article = [f"{line} (story {k})" for line in ARTICLE]
        lines = [*MENU, *article, *RELATED, *FOOTER]
        gold: dict[str, object] = {
            "with": [article[0][:40], article[-1][:40]],
            "without": [FOOTER[0], RELATED[1]],
        }
        corpus = "wcxb" if k % 2 else "trafilatura"
        if corpus == "wcxb":
            gold["main_content"] = "\n\n".join(article)
        pages.append(
            {
                "corpus": corpus,
                "file": f"{k}.html",
                "site": f"site{k % 4}.example",
                "text": "\n".join(lines),
                "html_body": None if corpus == "wcxb" else "\n\n".join(article),
                "gold": gold,
            }
        )
    return pages


def test_gold_labels_mark_the_lines_whose_words_run_in_the_gold_text() -> None:
    gold = (
        "The harbour reopened on Monday after a week of storms kept the ferries in port.\n\n"
        "Fishermen said the damage to the piers was smaller than they had feared."
    )
    lines = [
        "Menu",
        "The harbour reopened on Monday after a week of storms kept the ferries in port.",
        "Share this article",
        # Spelled a little differently from the gold (a word changed): most shingles still match.
        "Fishermen said that the damage to the piers was smaller than they had feared.",
        "Storms",  # one gold word alone is not a good part of any gold paragraph
        "The ferries of the northern route will run a reduced timetable until Friday evening.",
    ]
    assert train_lines.gold_labels(lines, gold).tolist() == [0, 1, 0, 1, 0, 0]


def test_snippet_labels_mark_only_lines_a_snippet_speaks_of() -> None:
    lines = [
        "Subscribe to our newsletter",
        "The museum will open its new wing to visitors in the first week of June.",
        "A quiet line that no snippet mentions at all.",
        "Read the museum's statement",
    ]
    labels = train_lines.snippet_labels(
        lines, ["open its new wing to visitors"], ["Subscribe to our newsletter"]
    )
    assert labels.tolist() == [0, 1, -1, -1]


def test_html_path_labels_come_from_the_html_path_body() -> None:
    lines = ["Home", "The council voted on Tuesday to expand the network.", "Contact us"]
    body = "The council voted on Tuesday to expand the network.\n\nAnother paragraph."
    assert train_lines.html_path_labels(lines, body).tolist() == [0, 1, 0]
    assert train_lines.html_path_labels(lines, None).tolist() == [-1, -1, -1]


def reference_word_f1(predicted: str, reference: str) -> tuple[float, float, float]:
    """Bag-of-words overlap of lower-cased word tokens, written out plainly."""
    pred = re.findall(r"\w+", predicted.lower())
    ref = re.findall(r"\w+", reference.lower())
    if not ref:
        return (1.0, 1.0, 1.0) if not pred else (0.0, 0.0, 0.0)
    if not pred:
        return (0.0, 0.0, 0.0)
    overlap = sum(min(pred.count(w), ref.count(w)) for w in set(pred))
    p, r = overlap / len(pred), overlap / len(ref)
    return p, r, (2 * p * r / (p + r) if overlap else 0.0)


def test_word_counts_give_the_word_f1_of_the_kept_lines() -> None:
    gold = "Rain is expected in the north. The south stays dry and warm, the forecast says."
    lines = ["Weather", "Rain is expected in the north.", "Ads", "The south stays dry and warm."]
    counts = train_lines.WordCounts.of(lines, gold)
    for keep in ([True] * 4, [False, True, False, True], [False, True, True, False], [False] * 4):
        kept = "\n\n".join(line for line, k in zip(lines, keep, strict=True) if k)
        assert counts.prf(keep) == pytest.approx(reference_word_f1(kept, gold))


def test_folds_are_by_site_and_deterministic() -> None:
    assert train_lines.fold_of("example.com", 5) == train_lines.fold_of("example.com", 5)
    sites = [f"site{k}.example" for k in range(40)]
    assert {train_lines.fold_of(s, 5) for s in sites} == set(range(5))
    assert train_lines.site_of("https://www.example.com/a", "x.html") == "example.com"
    assert train_lines.site_of("hard::zeit.de.zugverkehr.html", "x.html") == "zeit.de"


def test_training_script_runs_on_a_tiny_synthetic_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train_lines, "VOCABULARY_MIN_SITES", 2)  # the set has four sites
    data = tmp_path / "pages.jsonl"
    data.write_text("\n".join(json.dumps(page) for page in synthetic_pages(8)) + "\n")
    out = tmp_path / "model.json"
    argv = ["train", "--data", str(data), "--out", str(out)]
    assert train_lines.main(argv) == 0
    model = lineclass.model_from_dict(json.loads(out.read_text()))
    assert model.stopwords == lineclass.load_model().stopwords  # part of the features: kept
    assert model.threshold in train_lines.THRESHOLDS and model.drop_below in train_lines.DROP_BELOW
    assert isinstance(model.scorer, TreeEnsemble)  # the shipped kind of scorer
    assert model.secondary_share in train_lines.SECONDARY_SHARES
    assert model.vocabulary is not None and "subscribe" in model.vocabulary
    assert model.vocabulary["subscribe"] < 0 < model.vocabulary["council"]
    lines = [*MENU, *ARTICLE, *FOOTER]
    scores = lineclass.score(lines, model)
    assert len(scores) == len(lines)
    # Trained on pages of this very shape: the article scores above the menu and the footer.
    article = scores[len(MENU) : len(MENU) + len(ARTICLE)]
    rest = scores[: len(MENU)] + scores[len(MENU) + len(ARTICLE) :]
    assert sum(article) / len(article) > sum(rest) / len(rest)


def test_second_stage_features_say_where_a_line_stands_against_the_main_block() -> None:
    lines = [*MENU, *ARTICLE, *RELATED]
    page = train_lines.PageData(
        "wcxb",
        "x",
        "example.com",
        lines,
        lineclass.features(lines, STOPWORDS),
        np.zeros(len(lines), dtype=np.int8),
        np.ones(len(lines)),
        [False] * len(lines),
        {},
    )
    # A first stage that found the article exactly.
    first = np.array([0.9 if line in ARTICLE else 0.05 for line in lines])
    x = train_lines.relative_features(page, first, 0.5, STOPWORDS)
    base = len(lineclass.BASE_FEATURES)
    inside, to_start, to_end = x[:, base + 10], x[:, base + 11], x[:, base + 12]
    start, end = len(MENU), len(MENU) + len(ARTICLE) - 1
    assert inside.tolist() == [1.0 if start <= i <= end else 0.0 for i in range(len(lines))]
    assert to_start[start] == 0 and to_end[end] == 0
    assert to_start[start - 1] < 0 < to_start[start + 1]  # before the block: negative
    assert to_end[end + 1] < 0 < to_end[end - 1]  # after it: negative
    # Content words the block uses elsewhere: an article line shares its topic, a teaser less.
    topical = x[:, -2]
    article_line = lines.index(ARTICLE[1])  # "The plan, ... four lines and 60 new stops."
    teaser = lines.index(RELATED[3])  # "Train strike: what you need to know"
    assert topical[article_line] > topical[teaser]


def test_exported_line_trees_score_as_scikit_learn_does_and_survive_the_model_file() -> None:
    pytest.importorskip("sklearn")
    pages = [train_lines.page_data(page, STOPWORDS) for page in synthetic_pages(8)]
    known = [p for p in pages if p is not None]
    trees = train_lines.boosted_trees().set_params(max_iter=20, min_samples_leaf=5)
    x, y, w = train_lines._rows(known, lambda p: p.x)
    trees.fit(x, y, sample_weight=w)
    exported = TreeEnsemble.from_dict(train_lines.train_blocks.export(trees, 0.0, "")["ensemble"])
    rows = lineclass.features([*COOKIES, *MENU, *ARTICLE, *RELATED, *FOOTER], STOPWORDS)
    assert np.allclose(exported.predict(rows), trees.predict_proba(rows)[:, 1], atol=1e-9)
    # Through the model file's form and back: the same scores.
    again = TreeEnsemble.from_dict(json.loads(json.dumps(exported.to_dict())))
    assert np.array_equal(again.predict(rows), exported.predict(rows))


def test_shipped_model_scores_with_trees_and_words() -> None:
    model = lineclass.load_model()
    assert isinstance(model.scorer, TreeEnsemble)
    assert model.name == lineclass.RULE_NAME == "line_model_v4"
    assert model.vocabulary  # learned from the training sites
    # Words that only chrome uses lean to "not article", words of reporting to "article".
    assert model.vocabulary["newsletter"] < 0 < model.vocabulary["said"]


def test_model_tag_names_the_model_and_its_file() -> None:
    tag = lineclass.model_tag()
    assert re.fullmatch(r"line_model_v4\.[0-9a-f]{8}", tag)


# --- vocabulary -----------------------------------------------------------------------------------


def test_vocabulary_features_say_what_the_words_say() -> None:
    vocabulary = {"newsletter": -2.0, "subscribe": -1.5, "council": 1.0, "voted": 0.5}
    lines = ["Subscribe to our NEWSLETTER", "The council voted on Tuesday", "Nothing known", "x"]
    rows = lineclass.vocabulary_features(lines, vocabulary)
    assert rows.shape == (len(lines), len(lineclass.VOCABULARY_FEATURES))
    mean, low, high, total, known, around = rows.T
    # Casefolded words: "subscribe" and "newsletter" are known, "to" and "our" are not.
    assert mean[0] == pytest.approx(-1.75) and low[0] == -2.0 and high[0] == 0.0
    assert total[0] == pytest.approx(-3.5) and known[0] == pytest.approx(2 / 4)
    assert mean[1] == pytest.approx(0.75) and low[1] == 0.0 and high[1] == 1.0
    assert known[1] == pytest.approx(2 / 5)
    # A line of unknown words, or of none, says nothing.
    assert rows[2, :5].tolist() == [0.0] * 5 and rows[3, :5].tolist() == [0.0] * 5
    # Around: the mean over the line and two neighbours each side, none beyond the page's ends.
    assert around[1] == pytest.approx((mean[0] + mean[1] + mean[2] + mean[3]) / 5)


def page_of(site: str, lines: list[str], labels: list[int]) -> train_lines.PageData:
    return train_lines.PageData(
        "wcxb",
        f"{site}.html",
        site,
        lines,
        lineclass.features(lines, STOPWORDS),
        np.array(labels, dtype=np.int8),
        np.ones(len(lines)),
        [False] * len(lines),
        {},
    )


def test_vocabulary_keeps_words_of_enough_sites_with_their_log_odds() -> None:
    pages = [
        page_of(
            f"site{k}.example",
            ["Subscribe to the newsletter", f"The council of town {k} met on Monday", "Menu"],
            [0, 1, -1],
        )
        for k in range(3)
    ]
    pages.append(page_of("other.example", ["Exclusive offer for members", "Menu"], [0, 0]))
    vocabulary = train_lines.build_vocabulary(pages, min_sites=3)
    assert vocabulary["newsletter"] < 0 < vocabulary["council"]
    assert "exclusive" not in vocabulary  # one site's word: that site's template, not chrome
    assert "menu" in vocabulary  # on four sites, labelled or not
    # A word of both kinds of line sits between the two.
    assert vocabulary["newsletter"] < vocabulary["the"] < vocabulary["council"]


def test_a_model_file_with_a_vocabulary_scores_with_it_and_one_without_does_not() -> None:
    data = json.loads(lineclass.MODEL_PATH.read_text(encoding="utf-8"))
    with_words = lineclass.model_from_dict(data)
    lines = whole_page()
    assert with_words.inputs(lines).shape == (
        len(lines),
        len(lineclass.feature_names()) + len(lineclass.VOCABULARY_FEATURES),
    )
    # A file of line_model_v3's time (no vocabulary) reads the shape features only ...
    shape_only = {k: v for k, v in data.items() if k not in ("vocabulary", "vocabulary_min_sites")}
    with pytest.raises(ValueError, match="features"):
        lineclass.model_from_dict(shape_only)  # ... so these trees' columns do not match it
    shape_only["features"] = lineclass.feature_names()
    assert lineclass.model_from_dict(shape_only).inputs(lines).shape == (
        len(lines),
        len(lineclass.feature_names()),
    )


def test_features_given_the_page_language_are_the_features_it_would_find() -> None:
    lines = [
        "Home | News | Sport",
        "The new library opened on Monday with a reading for the children of the town.",
        "It was built on the site of the old market hall and is open from early in the day.",
    ]
    language = lineclass.page_language(lines, STOPWORDS)
    assert language == "en"
    given = lineclass.features(lines, STOPWORDS, language=language)
    assert np.array_equal(given, lineclass.features(lines, STOPWORDS))
    # And a different language changes the stopword measures: the argument is really used.
    assert not np.array_equal(lineclass.features(lines, STOPWORDS, language="de"), given)
