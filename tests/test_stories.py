"""Stories: the same event told by several outlets shares a story_id; the same topic does not.

The articles here are written for these tests (no corpus or seed text): one event told three
ways, another event of the same kind elsewhere, and unrelated news around them as a run has.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from flows.core.records import RunContext
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.dataset.state import DatasetState
from flows.dataset.stories import read_story_links, resolve
from flows.run_steps.base import BatchTables, StagedBatch
from flows.run_steps.stories import Stories, StoryDecision, decide_stories, signatures_of
from flows.run_steps.story_match import (
    Signature,
    Weights,
    assign_stories,
    document_counts,
)
from flows.run_steps.story_terms import story_terms

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

# One event, three outlets, three wordings.
STRIKE = {
    "strike-a": (
        "Dockworkers at Rotterdam port walk out over pay",
        "ROTTERDAM - Thousands of dockworkers at the Port of Rotterdam stopped work on Tuesday in "
        "a 48-hour strike over wages, halting container traffic at Europe's largest port, the FNV "
        "union said. Terminal operator Hutchison Ports said ships were being diverted.",
    ),
    "strike-b": (
        "Strike halts container traffic in Rotterdam",
        "Container handling in Rotterdam ground to a halt on Tuesday as members of the FNV union "
        "began a 48-hour walkout, demanding a 9% pay rise from terminal operators at Europe's "
        "biggest port. Hutchison Ports and APM Terminals confirmed the stoppage.",
    ),
    "strike-c": (
        "Europe's biggest port paralysed as Dutch dockers strike",
        "Dutch dockworkers launched a 48-hour strike at the Port of Rotterdam on Tuesday, the FNV "
        "union said, leaving dozens of container ships waiting at anchor in the North Sea while "
        "talks with Hutchison Ports over wages remained stalled.",
    ),
}
# The same kind of event (a port strike) in another place with other people: another story.
OTHER_STRIKE = (
    "Antwerp dockers stage one-day protest over pension reform",
    "ANTWERP - Belgian dockworkers at the Port of Antwerp-Bruges walked off the job on Thursday "
    "in a 24-hour protest against the government's pension reform, the ACV union said, as "
    "Prime Minister Bart De Wever defended the plan in parliament in Brussels.",
)
UNRELATED = [
    (
        "Central bank holds rates as inflation cools",
        "The Reserve Bank of Australia kept its cash rate at 3.85% on Tuesday, saying inflation "
        "was easing faster than expected, and Governor Michele Bullock signalled cuts later.",
    ),
    (
        "Glacier retreat speeds up in the Alps, survey finds",
        "Swiss glaciers lost 2.4% of their volume last summer, the monitoring network GLAMOS "
        "said, blaming a dry winter and a record heatwave in August across the Valais.",
    ),
    (
        "Local team clinches league title on final day",
        "Feyenoord won the Eredivisie on Sunday after beating Utrecht 3-1, with Santiago Gimenez "
        "scoring twice as fans celebrated in the Coolsingel late into the night.",
    ),
    (
        "New vaccine trial shows promise against malaria",
        "A trial of the R21 vaccine in Burkina Faso and Mali cut malaria cases by 75% among young "
        "children, researchers at the University of Oxford reported in The Lancet.",
    ),
    (
        "Carmaker recalls electric SUVs over battery fault",
        "Volvo Cars is recalling 14,000 EX30 vehicles worldwide because a battery cell defect "
        "could cause overheating, the Gothenburg-based company said on Monday.",
    ),
    (
        "Parliament approves budget after marathon session",
        "Lawmakers in Warsaw passed the 2026 budget by 240 votes to 205 early on Friday after "
        "Finance Minister Andrzej Domanski agreed to raise defence spending.",
    ),
]


def signature(article_id: str, text: tuple[str, str], when: datetime = T0) -> Signature:
    return Signature(article_id, when, story_terms(*text))


def run_articles(
    extra: dict[str, tuple[tuple[str, str], datetime]] | None = None,
) -> list[Signature]:
    """The strike told three ways, the other strike and the unrelated news, all on one day."""
    signatures = [
        signature(name, text, T0 + timedelta(hours=i))
        for i, (name, text) in enumerate(STRIKE.items())
    ]
    signatures.append(signature("antwerp", OTHER_STRIKE, T0 + timedelta(days=2)))
    signatures += [signature(f"news-{i}", text) for i, text in enumerate(UNRELATED)]
    for name, (text, when) in (extra or {}).items():
        signatures.append(signature(name, text, when))
    return signatures


def stories(signatures: list[Signature]) -> dict[str, str]:
    weights = Weights(document_counts(signatures), len(signatures))
    return assign_stories(signatures, [], {}, weights).story_of


def test_terms_keep_names_numbers_and_word_stems() -> None:
    terms = story_terms(
        "Ministers agree on new fishing quotas",
        "Fisheries ministers from Norway and Iceland agreed on Friday to cut mackerel quotas by "
        "12.5% after scientists warned of falling stocks.",
    )
    assert {"@norway", "@iceland", "#12.5", "mackerel", "quota", "agre"} <= set(terms)
    assert "the" not in terms and "@fisheries" not in terms  # a sentence's first word is no name


def test_the_same_event_in_different_words_is_one_story() -> None:
    story_of = stories(run_articles())
    assert story_of["strike-a"] == story_of["strike-b"] == story_of["strike-c"]
    # named after its earliest article
    assert story_of["strike-a"] == "strike-a"


def test_the_same_topic_elsewhere_is_another_story() -> None:
    story_of = stories(run_articles())
    assert story_of["antwerp"] == "antwerp"
    for i in range(len(UNRELATED)):
        assert story_of[f"news-{i}"] == f"news-{i}"


def test_the_same_event_outside_the_window_is_another_story() -> None:
    late = T0 + timedelta(days=12)
    story_of = stories(run_articles({"strike-late": (STRIKE["strike-b"], late)}))
    assert story_of["strike-late"] == "strike-late"
    near = T0 + timedelta(days=2)
    story_of = stories(run_articles({"strike-near": (STRIKE["strike-b"], near)}))
    assert story_of["strike-near"] == "strike-a"


def test_stories_do_not_depend_on_order_or_batches() -> None:
    signatures = run_articles()
    step = Stories()
    expected = step.decide([signatures], DatasetState()).story_of
    for seed in range(5):
        shuffled = list(signatures)
        random.Random(seed).shuffle(shuffled)
        cut = seed + 1
        batches = [shuffled[:cut], shuffled[cut : cut + 3], shuffled[cut + 3 :]]
        assert step.decide(batches, DatasetState()).story_of == expected


def articles_table(rows: list[tuple[str, tuple[str, str], datetime | None]]) -> pa.Table:
    """A batch's articles with the columns the stories step reads and writes."""
    return pa.table(
        {
            "article_id": [article_id for article_id, _, _ in rows],
            "title": [text[0] for _, text, _ in rows],
            "body": [text[1] for _, text, _ in rows],
            "published_at": pa.array([when for _, _, when in rows], pa.timestamp("us", tz="UTC")),
            "ingested_at": pa.array(
                [T0 + timedelta(days=1)] * len(rows), pa.timestamp("us", tz="UTC")
            ),
            "story_id": [article_id for article_id, _, _ in rows],
        }
    )


