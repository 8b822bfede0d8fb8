"""The Prefect flow: the run's steps, in the order they happen. No cleaning logic lives here.

    lock (and finish a killed run's commit) -> check the layout -> discover inputs
    -> read the dataset's state -> plan batches -> process batches (a mapped task)
    -> each whole-run step decides over the run (flows/run_steps: repeated inputs, repeated
       lines, duplicates, stories) -> publish: apply the decisions, validate and stage each unit
    -> commit -> report -> dataset card

Usage from Python:

    from flows.pipeline import clean_articles
    summary = clean_articles(inputs=["data/sample"], output="output")
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flows import __version__
from flows.core.layout import new_run_id
from flows.core.settings import apply_prefect_defaults

apply_prefect_defaults()  # before Prefect is imported: its settings are read at import

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import PrefectFuture, as_completed  # noqa: E402
from prefect.task_runners import TaskRunner  # noqa: E402

from flows.core.figures import PUBLISH_SECONDS  # noqa: E402
from flows.core.records import RunContext  # noqa: E402
from flows.core.settings import NEAR_DUPLICATE_THRESHOLD, RunConfig  # noqa: E402
from flows.core.stats import Stats  # noqa: E402
from flows.core.storage import Storage  # noqa: E402
from flows.dataset import commit  # noqa: E402
from flows.dataset.lock import RunLock  # noqa: E402
from flows.dataset.state import DatasetState, check_layout, dataset_state  # noqa: E402
from flows.orchestration import progress  # noqa: E402
from flows.orchestration.batch import (  # noqa: E402
    BatchResult,
    BatchSettings,
    BatchSpec,
    load_known_inputs,
    plan_batches,
    run_batch,
    save_known_inputs,
)
from flows.orchestration.isolation import release_workers  # noqa: E402
from flows.orchestration.publish import (  # noqa: E402
    Published,
    commit_run,
    publish_run,
    stage_step_tables,
)
from flows.orchestration.runners import make_task_runner  # noqa: E402
from flows.quality.card import write_card  # noqa: E402
from flows.quality.report import RunSummary, write_reports  # noqa: E402
from flows.quality.validate import ValidationSettings  # noqa: E402
from flows.readers import discover  # noqa: E402
from flows.run_steps import RUN_STEPS, configured  # noqa: E402
from flows.run_steps.base import RunStep, StagedBatch  # noqa: E402
from flows.run_steps.passes import RunFacts, Steps, apply_pass, remeasure  # noqa: E402
from flows.stages import block_model, line_model  # noqa: E402
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
    steps: Steps,
) -> BatchResult:
    storage = Storage(output)
    return run_batch(
        spec,
        context=context,
        settings=settings,
        storage=storage,
        staging=staging,
        steps=steps,
        known_inputs=load_known_inputs(storage, known_inputs_file),
    )


@task(name="remeasure-batch", cache_policy=NO_CACHE, persist_result=False)
def remeasure_batch(
    staged: StagedBatch, steps: Steps, decisions: list[Any], output: str
) -> dict[str, Any]:
    return remeasure(Storage(output), staged, steps, decisions)


@task(name="publish", cache_policy=NO_CACHE, persist_result=False)
def publish(
    staged: list[StagedBatch],
    steps: Steps,
    decisions: list[Any],
    known_ids: set[str],
    output: str,
    staging: str,
    context: RunContext,
    config: RunConfig,
) -> tuple[Published, Stats]:
    """One pass over the staged batches: apply every step's decision, validate and stage units."""
    storage = Storage(output)
    stats = Stats()
    published = publish_run(
        apply_pass(storage, staged, steps, decisions, stats),
        storage=storage,
        staging=staging,
        context=context,
        known_ids=known_ids,
        stats=stats,
        validation_settings=ValidationSettings(
            languages=tuple(config.languages), max_quarantine_share=config.max_quarantine_share
        ),
    )
    if published.ok:  # what the steps keep for later runs goes into the same commit
        stage_step_tables(storage, staging, steps, decisions, published, context)
    return published, stats


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
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD,
    full_refresh: bool = False,
    fast_extraction: bool = False,
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
    # The version names the block model too: rows of another model are another pipeline.
    context = RunContext(new_run_id(started), started, pipeline_version(config))
    storage = Storage(config.output)
    with RunLock(storage):
        recovered = commit.recover(storage)  # a run killed while publishing: finish its commit
        try:
            return _run(config, context, storage, recovered)
        finally:
            progress.finish()
            release_workers()  # also when a batch failed: the warm children are a run's
            commit.discard_staging(storage, context.run_id)


