"""The validation stage: each expectation fails exactly for the rows that violate it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flows.core.residue import residue_patterns
from flows.core.resources import expectations_dir
from flows.quality.validate import (
    BATCH_SUITE_FILE,
    ROW_SUITE_FILE,
    SuiteError,
    Suites,
    ValidationOutcome,
    ValidationSettings,
    load_suites,
    validate_articles,
    write_data_docs,
    write_results_json,
)
from flows.stages.boilerplate_rules import KINDS
from flows.stages.clean import clean_text

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# Row tests lift the quarantine ceiling so a row failure never also fails the batch.
NO_CEILING = ValidationSettings(max_quarantine_share=1.0)
BODY = " ".join(["The council approved the budget after a long debate."] * 10)


@pytest.fixture(scope="module")
def suites() -> Suites:
    return load_suites()


def good_row(index: int) -> dict[str, Any]:
    return {
        "article_id": f"{index:016x}",
        "source_uri": f"data/sample/{index:03d}.txt",
        "source_format": "text",
        "url": None,
        "fetched_at": pd.Timestamp("2024-05-02T08:00:00", tz="UTC"),
        "title": f"Council approves budget {index}",
        "body": BODY,
        "highlights": ["Budget approved"],
        "published_at": pd.Timestamp("2024-05-01T10:00:00", tz="UTC"),
        "published_at_precision": "second",
        "published_at_source": "dateline",
        "dateline": "BERLIN",
        "agency": "Reuters",
        "publisher": "Example News",
        "authors": ["Jane Doe"],
        "contributors": [],
        "editors": ["John Roe"],
        "language": "en",
        "language_score": 0.99,
        "word_count": 90,
        "related_headlines": [],
        "boilerplate": [{"kind": "see_also", "text": "See also: x", "rule": "see_also_line"}],
        "duplicate_of": None,
        "duplicate_kind": None,
        "duplicate_similarity": None,
        "story_id": f"{index:016x}",
        "content_sha256": "0" * 64,
        "run_id": "run-1",
        "ingested_at": pd.Timestamp("2026-11-23T11:00:00", tz="UTC"),
        "pipeline_version": "0.1.0",
    }


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast to the dtypes the schema gives (what the pipeline hands to the validator)."""
    return frame.astype(
        {
            "word_count": "int32",
            "language_score": "float32",
            "duplicate_similarity": "float32",
            "published_at": "datetime64[us, UTC]",
            "fetched_at": "datetime64[us, UTC]",
            "ingested_at": "datetime64[us, UTC]",
        }
    )


def base_frame(rows: int = 3) -> pd.DataFrame:
    return typed(pd.DataFrame([good_row(i) for i in range(rows)]))


