"""Ranked lexical retrieval over the sentences of analysed documents: "what was said about X?".

Okapi BM25 over sentences (a sentence is the unit an analyst cites), computed with sparse matrices so a
corpus of a million words is indexed in seconds. Words are lower-cased, stop words dropped and suffixes
stripped by a small stemmer of our own ("teachers", "teaching" -> "teach"), the same for query and index.
Question boilerplate ("summarize the discussion about ...", "what did X think of ...") is not searched
for. Theme evidence then raises a sentence's score: by the theme named with ``theme=``, or by the
taxonomy themes whose label or seed phrases occur in the query. A speaker named in the query raises
that speaker's sentences. Ties are broken by document order, so the same index and query always give
the same hits. BM25's k1 = 1.5 and b = 0.5 (mild length normalisation: sentences are short anyway) and
the speaker boost were chosen on QMSum train queries (``python -m benchmarks.quality.tune``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from nlp.linguistic import clean_transcript_text
from nlp.summary import DocumentSummary, SentenceRecord
from nlp.taxonomy import Taxonomy

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(ENGLISH_STOP_WORDS) | {"s", "t", "ll", "ve", "re", "d", "m"}
_QUERY_BOILERPLATE = frozenset(
    {
        "summarize", "summarise", "summary", "discuss", "discussed", "discussion", "discussions", "talk",
        "talked", "talking", "say", "said", "says", "think", "thought", "thinks", "opinion", "opinions",
        "view", "views", "mention", "mentioned", "meeting", "did", "does", "was", "were", "what", "why",
        "how", "about", "regarding", "towards", "toward",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Boosts:
    """How much each signal multiplies a sentence's lexical score: ``1 + boost * evidence``."""

    explicit_theme: float = 1.0
    """A sentence certain to be about the theme asked for scores twice its lexical score."""
    query_theme: float = 0.5
    """Themes read off the query's words are a weaker signal than a theme the analyst chose."""
    speaker: float = 1.0
    """A sentence by a speaker the query names ("what did Ann say about ...")."""


@dataclass(frozen=True)
class Hit:
    """One ranked sentence: ``text == summary.text[start:end]`` of the document it comes from."""

    document_id: str
    source: str
    i: int
    text: str
    start: int
    end: int
    speaker: str | None
    score: float
    themes: dict[str, float] = field(default_factory=dict)


