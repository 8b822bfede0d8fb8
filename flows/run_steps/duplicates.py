"""Dedup: exact and near duplicates across the whole run and the dataset, flagged, never dropped.

Each non-canonical copy points at its canonical one (`duplicate_of`), says how it is a copy
(`duplicate_kind`: exact when the normalized bodies are equal, near when their MinHash estimate of
the Jaccard similarity of word shingles is at or above the threshold) and how close
(`duplicate_similarity`, 1.0 for exact).

The canonical copy: a row already published keeps its status (published rows are never
rewritten), so a new copy of a published canonical article points at it. Within a run the
earliest `published_at` wins (undated rows after dated ones), ties broken by `article_id`: the
choice depends on the facts of the articles alone, never on file order, batch layout or worker
count. Articles are taken in that order; each becomes a duplicate of the most similar canonical
copy it matches (exact before near), or canonical itself.

Where the work happens, so it holds at scale:
- the batch task (a worker) computes each body's MinHash signature (flows/run_steps/signatures.py);
  a batch whose bodies the repeated-lines step changed is measured again, also in a task;
- the flow matches the run's band keys against the dataset's `minhash_bands` table partition by
  partition (by the keys' top bits), so only one partition of the dataset's bands is in memory,
  then reads the signatures of the few published candidates and checks their estimate;
- the bands of the run's new canonical articles are written as a table of their own, committed
  with the run's other files (flows/orchestration/publish.py), for the next run to match against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from flows.core.layout import MINHASH_BANDS
from flows.core.records import RunContext
from flows.core.schema import minhash_bands_schema
from flows.core.settings import NEAR_DUPLICATE_THRESHOLD
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.dataset.state import BAND_PARTITION, DatasetState
from flows.run_steps import signatures
from flows.run_steps.base import BatchTables, RunStep

EXACT = "exact"
NEAR = "near"
NEAR_THRESHOLD = NEAR_DUPLICATE_THRESHOLD  # the run option's default (flows/core/settings.py)

# One batch's facts: article_id, content_sha256, published_at and the body's MinHash signature
# (null for a body without words). Small: 512 bytes of signature per article, no text.
FACT_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("signature", pa.binary()),
    ]
)


@dataclass(frozen=True)
class Link:
    """Where a duplicate points: its canonical copy, how it is a copy, and how close."""

    canonical: str
    kind: str  # EXACT or NEAR
    similarity: float  # estimated Jaccard, (0, 1]


@dataclass
class DuplicateDecision:
    """The run's links (non-canonical article_id -> Link), and the band rows of its new canonical
    articles (schemas/minhash_bands.v1.json), kept for later runs (Duplicates.tables)."""

    links: dict[str, Link] = field(default_factory=dict)
    bands: pa.Table = field(default_factory=lambda: minhash_bands_schema().arrow().empty_table())

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.links


class Duplicates(RunStep[pa.Table, DuplicateDecision]):
    name = "duplicates"

    def __init__(self, threshold: float = NEAR_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold {threshold} is not in (0, 1]")
        self.threshold = threshold

    def facts(self, batch: BatchTables) -> pa.Table:
        articles = batch.articles
        bodies = articles["body"].to_pylist()
        return pa.table(
            {
                "article_id": articles["article_id"],
                "content_sha256": articles["content_sha256"],
                "published_at": articles["published_at"],
                "signature": pa.array([signatures.signature(b) for b in bodies], pa.binary()),
            },
            schema=FACT_SCHEMA,
        )

    def decide(self, facts: Sequence[pa.Table], state: DatasetState) -> DuplicateDecision:
        run = pa.concat_tables([FACT_SCHEMA.empty_table(), *facts])
        bands = band_rows(run)
        published = PublishedBands(state.storage, state.band_files)
        similar = near_pairs(run, bands, published, self.threshold)
        links = choose_canonical(_new_articles(run), similar, published_canonical(state.published))
        canonical_ids = pa.array(
            sorted(set(run["article_id"].to_pylist()) - set(links)), pa.string()
        )
        return DuplicateDecision(links, bands.filter(pc.is_in(bands["article_id"], canonical_ids)))

    def tables(
        self, decision: DuplicateDecision, published: Collection[str], context: RunContext
    ) -> list[tuple[str, pa.Table]]:
        """The bands of the run's canonical articles that validation published: later runs
        match their new articles against them."""
        return band_files(decision.bands, published, context.run_id)

    def changes(self, decision: DuplicateDecision, facts: pa.Table) -> bool:
        return any(article_id in decision for article_id in facts["article_id"].to_pylist())

    def apply(self, decision: DuplicateDecision, batch: BatchTables, stats: Stats) -> BatchTables:
        ids = batch.articles["article_id"].to_pylist()
        links = [decision.links.get(article_id) for article_id in ids]
        if not any(links):
            return batch
        articles = batch.articles
        for name, values, kind in (
            ("duplicate_of", [link and link.canonical for link in links], pa.string()),
            ("duplicate_kind", [link and link.kind for link in links], pa.string()),
            ("duplicate_similarity", [link and link.similarity for link in links], pa.float32()),
        ):
            index = articles.schema.get_field_index(name)
            field_ = articles.schema.field(index)
            articles = articles.set_column(index, field_, pa.array(values, kind))
        return batch.replace(articles=articles)


# -- the run's bands ----------------------------------------------------------------------------


def band_rows(facts: pa.Table) -> pa.Table:
    """The minhash_bands rows of every article of `facts` that has a signature."""
    keys: list[int] = []
    ids: list[str] = []
    numbers: list[int] = []
    values: list[bytes] = []
    width = signatures.ROWS * 4
    for article_id, signature in zip(
        facts["article_id"].to_pylist(), facts["signature"].to_pylist(), strict=True
    ):
        if signature is None:
            continue
        for band, key in enumerate(signatures.band_keys(signature)):
            keys.append(key)
            ids.append(article_id)
            numbers.append(band)
            values.append(signature[band * width : (band + 1) * width])
    schema = minhash_bands_schema().arrow()
    return pa.table(
        {
            "band_key": pa.array(keys, pa.int64()),
            "article_id": pa.array(ids, pa.string()),
            "band": pa.array(numbers, pa.int32()),
            "band_values": pa.array(values, pa.binary()),
        },
        schema=schema,
    )


def partition_of(bands: pa.Table) -> pa.Array:
    """Each band row's partition: the top PREFIX_BITS bits of its 63-bit key."""
    return pc.shift_right(bands["band_key"], 63 - signatures.PREFIX_BITS)


