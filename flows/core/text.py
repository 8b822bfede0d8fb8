"""Text measures that a document's stages and the whole-run steps must compute the same way.

The metadata stage counts a body's words and the processing step hashes it; the repeated-lines
step changes bodies after that and recomputes both. One definition here keeps the two equal.
"""

from __future__ import annotations

import hashlib
import re

# Han (with extensions and compatibility), Hiragana, Katakana, Hangul: one word per character.
CJK_CHAR = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
)
CJK_PATTERN = re.compile(f"[{CJK_CHAR}]")
# Other scripts: runs of letters/digits, joined by inner apostrophes, hyphens or decimal points.
WORD_PATTERN = re.compile(rf"[^\W_{CJK_CHAR}]+(?:['’.\-][^\W_{CJK_CHAR}]+)*")


def count_words(text: str) -> int:
    """Words in text: each CJK character is one word, other scripts count tokens."""
    return len(CJK_PATTERN.findall(text)) + len(WORD_PATTERN.findall(text))


def content_sha256(body: str) -> str:
    """Hash of the body with white space normalized: equal hashes mean the same text."""
    return hashlib.sha256(" ".join(body.split()).encode("utf-8")).hexdigest()
