"""End to end: the CLI runs the Prefect flow over real files; the dataset is read back by the
readers a data scientist uses; the samples' sentences survive and their boilerplate is gone."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pytest
from conftest import SAMPLE_DIR

from flows.cli.main import main

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_api")]

# First and last article sentence of each sample (fragments): they must survive cleaning.
SAMPLE_SENTENCES = [
    ("discussed Taiwan and other thorny issues", "but also pledging more frequent talks"),
    ("met with China’s top diplomat and will potentially meet", "deliberately provoking risks"),
    (
        "held the second and final day of crucial meetings",
        "the United Kingdom and the United States",
    ),
    (
        "will meet China’s top diplomat and possibly its president",
        "multilateral summits later in the year",
    ),
    ("agreed on Monday to stabilize their bitter rivalry", "which Beijing has refused to rule out"),
]
# Boilerplate that must not survive in any body line.
RESIDUE = re.compile(
    r"See also|Leave a Reply|Your email address will not be published|Required fields are marked"
    r"|Editing by|Reporting by|Our standards|Trust Principles|contributed to this report"
    r"|REUTERS/|^\s*date \d{4}-\d\d-\d\d|^[A-Z]{3,}[A-Z ]*(, \w+ \d+)? \((Reuters|AP)\)",
    re.MULTILINE,
)


def run_cli(*args: str) -> tuple[int, dict[str, Any]]:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["run", "--no-progress", "--json", *args])
    text = stdout.getvalue()
    return code, (json.loads(text) if text.strip().startswith("{") else {})


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("sample-out")
    code, summary = run_cli(str(SAMPLE_DIR), "--output", str(out))
    assert code == 0, summary
    return out, summary


@pytest.fixture(scope="module")
def articles(sample_run: tuple[Path, dict[str, Any]]) -> pd.DataFrame:
    out, _ = sample_run
    return pd.read_parquet(out / "articles", dtype_backend="pyarrow")


def test_every_sample_is_published_and_counts_add_up(
    sample_run: tuple[Path, dict[str, Any]],
) -> None:
    _, summary = sample_run
    assert summary["status"] == "succeeded"
    assert summary["files_found"] == summary["documents"] == 5
    assert summary["published"] + summary["quarantined"] == summary["documents"]
    assert summary["published"] == 5


def test_all_readers_agree(sample_run: tuple[Path, dict[str, Any]], articles: pd.DataFrame) -> None:
    out, _ = sample_run
    glob = str(out / "articles" / "**" / "*.parquet")
    assert len(articles) == 5
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall() == [(5,)]
    assert pl.read_parquet(glob).height == 5
    assert ds.dataset(out / "articles", format="parquet").count_rows() == 5
    types = {
        row[0]: row[1]
        for row in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()
    }
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["authors"] == "VARCHAR[]"
    assert types["ingested_month"] == "VARCHAR"  # the partition, from the folder name


def test_readers_prune_partitions_by_ingestion_month(
    sample_run: tuple[Path, dict[str, Any]], articles: pd.DataFrame
) -> None:
    out, summary = sample_run
    month = summary["started_at"][:7]
    assert [p.name for p in (out / "articles").iterdir() if p.is_dir()] == [
        f"ingested_month={month}"
    ]
    assert set(articles["ingested_month"].astype(str)) == {month}
    # An older month beside it: a filter on the partition reads only the matching folder.
    older = out / "articles" / "ingested_month=2000-01"
    older.mkdir()
    shutil.copy(next((out / "articles" / f"ingested_month={month}").glob("*.parquet")), older)
    try:
        glob = str(out / "articles" / "**" / "*.parquet")
        plan = duckdb.sql(
            f"EXPLAIN ANALYZE SELECT count(*) FROM read_parquet('{glob}') "
            f"WHERE ingested_month >= '{month}'"
        ).fetchall()[0][1]
        assert "Scanning Files: 1/2" in plan
        fresh = ds.dataset(out / "articles", format="parquet", partitioning="hive")
        assert fresh.to_table(filter=ds.field("ingested_month") >= month).num_rows == 5
        assert len(pd.read_parquet(out / "articles", filters=[("ingested_month", "<", month)])) == 5
    finally:
        shutil.rmtree(older)


def test_ids_unique_and_bodies_clean(articles: pd.DataFrame) -> None:
    assert articles["article_id"].is_unique
    for body in articles["body"]:
        assert body.strip()
        assert not RESIDUE.search(body), RESIDUE.search(body)
        assert "\n\n\n" not in body


@pytest.mark.parametrize(("first", "last"), SAMPLE_SENTENCES)
def test_each_sample_keeps_its_first_and_last_sentence(
    articles: pd.DataFrame, first: str, last: str
) -> None:
    matches = [body for body in articles["body"] if first in body]
    assert len(matches) == 1, f"first sentence lost: {first!r}"
    assert last in matches[0], f"last sentence lost: {last!r}"
    assert matches[0].rstrip().endswith(tuple('.”"’')), matches[0][-200:]


def test_removed_spans_are_kept_with_their_kinds(articles: pd.DataFrame) -> None:
    kinds = {span["kind"] for spans in articles["boilerplate"] for span in spans}
    assert {
        "see_also",
        "comment_prompt",
        "credit",
        "author_bio",
        "trust_statement",
        "caption",
    } <= kinds
    related = [h for headlines in articles["related_headlines"] for h in headlines]
    assert len(related) >= 8
    assert not any(h.lower().startswith("see also") for h in related)


def test_metadata_columns_are_filled_from_the_text(articles: pd.DataFrame) -> None:
    assert set(articles["language"]) == {"en"}
    assert (articles["word_count"] > 300).all()
    agencies = articles["agency"].dropna().tolist()
    assert sorted(set(agencies)) == ["AP", "Reuters"]
    assert "BEIJING" in set(articles["dateline"].dropna())
    dated = articles.dropna(subset=["published_at"])
    assert len(dated) >= 1
    assert all(str(d.date()).startswith("2023-06") for d in dated["published_at"])
    assert articles["authors"].map(len).sum() >= 4


def test_report_files_are_written(sample_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = sample_run
    report = out / "reports" / summary["run_id"]
    assert json.loads((report / "summary.json").read_text())["published"] == 5
    assert "published: 5" in (report / "summary.md").read_text()
    assert (out / "reports" / "latest").resolve() == report.resolve()


def test_second_run_on_the_same_inputs_changes_nothing(
    sample_run: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = sample_run
    dataset = ("articles", "quarantine", "inputs", "_commits")
    before = sorted(str(p.relative_to(out)) for d in dataset for p in (out / d).rglob("*"))
    code, summary = run_cli(str(SAMPLE_DIR), "--output", str(out))
    assert code == 0
    assert summary["documents"] == 0 and summary["already_processed"] == 5
    after = sorted(str(p.relative_to(out)) for d in dataset for p in (out / d).rglob("*"))
    assert after == before


def test_rows_do_not_depend_on_batching_or_order(tmp_path: Path, articles: pd.DataFrame) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_DIR, corpus)
    code, _ = run_cli(
        str(corpus), "--output", str(tmp_path / "out"), "--batch-size", "1", "--workers", "1"
    )
    assert code == 0
    other = pd.read_parquet(tmp_path / "out" / "articles", dtype_backend="pyarrow")
    volatile = ["run_id", "ingested_at", "source_uri"]
    left = articles.drop(columns=volatile).sort_values("article_id").reset_index(drop=True)
    right = other.drop(columns=volatile).sort_values("article_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)


def test_copies_of_one_input_are_one_article_and_every_name_is_recorded(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    original = sorted(SAMPLE_DIR.glob("*.txt"))[1]
    for name in ("z-copy.txt", "a-copy.txt", "m-copy.txt"):
        shutil.copy(original, corpus / name)
    out = tmp_path / "out"
    code, summary = run_cli(str(corpus), "--output", str(out), "--batch-size", "1")
    assert code == 0, summary
    assert summary["published"] == 1 and summary["repeated_inputs"] == 2
    assert summary["documents"] == summary["published"] + summary["quarantined"] + 2
    frame = pd.read_parquet(out / "articles")
    assert frame["source_uri"].map(lambda uri: Path(uri).name).tolist() == ["a-copy.txt"]
    inputs = pd.read_parquet(out / "inputs").sort_values("source_uri")
    assert [Path(uri).name for uri in inputs["source_uri"]] == [
        "a-copy.txt",
        "m-copy.txt",
        "z-copy.txt",
    ]
    assert inputs["outcome"].tolist() == ["article", "repeat", "repeat"]
    assert set(inputs["record_id"]) == {frame["article_id"].iloc[0]}


def test_the_same_body_from_different_inputs_is_published_and_flagged(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = sorted(SAMPLE_DIR.glob("*.txt"))[1].read_text(encoding="utf-8")
    # Three outlets, three different files: the same article under different page furniture.
    for name, extra in (("z.txt", "\nLeave a Reply\n"), ("a.txt", ""), ("m.txt", "\n\n\n")):
        (corpus / name).write_text(text + extra, encoding="utf-8")
    code, summary = run_cli(str(corpus), "--output", str(tmp_path / "out"))
    assert code == 0 and summary["published"] == 3 and summary["duplicates"] == 2
    frame = pd.read_parquet(tmp_path / "out" / "articles")
    canonical = frame[frame["duplicate_of"].isna()]
    assert len(canonical) == 1
    assert canonical["article_id"].iloc[0] == frame["article_id"].min()
    assert set(frame["duplicate_of"].dropna()) == {canonical["article_id"].iloc[0]}


GERMAN = (
    "Die Bundesregierung hat am Montag ein neues Gesetz zur Förderung erneuerbarer Energien beschlossen. "
    "Nach Angaben des Wirtschaftsministeriums sollen damit bis zum Jahr 2030 deutlich mehr Windräder und "
    "Solaranlagen gebaut werden. Kritiker bemängeln, dass die Finanzierung noch nicht geklärt sei und die "
    "Genehmigungsverfahren weiterhin zu lange dauerten. Die Opposition kündigte an, im Bundestag gegen den "
    "Entwurf zu stimmen, weil er aus ihrer Sicht die Kosten für die Verbraucher erhöhe.\n"
)


@pytest.fixture(scope="module")
def awkward_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("awkward")
    shutil.copy(sorted(SAMPLE_DIR.glob("*.txt"))[0], corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    cp1252 = sorted(SAMPLE_DIR.glob("*.txt"))[2].read_text(encoding="utf-8")
    (corpus / "cp1252.txt").write_bytes(cp1252.encode("cp1252", errors="replace"))
    page = (
        b"<html><body><article>"
        + b"<p>A paragraph of the article that goes on.</p>" * 400
        + b"</article></body></html>"
    )
    gz = gzip.compress(page)
    (corpus / "truncated.html.gz").write_bytes(gz[: len(gz) // 2])
    (corpus / "huge.txt").write_bytes(b"All work and no play makes a dull article. " * 500_000)
    (corpus / "german.txt").write_text(GERMAN, encoding="utf-8")
    (corpus / "broken.html").write_text(
        "<html><body><div><p>Unclosed <b>tags <i>everywhere", encoding="utf-8"
    )
    (corpus / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(1000))
    return corpus


def test_bad_inputs_are_accounted_for_not_fatal(awkward_corpus: Path, tmp_path: Path) -> None:
    code, summary = run_cli(str(awkward_corpus), "--output", str(tmp_path / "out"))
    assert code == 0, summary
    assert summary["files_found"] == 8
    assert [Path(s["path"]).name for s in summary["files_skipped"]] == ["photo.jpg"]
    assert summary["published"] + summary["quarantined"] == summary["documents"] == 8
    quarantine = pd.read_parquet(tmp_path / "out" / "quarantine", dtype_backend="pyarrow")
    reasons = {
        Path(uri).name: list(r)
        for uri, r in zip(quarantine["source_uri"], quarantine["reasons"], strict=True)
    }
    assert reasons["empty.txt"] == ["empty_input"]
    assert reasons["binary.txt"] == ["binary_content"]
    assert reasons["truncated.html.gz"] == ["corrupt_compression"]
    assert reasons["huge.txt"] == ["too_large"]
    assert "broken.html" in reasons  # too little text to be an article
    published = pd.read_parquet(tmp_path / "out" / "articles", dtype_backend="pyarrow")
    by_name = {
        Path(uri).name: row
        for uri, row in zip(published["source_uri"], published.to_dict("records"), strict=True)
    }
    assert {"good.txt", "cp1252.txt"} <= set(by_name)
    assert "“" in by_name["cp1252.txt"]["body"]  # smart quotes decoded, not mojibake
    assert by_name["cp1252.txt"]["language"] == "en"
    german = by_name.get("german.txt")
    if german is not None:
        assert german["language"] == "de"
    else:
        assert "german.txt" in reasons


def test_languages_option_quarantines_other_languages(awkward_corpus: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "two"
    corpus.mkdir()
    shutil.copy(awkward_corpus / "good.txt", corpus)
    (corpus / "german.txt").write_text(GERMAN * 3, encoding="utf-8")
    code, summary = run_cli(str(corpus), "--output", str(tmp_path / "out"), "--languages", "en")
    assert code == 0, summary
    assert summary["published"] == 1
    quarantine = pd.read_parquet(tmp_path / "out" / "quarantine")
    [reasons] = quarantine["reasons"].tolist()
    assert any("language" in reason for reason in reasons)


FIXTURES = Path(__file__).parent / "fixtures" / "awkward"


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("fixture-out")
    code, summary = run_cli(str(FIXTURES), "--output", str(out))
    assert code == 0, summary
    return out, summary


def test_fixture_corpus_every_input_is_accounted_for(
    fixture_run: tuple[Path, dict[str, Any]],
) -> None:
    _, summary = fixture_run
    files = [p for p in FIXTURES.iterdir() if p.is_file()]
    assert summary["files_found"] + len(summary["files_skipped"]) == len(files)
    assert summary["published"] + summary["quarantined"] == summary["documents"]
    assert {
        "empty_input",
        "binary_content",
        "corrupt_compression",
        "malformed_json",
        "missing_content",
    } <= set(summary["quarantine_reasons"])


def test_html_page_is_extracted_without_page_furniture(
    fixture_run: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = fixture_run
    frame = pd.read_parquet(out / "articles", dtype_backend="pyarrow")
    [page] = frame[frame["source_uri"].str.endswith("harbour-news.html")].to_dict("records")
    body = page["body"]
    assert body.startswith(
        "The city council voted on Wednesday"
    )  # the headline is the title, not the body
    assert "Concerns about the harbour" in body  # a subheading stays
    assert body.rstrip().endswith("pupils and pensioners.")
    for junk in (
        "cookies",
        "Home",
        "Leave a Reply",
        "Share this",
        "newsletter",
        "All rights reserved",
        "Finally!",
    ):
        assert junk not in body
    assert page["title"] == "Port city approves new ferry line to the islands"
    assert page["publisher"] == "Harbour Daily"
    assert list(page["authors"]) == ["Maria Keller"]
    assert page["published_at"].date().isoformat() == "2024-03-14"
    assert page["url"] == "https://harbourdaily.example/2024/03/14/ferry-line-approved/"


def test_jsonl_fields_seed_the_metadata(fixture_run: tuple[Path, dict[str, Any]]) -> None:
    out, _ = fixture_run
    frame = pd.read_parquet(out / "articles", dtype_backend="pyarrow")
    [record] = frame[frame["source_uri"].str.endswith("scraper-export.jsonl#L1")].to_dict("records")
    assert record["title"] == "Central library reopens after two-year renovation"
    assert record["publisher"] == "River Post"
    assert list(record["authors"]) == ["Tom Becker"]
    assert record["published_at_source"] == "input_field"
    assert record["published_at"].isoformat().startswith("2023-11-02T08:00")
    assert "Read more" not in record["body"] and "Share this" not in record["body"]
    assert list(record["related_headlines"]) == ["Museum plans new wing for local history"]


def test_run_writes_data_docs_and_the_dataset_card(sample_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = sample_run
    report = out / "reports" / summary["run_id"]
    assert summary["data_docs"] == str(report / "index.html")
    assert (report / "index.html").is_file()
    assert len(list((report / "validations").rglob("*.html"))) == 2
    text = (report / "summary.md").read_text(encoding="utf-8")
    assert "None: every row and batch expectation passed." in text
    assert "- languages: en 5" in text
    card = (out / "articles" / "_README.md").read_text(encoding="utf-8")
    assert "| articles | 5 |" in card
    assert len(pd.read_parquet(out / "articles")) == 5  # the card is not read as data


def test_fsspec_url_input_gives_the_same_rows_as_a_local_folder(
    tmp_path: Path, articles: pd.DataFrame
) -> None:
    import fsspec

    memory = fsspec.filesystem("memory")
    for path in SAMPLE_DIR.glob("*.txt"):
        memory.pipe(f"/bucket/scrapes/{path.name}", path.read_bytes())
    code, summary = run_cli("memory://bucket/scrapes", "--output", str(tmp_path / "out"))
    assert code == 0, summary
    remote = pd.read_parquet(tmp_path / "out" / "articles", dtype_backend="pyarrow")
    assert remote["source_uri"].str.startswith("memory://").all()
    volatile = ["run_id", "ingested_at", "source_uri"]
    left = articles.drop(columns=volatile).sort_values("article_id").reset_index(drop=True)
    right = remote.drop(columns=volatile).sort_values("article_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