def partition_folder(partition: int) -> str:
    return f"{MINHASH_BANDS}/{BAND_PARTITION}{partition:03d}"


def band_files(bands: pa.Table, kept: Collection[str], run_id: str) -> list[tuple[str, pa.Table]]:
    """The run's band rows of the articles in `kept` (those validation published) as files to
    commit: one per key partition, rows sorted by key."""
    bands = bands.filter(pc.is_in(bands["article_id"], pa.array(sorted(kept), pa.string())))
    partitions = partition_of(bands)
    return [
        (
            f"{partition_folder(number)}/part-{run_id}.parquet",
            bands.filter(pc.equal(partitions, number)).sort_by("band_key"),
        )
        for number in sorted(set(partitions.to_pylist()))
    ]


# -- the dataset's bands, one partition at a time -----------------------------------------------


@dataclass(frozen=True)
class PublishedBands:
    """The dataset's minhash_bands files by partition; read one partition at a time."""

    storage: Storage | None
    files: Mapping[int, Sequence[str]]

    def partition(self, number: int) -> pa.Table:
        schema = minhash_bands_schema().arrow()
        paths = self.files.get(number, ())
        if self.storage is None or not paths:
            return schema.empty_table()
        storage = self.storage
        return pa.concat_tables(storage.read_table(p, schema=schema) for p in paths)

    def signatures_of(self, article_ids: Collection[str]) -> dict[str, bytes]:
        """The whole signatures of these published articles, from their bands in every partition
        (a filtered read: only their rows are kept)."""
        if not article_ids or self.storage is None:
            return {}
        wanted = pa.array(sorted(article_ids), pa.string())
        found: dict[str, dict[int, bytes]] = defaultdict(dict)
        for paths in self.files.values():
            for path in paths:
                table = self.storage.read_table(path, columns=["article_id", "band", "band_values"])
                table = table.filter(pc.is_in(table["article_id"], wanted))
                for article_id, band, chunk in zip(
                    *(table[c].to_pylist() for c in ("article_id", "band", "band_values")),
                    strict=True,
                ):
                    found[article_id][band] = chunk
        return {
            article_id: b"".join(chunks[band] for band in range(signatures.BANDS))
            for article_id, chunks in found.items()
            if len(chunks) == signatures.BANDS
        }


# -- matching ---------------------------------------------------------------------------------


Similar = dict[str, dict[str, float]]  # article_id -> {matching article_id: estimated Jaccard}


