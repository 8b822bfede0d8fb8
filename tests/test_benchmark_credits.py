"""The benchmarks' co-author recall, WCXB loading and rule ablation helpers (benchmarks/).

The scripts themselves need the development sets; these pieces do not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import devset
import metadata as bench
import quality


@pytest.mark.parametrize(
    ("gold", "people"),
    [
        # Shapes the development sets' gold authors come in.
        ("Von Roland Brockmann und Sebastian Drescher", ["Roland Brockmann", "Sebastian Drescher"]),
        ("Markus M. Haefliger, London, Beat Bumbacher", ["Markus M. Haefliger", "Beat Bumbacher"]),
        (["Volkmar Kabisch", "Jan Lukas Strozyk", "NDR"], ["Volkmar Kabisch", "Jan Lukas Strozyk"]),
        (["Michael L. Anderson, PhD", "Devon Gorry, PhD"], ["Michael L. Anderson", "Devon Gorry"]),
        ("E. BARRENECHE / J. I. DA SILVA", ["E. BARRENECHE", "J. I. DA SILVA"]),
        ("Dr Marna van der Merwe, Erik van Vulpen", ["Marna van der Merwe", "Erik van Vulpen"]),
        ("Michael Greger, M.D. FACLM", ["Michael Greger"]),
        ("Mike Marshall, Shipping Expert", ["Mike Marshall"]),
        ("Thomas Broderick, Nalea Ko, and ACO Rankings Team", ["Thomas Broderick", "Nalea Ko"]),
        ("JESSICA HOLLY, GAIL LEVY, 7 NEWS WSVN", ["JESSICA HOLLY", "GAIL LEVY"]),
        ("Maria & Katerina", []),
        ("red, wien.ORF.at/Agenturen", []),
        (None, []),
    ],
)
def test_gold_people(gold: object, people: list[str]) -> None:
    assert bench.gold_people(gold) == people


def test_people_found_ignores_case_accents_and_punctuation() -> None:
    gold = ["Kiran C Nair", "José Álvarez", "SADHBH O'SULLIVAN", "Jane Doe"]
    assert bench.people_found(gold, ["Kiran C. Nair", "Jose Alvarez", "Sadhbh O'Sullivan"]) == 3


def test_co_author_recall_counts_pages_with_several_people() -> None:
    total = bench.SystemTotal()
    ref = devset.PageRef("https://example.com/a", Path("a.html"), {})
    two = bench.Gold.of({"author": "Michael Martin and Michelle Martin"})
    one = bench.Gold.of({"author": "Paul Jones"})
    found_one = {
        "prediction": bench.Prediction(people=["Michael Martin"]),
        "seconds": 0.1,
        "problem": None,
    }
    total.add(ref, two, found_one)
    total.add(ref, one, found_one)  # one gold person: not a co-author page
    assert (total.co_author_pages, total.co_authors, total.co_authors_found) == (1, 2, 1)
    assert total.co_author_recall() == 0.5


def test_wcxb_pages_get_the_gold_under_trafilatura_keys(tmp_path: Path) -> None:
    folder = tmp_path / devset.WCXB_DIR
    (folder / "html").mkdir(parents=True)
    (folder / "ground-truth").mkdir()
    (folder / "html" / "0001.html").write_text("<html></html>", encoding="utf-8")
    truth = {
        "url": "https://example.com/story",
        "ground_truth": {
            "title": "A story",
            "author": "Jane Doe, John Roe",
            "publish_date": "2025-09-04",
            "with": ["kept"],
            "without": ["Home"],
        },
    }
    (folder / "ground-truth" / "0001.json").write_text(json.dumps(truth), encoding="utf-8")
    (folder / "ground-truth" / "0002.json").write_text(json.dumps(truth), encoding="utf-8")
    (ref,) = devset.page_refs(tmp_path)  # 0002 has no page: left out
    assert ref.url == "https://example.com/story"
    assert ref.file == "0001.html"
    assert ref.gold["date"] == "2025-09-04"
    assert (ref.gold["with"], ref.gold["without"]) == (["kept"], ["Home"])
    assert bench.Gold.of(ref.gold).people == ["Jane Doe", "John Roe"]


def test_cache_folder_per_corpus(tmp_path: Path) -> None:
    assert devset.cache_dir_of("trafilatura", tmp_path) == tmp_path
    assert devset.cache_dir_of("wcxb", tmp_path) == tmp_path / "wcxb"
    assert devset.cache_dir_of("wcxb", None) is None


def test_without_alternative() -> None:
    source = r"(?:reporting|editing|edited) by"
    assert quality.without_alternative(source, "editing") == r"(?:reporting|edited) by"
    with pytest.raises(ValueError):
        quality.without_alternative(source, "coverage")
