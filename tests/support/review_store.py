"""A store and output folder for the review app's tests: three sample documents analysed for real and,
optionally, one full of HTML and script payloads; built once per session (see ``tests/conftest.py``)
and copied by every test that writes to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from flows.store import Store
from nlp.analyse import Analyzer, analyse
from nlp.ingest import read_document
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel

SAMPLES = Path(__file__).resolve().parents[2] / "corpus" / "samples"
SAMPLE_FILES = ("meeting_board.txt", "statement_ministry.html", "statement_ngo.md")
BASE = "http://127.0.0.1"
TOKEN = "correct-horse-battery-staple-42"
SECRET = "TOP-SECRET-OUTSIDE-THE-OUTPUT-FOLDER"
HOSTILE_SOURCE = "javascript:alert(4)"
HOSTILE = b"""\
# <script>alert(1)</script> Board <img src=x onerror=alert(1)> partnerships briefing

Dana: We need teachers trained in <script>alert(2)</script> digital skills and better devices for every \
school, and the budget must fund it.

Bob: Funding javascript:alert(3) must rise, budgets are <b>short</b> and partnerships with civil society \
and the private sector matter.

Dana: <a href="javascript:alert(5)">click</a> Girls and rural learners are left behind \
<img src=x onerror=alert(6)> while teachers leave the profession.
"""
HOSTILE_SPEAKER = '<img src=x onerror=alert(7)>"Dana'


@dataclass(frozen=True)
class ReviewStore:
    url: str
    out: Path
    summaries: list[DocumentSummary]
    hostile_id: str


def build_review_store(
    out: Path, *, nlp: Language, taxonomy: Taxonomy, model: ThemeModel, hostile: bool = True
) -> ReviewStore:
    """A store (and output folder) with three sample documents and, optionally, one full of HTML and
    script payloads in its text, title, source and speaker names."""
    documents = [
        read_document((SAMPLES / name).read_bytes(), source=str(SAMPLES / name)) for name in SAMPLE_FILES
    ]
    if hostile:
        documents.append(read_document(HOSTILE, source=HOSTILE_SOURCE, name="hostile.md"))
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=model)
    summaries = [s for s in analyse(documents, analyzer=analyzer) if isinstance(s, DocumentSummary)]
    assert len(summaries) == len(documents)
    hostile_id = ""
    if hostile:
        summaries[-1] = poison(summaries[-1])
        hostile_id = summaries[-1].id
    url = f"sqlite:///{out / 'takeaways.db'}"
    with Store(url) as store:
        run = store.start_run({"sources": [str(SAMPLES)]})
        store.save_summaries(summaries, run_id=run)
        store.finish_run(run, "completed", {"analysed": len(summaries)})
    (out / "summaries").mkdir(parents=True, exist_ok=True)
    for s in summaries:
        (out / "summaries" / f"{s.id}.json").write_text(s.model_dump_json(), encoding="utf-8")
    (out / "report.html").write_text("<!doctype html><title>report</title><p>static report</p>", "utf-8")
    (out / ".hidden.json").write_text("{}", encoding="utf-8")
    (out.parent / "secret.txt").write_text(SECRET, encoding="utf-8")
    (out.parent / "secret.json").write_text(json.dumps(SECRET), encoding="utf-8")
    return ReviewStore(url=url, out=out, summaries=summaries, hostile_id=hostile_id)


def poison(summary: DocumentSummary) -> DocumentSummary:
    """Put payloads where analysis keeps names as found: speakers, evidence speakers, keyphrases."""
    return summary.model_copy(
        update={
            "speakers": [HOSTILE_SPEAKER, *summary.speakers],
            "keyphrases": ["<script>alert(8)</script>", *summary.keyphrases],
            "sentences": [s.model_copy(update={"speaker": HOSTILE_SPEAKER}) for s in summary.sentences],
            "takeaways": [
                t.model_copy(
                    update={
                        "speaker": HOSTILE_SPEAKER,
                        "keyphrases": ["<img src=x onerror=alert(9)>"],
                        "evidence": [e.model_copy(update={"speaker": HOSTILE_SPEAKER}) for e in t.evidence],
                    }
                )
                for t in summary.takeaways
            ],
        }
    )