def candidate_pairs(run_bands: pa.Table, published_bands: pa.Table) -> set[tuple[str, str]]:
    """Pairs (new article, other article) sharing a band key, within one partition: every pair
    of new articles in a bucket (both ways), and each new article with each published one."""
    run_ids = set(run_bands["article_id"].to_pylist())
    both = pa.concat_tables(
        [
            run_bands.select(["band_key", "article_id"]),
            published_bands.select(["band_key", "article_id"]),
        ]
    )
    if not both.num_rows:
        return set()
    grouped = both.group_by("band_key").aggregate([("article_id", "list")])
    members = grouped["article_id_list"]
    grouped = grouped.filter(pc.greater(pc.list_value_length(members), 1))
    pairs: set[tuple[str, str]] = set()
    for bucket in grouped["article_id_list"].to_pylist():
        distinct = set(bucket)
        for new in distinct & run_ids:
            pairs.update((new, other) for other in distinct if other != new)
    return pairs


def near_pairs(
    run: pa.Table, run_bands: pa.Table, published: PublishedBands, threshold: float
) -> Similar:
    """The run's articles' near-duplicate matches (estimate >= threshold), among themselves
    and with the dataset's canonical articles, found partition by partition."""
    partitions = partition_of(run_bands)
    pairs: set[tuple[str, str]] = set()
    for number in sorted(set(partitions.to_pylist())):
        mine = run_bands.filter(pc.equal(partitions, number))
        pairs |= candidate_pairs(mine, published.partition(number))
    own = dict(zip(run["article_id"].to_pylist(), run["signature"].to_pylist(), strict=True))
    others = published.signatures_of({other for _, other in pairs if other not in own})
    known = {**others, **{k: v for k, v in own.items() if v is not None}}
    similar: Similar = defaultdict(dict)
    for new, other in pairs:
        estimate = signatures.estimated_jaccard(known[new], known[other])
        if estimate >= threshold:
            similar[new][other] = estimate
    return dict(similar)


# -- the canonical copy -----------------------------------------------------------------------


@dataclass(frozen=True)
class NewArticle:
    article_id: str
    content_sha256: str
    published_at: datetime | None

    @property
    def order(self) -> tuple[bool, datetime | None, str]:
        """Canonical order: the earliest published_at first, undated last, then article_id."""
        return (self.published_at is None, self.published_at, self.article_id)


def _new_articles(run: pa.Table) -> list[NewArticle]:
    columns = run.select(["article_id", "content_sha256", "published_at"]).to_pydict()
    return [
        NewArticle(*values)
        for values in zip(
            columns["article_id"], columns["content_sha256"], columns["published_at"], strict=True
        )
    ]


def published_canonical(published: Iterable[tuple[str, str, str | None]]) -> dict[str, str]:
    """content_sha256 -> the published canonical article of that body (the smallest id when
    several are, as earlier versions chose)."""
    canonical: dict[str, str] = {}
    for article_id, digest, duplicate_of in published:
        if duplicate_of is None:
            current = canonical.get(digest)
            canonical[digest] = min(current, article_id) if current else article_id
    return canonical


def choose_canonical(
    new: Iterable[NewArticle],
    similar: Mapping[str, Mapping[str, float]],
    published: Mapping[str, str],
) -> dict[str, Link]:
    """Each new non-canonical article's link, taking the articles in canonical order.

    new: this run's articles. similar: their near matches (new and published article ids, which
    are canonical: the bands table holds canonical articles only). published: content_sha256 ->
    published canonical article_id.
    """
    by_body = dict(published)
    canonical = {article_id for matches in similar.values() for article_id in matches}
    canonical -= {article.article_id for article in new}
    links: dict[str, Link] = {}
    for article in sorted(new, key=lambda a: a.order):
        twin = by_body.get(article.content_sha256)
        if twin is not None:
            links[article.article_id] = Link(twin, EXACT, 1.0)
            continue
        matches = [
            (similarity, other)
            for other, similarity in similar.get(article.article_id, {}).items()
            if other in canonical
        ]
        if matches:
            similarity, other = min(matches, key=lambda match: (-match[0], match[1]))
            links[article.article_id] = Link(other, NEAR, similarity)
            continue
        canonical.add(article.article_id)
        by_body[article.content_sha256] = article.article_id
    return links


def find_duplicates(
    new: Iterable[tuple[str, str]],
    published: Iterable[tuple[str, str, str | None]] = (),
) -> dict[str, str]:
    """Exact duplicates alone, by ids and hashes (no dates, no signatures): new non-canonical
    article_id -> canonical article_id."""
    articles = [NewArticle(article_id, digest, None) for article_id, digest in new]
    links = choose_canonical(articles, {}, published_canonical(published))
    return {article_id: link.canonical for article_id, link in links.items()}
