"""Extractors beside trafilatura whose verdicts the block model weighs (blocks.OTHER_EXTRACTORS).

Each returns the page's main text as it sees it, one block a line, or "" when it finds none or
fails: a second opinion must never stop a page.
"""

from __future__ import annotations

import logging
from copy import deepcopy

from lxml.html import HtmlElement, fromstring

from flows.stages.blocks import OTHER_EXTRACTORS, page_blocks

LOGGER = logging.getLogger(__name__)


def resiliparse_text(html: str) -> str:
    """resiliparse's main-content text (its own C++ parser over the page's HTML)."""
    # Imported in the worker only, as trafilatura is: the CLI's start-up does not pay for it.
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    try:
        return str(extract_plain_text(HTMLTree.parse(html), main_content=True))
    except Exception as error:  # a second opinion that fails is no opinion
        LOGGER.debug("resiliparse failed: %s", error)
        return ""


def readability_text(tree: HtmlElement) -> str:
    """readability's article (the fork trafilatura ships), cut into blocks as the page is."""
    # Imported in the worker only (see resiliparse_text).
    from trafilatura.readability_lxml import Document

    try:
        # readability prunes the tree it reads: it gets a copy.
        summary = Document(deepcopy(tree), min_text_length=25).summary()
        if not summary.strip():
            return ""
        return "\n".join(block.text for block in page_blocks(fromstring(summary)))
    except Exception as error:  # see resiliparse_text
        LOGGER.debug("readability failed: %s", error)
        return ""


def other_texts(html: str, tree: HtmlElement) -> list[str]:
    """The other extractors' texts for a page, in the order of blocks.OTHER_EXTRACTORS."""
    found = {"resiliparse": resiliparse_text(html), "readability": readability_text(tree)}
    return [found[name] for name in OTHER_EXTRACTORS]
