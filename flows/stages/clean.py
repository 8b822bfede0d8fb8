"""The cleaning stage: article paragraphs out of a scrape, every removed span kept with its kind.

The rules (flows/stages/boilerplate_rules.py) say what a junk line looks like; this module adds what a
single line cannot tell: where it sits. In order:

1. every non-empty line is tested against the position-free rules (see-also, credits, captions...);
2. a "Related" label pulls the headline-shaped lines under it into the related block;
3. the head: a plain-text scrape's first line is its title when it has a headline's shape, and
   bullet lines before the first body paragraph are highlights;
4. the tail: credits, bios and comment prompts cluster at the end, so there (and only there) a lone
   name, an organisation line or a bio paragraph is junk too;
5. junk glued to the last body line ("... later in the year. Reporting by X; Editing by Y Our
   standards: ...") is cut at a sentence boundary;
6. a dateline ("BEIJING (Reuters) -") is cut off the front of the first body paragraph;
7. text mode only, after the rules: the line model (flows/stages/line_model.py) scores every line of a
   whole-page text and the body lines outside the article's main block (or scoring under its
   floor) go as `non_article`, each with its score in the rule name;
8. last, the residue the data contract forbids (the `body_boilerplate_residue` patterns of the row
   suite, flows/core/residue.py) is cut from the finished body where it stands as a whole line or
   as the end of a line, so validation quarantines only a body still wrong after cleaning.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, replace

from flows.core.records import CleanedText, Rejection, RemovedSpan
from flows.core.residue import ResiduePattern, residue_patterns
from flows.stages import line_model as lineclass
from flows.stages.boilerplate_rules import (
    DATELINE_RULES,
    HIGHLIGHT_RULE,
    INLINE_JUNK_START,
    LINE_RULES,
    TAIL_RULES,
    TAIL_STARTER_KINDS,
    TITLE_RULE,
    Rule,
    first_match,
    is_headline_shaped,
)
from flows.stages.document import DocumentState, needs

# The rule name for a first line that repeats the headline the input gave.
TITLE_REPEAT_RULE = "title_repeat_v1"
# How far from the end a bio or name block may start: end blocks are a handful of lines.
TAIL_WINDOW = 20
# At most this many headline lines belong to one "Related" block.
RELATED_BLOCK_MAX = 12
# A bio goes on for a few sentences ("She covers ... She holds ..."); not for a whole article.
BIO_CONTINUATION_MAX = 8
# The rule name for a line or sentence that goes on the bio before it.
BIO_CONTINUATION_RULE = "bio_continuation_v1"
# At most this many sentences at the end of a line are tested as a glued tail.
GLUED_TAIL_MAX = 40
# Texts shorter than this (in non-empty lines) are not given to the line model: a scrape of a few
# paragraphs and a few junk lines (which the rules know) is not the whole web page its scores
# were learned on, and its widest window (15 lines each side) spans all of it. 5 dropped an
# article sentence of a 13-line scrape (tests/test_clean.py); 30 cost the trafilatura set's
# whole pages 0.003 to 0.009 F1 out of fold (docs/benchmarks.md, line_model_v4).
LINE_MODEL_MIN_LINES = 15
# The rule name of a span cut by the row suite's residue patterns (the span's kind is the pattern's).
RESIDUE_RULE = "body_residue_v1"
# A body holds a few residue spans at most; the bound keeps a pathological body from looping long.
RESIDUE_MAX_CUTS = 20

_SENTENCE_BREAK = re.compile(
    r"(?:[.!?…][\"'”’»)\]]*\s+(?=[\"“‘«(\[]?[A-Z0-9À-ÖØ-ÞА-ЯЁ©])|[。！？](?=\S))"
)
_THIRD_PERSON = re.compile(
    r"\b(?:she|he|they|her|his|their|sie|er|ihr|elle|il|ella|él|lei|lui|ela|ele|она|он)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Label:
    """Why a line or a sentence goes: its kind, the rule, and the text the span records."""

    kind: str
    rule: str
    text: str
    headline: str | None = None


def clean_text(text: str, *, content_kind: str = "text", title: str | None = None) -> CleanedText:
    """Split `text` into article paragraphs and removed spans (in document order).

    `content_kind` is "text" for a plain-text scrape, or "html" for text trafilatura extracted
    from a page (one block per line): a title is not guessed from its shape there. `title` is
    the headline the input already gave (HTML metadata, a JSONL field): a first line repeating
    it is the headline, not the article, in either kind.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    labels: list[_Label | None] = [_label_line(line) for line in lines]
    _label_related_blocks(lines, labels)
    _label_head(lines, labels, titled=content_kind == "text", known_title=title)
    _label_tail(lines, labels)
    if content_kind == "text":
        _label_off_article(lines, labels)
    result, ends = _assemble(lines, labels)
    return cut_residue(result, residue_patterns(), ends)


