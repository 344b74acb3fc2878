"""The systems we are measured against, each ranking the same sentences under the same word budget.

Every system sees the pipeline's sentences with disfluency markers removed and returns a ranking; the
benchmark then takes sentences in that order while they fit the budget (``nlp.extractive.fill_budget``),
so systems differ only in what they rank first. Peers: Random (a fixed seed per meeting), LEAD
(document order), and sumy's LexRank, TextRank and LSA with sumy's English stemmer and stop words. The
oracle greedily adds the sentence that most raises ROUGE-1 + ROUGE-2 F1 against the reference: the
ceiling for any extractive system under the budget.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import numpy as np
from nltk.tokenize import TreebankWordTokenizer  # type: ignore[import-untyped]
from rouge_score import tokenizers  # type: ignore[import-untyped]
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence  # type: ignore[import-untyped]
from sumy.nlp.stemmers import Stemmer  # type: ignore[import-untyped]
from sumy.summarizers.lex_rank import LexRankSummarizer  # type: ignore[import-untyped]
from sumy.summarizers.lsa import LsaSummarizer  # type: ignore[import-untyped]
from sumy.summarizers.text_rank import TextRankSummarizer  # type: ignore[import-untyped]
from sumy.utils import get_stop_words  # type: ignore[import-untyped]

from nlp.extractive import fill_budget

SEED = 20240325
PEERS = ("Random", "LEAD", "LexRank", "TextRank", "LSA")
_SUMY = {"LexRank": LexRankSummarizer, "TextRank": TextRankSummarizer, "LSA": LsaSummarizer}


class _Words:
    """sumy's tokenizer interface over sentences we already have: Treebank words, no NLTK data needed."""

    language = "english"
    _treebank = TreebankWordTokenizer()

    def to_words(self, text: str) -> list[str]:
        return [w for w in self._treebank.tokenize(text) if any(c.isalnum() for c in w)]

    def to_sentences(self, text: str) -> list[str]:
        return [text]


def peer_rankings(name: str, texts: Sequence[str]) -> dict[str, list[int]]:
    """Each peer's order of the non-empty sentences (indices into ``texts``), best first."""
    pool = [i for i, t in enumerate(texts) if t.split()]
    rng = np.random.default_rng(SEED + zlib.crc32(name.encode()))
    rankings = {"Random": [pool[k] for k in rng.permutation(len(pool))], "LEAD": list(pool)}
    if not pool:
        return rankings | {peer: [] for peer in _SUMY}
    words = _Words()
    document = ObjectDocumentModel([Paragraph([Sentence(texts[i], words) for i in pool])])
    for peer, cls in _SUMY.items():
        summarizer = cls(Stemmer("english"))
        summarizer.stop_words = get_stop_words("english")
        order: list[int] = []
        with warnings.catch_warnings():  # LSA warns when a meeting has fewer words than sentences
            warnings.simplefilter("ignore", UserWarning)
            summarizer(document, _recorder(order))
        rankings[peer] = [pool[k] for k in order]
    return rankings


def cached_peer_rankings(name: str, texts: Sequence[str], cache: Path | None) -> dict[str, list[int]]:
    """:func:`peer_rankings`, kept on disk under ``cache`` by meeting and sentence texts (sumy is slow)."""
    if cache is None:
        return peer_rankings(name, texts)
    key = hashlib.sha256(json.dumps([name, _versions(), *texts]).encode()).hexdigest()[:24]
    path = cache / "rankings" / f"{name}-{key}.json"
    if path.exists():
        stored: dict[str, list[int]] = json.loads(path.read_text(encoding="utf-8"))
        return stored
    rankings = peer_rankings(name, texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rankings), encoding="utf-8")
    tmp.replace(path)
    return rankings


def _versions() -> list[str]:
    return [str(SEED), *(package_version(p) for p in ("sumy", "nltk", "numpy"))]


def _recorder(order: list[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """A sumy "count" that notes the full ranking (sumy passes all sentences sorted by rating)."""

    def count(infos: Sequence[Any]) -> Sequence[Any]:
        order.extend(info.order for info in infos)
        return infos

    return count


class Oracle:
    """Greedy extractive oracle on the scorer's own tokens (stemmed, lower-cased), within the budget."""

    def __init__(self) -> None:
        self._tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)

    def select(self, texts: Sequence[str], lengths: Sequence[int], reference: str, budget: int) -> list[int]:
        ref = self._tokenizer.tokenize(reference)
        ref1, ref2 = Counter(ref), Counter(itertools.pairwise(ref))
        grams = []
        for text in texts:
            tokens = self._tokenizer.tokenize(text)
            grams.append((Counter(tokens), Counter(itertools.pairwise(tokens))))
        pool = [i for i, (g1, _) in enumerate(grams) if lengths[i] and any(w in ref1 for w in g1)]
        chosen: list[int] = []
        have1: Counter[str] = Counter()
        have2: Counter[tuple[str, str]] = Counter()
        used, best = 0, 0.0
        while True:
            pick, pick_value = None, best
            for i in pool:
                if i in chosen or used + lengths[i] > budget:
                    continue
                value = _f1(have1 + grams[i][0], ref1) + _f1(have2 + grams[i][1], ref2)
                if value > pick_value:
                    pick, pick_value = i, value
            if pick is None:
                return sorted(chosen)
            chosen.append(pick)
            have1 += grams[pick][0]
            have2 += grams[pick][1]
            used += lengths[pick]
            best = pick_value


def _f1(candidate: Counter[Any], reference: Counter[Any]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def select(ranking: Sequence[int], lengths: Sequence[int], budget: int) -> list[int]:
    """A peer's summary: its best sentences that fit the budget, shown in document order."""
    return sorted(fill_budget(ranking, lengths, budget))
