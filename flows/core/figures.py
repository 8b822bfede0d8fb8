"""The names of the figures a run counts into its `Stats` (flows/core/stats.py), declared once.

Batches, whole-run steps and publishing count under these names; the run summary reads them. A
misspelled name is then an error where it is written (an unknown attribute), not a silent zero in
the report.
"""

from __future__ import annotations

# -- counted by each batch (flows/orchestration/batch.py) --------------------------------------
DOCUMENTS = "documents"  # new inputs processed (not known from an earlier run, not a repeat)
ALREADY_PROCESSED = "already_processed"  # inputs whose bytes an earlier run processed
REPEATS_IN_BATCH = "repeats_in_batch"  # inputs with the same bytes as an earlier one of the batch
ARTICLES_STAGED = "articles_staged"  # documents that became an article row
REJECTED = "rejected"  # documents that became a quarantine row while processing
RECORDS_SKIPPED = "records_skipped"  # tally: container records that are not documents, by why

# -- counted while publishing (flows/orchestration/publish.py) ---------------------------------
QUARANTINE_REASONS = "quarantine_reasons"  # tally: processing and validation rejections, by reason
BOILERPLATE_REMOVED = "boilerplate_removed"  # tally: spans removed from the staged rows, by kind
REPEATED_INPUTS = "repeated_inputs"  # inputs recorded as repeats of another input of the run
PUBLISHED = "published"  # rows that passed validation
DUPLICATES = "duplicates"  # of those, rows flagged as a duplicate of another article
STORY_ARTICLES = "story_articles"  # tally: the run's articles in a multi-article story, by story
DUPLICATE_KINDS = "duplicate_kinds"  # tally: those duplicates by duplicate_kind (exact, near)
VALIDATION_QUARANTINED = "validation_quarantined"  # rows that failed a row expectation
PUBLISHED_ROWS = "published_rows"  # prefix of the published rows' statistics (RowStats)

# -- timers: Stats.seconds, the run summary's `stage_seconds` (wall time, a plain clock) --------
# The per-document stages time themselves under their names (flows/stages/process.py) and each
# whole-run step under its name (its facts in the batches, its decision, its apply pass).
READ_SECONDS = "read"  # batches reading and decoding their inputs
STAGE_SECONDS = "stage"  # batches building their tables and writing them to staging
VALIDATE_SECONDS = "validate"  # the validation units through the expectation suites
PUBLISH_SECONDS = "publish"  # validated files staged for the commit, and the commit
REPORTS_SECONDS = "reports"  # validation.json and the Data Docs (the summary is written after)
