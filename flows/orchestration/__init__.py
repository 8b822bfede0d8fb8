"""Running the pipeline: batches of documents, isolated worker processes with a time limit,
task runners, progress, publishing and the Prefect serve loop."""
