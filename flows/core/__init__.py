"""Definitions every layer shares: the records that flow between stages, the table schemas,
the run settings, the storage layer every read and write goes through, and where the data files are."""