def with_values(column: str, values: dict[int, Any]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A mutation that sets ``column`` at the given row positions (cells as objects)."""

    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        cells = frame[column].astype(object).tolist()
        for position, value in values.items():
            cells[position] = value
        frame[column] = pd.Series(cells, index=frame.index, dtype=frame[column].dtype)
        return frame

    return mutate


def run(
    suites: Suites,
    frame: pd.DataFrame,
    settings: ValidationSettings = NO_CEILING,
    **kwargs: Any,
) -> ValidationOutcome:
    return validate_articles(frame, now=NOW, settings=settings, suites=suites, **kwargs)


def test_valid_frame_passes_everything(suites: Suites) -> None:
    outcome = run(suites, base_frame(), ValidationSettings())
    assert outcome.row_failures == {}
    assert outcome.batch_failures == []
    assert outcome.publishable
    json.dumps(outcome.results)  # serialisable as is


LONG = "x" * 200_001
ROW_CASES: list[tuple[str, Callable[[pd.DataFrame], pd.DataFrame], dict[int, list[str]]]] = [
    ("id null", with_values("article_id", {1: None}), {1: ["article_id_not_null"]}),
    (
        "id repeated",
        with_values("article_id", {2: f"{0:016x}"}),
        {0: ["article_id_unique"], 2: ["article_id_unique"]},
    ),
    ("body null", with_values("body", {0: None}), {0: ["body_not_null"]}),
    (
        "body too short or too long",
        with_values("body", {1: "Too short.", 2: LONG}),
        {1: ["body_length"], 2: ["body_length"]},
    ),
    ("few words", with_values("word_count", {0: 24}), {0: ["word_count_min"]}),
    # A news brief of two or three sentences is an article.
    ("a short article", with_values("word_count", {0: 25, 1: 49}), {}),
    ("language null", with_values("language", {1: None}), {1: ["language_detected"]}),
    (
        "language not iso",
        with_values("language", {0: "zh-cn", 2: "EN"}),
        {0: ["language_iso639_1"], 2: ["language_iso639_1"]},
    ),
    (
        "published too early or in the future",
        with_values(
            "published_at",
            {
                0: pd.Timestamp("1989-12-31T23:59:59", tz="UTC"),
                2: pd.Timestamp(NOW + timedelta(seconds=1)),
            },
        ),
        {0: ["published_at_range"], 2: ["published_at_range"]},
    ),
    (
        "title too long or empty",
        with_values("title", {0: "T" * 301, 1: ""}),
        {0: ["title_length"], 1: ["title_length"]},
    ),
    ("agency unknown", with_values("agency", {1: "Reuters Inc"}), {1: ["agency_canonical"]}),
    (
        "boilerplate residue",
        with_values(
            "body",
            {
                0: BODY + "\n\nSee also: Markets fall",
                2: BODY + "\n\nYour email address will not be published.",
            },
        ),
        {0: ["body_boilerplate_residue"], 2: ["body_boilerplate_residue"]},
    ),
    (
        "only teasers",
        with_values(
            "body",
            {
                1: "The mayor promised on Tuesday that the new tram line would open...\n\n"
                "Five things to know before the budget vote, from rents to...\n\n"
                "Why the harbour cranes stood still for a week…",
            },
        ),
        {1: ["body_only_teasers"]},
    ),
    (
        "duplicate of unknown id",
        with_values("duplicate_of", {1: "ffffffffffffffff", 2: f"{0:016x}"}),
        {1: ["duplicate_of_known"]},
    ),
    (
        "duplicate kind neither exact nor near",
        with_values("duplicate_kind", {0: "exact", 1: "similar", 2: "near"}),
        {1: ["duplicate_kind_known"]},
    ),
    (
        "similarity of zero or above one",
        with_values("duplicate_similarity", {0: 0.0, 1: 1.0, 2: 1.5}),
        {0: ["duplicate_similarity_range"], 2: ["duplicate_similarity_range"]},
    ),
    (
        # Nullable in the schema, and null means "unknown": not a reason to quarantine.
        "nullable fields null",
        lambda f: with_values("published_at", {1: None})(
            with_values("title", {2: None})(with_values("agency", {0: None})(f))
        ),
        {},
    ),
    (
        "two failures on one row",
        lambda f: with_values("agency", {1: "Nobody"})(with_values("word_count", {1: 3})(f)),
        {1: ["agency_canonical", "word_count_min"]},
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [case[1:] for case in ROW_CASES],
    ids=[case[0] for case in ROW_CASES],
)
def test_row_expectation_fails_exactly_its_rows(
    suites: Suites,
    mutate: Callable[[pd.DataFrame], pd.DataFrame],
    expected: dict[int, list[str]],
) -> None:
    outcome = run(suites, mutate(base_frame()))
    assert outcome.row_failures == expected
    # A repeated id is also a batch failure; nothing else is.
    repeated = any("article_id_unique" in names for names in expected.values())
    assert outcome.batch_failures == (["article_id_unique_in_batch"] if repeated else [])


def test_every_row_expectation_has_a_failing_case(suites: Suites) -> None:
    covered = {name for case in ROW_CASES for names in case[2].values() for name in names}
    assert covered | {"language_accepted"} == set(suites.row_names())


# --- Boilerplate residue: where boilerplate stands, never a phrase inside prose ---------------

# Article text that uses the phrases the residue check looks for. Each must pass.
PROSE_WITH_PHRASES = {
    "a list item naming an editor at the end": BODY
    + "\n\n- Our Favorite Monitors for Color Grading and Photo Editing by Priya Natarajan "
    "Designers need accurate screens, and we tested twelve of them over a month.",
    "a cross-reference inside a paragraph": "The study found losses in every county. See also "
    "the regional tables in the appendix, which show how the dry summer hit the east hardest. "
    "Farmers there expect a smaller harvest next year.\n\n" + BODY,
    "see also in a sentence at the end": BODY
    + "\n\nReaders can see also how each councillor voted on the council's website.",
    "a review's opening credit": "Written by Ana Ruiz and directed by Tomas Ek, the play follows "
    "two sisters who inherit a failing vineyard.\n\n" + BODY,
    "edited by hand": BODY + "\n\nEdited by hand, the photos look warmer than the originals.",
    "reporting by a newspaper": "Reporting by the Harbour Gazette found that the agency ignored "
    "the warnings for years.\n\n" + BODY,
    "leave a reply in a sentence": BODY + "\n\nThe column urged readers to leave a reply on "
    "the consultation page before Friday.",
    "our standards in a quote": BODY + "\n\n\u201cThe offer does not meet our standards: it is "
    "an insult,\u201d the union said.",
}

# Boilerplate where it stands: whole lines (first, last, in the middle), credit lines, and
# junk glued to the end of the body. Each must fail.
BOILERPLATE_IN_PLACE = {
    "credit line at the end": BODY + "\n\nReporting by Jane Doe in Lisbon; Editing by Mark Stone",
    "credit line in parentheses": BODY + "\n\n(Reporting by Jane Doe; additional reporting by "
    "Tom Lee in Porto; Editing by Ann Kim)",
    "credit glued to the last sentence": BODY + " Writing by Jane Doe; Editing by Mark Stone",
    "see-also line first": "See also: Markets fall for a third day\n\n" + BODY,
    "see-also bullet in the middle": BODY + "\n\n- See also: How the tram vote went\n\n" + BODY,
    "see-also sentence glued to the end": BODY + " See also our guide to the city's parks.",
    "comment prompt on its own line": BODY + "\n\nLeave a Reply\n\n" + BODY,
    "comment form line at the end": BODY + "\n\nYour email address will not be published. "
    "Required fields are marked *",
    "standards statement glued to the end": BODY + " Our Standards: How we verify what we publish.",
}


def _residue_failures(suites: Suites, bodies: list[str]) -> list[bool]:
    frame = base_frame(rows=len(bodies))
    frame = with_values("body", dict(enumerate(bodies)))(frame)
    failures = run(suites, frame).row_failures
    return ["body_boilerplate_residue" in failures.get(i, []) for i in range(len(bodies))]


def test_phrases_inside_article_prose_pass(suites: Suites) -> None:
    failed = _residue_failures(suites, list(PROSE_WITH_PHRASES.values()))
    assert [name for name, bad in zip(PROSE_WITH_PHRASES, failed, strict=True) if bad] == []


def test_boilerplate_where_it_stands_fails(suites: Suites) -> None:
    failed = _residue_failures(suites, list(BOILERPLATE_IN_PLACE.values()))
    assert [name for name, bad in zip(BOILERPLATE_IN_PLACE, failed, strict=True) if not bad] == []


def test_the_cleaner_leaves_no_residue_and_keeps_the_prose(suites: Suites) -> None:
    # The clean stage cuts with the suite's own patterns: what it publishes passes the check,
    # and article text that only mentions the phrases comes out whole.
    junk = [clean_text(body, content_kind="html") for body in BOILERPLATE_IN_PLACE.values()]
    assert all(cleaned.removed for cleaned in junk)
    assert not any(_residue_failures(suites, [cleaned.body for cleaned in junk]))
    for body in PROSE_WITH_PHRASES.values():
        assert clean_text(body, content_kind="html").body == body


def test_residue_kinds_are_span_kinds() -> None:
    patterns = residue_patterns()
    assert patterns and {p.kind for p in patterns} <= set(KINDS)


def test_duplicate_of_may_name_an_id_already_in_the_dataset(suites: Suites) -> None:
    frame = with_values("duplicate_of", {0: "abcdefabcdefabcd"})(base_frame())
    assert run(suites, frame).row_failures == {0: ["duplicate_of_known"]}
    assert run(suites, frame, known_ids={"abcdefabcdefabcd"}).row_failures == {}


def test_languages_setting(suites: Suites) -> None:
    frame = with_values("language", {0: "de", 1: "fr"})(base_frame())
    every = run(suites, frame)
    assert every.row_failures == {}
    assert every.results["skipped"] == ["language_accepted"]

    settings = ValidationSettings(languages=("en", "de"), max_quarantine_share=1.0)
    limited = run(suites, frame, settings)
    assert limited.row_failures == {1: ["language_accepted"]}
    assert limited.results["skipped"] == []


def test_thresholds_come_from_settings(suites: Suites) -> None:
    settings = ValidationSettings(
        min_body_chars=10, min_word_count=5, max_title_chars=5, max_quarantine_share=1.0
    )
    frame = with_values("body", {0: "Short body"})(base_frame())
    frame = with_values("word_count", {0: 5})(frame)
    outcome = run(suites, frame, settings)
    # Every title ("Council approves budget N") is now too long; the short body is fine.
    assert outcome.row_failures == {0: ["title_length"], 1: ["title_length"], 2: ["title_length"]}


def test_earliest_date_setting(suites: Suites) -> None:
    settings = ValidationSettings(earliest_date="2025-01-01", max_quarantine_share=1.0)
    assert set(run(suites, base_frame(), settings).row_failures) == {0, 1, 2}


def test_positions_ignore_the_frame_index(suites: Suites) -> None:
    frame = with_values("agency", {2: "Nobody"})(base_frame())
    frame.index = [10, 20, 30]
    assert run(suites, frame).row_failures == {2: ["agency_canonical"]}


# --- Batch expectations -----------------------------------------------------------------------


def test_quarantine_share_over_the_ceiling_fails_the_batch(suites: Suites) -> None:
    frame = with_values("agency", {0: "Nobody", 1: "Nobody"})(base_frame())
    outcome = run(suites, frame, ValidationSettings(min_rows_for_share=1))
    assert outcome.batch_failures == ["quarantine_share"]
    assert not outcome.publishable
    assert outcome.results["quarantine_share"] == pytest.approx(2 / 3)


def test_quarantine_share_at_the_ceiling_passes(suites: Suites) -> None:
    frame = with_values("agency", {0: "Nobody", 1: "Nobody"})(base_frame(rows=4))
    outcome = run(suites, frame, ValidationSettings(min_rows_for_share=1))
    assert outcome.batch_failures == []
    assert set(outcome.row_failures) == {0, 1}


def test_quarantine_share_is_not_judged_on_a_handful_of_rows(suites: Suites) -> None:
    # Two of three rows fail (over the 50% ceiling), but three rows are too few to judge a batch.
    frame = with_values("agency", {0: "Nobody", 1: "Nobody"})(base_frame())
    outcome = run(suites, frame, ValidationSettings(min_rows_for_share=20))
    assert outcome.batch_failures == []
    assert set(outcome.row_failures) == {0, 1}


def test_extra_column_fails_the_column_check(suites: Suites) -> None:
    frame = base_frame().assign(surprise=1)
    assert run(suites, frame).batch_failures == ["columns_match_schema"]


def test_missing_column_fails_the_batch(suites: Suites) -> None:
    outcome = run(suites, base_frame().drop(columns=["publisher", "agency"]))
    # The row check on the missing agency cannot run: a batch failure, no row is blamed.
    assert outcome.row_failures == {}
    assert sorted(outcome.batch_failures) == [
        "agency_canonical",
        "columns_match_schema",
        "type_agency",
        "type_publisher",
    ]


@pytest.mark.parametrize(
    ("column", "frame_change", "failures"),
    [
        ("word_count", lambda f: f.astype({"word_count": "int64"}), "type_word_count"),
        (
            "language_score",
            lambda f: f.astype({"language_score": "float64"}),
            "type_language_score",
        ),
        ("authors", with_values("authors", {1: "Jane Doe"}), "type_authors"),
        ("source_uri", with_values("source_uri", {0: 42}), "type_source_uri"),
        (
            "published_at",
            lambda f: f.assign(published_at=f["published_at"].dt.tz_localize(None)),
            # The date range check cannot compare naive and aware times either.
            "published_at_range type_published_at",
        ),
    ],
)
def test_column_type_checks(
    suites: Suites,
    column: str,
    frame_change: Callable[[pd.DataFrame], pd.DataFrame],
    failures: str,
) -> None:
    frame = base_frame()
    frame[column] = frame[column].astype(object) if column == "source_uri" else frame[column]
    outcome = run(suites, frame_change(frame))
    assert outcome.batch_failures == failures.split()


def test_null_in_a_column_the_schema_declares_not_nullable_fails_the_batch(
    suites: Suites,
) -> None:
    frame = with_values("source_uri", {1: None})(with_values("run_id", {0: None})(base_frame()))
    outcome = run(suites, frame)
    assert outcome.row_failures == {}
    assert outcome.batch_failures == ["not_null_source_uri", "not_null_run_id"]


def test_empty_frame_is_publishable(suites: Suites) -> None:
    outcome = run(suites, base_frame().iloc[0:0], ValidationSettings())
    assert outcome.row_failures == {}
    assert outcome.batch_failures == []


def test_results_are_compact_json(suites: Suites) -> None:
    residue = "y " * 2500 + BODY + "\n\nSee also: the budget in numbers"
    frame = with_values("body", {i: residue for i in range(55)})(base_frame(rows=60))
    outcome = run(suites, frame)
    assert len(outcome.row_failures) == 55  # positions come from GX objects, never cut
    text = json.dumps(outcome.results)
    assert len(text) < 100_000
    (residue_result,) = [
        result
        for result in outcome.results["rows"]["results"]
        if result["expectation_config"]["meta"]["name"] == "body_boilerplate_residue"
    ]
    assert residue_result["result"]["unexpected_count"] == 55
    assert len(residue_result["result"]["unexpected_index_list"]) == 50


# --- Suite loading ------------------------------------------------------------------------------


@pytest.fixture()
def suite_dir(tmp_path: Path) -> Path:
    for name in (ROW_SUITE_FILE, BATCH_SUITE_FILE):
        shutil.copy(expectations_dir() / name, tmp_path / name)
    return tmp_path


def edit_rows(directory: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = directory / ROW_SUITE_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def test_bundled_suites_load(suite_dir: Path) -> None:
    loaded = load_suites(suite_dir)
    assert "body_length" in loaded.row_names()
    assert "quarantine_share" in loaded.batch_names()


def test_malformed_json_is_a_suite_error(suite_dir: Path) -> None:
    (suite_dir / ROW_SUITE_FILE).write_text('{"expectations": [', encoding="utf-8")
    with pytest.raises(SuiteError, match="not valid JSON"):
        load_suites(suite_dir)


def test_missing_file_is_a_suite_error(suite_dir: Path) -> None:
    (suite_dir / BATCH_SUITE_FILE).unlink()
    with pytest.raises(SuiteError, match="missing"):
        load_suites(suite_dir)


def test_column_not_in_schema_is_a_suite_error(suite_dir: Path) -> None:
    edit_rows(suite_dir, lambda d: d["expectations"][0]["kwargs"].update(column="headline"))
    with pytest.raises(SuiteError, match="'headline', which the schema does not have"):
        load_suites(suite_dir)


def test_unknown_expectation_type_is_a_suite_error(suite_dir: Path) -> None:
    def add_unknown(document: dict[str, Any]) -> None:
        document["expectations"].append(
            {
                "type": "expect_column_values_to_be_pretty",
                "kwargs": {"column": "body"},
                "meta": {"name": "body_pretty"},
            }
        )

    edit_rows(suite_dir, add_unknown)
    with pytest.raises(SuiteError, match=r"rejected body_pretty: .*pretty not found"):
        load_suites(suite_dir)


def test_invalid_expectation_arguments_are_a_suite_error(suite_dir: Path) -> None:
    edit_rows(suite_dir, lambda d: d["expectations"][4]["kwargs"].update(mostly=5))
    with pytest.raises(SuiteError, match=r"invalid suite: .*ExpectColumnValuesToBeBetween mostly"):
        load_suites(suite_dir)


def test_expectation_without_name_is_a_suite_error(suite_dir: Path) -> None:
    edit_rows(suite_dir, lambda d: d["expectations"][2].pop("meta"))
    with pytest.raises(SuiteError, match=r"#3 has no meta\.name"):
        load_suites(suite_dir)


def test_unknown_parameter_is_a_suite_error(suite_dir: Path) -> None:
    def rename(document: dict[str, Any]) -> None:
        document["expectations"][3]["kwargs"]["min_value"] = {"$PARAMETER": "min_chars"}

    edit_rows(suite_dir, rename)
    with pytest.raises(SuiteError, match="unknown parameter 'min_chars'"):
        load_suites(suite_dir)


def _residue_expectation(document: dict[str, Any]) -> dict[str, Any]:
    (found,) = [
        e for e in document["expectations"] if e["meta"]["name"] == "body_boilerplate_residue"
    ]
    return found


def test_residue_pattern_without_its_kind_is_a_suite_error(suite_dir: Path) -> None:
    edit_rows(suite_dir, lambda d: _residue_expectation(d)["meta"]["kinds"].pop())
    with pytest.raises(SuiteError, match=r"regex_list and meta\.kinds"):
        load_suites(suite_dir)


def test_residue_pattern_pandas_cannot_run_is_a_suite_error(suite_dir: Path) -> None:
    # Python's re reads a comment; RE2, which pandas uses for such a pattern, does not.
    def add(document: dict[str, Any]) -> None:
        residue = _residue_expectation(document)
        residue["kwargs"]["regex_list"].append("(?m)(?#a comment)^Advertisement$")
        residue["meta"]["kinds"].append("advertisement")

    edit_rows(suite_dir, add)
    with pytest.raises(SuiteError, match="does not run on a pandas string column"):
        load_suites(suite_dir)


def test_type_check_disagreeing_with_schema_is_a_suite_error(suite_dir: Path) -> None:
    path = suite_dir / BATCH_SUITE_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    for expectation in document["expectations"]:
        if expectation["meta"]["name"] == "type_word_count":
            expectation["kwargs"]["type_"] = "int64"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SuiteError, match="'word_count' is checked as 'int64'"):
        load_suites(suite_dir)


# --- Reports ------------------------------------------------------------------------------------


def test_write_data_docs_and_results(suites: Suites, tmp_path: Path) -> None:
    # More failing rows than the results keep: the cut lists must still render.
    frame = with_values("agency", {i: "Nobody" for i in range(60)})(base_frame(rows=70))
    outcome = run(suites, frame, ValidationSettings())
    index = write_data_docs(outcome, tmp_path / "docs", run_name="run-7")
    assert index.is_file()
    pages = sorted((tmp_path / "docs" / "validations").rglob("*.html"))
    assert len(pages) == 2
    rows_page = next(page for page in pages if "rows" in page.name).read_text(encoding="utf-8")
    assert "run-7" in rows_page
    assert "Nobody" in rows_page  # the failing values are shown
    for page in pages:  # each page names the data it checked
        html = page.read_text(encoding="utf-8")
        assert re.search(r"Data asset:\s*articles\b", html), page

    saved = write_results_json(outcome, tmp_path / "validation.json")
    assert json.loads(saved.read_text(encoding="utf-8"))["batch"]["success"] is False


def test_data_docs_read_offline_with_the_vendored_stylesheet(
    suites: Suites, tmp_path: Path
) -> None:
    """Every page of the report links Bootstrap from the report's own folder, not from the CDN
    its template names, and the linked file is there, whatever the page's depth; images from the
    web hide themselves when they cannot load."""
    outcome = run(suites, base_frame(rows=3), ValidationSettings())
    index = write_data_docs(outcome, tmp_path / "docs", run_name="run-8")
    pages = [index, *sorted((tmp_path / "docs" / "validations").rglob("*.html"))]
    assert len(pages) == 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css" not in html
        links = re.findall(r'href="([^"]*bootstrap-[0-9.]+\.min\.css)"', html)
        assert links, page
        for link in links:
            stylesheet = (page.parent / link).resolve()
            assert stylesheet.is_file() and stylesheet.read_text(encoding="utf-8").startswith("/*!")
        # An image from the web (GX's logo) hides itself when it cannot load: no broken icon.
        remote_images = re.findall(r"<img[^>]*?src=\"https?://[^>]*>", html, flags=re.S)
        assert remote_images, page
        for image in remote_images:
            assert "onerror=\"this.style.display='none'\"" in image, image


def test_missing_not_null_check_is_a_suite_error(suite_dir: Path) -> None:
    path = suite_dir / BATCH_SUITE_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    document["expectations"] = [
        e for e in document["expectations"] if e["meta"]["name"] != "not_null_run_id"
    ]
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SuiteError, match="no not-null check for column 'run_id'"):
        load_suites(suite_dir)


def test_agency_set_in_the_suite_is_the_metadata_stage_canonical_set() -> None:
    """The suite and the metadata stage must agree, or real agencies get quarantined."""
    import json

    from flows.core.resources import expectations_dir
    from flows.stages.credits import AGENCY_NAMES

    suite = json.loads((expectations_dir() / "articles.rows.json").read_text(encoding="utf-8"))
    [agency] = [e for e in suite["expectations"] if e["meta"]["name"] == "agency_canonical"]
    assert set(agency["kwargs"]["value_set"]) == set(AGENCY_NAMES)