def stage(state: DocumentState) -> DocumentState | Rejection:
    """The clean stage: the extracted text's article paragraphs, or a rejection when none is left.

    Counts the spans it removed by kind ("spans_removed"), also of a document it then rejects.
    """
    extracted = needs(state.extracted, "extracted text")
    cleaned = clean_text(
        extracted.text, content_kind=extracted.content_kind, title=extracted.seed.title
    )
    state.stats.tally("spans_removed", [span.kind for span in cleaned.removed])
    if not cleaned.body.strip():
        detail = "nothing but boilerplate was found in the text"
        return state.reject("clean", "no_article_text", detail)
    return replace(state, cleaned=cleaned, removed=(*state.removed, *cleaned.removed))


# ---------------------------------------------------------------------------------------------
# Whole lines


def _label_for(rule: Rule, text: str) -> _Label:
    found = rule.match(text)
    headline = found.groupdict().get("headline") if found else None
    return _Label(rule.kind, rule.name, text, headline.strip() if headline else None)


def _label_line(line: str) -> _Label | None:
    rule = first_match(line, LINE_RULES)
    return _label_for(rule, line) if rule else None


def _label_related_blocks(lines: list[str], labels: list[_Label | None]) -> None:
    # "Related" / "Read more" on its own line heads a list of linked headlines.
    for i, label in enumerate(labels):
        if label is None or label.kind != "see_also" or label.headline is not None:
            continue
        taken = 0
        for j in range(i + 1, len(lines)):
            if labels[j] is not None:
                continue  # dates, categories, share buttons inside the block
            if taken >= RELATED_BLOCK_MAX or not _is_linked_headline(lines[j]):
                break
            labels[j] = _Label("see_also", "related_block_v1", lines[j], lines[j])
            taken += 1


def _is_linked_headline(line: str) -> bool:
    # Headlines run to a few words at least; a short line after "Related" may be a subheading.
    return is_headline_shaped(line) and len(line.split()) >= 4


def _body_indices(labels: list[_Label | None]) -> list[int]:
    return [i for i, label in enumerate(labels) if label is None]


# ---------------------------------------------------------------------------------------------
# The head: title and highlights


def _label_head(
    lines: list[str], labels: list[_Label | None], *, titled: bool, known_title: str | None = None
) -> None:
    body = _body_indices(labels)
    if len(body) < 2:
        return  # a lone line is the article, whatever its shape
    position = 0
    first = body[0]
    if known_title and _same_headline(lines[first], known_title):
        labels[first] = _Label("title", TITLE_REPEAT_RULE, lines[first])
        position = 1
    elif titled and not HIGHLIGHT_RULE.match(lines[first]) and TITLE_RULE.match(lines[first]):
        labels[first] = _Label("title", TITLE_RULE.name, lines[first])
        position = 1
    # Bullets count as highlights only when prose follows them: a list at the end is the article.
    bullets: list[int] = []
    for i in body[position:]:
        found = HIGHLIGHT_RULE.match(lines[i])
        if not found:
            break
        bullets.append(i)
    if not titled and bullets and not _after_summary_label(labels, bullets[0]):
        # Extracted HTML keeps lists as "- item" lines; only a "Summary" label makes them highlights.
        bullets = []
    if bullets and bullets[-1] != body[-1]:
        for i in bullets:
            found = HIGHLIGHT_RULE.match(lines[i])
            assert found is not None
            labels[i] = _Label("highlight", HIGHLIGHT_RULE.name, found.group("text").strip())


def _same_headline(line: str, title: str) -> bool:
    """The line repeats the known title, allowing a site name after it in either ("X | Site")."""
    a, b = _headline_key(line), _headline_key(title)
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return longer == shorter or (longer.startswith(shorter) and len(shorter) >= 0.6 * len(longer))


def _headline_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _after_summary_label(labels: list[_Label | None], index: int) -> bool:
    before = labels[index - 1] if index > 0 else None
    return before is not None and before.rule == "summary_label_v1"


# ---------------------------------------------------------------------------------------------
# The tail: credits, names, bios, comment prompts


