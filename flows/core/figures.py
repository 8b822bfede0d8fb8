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
DUPLICATE_KINDS = "duplicate_kinds"  # tally: those duplicates by duplicate_kind (exact, near)
VALIDATION_QUARANTINED = "validation_quarantined"  # rows that failed a row expectation
PUBLISHED_ROWS = "published_rows"  # prefix of the published rows' statistics (RowStats)
