"""The package's import graph against its declared layers (scripts/architecture.py)."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _architecture() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture", ROOT / "scripts/architecture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["architecture"] = module
    spec.loader.exec_module(module)
    return module


arch = _architecture()


def test_every_package_of_flows_is_in_a_layer() -> None:
    packages = {arch.package_of(module) for module in arch.modules()}
    assert packages == set(arch.LAYER_OF), "declare new folders in LAYERS, or drop stale ones"


def test_no_import_cycle() -> None:
    assert arch.cycles(arch.imports()) == []


def test_no_import_goes_up_a_layer_or_across_one() -> None:
    assert arch.layer_violations(arch.imports()) == []


def test_every_import_inside_a_function_says_why() -> None:
    assert arch.uncommented_local_imports() == []


def test_the_drawing_in_the_docs_is_the_code() -> None:
    assert arch.drawn_diagram() == arch.mermaid(), (
        "run: python scripts/architecture.py --write-docs"
    )


def test_the_docs_and_readme_name_every_folder() -> None:
    docs = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in arch.LAYER_OF:
        if package in ("flows",):
            continue
        name = package.replace(".", "/") + (
            "/" if (ROOT / package.replace(".", "/")).is_dir() else ".py"
        )
        assert f"`{name}`" in docs, name
        assert name.removeprefix("flows/") in readme, name


# The checks themselves must be able to fail: a throwaway package with each fault.
def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    _write(
        tmp_path,
        {
            "flows/__init__.py": "",
            "flows/core/__init__.py": "",
            "flows/core/records.py": "X = 1\n",
            "flows/stages/__init__.py": "",
            "flows/stages/clean.py": "from flows.core.records import X\n",
            "flows/quality/__init__.py": "",
            "flows/quality/report.py": "from flows.core import records\n",
        },
    )
    return tmp_path


def test_a_clean_fake_package_passes(fake: Path) -> None:
    found = arch.imports(fake)
    assert {(i.source, i.target) for i in found} == {
        ("flows.stages.clean", "flows.core.records"),
        ("flows.quality.report", "flows.core.records"),
    }
    assert arch.cycles(found) == [] and arch.layer_violations(found) == []


def test_an_upward_import_is_found(fake: Path) -> None:
    _write(fake, {"flows/core/records.py": "from flows.stages import clean\n"})
    found = arch.imports(fake)
    assert any("up a layer" in problem for problem in arch.layer_violations(found))
    assert arch.cycles(found) == [["flows.core.records", "flows.stages.clean"]]


def test_an_import_across_one_layer_is_found(fake: Path) -> None:
    _write(fake, {"flows/stages/clean.py": "from flows.dataset import x\n"})
    _write(fake, {"flows/dataset/__init__.py": "", "flows/dataset/x.py": ""})
    problems = arch.layer_violations(arch.imports(fake))
    assert problems == ["flows.stages.clean:1 imports flows.dataset.x (across one layer)"]


def test_a_folder_in_no_layer_is_found(fake: Path) -> None:
    _write(
        fake,
        {"flows/extras/__init__.py": "", "flows/extras/y.py": "from flows.core import records\n"},
    )
    assert "flows.extras is in no layer (declare it in LAYERS)" in arch.layer_violations(
        arch.imports(fake)
    )


def test_a_local_import_without_a_comment_is_found(fake: Path) -> None:
    _write(
        fake,
        {
            "flows/stages/clean.py": """\
                def f():
                    import json

                    return json


                def g():
                    # Imported here: costly, and g is rarely called.
                    import csv
                    import zlib

                    return csv, zlib
                """
        },
    )
    assert arch.uncommented_local_imports(fake) == [
        "flows.stages.clean:2 imports json inside a function without a comment saying why"
    ]