def _tail_candidates(lines: list[str], labels: list[_Label | None]) -> dict[int, _Label]:
    """Lines near the end that are junk if (and only if) they sit in the end block."""
    candidates: dict[int, _Label] = {}
    bio_run = 0
    for i in range(max(0, len(lines) - TAIL_WINDOW), len(lines)):
        if labels[i] is not None:
            bio_run = 0
            continue
        rule = first_match(lines[i], TAIL_RULES)
        if rule is not None:
            candidates[i] = _label_for(rule, lines[i])
            bio_run = _bio_run_start(rule.name)
        elif _continues_bio(bio_run, lines[i]):
            # "She covers the State Department ...": the bio goes on in its own paragraph.
            candidates[i] = _Label("author_bio", BIO_CONTINUATION_RULE, lines[i])
            bio_run += 1
        else:
            bio_run = 0
    return candidates


def _bio_run_start(rule: str) -> int:
    """The bio run after a line or sentence a rule matched: 1 after a bio sentence, else 0."""
    return 1 if rule == "bio_sentence_v1" else 0


def _continues_bio(bio_run: int, text: str) -> bool:
    """Whether `text`, matched by no rule, goes on the bio before it (one rule for lines and for
    glued sentences): only after a bio sentence, for fewer than BIO_CONTINUATION_MAX lines in
    all, and only when it speaks of a third person ("She covers ..."), not of the news."""
    return 0 < bio_run < BIO_CONTINUATION_MAX and _THIRD_PERSON.search(text) is not None


def _label_tail(lines: list[str], labels: list[_Label | None]) -> None:
    candidates = _tail_candidates(lines, labels)
    start = len(lines)
    while start > 0 and (labels[start - 1] is not None or (start - 1) in candidates):
        start -= 1
    block = range(start, len(lines))
    anchored = any(labels[i] is not None for i in block)
    bios = [i for i in block if i in candidates and candidates[i].rule == "bio_sentence_v1"]
    # A lone name or a bio sentence alone at the end may be the article's own last line ("X is a
    # reporter detained in ..."): take the block only when something else marks it as an end block.
    named = sum(1 for i in block if i in candidates)
    if anchored or (bios and named >= 2):
        for i in block:
            if labels[i] is None and i in candidates:
                labels[i] = candidates[i]


# ---------------------------------------------------------------------------------------------
# Line model (text mode only): lines outside the article's main block of a whole-page text


def _label_off_article(lines: list[str], labels: list[_Label | None]) -> None:
    """Drop the body lines flows/stages/line_model.py scores as off-article, each with its score.

    A whole-page text (menus, teasers, footers around the article) needs this; an already clean
    scrape is all prose, so its main block is all of it and nothing more goes.
    """
    if len(lines) < LINE_MODEL_MIN_LINES:
        return  # too little to tell an article's block from its surroundings
    model = lineclass.load_model()
    # Guessed once: the measures count stopwords in it, the decision takes its numbers.
    language = lineclass.page_language(lines, model.stopwords)
    scores = lineclass.score(lines, model, language=language)
    # With no main block (no line looks like article prose) nothing is off: the rules decide.
    off = lineclass.off_article(lines, scores, model, language=language)
    for i, (dropped, value) in enumerate(zip(off, scores, strict=True)):
        if labels[i] is None and dropped:
            rule = f"{lineclass.RULE_NAME} score={value:.2f}"
            labels[i] = _Label(lineclass.KIND, rule, lines[i])


# ---------------------------------------------------------------------------------------------
# Glued junk and datelines inside body lines


def _segments(line: str) -> list[tuple[int, int]]:
    """Sentence-ish pieces of a line, as (start, end) offsets, also split where junk begins."""
    cuts = {m.end() for m in _SENTENCE_BREAK.finditer(line)}
    cuts.update(m.end() for m in INLINE_JUNK_START.finditer(line))
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(line)), len(line)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if line[a:b].strip()]


def _segment_label(text: str) -> _Label | None:
    rule = first_match(text, LINE_RULES) or first_match(text, TAIL_RULES)
    return _label_for(rule, text) if rule else None


def _glued_tail(line: str) -> tuple[str, list[_Label]]:
    """Cut junk off the end of a line: the article part, and the junk sentences as labels."""
    pieces = _segments(line)
    if len(pieces) < 2:
        return line, []
    # A glued tail is a few credit and bio sentences: look at the end of a long line only.
    first = max(1, len(pieces) - GLUED_TAIL_MAX)
    texts = [line[a:b].strip() for a, b in pieces]
    found = [_segment_label(t) if k >= first else None for k, t in enumerate(texts)]
    i = first
    while i < len(pieces):
        label = found[i]
        if label is None or label.kind not in TAIL_STARTER_KINDS:
            i += 1
            continue
        junk, failed_at = _junk_suffix(texts, found, i)
        if junk is not None:
            return line[: pieces[i][0]].rstrip(), junk
        i = failed_at + 1
    return line, []


