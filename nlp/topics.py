"""Emerging topics: what a collection talks about that the taxonomy does not cover.

The input is the sentences no theme claimed. They are clustered by NMF over TF-IDF (topics are sums of
words, so each comes with readable top terms) and reported with example sentences for an analyst to
name, and perhaps to add to the taxonomy. Meeting talk is full of words that carry no subject ("yeah",
"think", "going"), so those are removed before the model sees them, and topics led by procedure
("thank", "chair", "question") are dropped.

Everything is deterministic for a given ``random_state``; bad or thin input gives ``[]``, never an error,
because an empty "emerging topics" panel is a fine answer and a crashed corpus run is not.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from collections.abc import Callable
from functools import cache

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FILLER_WORDS", "EmergingTopic", "TopicExample", "emerging_topics"]

MIN_SENTENCES = 20
# Words of talk, not of subject: disfluencies, back-channel, hedges and light verbs.
FILLER_WORDS = frozenset({
    "um", "umm", "uh", "uhh", "erm", "er", "hmm", "mm", "mmm", "mhm", "ah", "oh", "eh", "huh", "hm",
    "yeah", "yes", "yep", "no", "nope", "okay", "ok", "alright", "right", "well", "like", "just", "really",
    "actually", "basically", "literally", "obviously", "probably", "maybe", "perhaps", "sure", "guess",
    "think", "thought", "know", "knew", "mean", "means", "going", "gonna", "wanna", "want", "wanted",
    "got", "get", "gets", "getting", "say", "said", "says", "saying", "tell", "told", "thing", "things",
    "stuff", "lot", "lots", "kind", "sort", "bit", "way", "let", "look", "looking", "come", "coming",
    "go", "goes", "went", "did", "does", "doing", "done", "make", "made", "making", "need", "needs",
    "able", "quite", "pretty", "good", "great", "fine", "nice", "cool", "wow", "sorry", "gosh",
    "don", "didn", "doesn", "isn", "wasn", "aren", "weren", "won", "wouldn", "couldn", "shouldn",
    "haven", "hasn", "ve", "ll", "re", "dunno", "cos", "cause", "anyway", "course",
    "cuz", "kinda", "sorta", "exactly", "definitely", "absolutely", "certainly", "true", "interesting",
    "little", "try", "trying", "tried", "wait", "sounds", "happened", "happen", "talk", "talking", "talked",
    "use", "used", "using", "different", "thinking", "remember", "see", "seen", "saw", "sense", "somebody",
    "anybody", "guys", "hey", "bye", "nah", "ya", "oops", "whatever",
    "disfmarker", "vocalsound", "nonvocalsound", "gap", "pause", "comment", "uh-huh", "mm-hmm",
})  # fmt: skip
# Words of procedure: kept as features, but a topic led only by them is not a subject.
_PROCEDURAL = frozenset({
    "thank", "thanks", "chair", "chairman", "chairperson", "question", "questions", "meeting", "meetings",
    "minute", "minutes", "colleague", "colleagues", "morning", "afternoon", "evening", "item", "agenda",
    "point", "points", "welcome", "session", "committee", "today", "time", "year", "years", "day", "week",
    "people", "everybody", "everyone", "member", "members", "ladies", "gentlemen", "president",
    "excellency", "excellencies", "distinguished", "delegates", "statement", "floor", "speaker", "mr",
    "mrs", "ms", "madam", "sir", "congratulate", "congratulations", "assembly", "general",
})  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*")
_ACRONYM = re.compile(r"[^\W\d_a-z]{2}")  # two capitals ("UN", "EU", "AI"), not a stutter ("th", "w")
_MIN_SUPPORT = 2
_EXAMPLE_TERMS = 3


class TopicExample(BaseModel):
    """A sentence that shows the topic, with where it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: str
    sentence: int
    text: str