def pipeline_version(config: RunConfig) -> str:
    """The version a run's rows carry: newsclean's, the block model's (HTML), the line model's
    (plain text), and `fast` when trafilatura ran without its fallbacks (rows of other settings
    are another pipeline)."""
    version = f"{__version__}+{block_model.model_tag()}.{line_model.model_tag()}"
    return f"{version}.fast" if config.fast_extraction else version


def _run(
    config: RunConfig, context: RunContext, storage: Storage, recovered: list[str]
) -> dict[str, Any]:
    """The run's steps, in order."""
    staging = commit.staging_path(context.run_id)
    check_layout(storage, full_refresh=config.full_refresh)
    files, skipped = discover(config.inputs)
    # A full refresh replaces everything: nothing of the old state counts, so none is read.
    state = DatasetState() if config.full_refresh else dataset_state(storage)
    batches = plan_batches(
        files,
        config.workers,
        config.batch_size,
        max_document_bytes=int(config.max_document_mb * 1024 * 1024),
    )
    stats = Stats()
    steps = configured(RUN_STEPS, config.near_duplicate_threshold)
    with make_task_runner(config.task_runner, config.workers, config.dask_address) as runner:
        done = _process_batches(runner, batches, steps, config, context, state, staging, len(files))
        stats += Stats.total(result.stats for result in done)
        facts = RunFacts(steps, [(result.staged, result.facts) for result in done])
        decisions: list[Any] = []
        for step in steps:  # each whole-run step, in order
            with stats.timer(step.name):
                decisions.append(
                    _decide(step, steps, facts, decisions, state, runner, config.output)
                )
    known_ids = state.article_ids | {i for result in done for i in result.article_ids}
    staged = [result.staged for result in done]
    published, counted = publish(
        staged, steps, decisions, known_ids, config.output, staging, context, config
    )
    stats += counted
    if published.ok:  # all or nothing: a unit that broke the data contract stops the commit
        with stats.timer(PUBLISH_SECONDS):
            commit_run(
                storage, context.run_id, published.moves, replace_existing=config.full_refresh
            )
    summary = RunSummary.build(
        context=context,
        config=config,
        files=len(files),
        skipped=skipped,
        stats=stats,
        batch_failures=published.batch_failures,
        validation_results=published.validation_results,
        finished_at=datetime.now(UTC),
        recovered_commits=recovered,
    )
    # Also when the run failed: the report says why, the card describes what is there.
    write_reports(summary, published.validation_results, storage)
    write_card(storage)
    return summary.as_dict()


def _process_batches(
    runner: TaskRunner[Any],
    batches: Sequence[BatchSpec],
    steps: Steps,
    config: RunConfig,
    context: RunContext,
    state: DatasetState,
    staging: str,
    total_files: int,
) -> list[BatchResult]:
    """The process-batch task mapped over the batches; their results in batch order."""
    storage = Storage(config.output)
    known_file = (
        save_known_inputs(state.known_inputs, storage, f"{staging}/known_inputs.parquet")
        if state.known_inputs
        else None
    )
    settings = BatchSettings(
        document_timeout_seconds=config.document_timeout,
        max_document_bytes=int(config.max_document_mb * 1024 * 1024),
        process=ProcessSettings(ExtractionSettings(fast=config.fast_extraction)),
    )
    progress.start(total_files=total_files)
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
                "steps": steps,
            },
        )
        for spec in batches
    ]
    results: list[BatchResult] = []
    for future in as_completed(futures):
        result = future.result()
        results.append(result)
        progress.advance(batches[result.index].files_completed)
    progress.finish()
    # Every batch is done: the warm children would only hold memory through publishing.
    release_workers()
    return sorted(results, key=lambda r: r.index)


def _decide(
    step: RunStep[Any, Any],
    steps: Steps,
    facts: RunFacts,
    decisions: list[Any],
    state: DatasetState,
    runner: TaskRunner[Any],
    output: str,
) -> Any:
    """One whole-run step's decision over every batch's facts. Batches an earlier step changed
    are measured again first (the remeasure-batch task, mapped over them)."""
    stale = facts.stale()
    futures = [
        runner.submit(
            remeasure_batch,
            parameters={
                "staged": batch,
                "steps": steps,
                "decisions": list(decisions),
                "output": output,
            },
        )
        for batch in stale
    ]
    for batch, future in zip(stale, futures, strict=True):
        facts.remeasured(batch, future.result())
    decision = step.decide(facts.of(step), state)
    facts.decided(step, decision)
    return decision


if __name__ == "__main__":
    print(clean_articles(inputs=[os.environ.get("NEWSCLEAN_INPUT", "data/sample")]))
