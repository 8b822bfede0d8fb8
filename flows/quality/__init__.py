"""Data quality: the Great Expectations contract, the run report and the dataset card."""
