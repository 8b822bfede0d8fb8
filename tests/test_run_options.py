"""The run declared once: RunConfig's options are the command line's, the flow's and prefect.yaml's,
and a run is checked once."""

from __future__ import annotations

import argparse
import ast
import contextlib
import inspect
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, SAMPLE_DIR

from flows.cli import validate as validate_command
from flows.cli.main import build_parser, main
from flows.cli.run import config_from_args
from flows.core import settings
from flows.core.settings import ConfigError, RunConfig, run_options

NAMES = [declared.name for declared in run_options()]


def _command(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return subparsers.choices[name]


def _action(parser: argparse.ArgumentParser, dest: str) -> argparse.Action:
    [action] = [a for a in parser._actions if a.dest == dest]
    return action


def _flow_parameters() -> dict[str, inspect.Parameter]:
    from flows.pipeline import clean_articles

    return dict(inspect.signature(clean_articles.fn, eval_str=True).parameters)


# -- one declaration, the same everywhere ----------------------------------------------------


def test_every_option_is_declared_with_help_and_a_check() -> None:
    assert NAMES == [
        "inputs",
        "output",
        "workers",
        "batch_size",
        "document_timeout",
        "max_document_mb",
        "languages",
        "max_quarantine_share",
        "near_duplicate_threshold",
        "full_refresh",
        "fast_extraction",
        "task_runner",
        "dask_address",
    ]
    for declared in run_options():
        assert declared.help and callable(declared.check), declared.name
        assert declared.check.__name__ == f"check_{declared.name}"


def test_the_flow_signature_is_the_declaration() -> None:
    parameters = _flow_parameters()
    assert list(parameters) == NAMES
    for declared in run_options():
        parameter = parameters[declared.name]
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert parameter.default == declared.default, declared.name
        assert parameter.annotation == declared.parameter_type, declared.name


def test_parameter_types_are_what_a_caller_passes() -> None:
    by_name = {declared.name: declared for declared in run_options()}
    # a tuple in the config is a list in the call; None means "decided by the check"
    assert by_name["inputs"].parameter_type == list[str] | None
    assert by_name["workers"].parameter_type == int | None
    assert by_name["batch_size"].parameter_type == int | None
    assert by_name["document_timeout"].parameter_type is float
    assert by_name["full_refresh"].parameter_type is bool


@pytest.mark.parametrize("command", ["run", "serve"])
def test_the_command_line_options_are_the_declaration(command: str) -> None:
    parser = _command(command)
    for declared in run_options():
        action = _action(parser, declared.name)
        assert tuple(action.option_strings) == declared.flags, declared.name
        assert action.default == declared.default, declared.name
        assert action.help == declared.help, declared.name
        assert action.choices == declared.choices, declared.name
        if declared.type is not bool:
            assert action.metavar == declared.metavar, declared.name


def test_serve_takes_the_run_options_and_its_own() -> None:
    run = {a.dest for a in _command("run")._actions}
    serve = {a.dest for a in _command("serve")._actions}
    assert serve - run == {"cron", "name", "server_timeout"}
    assert run - serve == set()  # also --json and --no-progress, accepted and not advertised


def test_the_command_line_defaults_are_the_declared_defaults() -> None:
    args = _command("run").parse_args([])
    assert config_from_args(args) == RunConfig.build()
    assert config_from_args(args).inputs == (settings.DEFAULT_INPUT,)


def test_command_line_values_are_parsed_as_declared(tmp_path: Path) -> None:
    options = ["-w", "3", "--batch-size", "7", "--document-timeout", "1.5", "--full-refresh"]
    args = _command("run").parse_args(
        [str(SAMPLE_DIR), "-o", str(tmp_path), *options, "--languages", "DE, en,de"]
    )
    config = config_from_args(args)
    assert config.inputs == (str(SAMPLE_DIR),)
    assert (config.workers, config.batch_size, config.document_timeout) == (3, 7, 1.5)
    assert config.languages == ("de", "en")
    assert config.full_refresh is True
    assert config.fast_extraction is False
    fast = config_from_args(_command("run").parse_args(["--fast-extraction"]))
    assert fast.fast_extraction is True


def test_validate_parses_and_checks_languages_as_run_does() -> None:
    run_args = _command("run").parse_args(["--languages", "EN, de"])
    validate_args = _command("validate").parse_args(["--languages", "EN, de"])
    assert validate_command.check_languages(validate_args.languages) == (
        config_from_args(run_args).languages
    )


def test_flow_parameters_cover_every_option_and_check_to_the_same_config(tmp_path: Path) -> None:
    config = RunConfig.build(
        inputs=[str(SAMPLE_DIR)], output=str(tmp_path), languages=["DE", "en"], batch_size=4
    )
    parameters = config.flow_parameters()
    assert list(parameters) == NAMES
    assert parameters["inputs"] == [str(SAMPLE_DIR)] and parameters["languages"] == ["de", "en"]
    # checking a checked config changes nothing: what makes taking it without a check safe
    assert RunConfig.build(**parameters) == config
    json.dumps(parameters)  # Prefect stores them as JSON


def test_prefect_yaml_gives_every_option_a_value_that_passes_its_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)  # its paths are relative to the folder `prefect deploy` runs in
    document = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = document["deployments"]
    parameters = deployment["parameters"]
    assert list(parameters) == NAMES
    for declared in run_options():
        declared.check(parameters[declared.name])
    assert RunConfig.build(**parameters).workers == 2  # the deployment's own choice (see comment)
    assert deployment["entrypoint"] == "flows/pipeline.py:clean_articles"


def test_the_readme_documents_every_run_option() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Running it\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    for declared in run_options():
        shown = ", ".join(declared.flags) if declared.flags else "INPUT ..."
        assert any(row.startswith(f"| `{shown}") for row in rows), declared.name


