"""The data sets beside the project (``../shared/data``), read in place and never copied.

QMSum meetings carry the human summaries, topic segments and query spans; a span is a pair of turn
indices, inclusive, which our segments keep as ``source_index``. AMI's gold extractive summaries are a
single run of the chosen dialogue acts, so sentences are matched to them by normalized text (see
:func:`gold_sentences`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"
GENERAL_QUERY = "what were the topics talked about in the meeting?"
UNGDC_SPEECHES = 50

Span = tuple[int, int]
"""First and last turn index, inclusive."""

_MARKER = re.compile(r"\{\w+\}")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NGRAM = 4


@dataclass(frozen=True)
class Query:
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Meeting:
    name: str
    split: str
    path: Path
    reference: str
    """The general query's answer: what the whole meeting was about."""
    topics: tuple[Query, ...]
    specific: tuple[Query, ...]
    education: bool


def load_meetings(data: Path, split: str) -> list[Meeting]:
    """QMSum meetings of one split, sorted by name."""
    education = education_ids(data)
    meetings = []
    for path in sorted((data / "qmsum" / split).glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        general = raw["general_query_list"]
        chosen = next((q for q in general if q["query"].strip().lower() == GENERAL_QUERY), general[0])
        meetings.append(
            Meeting(
                name=path.stem,
                split=split,
                path=path,
                reference=str(chosen["answer"]),
                topics=tuple(Query(t["topic"], _spans(t["relevant_text_span"])) for t in raw["topic_list"]),
                specific=tuple(
                    Query(q["query"], _spans(q["relevant_text_span"])) for q in raw["specific_query_list"]
                ),
                education=path.stem in education,
            )
        )
    return meetings


def education_ids(data: Path) -> set[str]:
    """The Welsh Parliament education-committee meetings, as listed in QMSum's Committee domain."""
    path = data / "qmsum" / "domain_Committee.txt"
    lines = path.read_text(encoding="utf-8").split() if path.exists() else []
    return {line.strip() for line in lines if line.strip().startswith("education_")}


def _spans(raw: Sequence[Sequence[str]]) -> tuple[Span, ...]:
    return tuple((int(a), int(b)) for a, b in raw)


def ami_gold(data: Path, name: str) -> str | None:
    """The AMI gold extractive summary of a meeting, or None when AMI has none for it."""
    path = data / "ami" / "extractive" / f"{name}.extsumm.txt"
    return path.read_text(encoding="utf-8") if path.exists() else None


def normalized_tokens(text: str) -> list[str]:
    """Lower-cased word tokens without disfluency markers or punctuation: what AMI and QMSum share."""
    return _TOKEN.findall(_MARKER.sub(" ", text.lower()).replace("’", "'"))


def gold_sentences(sentences: Sequence[str], gold: str) -> tuple[set[int], float]:
    """Sentences that are in AMI's gold extractive summary, and the share of gold word 4-grams found.

    The gold text is the chosen dialogue acts run together, segmented differently from our sentences,
    so a transcript word counts as chosen when a 4-gram of the running transcript around it occurs in
    the gold text, and a sentence is gold when at least half of its words are. Windows run across
    sentence ends, so a short "Okay." is gold only if its neighbours were chosen with it."""
    tokens: list[str] = []
    owner: list[int] = []
    for i, sentence in enumerate(sentences):
        words = normalized_tokens(sentence)
        tokens += words
        owner += [i] * len(words)
    gold_tokens = normalized_tokens(gold)
    gold_grams = {tuple(gold_tokens[k : k + _NGRAM]) for k in range(len(gold_tokens) - _NGRAM + 1)}
    covered = [False] * len(tokens)
    found: set[tuple[str, ...]] = set()
    for k in range(len(tokens) - _NGRAM + 1):
        gram = tuple(tokens[k : k + _NGRAM])
        if gram in gold_grams:
            found.add(gram)
            for j in range(k, k + _NGRAM):
                covered[j] = True
    per_sentence: dict[int, list[bool]] = {}
    for i, flag in zip(owner, covered, strict=True):
        per_sentence.setdefault(i, []).append(flag)
    chosen = {i for i, flags in per_sentence.items() if sum(flags) >= 0.5 * len(flags)}
    return chosen, len(found) / len(gold_grams) if gold_grams else 0.0


def ungdc_paths(data: Path, n: int = UNGDC_SPEECHES) -> list[Path]:
    """The first ``n`` UN General Debate speeches in sorted path order (session, then country code)."""
    return sorted((data / "ungdc" / "TXT").glob("*/*.txt"))[:n]


def seed_paths(data: Path) -> list[Path]:
    return sorted((data / "seed").glob("*.txt"))