def stem(word: str) -> str:
    """A light suffix stripper: enough to meet plurals and verb forms, the same on both sides."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed", "ers", "er", "ation", "ly", "ment"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # running -> runn -> run
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def terms(text: str, *, drop: frozenset[str] = _STOP) -> list[str]:
    """Index terms of a text: lower-cased words without stop words, stemmed."""
    words = _WORD.findall(clean_transcript_text(text).lower())
    return [stem(w) for w in words if w not in drop and (len(w) > 1 or w.isdigit())]


@dataclass(frozen=True)
class _Row:
    summary: int
    record: SentenceRecord


class SearchIndex:
    """BM25 over every sentence of the given summaries; build once, query many times."""

    def __init__(
        self,
        summaries: Sequence[DocumentSummary],
        rows: list[_Row],
        weights: sparse.csc_matrix,
        vocabulary: dict[str, int],
        theme_phrases: dict[str, list[tuple[str, ...]]],
        boosts: Boosts,
    ) -> None:
        self._summaries = list(summaries)
        self._rows = rows
        self._weights = weights
        self._vocabulary = vocabulary
        self._theme_phrases = theme_phrases
        self.boosts = boosts
        self._doc_rows = self._row_ranges()

    @classmethod
    def build(
        cls,
        summaries: Iterable[DocumentSummary],
        *,
        taxonomy: Taxonomy | None = None,
        k1: float = 1.5,
        b: float = 0.5,
        boosts: Boosts = Boosts(),
    ) -> SearchIndex:
        """Index all sentences; with a taxonomy, queries that name a theme's words boost that theme."""
        docs = list(summaries)
        rows = [_Row(summary=d, record=r) for d, s in enumerate(docs) for r in s.sentences]
        vocabulary: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for row in rows:
            for term in terms(row.record.text):
                indices.append(vocabulary.setdefault(term, len(vocabulary)))
            indptr.append(len(indices))
        counts = sparse.csr_matrix(
            (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(rows), len(vocabulary)),
        )
        counts.sum_duplicates()
        weights = _bm25(counts, k1=k1, b=b)
        phrases = _theme_phrases(taxonomy) if taxonomy is not None else {}
        return cls(docs, rows, weights.tocsc(), vocabulary, phrases, boosts)

    def __len__(self) -> int:
        return len(self._rows)

    def query_themes(self, query: str) -> list[str]:
        """Taxonomy themes whose label or a seed phrase occurs, word for word, in the query."""
        words = tuple(terms(query))
        return [
            theme
            for theme, phrases in self._theme_phrases.items()
            if any(_contains(words, phrase) for phrase in phrases)
        ]

    def search(
        self, query: str, *, top_k: int = 10, theme: str | None = None, doc: str | None = None
    ) -> list[Hit]:
        """The ``top_k`` best sentences for ``query``, optionally within one document (id or source).

        ``theme`` boosts sentences carrying that theme (it does not filter). With no searchable word in
        the query, ``theme`` alone ranks that theme's sentences by their theme probability."""
        allowed = self._allowed_rows(doc)
        if allowed.size == 0 or top_k <= 0:
            return []
        query_terms = sorted(set(terms(query, drop=_STOP | _QUERY_BOILERPLATE)))
        columns = [self._vocabulary[t] for t in query_terms if t in self._vocabulary]
        if columns:
            lexical = np.asarray(self._weights[:, columns][allowed].sum(axis=1)).ravel()
            matched = allowed[lexical > 0]
            scores = lexical[lexical > 0] * self._boosts(query, matched, theme)
        elif theme is not None and not query_terms:  # theme-only search: the theme's surest sentences
            matched = allowed
            scores = np.array([self._rows[r].record.themes.get(theme, 0.0) for r in allowed])
        else:
            return []
        order = np.lexsort((matched, -scores))
        return [self._hit(int(matched[k]), float(scores[k])) for k in order[:top_k] if scores[k] > 0]

    def _boosts(self, query: str, allowed: NDArray[np.int64], theme: str | None) -> NDArray[np.float64]:
        wanted = dict.fromkeys(self.query_themes(query), self.boosts.query_theme)
        if theme is not None:
            wanted[theme] = self.boosts.explicit_theme
        query_words = set(_WORD.findall(query.lower())) - _STOP
        boosts = np.ones(len(allowed))
        for k, r in enumerate(allowed):
            record = self._rows[r].record
            for t, weight in wanted.items():
                boosts[k] += weight * record.themes.get(t, 0.0)
            if record.speaker and query_words & _name_words(record.speaker):
                boosts[k] += self.boosts.speaker
        return boosts

    def _allowed_rows(self, doc: str | None) -> NDArray[np.int64]:
        if doc is None:
            return np.arange(len(self._rows), dtype=np.int64)
        ranges = [
            self._doc_rows[d]
            for d, s in enumerate(self._summaries)
            if doc in (s.id, s.source) or (len(doc) >= 8 and s.id.startswith(doc))
        ]
        return np.concatenate([np.arange(a, z, dtype=np.int64) for a, z in ranges] or [np.zeros(0, np.int64)])

    def _row_ranges(self) -> list[tuple[int, int]]:
        firsts = [row.summary for row in self._rows]
        return [
            (bisect.bisect_left(firsts, d), bisect.bisect_right(firsts, d))
            for d in range(len(self._summaries))
        ]

    def _hit(self, row: int, score: float) -> Hit:
        summary = self._summaries[self._rows[row].summary]
        record = self._rows[row].record
        return Hit(
            document_id=summary.id,
            source=summary.source,
            i=record.i,
            text=record.text,
            start=record.start,
            end=record.end,
            speaker=record.speaker,
            score=round(score, 6),
            themes=dict(record.themes),
        )


def _bm25(counts: sparse.csr_matrix, *, k1: float, b: float) -> sparse.csr_matrix:
    """Per (sentence, term) BM25 weight: saturated term frequency, length-normalised, times IDF."""
    n_rows = counts.shape[0]
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    average = lengths.mean() if n_rows and lengths.mean() > 0 else 1.0
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log1p((n_rows - df + 0.5) / (df + 0.5))
    weights = counts.copy().astype(np.float64)
    row_of = np.repeat(np.arange(n_rows), np.diff(counts.indptr))
    tf = weights.data
    norm = k1 * (1 - b + b * lengths[row_of] / average)
    weights.data = idf[weights.indices] * tf * (k1 + 1) / (tf + norm)
    return weights


def _theme_phrases(taxonomy: Taxonomy) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for theme in taxonomy.themes:
        phrases = {tuple(terms(p)) for p in [theme.label, theme.id.replace("_", " "), *theme.patterns]}
        out[theme.id] = sorted(p for p in phrases if p)
    return out


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _name_words(speaker: str) -> set[str]:
    """Words of a speaker label that could name them in a question ("Sian Gwenllian AM" -> sian, ...)."""
    return {w for w in _WORD.findall(speaker.lower()) if len(w) > 2 and w not in _STOP} - {"the", "chair"}
