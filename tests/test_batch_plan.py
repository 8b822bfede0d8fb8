"""Batch planning: big container files are cut into parts of contiguous records, so one huge
file is many short tasks; the dataset is the same as reading every file whole."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import SAMPLE_DIR
from test_pipeline import run_cli

from flows.orchestration import batch as batch_module
from flows.orchestration.batch import MAX_BATCH_FILES, BatchSpec, plan_batches
from flows.readers import FilePart, InputFile, discover, read_documents


def _write_feed(path: Path, records: int) -> None:
    lines = [
        json.dumps({"url": f"https://example.com/{i}", "text": f"Story {i}. " * 40})
        for i in range(records)
    ]
    lines[3] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _corpus(tmp_path: Path) -> list[InputFile]:
    """Small text files around one big JSON Lines file and one big WARC."""
    from test_warc import write_big_warc

    (tmp_path / "a.txt").write_text("An article. " * 20, encoding="utf-8")
    _write_feed(tmp_path / "b.jsonl", 50)
    write_big_warc(tmp_path / "c.warc.gz", gzip=True, pages=20)
    for name in ("d.txt", "e.txt", "f.txt"):
        (tmp_path / name).write_text(f"Article {name}. " * 20, encoding="utf-8")
    files, _ = discover([tmp_path])
    return files


def _read(items: Sequence[InputFile | FilePart]) -> tuple[list[tuple[object, ...]], Counter[str]]:
    skipped: Counter[str] = Counter()
    rows = [
        (type(d).__name__, d.record_id, d.source_uri, d.input_sha256)
        for item in items
        for d in read_documents(item, skipped_records=skipped)
    ]
    return rows, skipped


def _items(batches: Sequence[BatchSpec]) -> list[InputFile | FilePart]:
    return [item for batch in batches for item in batch.items]


def test_small_files_are_sharded_as_before(tmp_path: Path) -> None:
    for i in range(10):
        (tmp_path / f"{i}.txt").write_text("x", encoding="utf-8")
        (tmp_path / f"{i}.jsonl").write_text("{}\n", encoding="utf-8")
    files, _ = discover([tmp_path])
    batches = plan_batches(files, workers=2, split_bytes=0)  # too few lines to cut
    assert [len(b.items) for b in batches] == [3, 3, 3, 3, 3, 3, 2]
    assert _items(batches) == files
    assert [len(b.items) for b in plan_batches(files, 2, 4)] == [4, 4, 4, 4, 4]


def test_big_container_files_are_cut_and_read_back_exactly(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    batches = plan_batches(files, workers=2, batch_size=4, split_bytes=1000)
    items = _items(batches)
    parts = [item for item in items if isinstance(item, FilePart)]
    assert {part.file.relpath for part in parts} == {"b.jsonl", "c.warc.gz"}
    assert len([p for p in parts if p.file.relpath == "b.jsonl"]) == 13  # 50 lines, 4 a part
    assert len([p for p in parts if p.file.relpath == "c.warc.gz"]) == 5  # 20 pages
    assert len(batches) >= 18
    # Every input file is finished by exactly one batch (for the progress line).
    assert sum(batch.files_completed for batch in batches) == len(files)
    # The parts, in order, read what the files read whole: records, ids, URIs, skips.
    whole, whole_skipped = _read(files)
    split, split_skipped = _read(items)
    assert split == whole
    assert split_skipped == whole_skipped and whole_skipped["warc_request_record"] == 20
    # Deterministic: the same inputs give the same batches.
    assert plan_batches(files, 2, 4, split_bytes=1000) == batches


def test_batch_size_bounds_the_documents_of_a_batch(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    for size in (1, 3, 7):
        batches = plan_batches(files, workers=4, batch_size=size, split_bytes=1000)
        for batch in batches:
            documents = sum(1 for d in _read(batch.items)[0] if d[0] == "SourceDocument")
            small_files = sum(1 for item in batch.items if not isinstance(item, FilePart))
            assert documents <= size or len(batch.items) == 1
            assert small_files <= size


def test_only_container_files_above_the_threshold_are_cut(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    sizes = {f.relpath: f.size_bytes for f in files}
    threshold = sizes["c.warc.gz"]  # the WARC is not above it, the JSON Lines file is
    assert sizes["b.jsonl"] > threshold > sizes["a.txt"]
    items = _items(plan_batches(files, workers=1, batch_size=4, split_bytes=threshold))
    assert {item.file.relpath for item in items if isinstance(item, FilePart)} == {"b.jsonl"}
    # The default threshold is far above these files: nothing is cut, nothing is scanned.
    assert all(isinstance(item, InputFile) for item in _items(plan_batches(files, workers=1)))


def test_without_a_batch_size_parts_hold_up_to_the_cap(tmp_path: Path) -> None:
    _write_feed(tmp_path / "big.jsonl", 3 * MAX_BATCH_FILES + 10)
    files, _ = discover([tmp_path])
    batches = plan_batches(files, workers=8, split_bytes=0)
    counts = [item.count for item in _items(batches) if isinstance(item, FilePart)]
    assert counts == [MAX_BATCH_FILES] * 3 + [None]
    assert len(batches) == 4


def _dataset(out: Path) -> dict[str, pd.DataFrame]:
    volatile = ["run_id", "ingested_at", "article"]
    keys = {"articles": "article_id", "quarantine": "record_id", "inputs": "source_uri"}
    frames = {}
    for name, key in keys.items():
        frame = pd.read_parquet(out / name, dtype_backend="pyarrow")
        frame = frame.drop(columns=[c for c in volatile if c in frame.columns])
        frames[name] = frame.sort_values([key, "source_uri"]).reset_index(drop=True)
    return frames


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_a_jsonl_file_cut_into_batches_gives_the_same_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    samples = sorted(SAMPLE_DIR.glob("*.txt"))
    (corpus / "a.txt").write_text(samples[0].read_text(encoding="utf-8"), encoding="utf-8")
    lines = [
        json.dumps({"url": f"https://news.example/{path.stem}", "text": path.read_text("utf-8")})
        for path in samples[1:]
    ]
    lines[2:2] = ["", "{not json", json.dumps({"url": "https://news.example/no-content"})]
    (corpus / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    planned: list[list[BatchSpec]] = []

    def spy(*args: Any, **kwargs: Any) -> list[BatchSpec]:
        planned.append(plan_batches(*args, **kwargs))
        return planned[-1]

    monkeypatch.setattr("flows.pipeline.plan_batches", spy)
    summaries = {}
    for name, split_bytes in (("whole", batch_module.SPLIT_BYTES), ("split", 0)):
        monkeypatch.setattr(batch_module, "SPLIT_BYTES", split_bytes)
        out = tmp_path / name
        code, summary = run_cli(str(corpus), "--output", str(out), "--batch-size", "2")
        assert code == 0, summary
        summaries[name] = summary
    whole, split = planned
    assert len(whole) == 1 and not any(isinstance(i, FilePart) for i in _items(whole))
    assert len(split) >= 3 and sum(isinstance(i, FilePart) for i in _items(split)) >= 3

    counted = ("documents", "published", "quarantined", "quarantine_reasons", "records_skipped")
    assert {k: summaries["split"][k] for k in counted} == {
        k: summaries["whole"][k] for k in counted
    }
    assert summaries["whole"]["published"] == 5
    assert summaries["whole"]["quarantine_reasons"] == {"malformed_json": 1, "missing_content": 1}
    left, right = _dataset(tmp_path / "whole"), _dataset(tmp_path / "split")
    for name in ("articles", "quarantine", "inputs"):
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)
    uris = sorted(left["inputs"]["source_uri"].map(lambda uri: uri.rsplit("/", 1)[1]))
    assert uris == ["a.txt"] + [f"feed.jsonl#L{n}" for n in (1, 2, 4, 5, 6, 7)]