class EmergingTopic(BaseModel):
    """An unnamed topic: its top terms, its share of the uncovered sentences, and examples."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int = Field(ge=0)
    terms: list[str]
    weight: float = Field(ge=0.0, le=1.0, description="share of the topic model's total sentence weight")
    examples: list[TopicExample]


def emerging_topics(
    items: list[tuple[str, int, str]],
    *,
    n_topics: int | None = None,
    top_terms: int = 8,
    examples: int = 3,
    random_state: int = 0,
) -> list[EmergingTopic]:
    """Topics among (document_id, sentence index, text) items that no taxonomy theme covers.

    ``n_topics=None`` picks ``round(sqrt(n / 10))`` within 2..10 (2 for 60 sentences, 10 for 1,000):
    more sentences can support finer topics. Topics are ordered by weight, heaviest first; examples
    are the sentences that load most on the topic, from different documents when possible.
    """
    rows = [(doc_id, i, text) for doc_id, i, text in items if text and text.strip()]
    if len(rows) < MIN_SENTENCES:
        return []
    # scikit-learn is imported only here: reading a stored corpus view (a run with nothing new) needs
    # this module's models, not the clustering.
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [text for _, _, text in rows]
    analyzer, names = _analyzer(texts)
    enough = len(rows) >= 2 * MIN_SENTENCES
    vectorizer = TfidfVectorizer(
        analyzer=analyzer, min_df=2 if enough else 1, max_df=0.5 if enough else 1.0, sublinear_tf=True
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary, or nothing survives the document-frequency limits
        return []
    if matrix.nnz == 0:
        return []
    vocabulary = vectorizer.get_feature_names_out()
    sentence_terms = [frozenset(analyzer(text)) for text in texts]
    k = n_topics if n_topics is not None else min(max(round(math.sqrt(len(rows) / 10)), 2), 10)
    k = max(1, min(k, *matrix.shape))
    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    components = model.components_

    total = float(weights.sum())
    dominant = weights.argmax(axis=1)
    has_weight = weights.max(axis=1) > 0
    topics: list[tuple[float, list[str], list[TopicExample]]] = []
    for t in range(k):
        order = np.argsort(-components[t], kind="stable")
        terms = [names[vocabulary[j]] for j in order[: max(top_terms, 1)] if components[t, j] > 0]
        members = has_weight & (dominant == t)
        if not terms or int(members.sum()) < _MIN_SUPPORT:
            continue
        if 2 * sum(term in _PROCEDURAL for term in terms) >= len(terms):
            continue  # "congratulate, Mr President, on your election": procedure, not a subject
        share = float(weights[:, t].sum()) / total if total > 0 else 0.0
        top = {vocabulary[j] for j in order[: max(top_terms, 1)]}
        overlap = np.array([len(top & terms_of) for terms_of in sentence_terms])
        topics.append((share, terms, _examples(rows, weights[:, t], members, overlap, examples)))
    topics.sort(key=lambda topic: -topic[0])  # stable: equal weights keep component order
    return [
        EmergingTopic(id=i, terms=terms, weight=round(min(share, 1.0), 6), examples=chosen)
        for i, (share, terms, chosen) in enumerate(topics)
    ]


def _analyzer(texts: list[str]) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    """A tokenizer that drops stop and filler words and folds plurals seen in this collection.

    Folding is driven by the collection's own vocabulary ("buses" -> "bus" only if "bus" occurs), which
    avoids a stemmer's false merges; each folded term is shown as its most frequent spelling.
    """
    counts = Counter(w for text in texts for w in _words(text))
    fold: dict[str, str] = {}
    for word in counts:
        if len(word) > 4 and word.endswith("ies") and word[:-3] + "y" in counts:
            fold[word] = word[:-3] + "y"
        elif word.endswith("es") and word[:-2] in counts:
            fold[word] = word[:-2]
        elif word.endswith("s") and not word.endswith("ss") and word[:-1] in counts:
            fold[word] = word[:-1]
    spellings: dict[str, Counter[str]] = {}
    for word, count in counts.items():
        spellings.setdefault(fold.get(word, word), Counter())[word] += count
    names = {term: _most_frequent(forms) for term, forms in spellings.items()}

    def analyze(text: str) -> list[str]:
        return [fold.get(w, w) for w in _words(text)]

    return analyze, names


def _words(text: str) -> list[str]:
    """Lower-cased words of 3+ letters, or 2-letter acronyms, minus stop and filler words."""
    words = (w for w in _WORD.findall(text) if len(w) > 2 or _ACRONYM.fullmatch(w))
    stop = _stop_words()
    return [w for w in map(str.lower, words) if w not in stop]


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | FILLER_WORDS


def _most_frequent(forms: Counter[str]) -> str:
    return min(forms, key=lambda form: (-forms[form], form))


def _examples(
    rows: list[tuple[str, int, str]],
    loading: np.ndarray,
    members: np.ndarray,
    overlap: np.ndarray,
    limit: int,
) -> list[TopicExample]:
    """The sentences loading most on the topic, one per document first.

    Sentences the topic dominates come first, then those using more of its top terms (up to three):
    TF-IDF rows are normalised, so a bare "It is the time of the peoples." would otherwise outrank the
    sentences that show what the topic is about.
    """
    order = sorted(
        (i for i in range(len(rows)) if loading[i] > 0),
        key=lambda i: (not members[i], -min(int(overlap[i]), _EXAMPLE_TERMS), -float(loading[i]), i),
    )
    picked: list[int] = []
    seen_docs: set[str] = set()
    seen_texts: set[str] = set()
    for one_per_document in (True, False):
        for i in order:
            doc_id, _, text = rows[i]
            if len(picked) >= limit:
                break
            if i in picked or text.strip() in seen_texts or (one_per_document and doc_id in seen_docs):
                continue
            picked.append(i)
            seen_docs.add(doc_id)
            seen_texts.add(text.strip())
    return [TopicExample(document_id=rows[i][0], sentence=rows[i][1], text=rows[i][2]) for i in picked]
