"""The body residue patterns: boilerplate that must not stand in a published body.

Declared once, as the `body_boilerplate_residue` expectation of `expectations/articles.rows.json`
(the data contract): Great Expectations quarantines a row whose body one of them matches, and the
clean stage reads the same list to cut whatever it can before that (flows/stages/clean.py), so
only a row still wrong after cleaning is quarantined.

Each pattern is a regular expression searched in the whole body (GX's pandas backend runs
`Series.str.contains`: Python's `re.search`, or RE2 through pyarrow where pandas knows RE2 gives
the same answer), with `(?m)` so that `^` and `$` are line bounds. A pattern matches only where
boilerplate stands: a whole line, or a sentence glued to the end of the body; never a phrase
inside article prose. The expectation's `meta.kinds` names, pattern by pattern, the kind of junk
each one finds: GX hands a pattern to pandas as it is, pandas warns on capture groups and RE2
rejects comments, so the pattern itself cannot carry it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from flows.core.resources import expectations_dir

ROW_SUITE_FILE = "articles.rows.json"
RESIDUE_EXPECTATION = "body_boilerplate_residue"


class ResiduePatternError(ValueError):
    """The residue expectation's patterns cannot be used (not compiling, or without a kind)."""


@dataclass(frozen=True)
class ResiduePattern:
    kind: str  # the kind of junk, as the cleaner records removed spans (e.g. "see_also")
    pattern: re.Pattern[str]


def parse_residue_patterns(suite: Mapping[str, Any]) -> tuple[ResiduePattern, ...]:
    """The residue patterns of a row suite document (its JSON, parsed); none if it has no such
    expectation."""
    for expectation in suite.get("expectations") or []:
        meta = expectation.get("meta") or {}
        if meta.get("name") == RESIDUE_EXPECTATION:
            regex_list = (expectation.get("kwargs") or {}).get("regex_list")
            kinds = meta.get("kinds")
            if not _strings(regex_list) or not _strings(kinds) or len(kinds) != len(regex_list):
                raise ResiduePatternError(
                    f"{RESIDUE_EXPECTATION}: kwargs.regex_list and meta.kinds must be lists of "
                    "strings of the same length (the kind of each pattern)"
                )
            return tuple(_compile(kind, text) for kind, text in zip(kinds, regex_list, strict=True))
    return ()


def _strings(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _compile(kind: str, text: str) -> ResiduePattern:
    try:
        return ResiduePattern(kind, re.compile(text))
    except re.error as error:
        raise ResiduePatternError(
            f"{RESIDUE_EXPECTATION}: pattern {text[:60]!r} does not compile: {error}"
        ) from error


@functools.cache
def residue_patterns() -> tuple[ResiduePattern, ...]:
    """The bundled row suite's residue patterns (read once per process)."""
    path = expectations_dir() / ROW_SUITE_FILE
    return parse_residue_patterns(json.loads(path.read_text(encoding="utf-8")))
