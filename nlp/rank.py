"""Sentence salience: graph centrality, cue strength for claims and calls to action, and penalties.

Centrality is LexRank-style PageRank over TF-IDF cosine similarity between a document's sentences:
a sentence that many others echo states something the document keeps returning to. Cues reward the
wording of claims ("must", "is crucial", "calls for", "we commit"); penalties push down framing ("here
are my three takeaways"), logistics ("the next meeting is at two") and questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

_DAMPING = 0.85
_ITERATIONS = 50
_MIN_SIMILARITY = 0.05

_CUES = [
    (
        re.compile(r"\b(must|have to|has to|need to|needs to|should|ought to|cannot afford)\b", re.I),
        "obligation",
    ),
    (
        re.compile(
            r"\b(is|are|remains?|becomes?) (crucial|critical|essential|vital|pivotal|key|central|"
            r"fundamental|urgent|imperative|paramount|indispensable)\b",
            re.I,
        ),
        "evaluation",
    ),
    (re.compile(r"\b(calls? (for|on)|urge[sd]?|appeal|demand[s]?|require[sd]?|requires)\b", re.I), "call"),
    (
        re.compile(r"\b(we|I|the government|the ministry) (will|commit|pledge|promise|intend|plan)\b", re.I),
        "commitment",
    ),
    (
        re.compile(
            r"\b(significant|major|biggest|greatest|clear need|priority|priorities|challenge[s]?|"
            r"gap[s]?|fail(ed|ing|ure)?|success(ful)?|transform\w*)\b",
            re.I,
        ),
        "evaluative",
    ),
    (re.compile(r"\b\d[\d,.]*\s?(%|per ?cent|percent|million|billion)|\b\d{2,}[\d,]*\b", re.I), "figure"),
]
_FRAMING = re.compile(
    r"\b(here are|key takeaways?|takeaways from|we asked|to share (his|her|their)|"
    r"in this (post|article|blog)|"
    r"let me (start|begin|say)|i would like to (thank|welcome|begin)|welcome (to|everyone)|good (morning|"
    r"afternoon|evening)|thank you( all| very much| so much)?[.!]?$|ladies and gentlemen|your excellenc|"
    r"distinguished (guests|delegates)|mr\.? president|madam president|it is (an honou?r|a pleasure)|"
    r"(gives|give) me (great )?(pleasure|honou?r)|congratulat\w*|on (his|her|your) (election|re-election))",
    re.I,
)
_LOGISTICS = re.compile(
    r"\b(next meeting|agenda|item \d|minutes of|the break|lunch|coffee|move on to|moving on|"
    r"microphone|can you hear|you're on mute|share (my|your) screen|slides?|housekeeping|adjourn|"
    r"quorum|apologies (from|for absence)|declarations? of interest|papers to note|public session)\b",
    re.I,
)


def is_ceremonial(text: str) -> bool:
    """Framing, courtesy or procedure ("Thank you, Mr. President", "the next item on the agenda"):
    sentences that say how a text is delivered, not what it is about."""
    return bool(_FRAMING.search(text) or _LOGISTICS.search(text))


@dataclass(frozen=True)
class Salience:
    centrality: float
    cue: float
    cues: tuple[str, ...]
    penalty: float
    penalties: tuple[str, ...]


def centrality(texts: Sequence[str]) -> NDArray[np.float64]:
    """PageRank over the sentence-similarity graph, scaled so the most central sentence scores 1."""
    n = len(texts)
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.ones(1)
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # here: the report imports this module

        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    except ValueError:  # only stop words or no letters at all
        return np.ones(n)
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    similarity[similarity < _MIN_SIMILARITY] = 0.0
    row_sums = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, row_sums, out=np.full_like(similarity, 1.0 / n), where=row_sums > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(_ITERATIONS):
        rank = (1 - _DAMPING) / n + _DAMPING * transition.T @ rank
    scaled: NDArray[np.float64] = rank / rank.max()
    return scaled


def salience(text: str, centrality_score: float) -> Salience:
    """Cue strength (0-1) and penalties (0-1) of one sentence, with the names of what fired."""
    cues = tuple(name for pattern, name in _CUES if pattern.search(text))
    penalties = []
    words = len(text.split())
    if _FRAMING.search(text):
        penalties.append("framing")
    if _LOGISTICS.search(text):
        penalties.append("logistics")
    if text.rstrip().endswith("?"):
        penalties.append("question")
    if words < 8:
        penalties.append("short")
    if words > 70:
        penalties.append("long")
    weights = {"framing": 0.6, "logistics": 0.6, "question": 0.3, "short": 0.3, "long": 0.2}
    return Salience(
        centrality=centrality_score,
        cue=min(1.0, 0.35 * len(cues)),
        cues=cues,
        penalty=min(1.0, sum(weights[p] for p in penalties)),
        penalties=tuple(penalties),
    )
