"""Where things live in an output folder, and how runs are named: defined once, here.

<output>/articles/ingested_month=YYYY-MM/part-<run_id>-NNNNN.parquet   published rows
<output>/quarantine/ingested_month=YYYY-MM/...                         rejected inputs
<output>/inputs/part-<run_id>.parquet                                  processed-input state
<output>/stories/event_month=YYYY-MM/part-<run_id>.parquet             story index (signatures)
<output>/story_terms/part-<run_id>.parquet                             story term frequencies
<output>/story_links/part-<run_id>.parquet                             stories merged later
<output>/minhash_bands/key_prefix=NNN/part-<run_id>.parquet            near-duplicate LSH bands
<output>/reports/<run_id>/                                             each run's report
<output>/_commits/<run_id>.json                                        commit journals
<output>/.staging/<run_id>/                                            a run before its commit
"""

from __future__ import annotations

import secrets
from datetime import datetime

# Tables: each is a folder of Parquet files named after its schema (schemas/<table>.v1.json).
ARTICLES = "articles"
QUARANTINE = "quarantine"
INPUTS = "inputs"
STORIES = "stories"
STORY_TERMS = "story_terms"
STORY_LINKS = "story_links"
MINHASH_BANDS = "minhash_bands"
TABLES = (ARTICLES, QUARANTINE, INPUTS, MINHASH_BANDS, STORIES, STORY_TERMS, STORY_LINKS)

REPORTS_DIR = "reports"
COMMITS_DIR = "_commits"
STAGING_DIR = ".staging"

RUN_ID_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


def new_run_id(now: datetime, kind: str | None = None) -> str:
    """A sortable, unique run id: UTC start time, the kind of job unless a run, a random suffix.

    "20261129T081500Z-3fa2c1" for a run, "20261129T081500Z-compact-3fa2c1" for a compaction.
    """
    middle = f"-{kind}" if kind else ""
    return f"{now:{RUN_ID_TIME_FORMAT}}{middle}-{secrets.token_hex(3)}"
