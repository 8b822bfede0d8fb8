"""Locate the schema and expectation files, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # flows/


def _data_dir(name: str) -> Path:
    # A wheel carries the top-level folders inside the package as _data/<name>; a checkout or an
    # editable install reads them where they live, beside flows/.
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"newsclean's {name}/ folder is missing from the installation")


def schemas_dir() -> Path:
    return _data_dir("schemas")


def expectations_dir() -> Path:
    return _data_dir("expectations")
