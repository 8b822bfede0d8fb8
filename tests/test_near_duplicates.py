"""Near duplicates: MinHash signatures, LSH bands matched against the dataset's band table, the
canonical copy chosen from published status, published_at and article_id alone."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from test_run_steps import tables
from test_schema_and_write import article_row

from flows.core.records import RunContext
from flows.core.rows import ArticleRow
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.core.text import content_sha256
from flows.dataset import commit
from flows.dataset.state import DatasetState, dataset_state
from flows.run_steps import RUN_STEPS, configured, signatures
from flows.run_steps.duplicates import (
    EXACT,
    NEAR,
    NEAR_THRESHOLD,
    Duplicates,
    NewArticle,
    choose_canonical,
)

# A wire story, written for these tests.
WIRE = [
    "Dockworkers at the port of Westhaven walked off the job on Monday morning after talks "
    "with the terminal operators over a new pay agreement broke down late on Sunday night.",
    "The union said about 1,200 members joined the strike, which halted the loading of "
    "container ships and left dozens of lorries queuing on the approach road to the harbour.",
    "A spokeswoman for the operators said the company had offered a rise of 4.5 percent over "
    "two years and called the walkout premature while negotiations were still possible.",
    "Union leaders want a rise in line with inflation and limits on the use of agency staff, "
    "which they say has grown sharply since the terminal was automated three years ago.",
    "The regional chamber of commerce warned that a long stoppage would hurt exporters of "
    "machinery and food, who rely on the port for most of their shipments to Asia.",
    "Both sides are due to meet again on Wednesday with a mediator appointed by the labour "
    "ministry, according to a statement published on the ministry's website.",
]
# Another article of the same outlet and length: same template, different story.
OTHER = [
    "The city council of Westhaven approved a plan on Tuesday to turn the former rail yard "
    "north of the station into a park with sports fields, allotments and a cycle path.",
    "Work is expected to start next spring and to cost about 18 million euros, two thirds "
    "of which will come from a regional fund for the renewal of old industrial sites.",
    "Residents of the neighbouring streets had campaigned for years against a proposal to "
    "build offices on the land, collecting more than 6,000 signatures in a petition.",
    "The opposition said the council had not explained how the upkeep of the park would be "
    "paid for once the regional money runs out at the end of the decade.",
    "The mayor said the first fields could open within two years and invited residents to "
    "a public meeting next month to choose the name of the park.",
    "A survey of the soil last year found traces of oil near the old engine sheds, which "
    "will have to be removed before any work on the site can begin.",
]


def body(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def edited_copy() -> str:
    """The wire story as a second site runs it: a new first line and five words changed."""
    text = body(["Updated with the union's statement.", *WIRE])
    for old, new in [("Monday", "Tuesday"), ("dozens", "scores"), ("sharply", "steadily"),
                     ("shipments", "exports"), ("statement", "notice")]:  # fmt: skip
        text = text.replace(old, new, 1)
    return text


def row(index: int, text: str, published: datetime | None = None) -> ArticleRow:
    return article_row(
        f"{index:016x}",
        body=text,
        content_sha256=content_sha256(text),
        published_at=published,
        published_at_precision="second" if published else None,
    )


def decide(batches: list[list[ArticleRow]], state: DatasetState | None = None) -> dict[str, tuple]:
    step = Duplicates()
    facts = [step.facts(tables(index, rows)) for index, rows in enumerate(batches)]
    decision = step.decide(facts, state or DatasetState())
    return {key: (link.canonical, link.kind) for key, link in decision.links.items()}


def test_an_edited_copy_is_near_and_another_story_of_the_same_site_is_not() -> None:
    original = signatures.signature(body(WIRE))
    assert original is not None
    copy = signatures.signature(edited_copy())
    other = signatures.signature(body(OTHER))
    assert copy is not None and other is not None
    assert signatures.estimated_jaccard(original, copy) >= NEAR_THRESHOLD
    assert signatures.estimated_jaccard(original, other) < 0.2


def test_signatures_do_not_depend_on_case_or_white_space() -> None:
    text = body(WIRE)
    assert signatures.signature(text) == signatures.signature(
        "  " + text.upper().replace(" ", "\n")
    )
    assert signatures.signature("") is None and signatures.signature(" , . ") is None


def test_near_copy_points_at_the_earliest_published_copy_not_the_smallest_id() -> None:
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    rows = [row(1, edited_copy(), day + timedelta(hours=5)), row(7, body(WIRE), day),
            row(3, body(OTHER), day)]  # fmt: skip
    links = decide([rows])
    assert links == {f"{1:016x}": (f"{7:016x}", NEAR)}


def test_exact_and_near_copies_get_their_kind_and_similarity() -> None:
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    rows = [row(1, body(WIRE), day), row(2, body(WIRE), day), row(3, edited_copy(), day)]
    step = Duplicates()
    decision = step.decide([step.facts(tables(0, rows))], DatasetState())
    marked = step.apply(decision, tables(0, rows), Stats()).articles.to_pylist()
    assert [(r["duplicate_of"], r["duplicate_kind"]) for r in marked] == [
        (None, None), (f"{1:016x}", EXACT), (f"{1:016x}", NEAR)]  # fmt: skip
    assert marked[0]["duplicate_similarity"] is None
    assert marked[1]["duplicate_similarity"] == 1.0
    assert NEAR_THRESHOLD <= marked[2]["duplicate_similarity"] < 1.0


def test_the_choice_does_not_depend_on_file_order_or_batch_layout() -> None:
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    texts = [body(WIRE), edited_copy(), body(WIRE[:5]), body(OTHER), body(OTHER[1:]), body(WIRE)]
    dates = [day + timedelta(hours=2), day, day + timedelta(hours=1), None, day, day]
    rows = [
        row(index, text, date) for index, (text, date) in enumerate(zip(texts, dates, strict=True))
    ]
    expected = decide([rows])
    assert expected  # the copies were found
    shuffler = random.Random(7)
    for _ in range(12):
        order = rows[:]
        shuffler.shuffle(order)
        cuts = sorted(shuffler.sample(range(1, len(order)), shuffler.randint(0, 3)))
        batches = [order[a:b] for a, b in itertools.pairwise([0, *cuts, len(order)])]
        assert decide(batches) == expected


def test_canonical_order_puts_undated_rows_last_and_breaks_ties_by_id() -> None:
    day = datetime(2026, 3, 2, tzinfo=UTC)
    articles = [NewArticle("b", "x", day), NewArticle("a", "y", None), NewArticle("c", "z", day)]
    similar = {"a": {"b": 0.9, "c": 0.9}, "b": {"a": 0.9, "c": 0.7}, "c": {"a": 0.9, "b": 0.7}}
    links = choose_canonical(articles, similar, {})
    assert {k: v.canonical for k, v in links.items()} == {"a": "b", "c": "b"}


def publish_run(storage: Storage, rows: list[ArticleRow], run_id: str) -> dict[str, tuple]:
    """Decide over the dataset's state, then commit the run's rows' bands as a run does."""
    step = Duplicates()
    decision = step.decide([step.facts(tables(0, rows))], dataset_state(storage))
    articles = step.apply(decision, tables(0, rows), Stats()).articles
    staging = commit.staging_path(run_id)
    moves = [commit.stage(storage, staging, articles, f"articles/part-{run_id}.parquet")]
    context = RunContext(run_id, datetime.now(UTC), "test")
    kept = decision.bands["article_id"].to_pylist()
    moves += [
        commit.stage(storage, staging, table, target)
        for target, table in step.tables(decision, kept, context)
    ]
    commit.commit(storage, run_id, moves=moves, removes=[])
    return {key: (link.canonical, link.kind) for key, link in decision.links.items()}


