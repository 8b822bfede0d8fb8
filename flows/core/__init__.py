"""Definitions every layer shares: the records that flow between stages, the typed rows of the
dataset's tables, the table schemas, the run settings, the counters (stats), the storage layer
every read and write goes through, and where the data files are."""
