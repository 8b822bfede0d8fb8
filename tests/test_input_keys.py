"""Input keys: an input is known by its bytes, wherever it is; one that cannot be read whole is
known by where it is."""

from __future__ import annotations

from pathlib import Path

from flows.readers import discover, iter_documents, read_documents
from flows.readers.keys import content_key, location_key, record_id

ARTICLE = "A headline\n\nThe first sentence of the article. The second sentence follows it.\n"


def test_input_keys_follow_the_bytes_not_the_name() -> None:
    assert content_key(b"x") == content_key(b"x") != content_key(b"y")
    assert len(content_key(b"x")) == 64 and len(record_id(content_key(b"x"))) == 16
    # Inputs that cannot be read whole are told apart by where they are.
    assert location_key("a.txt") != location_key("b.txt")
    assert location_key("a.txt", b"x") != location_key("a.txt", b"y")
    assert location_key("a.txt") != content_key(b"")


def test_the_same_bytes_under_two_names_are_one_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "copy-of-a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty-1.txt").write_bytes(b"")
    (tmp_path / "empty-2.txt").write_bytes(b"")
    files, _ = discover([tmp_path])
    docs = {Path(d.source_uri).name: d for d in iter_documents(files)}
    assert docs["a.txt"].input_sha256 == docs["copy-of-a.txt"].input_sha256
    assert docs["a.txt"].record_id == docs["copy-of-a.txt"].record_id
    # Two empty files are two inputs (each quarantined on its own), not one.
    assert docs["empty-1.txt"].input_sha256 != docs["empty-2.txt"].input_sha256


def test_moving_a_corpus_keeps_ids(tmp_path: Path) -> None:
    for folder in ("one", "two/deeper"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.txt").write_text(ARTICLE)
    first = list(read_documents(discover([tmp_path / "one"])[0][0]))
    second = list(read_documents(discover([tmp_path / "two" / "deeper"])[0][0]))
    assert first[0].record_id == second[0].record_id
