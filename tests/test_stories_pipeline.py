"""Stories end to end: two runs of the flow on one output; tomorrow's article joins today's story,
the story tables are committed with the articles, and the card and report name the story."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_pipeline import run_cli
from test_stories import OTHER_STRIKE, STRIKE, UNRELATED

from flows.core.layout import STORIES, STORY_TERMS

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_api")]

# A second paragraph, so each text is an article of ordinary length (and passes validation).
MORE = (
    "Officials said talks would resume later in the week. Analysts expect the dispute to be "
    "settled before the end of the month, although both sides have so far refused to say what "
    "they would accept, and the next meeting has not yet been scheduled."
)


def write(folder: Path, name: str, text: tuple[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    title, lead = text
    (folder / f"{name}.txt").write_text(f"{title}\n\n{lead}\n\n{MORE}\n", encoding="utf-8")


def story_ids(out: Path) -> dict[str, str]:
    frame = pd.read_parquet(out / "articles", columns=["source_uri", "story_id"])
    return {
        Path(uri).stem: story for uri, story in zip(frame.source_uri, frame.story_id, strict=True)
    }


def test_tomorrows_article_joins_todays_story_across_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    day_one, day_two = tmp_path / "day-one", tmp_path / "day-two"
    write(day_one, "strike-a", STRIKE["strike-a"])
    write(day_one, "strike-b", STRIKE["strike-b"])
    for i, text in enumerate(UNRELATED[:3]):
        write(day_one, f"news-{i}", text)
    write(day_two, "strike-c", STRIKE["strike-c"])
    write(day_two, "antwerp", OTHER_STRIKE)
    write(day_two, "news-3", UNRELATED[3])

    code, summary = run_cli(str(day_one), "--output", str(out))
    assert code == 0, summary
    first = story_ids(out)
    assert first["strike-a"] == first["strike-b"]
    assert len({first[f"news-{i}"] for i in range(3)} | {first["strike-a"]}) == 4

    code, summary = run_cli(str(day_two), "--output", str(out))
    assert code == 0, summary
    both = story_ids(out)
    assert both["strike-c"] == first["strike-a"]  # joined the published story
    assert {k: both[k] for k in first} == first  # nothing published was rewritten
    assert len({both["antwerp"], both["news-3"], both["strike-a"]}) == 3

    index = pd.read_parquet(out / STORIES)
    assert sorted(index.article_id) == sorted(
        pd.read_parquet(out / "articles", columns=["article_id"]).article_id
    )
    assert len(list((out / STORY_TERMS).glob("*.parquet"))) == 2  # one per run
    card = (out / "articles" / "_README.md").read_text(encoding="utf-8")
    assert f"| `{both['strike-a']}` | 3 |" in card
    report = (out / "reports" / summary["run_id"] / "summary.md").read_text(encoding="utf-8")
    assert "## Largest stories" in report and f"| {both['strike-a']} | 1 |" in report
    assert summary["largest_stories"] == {both["strike-a"]: 1}  # this run's articles in it