# -- the checks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"inputs": ["/definitely/not/here"]}, "input path does not exist: /definitely/not/here"),
        ({"inputs": ["nosuchproto://x"]}, "cannot read nosuchproto://x"),
        ({"batch_size": 0}, "--batch-size must be at least 1, got 0"),
        ({"max_document_mb": 0}, "--max-document-mb must be positive, got 0"),
        ({"max_quarantine_share": -0.1}, "--max-quarantine-share must be between 0 and 1"),
        ({"near_duplicate_threshold": 0}, "--near-duplicate-threshold must be in (0, 1], got 0"),
        ({"near_duplicate_threshold": 1.5}, "--near-duplicate-threshold must be in (0, 1]"),
        ({"languages": ["en", "eng"]}, "not eng"),
        ({"task_runner": "spark"}, "--task-runner must be one of threads, dask"),
        ({"output": "memory://x", "task_runner": "dask"}, "use it with --task-runner threads"),
    ],
)
def test_out_of_range_options_are_config_errors(parameters: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        RunConfig.build(**parameters)


def test_a_name_that_is_not_an_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a run option: worker"):
        RunConfig.build(worker=2)


def test_checks_give_the_config_its_values() -> None:
    config = RunConfig.build(
        inputs=(str(SAMPLE_DIR),), output="memory://bucket/news/", workers=None, dask_address=""
    )
    assert config.output == "memory://bucket/news"
    assert config.workers >= 1
    assert config.dask_address is None
    assert isinstance(config.document_timeout, float)


# -- checked once ------------------------------------------------------------------------------


@pytest.fixture
def input_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every input-existence check made, by input."""
    checked: list[str] = []
    original = settings.input_exists

    def counting(name: str) -> bool:
        checked.append(name)
        return original(name)

    monkeypatch.setattr(settings, "input_exists", counting)
    return checked


def test_a_handed_over_config_is_taken_without_a_check(input_checks: list[str]) -> None:
    config = RunConfig.build(inputs=[str(SAMPLE_DIR)], output="out")
    assert input_checks == [str(SAMPLE_DIR)]
    assert RunConfig.for_flow_run(**config.handover()) is config
    assert input_checks == [str(SAMPLE_DIR)]


def test_a_handover_serves_one_run(input_checks: list[str]) -> None:
    config = RunConfig.build(inputs=[str(SAMPLE_DIR)], output="out")
    parameters = config.handover()
    RunConfig.for_flow_run(**parameters)
    assert RunConfig.for_flow_run(**parameters) == config  # the second run checks for itself
    assert input_checks == [str(SAMPLE_DIR)] * 2


def test_parameters_nobody_handed_over_are_checked(input_checks: list[str]) -> None:
    RunConfig.build(inputs=[str(SAMPLE_DIR)], output="out").handover()
    config = RunConfig.for_flow_run(inputs=[str(SAMPLE_DIR)], output="elsewhere")
    assert config.output == "elsewhere"
    assert input_checks == [str(SAMPLE_DIR)] * 2
    with pytest.raises(ConfigError, match="input path does not exist"):
        RunConfig.for_flow_run(inputs=["/definitely/not/here"])


# -- layering ----------------------------------------------------------------------------------


def _flows_imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("flows")}


def test_settings_import_only_the_core() -> None:
    imports = _flows_imports(REPO / "flows" / "core" / "settings.py")
    assert all(name.startswith("flows.core.") for name in imports), imports


def test_orchestration_serve_gets_the_flow_from_its_caller() -> None:
    imports = _flows_imports(REPO / "flows" / "orchestration" / "serve.py")
    assert not {name for name in imports if name.startswith(("flows.pipeline", "flows.cli"))}
    from flows.orchestration.serve import serve_scheduled

    assert next(iter(inspect.signature(serve_scheduled).parameters)) == "flow"


# -- a real run ----------------------------------------------------------------------------------


@pytest.fixture
def one_input(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    first = sorted(SAMPLE_DIR.iterdir())[0]
    shutil.copy(first, folder / first.name)
    return folder


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_a_command_line_run_checks_its_inputs_once(
    one_input: Path, tmp_path: Path, input_checks: list[str]
) -> None:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["run", str(one_input), "-o", str(tmp_path / "out"), "--no-progress", "--json"])
    assert code == 0, stdout.getvalue()
    assert json.loads(stdout.getvalue())["published"] == 1
    assert input_checks == [str(one_input)]


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_a_python_call_of_the_flow_checks_its_inputs_once(
    one_input: Path, tmp_path: Path, input_checks: list[str]
) -> None:
    from flows.pipeline import clean_articles

    summary = clean_articles(inputs=[str(one_input)], output=str(tmp_path / "out"), workers=1)
    assert summary["published"] == 1
    assert input_checks == [str(one_input)]
    with pytest.raises(ConfigError, match="--workers must be at least 1"):
        clean_articles(inputs=[str(one_input)], output=str(tmp_path / "out"), workers=0)


def test_fast_extraction_rows_say_so_in_their_version() -> None:
    from flows.pipeline import pipeline_version  # imports Prefect: as the tests above, only here

    standard = pipeline_version(RunConfig.build())
    fast = pipeline_version(RunConfig.build(fast_extraction=True))
    assert fast != standard and fast.startswith(standard) and fast.endswith(".fast")


def test_rows_name_both_models_in_their_version() -> None:
    from flows.pipeline import pipeline_version  # imports Prefect: as the tests above, only here
    from flows.stages import block_model, line_model

    version = pipeline_version(RunConfig.build())
    assert block_model.model_tag() in version and line_model.model_tag() in version
    assert block_model.model_tag() != line_model.model_tag()