def test_a_later_run_finds_a_near_copy_of_an_earlier_runs_article(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    # Run 1 publishes the story and a copy; only the canonical one's bands are kept.
    first = publish_run(
        storage, [row(5, body(WIRE), day), row(6, body([*WIRE[:5], "Ends."]), day)], "r1"
    )
    assert first == {f"{6:016x}": (f"{5:016x}", NEAR)}
    bands = pa.concat_tables(storage.read_table(p) for p in storage.parquet_files("minhash_bands"))
    assert set(bands["article_id"].to_pylist()) == {f"{5:016x}"}
    assert bands.num_rows == signatures.BANDS
    # Run 2: an earlier-dated near copy still points at the published canonical copy (published
    # rows keep their status), read from the bands alone: the old bodies are gone.
    for path in storage.parquet_files("articles"):
        storage.delete(path)
    second = publish_run(storage, [row(9, edited_copy(), day - timedelta(days=1)),
                                   row(2, body(OTHER), day)], "r2")  # fmt: skip
    assert second == {f"{9:016x}": (f"{5:016x}", NEAR)}


def test_bands_are_kept_by_key_partition_and_leave_out_quarantined_articles() -> None:
    rows = [row(1, body(WIRE)), row(2, body(OTHER))]
    step = Duplicates()
    decision = step.decide([step.facts(tables(0, rows))], DatasetState())
    # Article 2 was quarantined by validation: only article 1 was published.
    files = step.tables(decision, {f"{1:016x}"}, RunContext("r1", datetime.now(UTC), "test"))
    for target, table in files:
        assert set(table["article_id"].to_pylist()) == {f"{1:016x}"}
        prefixes = {key >> (63 - signatures.PREFIX_BITS) for key in table["band_key"].to_pylist()}
        assert [f"key_prefix={prefix:03d}" for prefix in prefixes] == [target.split("/")[1]]
    assert sum(table.num_rows for _, table in files) == signatures.BANDS


@pytest.mark.parametrize("similarity", [0.3, 0.4, 0.5])  # the steep part of the curve
def test_the_band_layout_finds_pairs_as_often_as_its_s_curve_says(similarity: float) -> None:
    """Pairs of sets of a known Jaccard: the share that share a band matches the formula."""
    generator = random.Random(int(similarity * 100))
    found, trials = 0, 300
    for trial in range(trials):
        shared = int(200 * similarity)
        common = [f"c{trial}-{i}" for i in range(shared)]
        half = (200 - shared) // 2
        left = common + [f"l{trial}-{i}" for i in range(half)]
        right = common + [f"r{trial}-{i}" for i in range(200 - shared - half)]
        generator.shuffle(left)
        a = signatures.signature(" ".join(left), size=1)
        b = signatures.signature(" ".join(right), size=1)
        assert a is not None and b is not None
        found += bool(set(signatures.band_keys(a)) & set(signatures.band_keys(b)))
    expected = signatures.candidate_probability(shared / 200)  # |common| / |union|
    assert abs(found / trials - expected) < 0.06


def test_a_run_of_nothing_but_copies_of_published_articles_adds_no_bands() -> None:
    """Every article of the run is an exact copy of a published one: no canonical article is
    new, so the run has no bands to keep (and an empty selection is still a string column)."""
    text = body(WIRE)
    state = DatasetState(published=[(f"{1:016x}", content_sha256(text), None)])
    step = Duplicates()
    decision = step.decide([step.facts(tables(0, [row(7, text)]))], state)
    assert decision.links[f"{7:016x}"].canonical == f"{1:016x}"
    assert decision.bands.num_rows == 0


def test_the_threshold_decides_which_edited_copies_are_near() -> None:
    """The edited copy's estimate is between the default threshold and 1: a strict threshold
    leaves it canonical, the default links it; an exact copy is linked whatever the threshold."""
    copy, same = row(2, edited_copy()), row(3, body(WIRE))
    batches = [[row(1, body(WIRE)), copy, same]]
    loose = decide(batches)
    assert loose[copy.article_id] == (f"{1:016x}", NEAR)
    step = Duplicates(threshold=0.99)
    decision = step.decide([step.facts(tables(0, batches[0]))], DatasetState())
    assert copy.article_id not in decision.links
    assert decision.links[same.article_id].kind == EXACT


def test_a_threshold_outside_0_1_is_refused() -> None:
    for threshold in (0.0, -0.2, 1.01):
        with pytest.raises(ValueError, match="near-duplicate threshold"):
            Duplicates(threshold)


def test_configured_steps_carry_the_runs_threshold_and_keep_the_others() -> None:
    steps = configured(RUN_STEPS, 0.85)
    assert [step.name for step in steps] == [step.name for step in RUN_STEPS]
    [duplicates] = [step for step in steps if isinstance(step, Duplicates)]
    assert duplicates.threshold == 0.85
    assert all(a is b for a, b in zip(steps, RUN_STEPS, strict=True) if a is not duplicates)


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_the_run_option_reaches_the_runs_duplicates_step(tmp_path: Path) -> None:
    from test_pipeline import run_cli

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("Dockworkers strike at Westhaven\n\n" + body(WIRE), "utf-8")
    (inputs / "b.txt").write_text("Port strike in Westhaven\n\n" + edited_copy(), "utf-8")
    out = tmp_path / "out"
    code, summary = run_cli(str(inputs), "-o", str(out), "--near-duplicate-threshold", "0.99")
    assert code == 0, summary
    articles = pa.concat_tables(
        Storage(out).read_table(p) for p in Storage(out).parquet_files("articles")
    )
    assert articles.num_rows == 2
    assert articles["duplicate_of"].null_count == 2  # with the default 0.6, b is a's near copy
