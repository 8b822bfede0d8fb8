"""Writing the dataset: Parquet tables, the crash-safe commit journal, the run lock and compaction."""