def _junk_suffix(
    texts: list[str], found: list[_Label | None], start: int
) -> tuple[list[_Label] | None, int]:
    """Labels for texts[start:] if all of it is junk, else None and where it stopped being junk."""
    junk: list[_Label] = []
    in_bio = 0
    for j in range(start, len(texts)):
        label = found[j]
        if label is not None:
            in_bio = _bio_run_start(label.rule)
            junk.append(label)
        elif _continues_bio(in_bio, texts[j]):
            # The sentences after a bio sentence that go on about its person are the rest of it.
            junk.append(_Label("author_bio", BIO_CONTINUATION_RULE, texts[j]))
            in_bio += 1
        else:
            return None, j
    return junk, len(texts)


def _dateline(paragraph: str) -> tuple[_Label | None, str]:
    for rule in DATELINE_RULES:
        found = rule.pattern.match(paragraph)
        if found and paragraph[found.end() :].strip():
            prefix = found.group(0).strip()
            return _Label(rule.kind, rule.name, prefix), paragraph[found.end() :].strip()
    return None, paragraph


# ---------------------------------------------------------------------------------------------
# Output


def _assemble(lines: list[str], labels: list[_Label | None]) -> tuple[CleanedText, list[int]]:
    """The cleaned text, and for each paragraph where in `removed` a span cut from its end goes
    (right after the spans recorded before it), so later cuts keep the spans in document order."""
    body = _body_indices(labels)
    first = body[0] if body else -1
    last = body[-1] if body else -1
    result = CleanedText(paragraphs=[])
    ends: list[int] = []
    for i, line in enumerate(lines):
        label = labels[i]
        if label is not None:
            _record(result, label)
            continue
        glued: list[_Label] = []
        if i == last:
            line, glued = _glued_tail(line)
        if i == first:
            dateline, line = _dateline(line)
            if dateline is not None:
                _record(result, dateline)
        if line:
            result.paragraphs.append(line)
            ends.append(len(result.removed))
        for junk in glued:
            _record(result, junk)
    return result, ends


def cut_residue(
    result: CleanedText, patterns: tuple[ResiduePattern, ...], ends: list[int] | None = None
) -> CleanedText:
    """Cut the residue the row suite forbids from the assembled body, recording each cut span.

    The patterns are searched in the body as validation searches it (paragraphs joined by a blank
    line). A match is cut when it runs to the end of its paragraph and starts the paragraph or a
    new word in it: a whole line, or junk glued to the end of one. Anything else is left for
    validation to quarantine. `ends` says where in `removed` each paragraph's cut spans go
    (`_assemble`'s); without it they follow every span already there.
    """
    ends = [len(result.removed)] * len(result.paragraphs) if ends is None else ends
    for _ in range(RESIDUE_MAX_CUTS):
        cut = _first_residue(result.paragraphs, patterns)
        if cut is None:
            break
        index, start, kind = cut
        paragraph = result.paragraphs[index]
        # A later cut from the same paragraph is earlier text: it goes before this one.
        result.removed.insert(
            ends[index], RemovedSpan(kind, paragraph[start:].strip(), RESIDUE_RULE)
        )
        ends[index + 1 :] = [end + 1 for end in ends[index + 1 :]]
        kept = paragraph[:start].rstrip()
        if kept:
            result.paragraphs[index] = kept
        else:
            del result.paragraphs[index]
            del ends[index]
    return result


def _first_residue(
    paragraphs: list[str], patterns: tuple[ResiduePattern, ...]
) -> tuple[int, int, str] | None:
    """The first cuttable residue: (paragraph index, offset in it, kind), or None."""
    separator = "\n\n"  # as CleanedText.body joins them
    body = separator.join(paragraphs)
    starts = list(
        itertools.accumulate((len(p) + len(separator) for p in paragraphs[:-1]), initial=0)
    )
    for residue in patterns:
        for found in residue.pattern.finditer(body):
            index = bisect.bisect_right(starts, found.start()) - 1
            begin, end = starts[index], starts[index] + len(paragraphs[index])
            at_word = found.start() == begin or body[found.start() - 1].isspace()
            inside = found.start() < end and found.end() <= end
            if at_word and inside and not body[found.end() : end].strip():
                return index, found.start() - begin, residue.kind
    return None


def _record(result: CleanedText, label: _Label) -> None:
    result.removed.append(RemovedSpan(label.kind, label.text, label.rule))
    if label.headline:
        result.related_headlines.append(label.headline)
