"""What the output already holds, read once before a run: which inputs were processed, which
articles were published (and whether its layout is one this version can append to)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flows.core.layout import ARTICLES, INPUTS, MINHASH_BANDS
from flows.core.storage import Storage

BAND_PARTITION = "key_prefix="  # minhash_bands/key_prefix=NNN/: the partition of the band keys


@dataclass
class DatasetState:
    """Processed inputs (input_sha256), published (article_id, content_sha256, duplicate_of),
    and where the published canonical articles' LSH bands are (their files by key partition;
    only listed here: near-duplicate matching reads them one partition at a time).

    `storage` is the output, for the steps that read only the part of a table the run needs
    (the story index of the run's time window); None when the run starts from nothing."""

    known_inputs: set[str] = field(default_factory=set)
    published: list[tuple[str, str, str | None]] = field(default_factory=list)
    storage: Storage | None = None
    band_files: dict[int, list[str]] = field(default_factory=dict)

    @property
    def article_ids(self) -> set[str]:
        return {article_id for article_id, _, _ in self.published}


class DatasetLayoutError(RuntimeError):
    """The output holds a dataset this version cannot append to safely."""


def check_layout(storage: Storage, *, full_refresh: bool = False) -> None:
    """Refuse to append to a dataset written before the inputs state and the month partitions:
    its inputs would all be done again under new ids. --full-refresh replaces it instead."""
    if full_refresh or storage.is_dir(INPUTS):
        return
    if any(p.count("/") == 1 for p in storage.parquet_files(ARTICLES)):
        raise DatasetLayoutError(
            f"{storage.url(ARTICLES)} was written by an older newsclean (no inputs/ state, "
            "no month partitions); run once with --full-refresh to rebuild it, or use a new "
            "output folder"
        )


def dataset_state(storage: Storage) -> DatasetState:
    state = DatasetState(storage=storage)
    inputs = storage.read_columns(INPUTS, ["input_sha256"])
    if inputs is not None:
        state.known_inputs.update(inputs.column("input_sha256").to_pylist())
    articles = storage.read_columns(ARTICLES, ["article_id", "content_sha256", "duplicate_of"])
    if articles is not None:
        columns = articles.to_pydict()
        state.published = list(
            zip(
                columns["article_id"],
                columns["content_sha256"],
                columns["duplicate_of"],
                strict=True,
            )
        )
    state.band_files = band_files(storage)
    return state


def band_files(storage: Storage) -> dict[int, list[str]]:
    """The minhash_bands table's files by partition, from their key_prefix=NNN folders."""
    files: dict[int, list[str]] = defaultdict(list)
    for path in storage.parquet_files(MINHASH_BANDS):
        folder = path.split("/")[-2]
        if folder.startswith(BAND_PARTITION):
            files[int(folder.removeprefix(BAND_PARTITION))].append(path)
    return dict(files)
