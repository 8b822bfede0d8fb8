"""The dataset on disk: what it holds before a run (state), Parquet tables, the crash-safe commit
journal, the run lock and compaction."""
