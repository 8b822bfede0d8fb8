"""The Prefect flow: wires the stages together over batches. No cleaning logic lives here.

    discover inputs -> shard into batches -> process_batch (mapped, in parallel)
                    -> publish (dedup over the run, validate, move into place) -> report

Usage from Python:

    from flows.pipeline import clean_articles
    summary = clean_articles(inputs=["data/sample"], output="output")
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flows import __version__
from flows.core.layout import new_run_id
from flows.core.settings import apply_prefect_defaults

apply_prefect_defaults()  # before Prefect is imported: its settings are read at import

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import PrefectFuture, as_completed  # noqa: E402

from flows.core.records import RunContext  # noqa: E402
from flows.core.settings import RunConfig  # noqa: E402
from flows.core.storage import Storage  # noqa: E402
from flows.dataset import commit  # noqa: E402
from flows.dataset.lock import RunLock  # noqa: E402
from flows.orchestration import progress  # noqa: E402
from flows.orchestration.batch import (  # noqa: E402
    BatchResult,
    BatchSettings,
    BatchSpec,
    plan_batches,
    run_batch,
    save_known_inputs,
)
from flows.orchestration.publish import (  # noqa: E402
    DatasetState,
    PublishResult,
    check_layout,
    dataset_state,
    publish_run,
)
from flows.orchestration.runners import make_task_runner  # noqa: E402
from flows.quality.card import write_card  # noqa: E402
from flows.quality.report import RunSummary, write_reports  # noqa: E402
from flows.readers import discover  # noqa: E402
from flows.stages.document import ProcessSettings  # noqa: E402
from flows.stages.extract import ExtractionSettings  # noqa: E402


@task(name="process-batch", cache_policy=NO_CACHE, persist_result=False)
def process_batch(
    spec: BatchSpec,
    context: RunContext,
    settings: BatchSettings,
    output: str,
    staging: str,
    known_inputs_file: str | None,
) -> BatchResult:
    from flows.orchestration.batch import load_known_inputs

    storage = Storage(output)
    known = load_known_inputs(storage, known_inputs_file)
    return run_batch(
        spec,
        context=context,
        settings=settings,
        storage=storage,
        staging=staging,
        known_inputs=known,
    )


@task(name="publish", cache_policy=NO_CACHE, persist_result=False)
def publish(
    results: list[BatchResult],
    output: str,
    staging: str,
    context: RunContext,
    config: RunConfig,
    published: list[Any],
) -> PublishResult:
    from flows.quality.validate import ValidationSettings

    validation = ValidationSettings(
        languages=tuple(config.languages), max_quarantine_share=config.max_quarantine_share
    )
    return publish_run(
        [r.staged_articles for r in results if r.staged_articles],
        [r.staged_quarantine for r in results if r.staged_quarantine],
        [r.staged_inputs for r in results if r.staged_inputs],
        storage=Storage(output),
        staging=staging,
        context=context,
        validation_settings=validation,
        published=published,
        replace_existing=config.full_refresh,
    )


@flow(name="clean-articles", log_prints=False, validate_parameters=True)
def clean_articles(
    inputs: list[str] | None = None,
    output: str = "output",
    workers: int | None = None,
    batch_size: int | None = None,
    document_timeout: float = 60.0,
    max_document_mb: float = 5.0,
    languages: list[str] | None = None,
    max_quarantine_share: float = 0.5,
    full_refresh: bool = False,
    task_runner: str = "threads",
    dask_address: str | None = None,
) -> dict[str, Any]:
    """Clean the scrapes under `inputs` into the Parquet dataset under `output`.

    Returns the run summary (also written to output/reports/<run_id>/summary.json). The
    parameters are RunConfig's options (a test keeps them equal); see its help texts.
    """
    # First line, so locals() is exactly the parameters. Checked here unless the command line
    # already checked them and handed them over.
    config = RunConfig.for_flow_run(**locals())
    started = datetime.now(UTC).replace(microsecond=0)
    context = RunContext(new_run_id(started), started, __version__)
    storage = Storage(config.output)
    staging = commit.staging_path(context.run_id)
    with RunLock(storage):
        recovered = commit.recover(storage)  # a run killed while publishing: finish its commit
        try:
            return _run(config, context, storage, staging, recovered)
        finally:
            progress.finish()
            commit.discard_staging(storage, context.run_id)


def _run(
    config: RunConfig,
    context: RunContext,
    storage: Storage,
    staging: str,
    recovered: list[str],
) -> dict[str, Any]:
    check_layout(storage, full_refresh=config.full_refresh)
    files, skipped = discover(config.inputs)
    # A full refresh replaces everything: nothing of the old state counts, so none is read.
    state = DatasetState() if config.full_refresh else dataset_state(storage)
    known_file = (
        save_known_inputs(state.known_inputs, storage, f"{staging}/known_inputs.parquet")
        if state.known_inputs
        else None
    )
    batches = plan_batches(
        files,
        config.workers,
        config.batch_size,
        max_document_bytes=int(config.max_document_mb * 1024 * 1024),
    )
    settings = BatchSettings(
        document_timeout_seconds=config.document_timeout,
        max_document_bytes=int(config.max_document_mb * 1024 * 1024),
        process=ProcessSettings(ExtractionSettings()),
    )
    progress.start(total_files=len(files))
    runner = make_task_runner(config.task_runner, config.workers, config.dask_address)
    results: list[BatchResult] = []
    with runner:
        futures: list[PrefectFuture[BatchResult]] = [
            runner.submit(
                process_batch,
                parameters={
                    "spec": spec,
                    "context": context,
                    "settings": settings,
                    "output": config.output,
                    "staging": staging,
                    "known_inputs_file": known_file,
                },
            )
            for spec in batches
        ]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            progress.advance(batches[result.index].files_completed)
    progress.finish()
    results.sort(key=lambda r: r.index)
    published_result = publish(results, config.output, staging, context, config, state.published)
    summary = RunSummary.build(
        context=context,
        config=config,
        files=len(files),
        skipped=skipped,
        batches=results,
        published=published_result,
        finished_at=datetime.now(UTC),
        recovered_commits=recovered,
    )
    # Also when the run failed: the report says why, the card describes what is there.
    write_reports(summary, published_result.validation_results, storage)
    write_card(storage)
    return summary.as_dict()


if __name__ == "__main__":
    print(clean_articles(inputs=[os.environ.get("NEWSCLEAN_INPUT", "data/sample")]))