def publish(storage: Storage, decision: StoryDecision, run_id: str, when: datetime) -> None:
    """Write what the step keeps for later runs, as the run's commit would."""
    context = RunContext(run_id, when, "test")
    ids = {s.article_id for s in decision.signatures}
    for target, table in Stories().tables(decision, ids, context):
        storage.write_parquet(table, target)


def test_an_undated_article_is_placed_at_its_ingest_time() -> None:
    table = articles_table(
        [("undated", STRIKE["strike-a"], None), ("dated", STRIKE["strike-b"], T0)]
    )
    by_id = {s.article_id: s for s in signatures_of(table)}
    assert by_id["undated"].event_at == T0 + timedelta(days=1)
    assert by_id["dated"].event_at == T0


def test_apply_sets_the_story_column_and_counts_multi_article_stories() -> None:
    table = articles_table(
        [(name, text, T0) for name, text in STRIKE.items()]
        + [(f"news-{i}", text, T0) for i, text in enumerate(UNRELATED)]
    )
    batch = BatchTables(StagedBatch(0), table, pa.table({}), pa.table({}))
    step = Stories()
    decision = step.decide([step.facts(batch)], DatasetState())
    stats = Stats()
    applied = step.apply(decision, batch, stats)
    column = dict(
        zip(table["article_id"].to_pylist(), applied.articles["story_id"].to_pylist(), strict=True)
    )
    assert column["strike-b"] == column["strike-c"] == "strike-a"
    assert column["news-0"] == "news-0"
    assert stats.breakdown("story_articles") == {"strike-a": 3}


