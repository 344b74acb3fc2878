"""Decisions travel: `takeaways decisions export` then `import` reproduces them in another store, a second
import adds nothing, and a bad line is refused with its number before anything is written."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.store import Store
from tests.support.review_store import ReviewStore

runner = CliRunner()


@pytest.fixture(scope="module")
def built(review_store: ReviewStore) -> ReviewStore:
    return review_store


def _copy(built: ReviewStore, folder: Path, *, keep_decisions: bool = True) -> Path:
    shutil.copytree(built.out, folder)
    if not keep_decisions:
        with sqlite3.connect(folder / "takeaways.db") as db:
            db.execute("DELETE FROM decisions")
    return folder


def _decided(folder: Path) -> list[tuple[object, ...]]:
    with Store(f"sqlite:///{folder / 'takeaways.db'}", create=False) as store:
        return [
            (
                d.document_id,
                d.sentence_i,
                d.sentence_start,
                d.theme,
                d.action,
                d.new_theme,
                d.who,
                d.at,
                d.note,
            )
            for d in store.decisions()
        ]


def _make_decisions(folder: Path, built: ReviewStore) -> None:
    first, second = built.summaries[0], built.summaries[1]
    with Store(f"sqlite:///{folder / 'takeaways.db'}", create=False) as store:
        store.record_decision(first.id, 3, "financing", "accept", who="Ada", note="clear case")
        store.record_decision(first.id, 4, "financing", "reject", who="Ada")
        store.record_decision(
            second.id, 2, "partnerships", "relabel", new_theme="financing", who="Grace",
            at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        )  # fmt: skip


def test_export_then_import_into_a_fresh_store_gives_the_same_decisions(
    built: ReviewStore, tmp_path: Path
) -> None:
    source = _copy(built, tmp_path / "source")
    _make_decisions(source, built)
    exported = tmp_path / "decisions.jsonl"
    result = runner.invoke(app, ["decisions", "export", "--outputs", str(source), "--out", str(exported)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [line["decision"] for line in lines] == ["accept", "reject", "relabel"]
    assert lines[2]["to"] == "financing" and lines[2]["at"] == "2026-12-01T07:30:00Z"

    fresh = _copy(built, tmp_path / "fresh", keep_decisions=False)
    assert _decided(fresh) == []
    result = runner.invoke(app, ["decisions", "import", str(exported), "--outputs", str(fresh)])
    assert result.exit_code == 0 and "Imported 3 new decision(s)" in result.output, result.output
    assert _decided(fresh) == _decided(source)
    again = runner.invoke(app, ["decisions", "import", str(exported), "--outputs", str(fresh)])
    assert again.exit_code == 0 and "Imported 0 new decision(s) of 3" in again.output
    assert _decided(fresh) == _decided(source)


GOOD = {"sentence": 2, "theme": "financing", "decision": "accept", "by": "x", "at": "2026-12-01T00:00:00Z"}
BAD: list[tuple[dict[str, object] | str, str]] = [
    ("{not json", "not JSON"),
    ({"decision": None}, "decision"),
    ({"theme": "nope"}, "unknown theme"),
    ({"decision": "relabel"}, '"to" is required'),
    ({"doc": "ffffffffff"}, "no document"),
    ({"sentence": 99999}, "no sentence 99999"),
    ({"at": "2026-12-01T00:00:00"}, "time zone"),
    ({"start": 0, "end": 1}, "not 0:1"),
    ({"extra": 1}, "extra"),
]


@pytest.mark.parametrize(("change", "reason"), BAD)
def test_a_bad_line_is_refused_with_its_number_and_nothing_is_imported(
    built: ReviewStore, tmp_path: Path, change: dict[str, object] | str, reason: str
) -> None:
    folder = _copy(built, tmp_path / "out", keep_decisions=False)
    good = {"doc": built.summaries[0].id[:10], **GOOD}
    if isinstance(change, str):
        bad = change
    else:
        bad = json.dumps({k: v for k, v in {**good, **change}.items() if v is not None})
    path = tmp_path / "decisions.jsonl"
    path.write_text(f"{json.dumps(good)}\n\n{bad}\n{json.dumps(good)}\n", encoding="utf-8")
    result = runner.invoke(app, ["decisions", "import", str(path), "--outputs", str(folder)])
    said = result.output.replace("\n", "")
    assert result.exit_code == 2
    assert f"{path}:3:" in said and reason in said, said
    assert _decided(folder) == [], "a file with a bad line adds nothing, not even its good lines"
