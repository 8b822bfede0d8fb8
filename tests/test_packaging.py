"""An installed wheel (not only the checkout) finds the schema and the expectation suites."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_wheel_carries_schemas_and_expectations_and_finds_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("newsclean-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "flows/_data/schemas/articles.v1.json" in names
    assert "flows/_data/expectations/articles.rows.json" in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (
        "import flows.core.resources as r, flows.core.schema as s; "
        "print(r.schemas_dir()); print(r.expectations_dir()); print(len(s.articles_schema().columns))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # not the checkout: only the installed copy can be found
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    schemas, expectations, columns = result.stdout.split()
    assert schemas.startswith(str(target)) and expectations.startswith(str(target))
    assert int(columns) > 20
