"""A document's brief: the sentences that, within N words, cover most of what it keeps talking about.

A reader asking "what was this meeting about?" in N words wants its subjects named, not one point
repeated. So the brief is a budgeted maximum coverage of the document's *concepts*: stemmed content
words and pairs of adjacent content words, each weighted by the square root of how many sentences
mention it (a concept said once is an aside; the root keeps one dominant subject from crowding out the
rest). Sentences are added greedily by the weight of concepts they newly cover per square root of their
length, so a sentence that only repeats what the brief already says gains nothing and long sentences
are not favoured for their length alone. Once every recurring concept is covered
and words remain, the sentences richest in recurring concepts fill them. Two priors: sentences near the
start of a document count more (meetings open by saying what they are for and who is there; articles
put their point first), and so do sentences that say what a meeting is for ("an evidence session on",
"the agenda is"). In a meeting, greetings are not penalised: "I'd like to welcome the Minister for
Education" is how a meeting says who took part; in a statement, protocol and framing count less.

Takeaways stay the themed points with evidence; the brief is the neutral "what was covered", which is
what QMSum's general summaries describe (see ``benchmarks/quality``). Back-channel and other
non-candidate sentences never appear; words are counted after disfluency clean-up, as the reader sees
them; no sentence is cut: one that would overflow the budget is passed over for a shorter one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from nlp.linguistic import clean_transcript_text
from nlp.rank import salience
from nlp.search import stem
from nlp.summary import DocumentSummary, SentenceRecord
from nlp.topics import FILLER_WORDS

_STOP = ENGLISH_STOP_WORDS | FILLER_WORDS
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
_PURPOSE = re.compile(
    r"\b(evidence session|inquiry into|purpose of (this|the|today)|(this|today's|the) (meeting|session) "
    r"(is|will be) (about|on)|(we're|we are|i'm|i am|we'll|we will|gonna|going|want|here) to (talk|discuss|"
    r"look at|focus)|kick-?off|agenda (is|for)|the (main )?topics? (of|for|is|are|today))",
    re.IGNORECASE,
)
"""A sentence saying what the meeting is for: "this is an evidence session on", "the agenda is"."""


@dataclass(frozen=True)
class CoverOptions:
    """The brief's knobs, chosen on QMSum train (``python -m benchmarks.quality.tune``), never on val."""

    min_sentences: int = 2
    """A concept must be mentioned in this many sentences to count."""
    weight_exponent: float = 0.5
    """A concept mentioned in n sentences weighs n to this power: below 1, the subject the meeting
    keeps returning to counts less against the others, so the brief names more of them."""
    length_exponent: float = 0.5
    """Gain is divided by length to this power: 1 would favour short sentences, 0 long ones."""
    opening_boost: float = 3.0
    opening_scale: float = 0.05
    """The first sentence counts ``1 + opening_boost`` times, decaying to 1/e of the boost 5% in."""
    protocol_factor: float = 0.4
    """In a statement, protocol ("Mr President, I congratulate you") counts this much; see ``_prior``."""
    purpose_boost: float = 1.0
    """A sentence saying what the meeting is for counts ``1 + purpose_boost`` times."""
    pairs: bool = True
    """Count pairs of adjacent content words as concepts too: they carry the subjects' names."""
    fill: bool = True
    """Once nothing new is left to cover, go on with the sentences richest in recurring concepts."""


def extractive_summary(
    summary: DocumentSummary, *, word_budget: int, options: CoverOptions = CoverOptions()
) -> list[SentenceRecord]:
    """The brief: sentences chosen by :func:`cover` within ``word_budget`` words, in document order."""
    chosen = cover(summary.sentences, word_budget, options=options, statement=summary.kind == "statement")
    return [summary.sentences[i] for i in sorted(chosen)]


def cover(
    records: Sequence[SentenceRecord],
    word_budget: int,
    *,
    start: Sequence[int] = (),
    options: CoverOptions = CoverOptions(),
    statement: bool = False,
) -> list[int]:
    """Indices of candidate sentences in the order the greedy coverage picked them, after ``start``
    (sentences already in the brief, e.g. takeaway headlines, taken first while they fit)."""
    clean = [clean_transcript_text(r.text) for r in records]
    lengths = [len(text.split()) for text in clean]
    pool = [i for i, r in enumerate(records) if r.candidate and lengths[i] > 0]
    found = {i: concepts(clean[i], pairs=options.pairs) for i in pool}
    mentions = Counter(c for i in pool for c in found[i])
    weight = {
        c: float(n) ** options.weight_exponent for c, n in mentions.items() if n >= options.min_sentences
    }
    prior = {i: _prior(i, len(records), clean[i], options, statement=statement) for i in pool}
    richness = {i: sum(weight.get(c, 0.0) for c in found[i]) if options.fill else 0.0 for i in pool}
    chosen = fill_budget([i for i in start if i in found], lengths, word_budget)
    covered: set[str] = set().union(*(found[i] for i in chosen))
    used = sum(lengths[i] for i in chosen)
    pool = [i for i in pool if i not in chosen]
    while pool:
        best, best_value = None, (0.0, 0.0)
        for i in pool:
            if used + lengths[i] > word_budget:
                continue
            scale = prior[i] / lengths[i] ** options.length_exponent
            new = sum(weight.get(c, 0.0) for c in found[i] - covered) * scale
            value = (new, richness[i] * scale)
            if value > best_value:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(best)
        used += lengths[best]
        covered |= found[best]
        pool.remove(best)
    return chosen


def concepts(text: str, *, pairs: bool = True) -> set[str]:
    """Stemmed content words and adjacent pairs of them ("digital_curriculum"), lower-cased."""
    stems = [None if w in _STOP or len(w) < 3 else stem(w) for w in _WORD.findall(text.lower())]
    found: set[str] = {s for s in stems if s}
    if pairs:
        found.update(f"{a}_{b}" for a, b in pairwise(stems) if a and b)
    return found


def _prior(i: int, n: int, text: str, options: CoverOptions, *, statement: bool) -> float:
    position = i / max(n - 1, 1)
    value = 1.0 + options.opening_boost * math.exp(-position / options.opening_scale)
    if _PURPOSE.search(text):
        value *= 1.0 + options.purpose_boost
    if statement and "framing" in salience(text, 0.0).penalties:
        value *= options.protocol_factor
    return value


def word_counts(records: Sequence[SentenceRecord]) -> list[int]:
    """Words of each sentence once disfluency markers, fillers and stutters are removed."""
    return [len(clean_transcript_text(r.text).split()) for r in records]


def fill_budget(order: Sequence[int], lengths: Sequence[int], budget: int) -> list[int]:
    """Take items in ``order`` while they fit in ``budget`` words; one that would overflow is skipped."""
    chosen: list[int] = []
    used = 0
    for i in order:
        if used >= budget:
            break
        if lengths[i] == 0 or used + lengths[i] > budget:
            continue
        chosen.append(i)
        used += lengths[i]
    return chosen
