"""Real data: the project's samples, and (when ../shared/data is present) QMSum, UN speeches, the seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.ingest import read_document
from tests.support.ingest import assert_well_formed, texts

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "corpus" / "samples"
DATA = REPO.parent / "shared" / "data"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"the shared data folder {DATA} is absent (a fresh clone has none)"
)

# --- corpus/samples -----------------------------------------------------------------------------------

EXPECTED_SAMPLES = {
    "meeting_board.txt": ("transcript", "txt"),
    "meeting_committee.srt": ("transcript", "srt"),
    "meeting_steering.vtt": ("transcript", "vtt"),
    "meeting_webinar.json": ("transcript", "json"),
    "statement_brief.pdf": ("statement", "pdf"),
    "statement_ministry.html": ("statement", "html"),
    "statement_ngo.md": ("statement", "md"),
    "statement_speech.docx": ("statement", "docx"),
}


def test_every_sample_is_listed() -> None:
    assert sorted(p.name for p in SAMPLES.iterdir() if not p.name.startswith(".")) == sorted(EXPECTED_SAMPLES)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_SAMPLES.items()))
def test_sample_reads_with_its_kind_and_format(name: str, expected: tuple[str, str]) -> None:
    path = SAMPLES / name
    doc = read_document(path.read_bytes(), source=str(path))
    assert (doc.kind, doc.format) == expected
    assert_well_formed(doc)
    if doc.kind == "transcript":
        assert len(doc.speakers) >= 2
        assert all(s.speaker for s in doc.segments if s.kind == "turn")
    else:
        assert len(doc.segments) >= 5
        assert doc.title


# --- QMSum meetings -----------------------------------------------------------------------------------


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize("split", ["train", "val"])
def test_every_qmsum_meeting_keeps_its_turns_and_speakers(split: str) -> None:
    files = sorted((DATA / "qmsum" / split).glob("*.json"))
    assert files, f"no QMSum meetings under {DATA / 'qmsum' / split}"
    problems = []
    for path in files:
        raw = path.read_bytes()
        meeting_turns = json.loads(raw)["meeting_transcripts"]
        spoken = [i for i, turn in enumerate(meeting_turns) if turn["content"].strip()]
        doc = read_document(raw, source=str(path))
        checks = {
            "kind": doc.kind == "transcript",
            "segment count": len(doc.segments) == len(spoken),
            "turns metadata": doc.metadata.get("turns") == str(len(meeting_turns)),
            "speakers": set(doc.speakers) == {meeting_turns[i]["speaker"].strip() for i in spoken},
            "source_index": [s.source_index for s in doc.segments] == spoken,
            "turn speakers": all(
                s.speaker == meeting_turns[s.source_index or 0]["speaker"].strip() for s in doc.segments
            ),
            "turn text": all(
                doc.segment_text(s).split() == meeting_turns[s.source_index or 0]["content"].split()
                for s in doc.segments
            ),
        }
        problems += [f"{path.name}: {what}" for what, ok in checks.items() if not ok]
    assert not problems, problems[:20]


# --- UN General Debate speeches -----------------------------------------------------------------------


@needs_data
@pytest.mark.slow
def test_200_un_general_debate_speeches_ingest_as_statements() -> None:
    files = sorted((DATA / "ungdc" / "TXT").glob("*/*.txt"))[:200]
    assert len(files) == 200
    for path in files:
        doc = read_document(path.read_bytes(), source=str(path))
        assert doc.kind == "statement", path.name
        assert len(doc.segments) >= 3, path.name
        assert all(s.speaker is None for s in doc.segments), path.name


# --- the seed article ---------------------------------------------------------------------------------

BULLETS = (
    "Multistakeholder partnerships are pivotal",
    "Digital technology holds",
    "Teacher involvement is crucial",
)


@needs_data
def test_seed_article_is_a_statement_with_three_bullet_segments_and_no_chrome() -> None:
    path = next((DATA / "seed").glob("*.txt"))
    doc = read_document(path.read_bytes(), source=str(path))
    assert doc.kind == "statement"
    assert doc.title == "Fourth Annual Meeting of the Global Education Coalition: Key Takeaways"
    assert "You are here" not in doc.text
    segments = texts(doc)
    for opening in BULLETS:
        matching = [(i, s) for i, s in enumerate(segments) if s.startswith(opening)]
        assert len(matching) == 1, opening
        index, text = matching[0]
        assert doc.segments[index].kind == "item"
        assert "•" not in text
        assert not any(other in text for other in BULLETS if other != opening), "bullets are not merged"
    assert segments[-1].endswith("as tools for teaching and learning.")
    assert_well_formed(doc)
