"""Definitions every layer shares: the records that flow between stages, the typed rows of the
dataset's tables, the table schemas, the run settings, the storage layer every read and write goes
through, where the data files are, the counters a run keeps (stats, and the names of its figures)
and the text measures (word count, content hash) that stages and whole-run steps must compute
alike."""