def test_tomorrows_article_joins_todays_story(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    first = [signature(name, text, T0) for name, text in STRIKE.items() if name != "strike-c"]
    first += [signature(f"news-{i}", text, T0) for i, text in enumerate(UNRELATED)]
    day_one = decide_stories(first, DatasetState(storage=storage))
    publish(storage, day_one, "run-1", T0)
    assert day_one.story_of["strike-b"] == "strike-a"

    tomorrow = [
        signature("strike-c", STRIKE["strike-c"], T0 + timedelta(days=1)),
        signature("antwerp", OTHER_STRIKE, T0 + timedelta(days=1)),
    ]
    day_two = decide_stories(tomorrow, DatasetState(storage=storage))
    assert day_two.story_of["strike-c"] == "strike-a"
    assert day_two.story_of["antwerp"] == "antwerp"
    assert not day_two.links
    # an article of the window is found only through the index: a fresh output knows nothing
    alone = decide_stories(tomorrow, DatasetState(storage=Storage(tmp_path / "empty")))
    assert alone.story_of["strike-c"] == "strike-c"


def test_a_bridging_article_links_published_stories_without_rewriting_them(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    # Two published stories that did not meet: one about the walkout, one about ships at anchor.
    walkout = Signature(
        "walkout", T0, ("@rotterdam", "@fnv", "strike", "#48-hour", "wage", "dockwork")
    )
    anchor = Signature(
        "anchor", T0 + timedelta(hours=5), ("@north", "@sea", "ship", "anchor", "dozen", "wait")
    )
    filler = [Signature(f"f{i}", T0, (f"topic{i}", f"name{i}", "common")) for i in range(20)]
    day_one = decide_stories([walkout, anchor, *filler], DatasetState(storage=storage))
    assert day_one.story_of["walkout"] != day_one.story_of["anchor"]
    publish(storage, day_one, "run-1", T0)

    bridge = Signature(
        "bridge", T0 + timedelta(days=1), tuple(sorted(set(walkout.terms) | set(anchor.terms)))
    )
    day_two = decide_stories([bridge], DatasetState(storage=storage))
    # the earlier story goes on; the later one is linked to it, its rows keep their id
    assert day_two.story_of["bridge"] == "walkout"
    assert day_two.links == {"anchor": "walkout"}
    publish(storage, day_two, "run-2", T0 + timedelta(days=1))
    links = read_story_links(storage)
    assert resolve("anchor", links) == "walkout"

    # a later article of the merged story joins the story it continues as
    late = Signature("late", T0 + timedelta(days=2), anchor.terms)
    assert decide_stories([late], DatasetState(storage=storage)).story_of["late"] == "walkout"


def test_published_ids_alone_are_indexed(tmp_path: Path) -> None:
    signatures = run_articles()
    decision = decide_stories(signatures, DatasetState())
    context = RunContext("run-1", T0, "test")
    files = dict(Stories().tables(decision, {"strike-a", "news-0"}, context))
    index = [table for target, table in files.items() if target.startswith("stories/")]
    assert [target for target in files if target.startswith("stories/")] == [
        "stories/event_month=2026-03/part-run-1.parquet"
    ]
    assert sorted(index[0]["article_id"].to_pylist()) == ["news-0", "strike-a"]
    counts = files["story_terms/part-run-1.parquet"].to_pydict()
    kept = [s for s in signatures if s.article_id in {"strike-a", "news-0"}]
    assert dict(zip(counts["term"], counts["articles"], strict=True)) == document_counts(kept)


def test_an_undated_article_may_join_a_story_of_any_date_within_its_run() -> None:
    # A page crawled a year after the strike, with no date on it: its time is unknown.
    crawled = T0 + timedelta(days=365)
    signatures = run_articles()
    undated = Signature("undated", crawled, story_terms(*STRIKE["strike-b"]), dated=False)
    dated_late = Signature("dated-late", crawled, story_terms(*STRIKE["strike-b"]), dated=True)
    assert stories([*signatures, undated])["undated"] == "strike-a"
    assert stories([*signatures, dated_late])["dated-late"] == "dated-late"
