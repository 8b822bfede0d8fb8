"""The README's schema tables are the schema files' (regenerate with python -m flows.core.schema)."""

from __future__ import annotations

import re

from conftest import REPO

from flows.core.schema import readme_schema_section


def test_readme_schema_tables_match_the_schema_files() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- schema:begin[^>]*-->\n(.*?)<!-- schema:end -->", readme, re.S)
    assert match, "README.md lost its schema markers"
    assert match.group(1) == readme_schema_section()


def test_readme_shows_the_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
