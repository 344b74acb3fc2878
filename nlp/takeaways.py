"""Choose a document's takeaways: the themes it dwells on, each with a headline sentence and evidence.

A theme's weight in the document is the sum, over candidate sentences, of the sentence's theme
probability times its salience; themes are taken in order of weight. For each, the headline is the
sentence that best combines theme probability and salience, discounted by its similarity to headlines
already chosen (maximal marginal relevance), so the takeaways make different points. Sentences that no
theme covers can still make "other" takeaways when the document has fewer themes than wanted. A
document outside the taxonomy (see :mod:`nlp.scope`) gets no themed takeaway at all, only such points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nlp.announced import announced_count
from nlp.document import Document
from nlp.key_sentences import KeySentenceModel, hand_score
from nlp.key_sentences import features as key_features
from nlp.linguistic import Sentence
from nlp.rank import Salience, centrality, salience
from nlp.scope import outside_taxonomy
from nlp.summary import Evidence, Takeaway
from nlp.themes import ThemeDecision

OTHER = "other"
OTHER_LABEL = "Other points"
_MMR_LAMBDA = 0.5
_SAME_SEGMENT = 0.6
"""Two sentences from one paragraph or turn usually make one point: count them as this similar."""
_MIN_OTHER_BASE = 0.45
"""Hand-set salience an "other point" needs (with a learned key-sentence model: even odds of being key)"""
_DOMINANCE_MARGIN = 0.1
_DUPLICATE = 0.7
"""Similarity at which a sentence restates one already chosen and is not considered at all."""
_PASSAGE = 3
"""Evidence lies within this many sentences of its headline."""
_LOCAL = 2
"""Evidence taken from the headline's passage before looking elsewhere."""


@dataclass(frozen=True)
class TakeawayOptions:
    max_takeaways: int = 5
    max_evidence: int = 3
    min_theme_weight: float = 0.5


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    base: float
    salience: Salience
    structure: tuple[str, ...]
    substantive: bool = False
    """salient enough to be an "other point" when no theme covers it"""


def _salience_parts(
    document: Document, sentences: Sequence[Sentence]
) -> list[tuple[Sentence, Salience, tuple[str, ...]]]:
    central = centrality([s.clean or s.text for s in sentences])
    parts = []
    seen_segments: set[int] = set()
    for s, c in zip(sentences, central, strict=True):
        opens_segment = s.segment not in seen_segments
        seen_segments.add(s.segment)
        structure: list[str] = []
        segment = document.segments[s.segment] if document.segments else None
        if segment is not None and segment.kind == "item":
            structure.append("bullet point")
        if opens_segment and document.kind == "statement":
            structure.append("opens a paragraph")
        parts.append((s, salience(s.clean or s.text, float(c)), tuple(structure)))
    return parts


def key_sentence_rows(
    document: Document, sentences: Sequence[Sentence], decisions: Sequence[ThemeDecision]
) -> list[list[float]]:
    """The key-sentence model's features for every sentence of a document."""
    return _rows(_salience_parts(document, sentences), decisions)


def _rows(
    parts: Sequence[tuple[Sentence, Salience, tuple[str, ...]]], decisions: Sequence[ThemeDecision]
) -> list[list[float]]:
    last = max(len(parts) - 1, 1)
    return [
        key_features(sal, structure, position=s.i / last, words=len((s.clean or s.text).split()),
                     theme_scores=d.scores)
        for (s, sal, structure), d in zip(parts, decisions, strict=True)
    ]  # fmt: skip


def score_sentences(
    document: Document,
    sentences: Sequence[Sentence],
    *,
    decisions: Sequence[ThemeDecision] = (),
    key_model: KeySentenceModel | None = None,
) -> list[ScoredSentence]:
    """Salience of each sentence. With a key-sentence model learned from real documents, ``base`` is its
    probability that the sentence states a key point, minus one half; otherwise the hand-set mix of
    centrality, cues, structure (bullets, topic sentences) and penalties."""
    parts = _salience_parts(document, sentences)
    learned = key_model is not None and len(decisions) == len(sentences)
    if key_model is not None and learned:
        bases = [float(p) - 0.5 for p in key_model.probability(_rows(parts, decisions))]
    else:
        bases = [
            hand_score(sal, 1.0 if "bullet point" in structure else 0.4 if structure else 0.0)
            for _, sal, structure in parts
        ]
    floor = 0.0 if learned else _MIN_OTHER_BASE
    return [
        ScoredSentence(sentence=s, base=base, salience=sal, structure=structure, substantive=base >= floor)
        for (s, sal, structure), base in zip(parts, bases, strict=True)
    ]


def select_takeaways(
    scored: Sequence[ScoredSentence],
    decisions: Sequence[ThemeDecision],
    *,
    labels: dict[str, str],
    keyphrases: dict[str, list[str]],
    options: TakeawayOptions = TakeawayOptions(),
) -> list[Takeaway]:
    """Pick up to ``max_takeaways`` themes and, for each, a headline and supporting evidence."""
    candidates = [i for i, s in enumerate(scored) if s.sentence.candidate]
    if not candidates:
        return []
    similarity = _similarity(
        [s.sentence.clean or s.sentence.text for s in scored], [s.sentence.segment for s in scored]
    )
    off_topic = outside_taxonomy(
        (s.sentence.candidate, bool(d.scores)) for s, d in zip(scored, decisions, strict=True)
    )
    weights = {} if off_topic else _theme_weights(scored, decisions, candidates)
    listed = [] if off_topic else _listed_points(scored, decisions, options.max_evidence)
    chosen: list[int] = [headline for _, headline, _ in listed]
    supporting: set[int] = {i for _, _, evidence in listed for i in evidence}
    drafts: list[tuple[float, str, int, list[int], float]] = []
    used = {theme for theme, _, _ in listed}
    ordered = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    for theme, weight in ordered:
        if len(listed) + len(drafts) >= options.max_takeaways or weight < options.min_theme_weight:
            break
        if theme in used:
            continue
        members = [i for i in candidates if theme in decisions[i].scores]
        available = [i for i in members if i not in supporting]
        pick = _mmr(
            available, chosen, similarity, lambda i, t=theme: _theme_score(scored[i], decisions[i], t)
        )
        if pick is None:
            continue
        headline, fit = pick
        chosen.append(headline)
        evidence = _evidence(
            headline, members, chosen, similarity, scored, decisions, theme, options.max_evidence
        )
        supporting.update(evidence)
        drafts.append((weight, theme, headline, evidence, fit))
    wanted = options.max_takeaways - len(listed) - len(drafts)
    if wanted > 0:
        drafts.extend(
            _other_points(scored, decisions, candidates, chosen, similarity, wanted, off_topic=off_topic)
        )
    top_weight = max((d[0] for d in drafts), default=1.0) or 1.0
    ranked = sorted(drafts, key=lambda d: -(0.5 * d[0] / top_weight + 0.5 * d[4]))
    # the points a statement lists itself come first, in its own order
    firsts = [(top_weight, theme, headline, evidence, 1.0) for theme, headline, evidence in listed]
    headlines = {d[2] for d in [*firsts, *ranked]}
    final = [(w, t, h, [i for i in ev if i not in headlines], f) for w, t, h, ev, f in [*firsts, *ranked]]
    takeaways = []
    for rank, (weight, theme, headline, evidence, fit) in enumerate(final, start=1):
        s = scored[headline]
        takeaways.append(
            Takeaway(
                rank=rank,
                theme=theme,
                theme_label=labels.get(theme, OTHER_LABEL),
                text=s.sentence.text,
                start=s.sentence.start,
                end=s.sentence.end,
                speaker=s.sentence.speaker,
                score=round(0.5 * weight / top_weight + 0.5 * fit, 4),
                evidence=[
                    Evidence(
                        text=scored[i].sentence.text,
                        start=scored[i].sentence.start,
                        end=scored[i].sentence.end,
                        speaker=scored[i].sentence.speaker,
                    )
                    for i in evidence
                ],
                keyphrases=keyphrases.get(theme, [])[:5],
                reason=_reason(s, decisions[headline], theme, weight, labels),
            )
        )
    return takeaways


def _listed_points(
    scored: Sequence[ScoredSentence], decisions: Sequence[ThemeDecision], limit: int
) -> list[tuple[str, int, list[int]]]:
    """(theme, headline, evidence) of each point a statement lists itself: when a sentence announces
    "three key takeaways", the three paragraphs after it are those points, each under its strongest
    theme that an earlier point has not taken (the author made them distinct), headed by its first
    sentence carrying that theme. When the points are bullets, the paragraphs under a bullet belong to
    it. Nothing when the list is not there as announced."""
    start = next((i for i, s in enumerate(scored) if announced_count(s.sentence.text)), None)
    if start is None:
        return []
    count = announced_count(scored[start].sentence.text) or 0
    after = [
        i
        for i in range(start + 1, len(scored))
        if scored[i].sentence.segment != scored[start].sentence.segment
    ]
    bulleted = any("bullet point" in scored[i].structure for i in after)
    groups: list[list[int]] = []
    previous_segment = None
    for i in after:
        segment = scored[i].sentence.segment
        opens = segment != previous_segment and (not bulleted or "bullet point" in scored[i].structure)
        if opens:
            groups.append([])
        if groups:  # text between the announcement and the first bullet is not a point
            groups[-1].append(i)
        previous_segment = segment
    if len(groups) < count:
        return []
    points: list[tuple[str, int, list[int]]] = []
    for group in groups[:count]:
        members = [i for i in group if scored[i].sentence.candidate]
        totals: dict[str, float] = {}
        for i in members:
            for theme, p in decisions[i].scores.items():
                totals[theme] = totals.get(theme, 0.0) + p
        taken = {theme for theme, _, _ in points}
        free = sorted((t for t in totals if t not in taken), key=lambda t: (-totals[t], t))
        if not free:
            return []
        theme = free[0]
        carrying = [i for i in members if theme in decisions[i].scores]
        points.append((theme, carrying[0], carrying[1 : 1 + limit]))
    return points


def _theme_weights(
    scored: Sequence[ScoredSentence], decisions: Sequence[ThemeDecision], candidates: list[int]
) -> dict[str, float]:
    """A sentence's salience is shared among its themes in proportion to their probabilities, so a
    sentence mainly about partnerships that mentions funding in passing counts mostly for partnerships."""
    weights: dict[str, float] = {}
    for i in candidates:
        total = sum(decisions[i].scores.values())
        for theme, p in decisions[i].scores.items():
            weights[theme] = weights.get(theme, 0.0) + p * (p / total) * max(0.0, 0.5 + scored[i].base)
    return weights


def _theme_score(s: ScoredSentence, decision: ThemeDecision, theme: str) -> float:
    return decision.scores.get(theme, 0.0) * max(0.0, 0.5 + s.base)


def _mmr_pick(
    members: list[int], chosen: list[int], similarity: NDArray[np.float64], relevance: object
) -> int | None:
    pick = _mmr(members, chosen, similarity, relevance)
    return pick[0] if pick else None


def _mmr(
    members: list[int], chosen: list[int], similarity: NDArray[np.float64], relevance: object
) -> tuple[int, float] | None:
    """The member with the best relevance minus redundancy with what is chosen, and that value."""
    best, best_value = None, -np.inf
    for i in members:
        if i in chosen:
            continue
        redundancy = max((similarity[i, j] for j in chosen), default=0.0)
        if redundancy >= _DUPLICATE:
            continue
        value = relevance(i) - _MMR_LAMBDA * redundancy  # type: ignore[operator]
        if value > best_value:
            best, best_value = i, value
    return (best, float(best_value)) if best is not None else None


def _evidence(
    headline: int,
    members: list[int],
    chosen: list[int],
    similarity: NDArray[np.float64],
    scored: Sequence[ScoredSentence],
    decisions: Sequence[ThemeDecision],
    theme: str,
    limit: int,
) -> list[int]:
    """First the sentences around the headline that carry its theme (annotators mark the neighbouring
    sentences that state a point), then where else the document makes it, most relevant and least
    redundant first."""
    pool = [
        i
        for i in members
        if i not in chosen
        and _dominant(decisions[i], theme)
        and not {"framing", "logistics"} & set(scored[i].salience.penalties)
    ]
    segments = _nearby_segments(scored, headline)
    local = [i for i in pool if abs(i - headline) <= _PASSAGE and scored[i].sentence.segment in segments]
    picked = sorted(local, key=lambda i: (-_theme_score(scored[i], decisions[i], theme), i))[:_LOCAL]
    pool = [i for i in pool if i not in picked]
    while pool and len(picked) < limit:
        pick = _mmr_pick(
            pool, [headline, *picked], similarity, lambda i: _theme_score(scored[i], decisions[i], theme)
        )
        if pick is None:
            break
        picked.append(pick)
        pool.remove(pick)
    return sorted(picked)


def _nearby_segments(scored: Sequence[ScoredSentence], headline: int) -> set[int]:
    """The headline's paragraph or turn and the ones on either side of it."""
    segment = scored[headline].sentence.segment
    return {segment - 1, segment, segment + 1}


def _dominant(decision: ThemeDecision, theme: str) -> bool:
    """The theme is (about) the sentence's strongest one: evidence should be about the point it supports."""
    return decision.scores.get(theme, 0.0) >= max(decision.scores.values(), default=0.0) - _DOMINANCE_MARGIN


def _other_points(
    scored: Sequence[ScoredSentence],
    decisions: Sequence[ThemeDecision],
    candidates: list[int],
    chosen: list[int],
    similarity: NDArray[np.float64],
    wanted: int,
    *,
    off_topic: bool,
) -> list[tuple[float, str, int, list[int], float]]:
    """Salient sentences no theme covers, each with the passage around it as evidence. In a document
    with themes they fill spare places only when substantive on their own; in a document outside the
    taxonomy they are its points, so the most salient sentences that are not framing, logistics,
    questions or fragments are taken (a key-sentence model learned on speeches scores meetings low)."""
    plain = {"framing", "logistics", "question", "short"}
    pool = [
        i
        for i in candidates
        if not (decisions[i].scores and not off_topic)
        and (scored[i].substantive or (off_topic and not plain & set(scored[i].salience.penalties)))
    ]
    out: list[tuple[float, str, int, list[int], float]] = []
    while pool and len(out) < wanted:
        pick = _mmr_pick(pool, chosen, similarity, lambda i: scored[i].base)
        if pick is None:
            break
        chosen.append(pick)
        pool.remove(pick)
        segments = _nearby_segments(scored, pick)
        passage = [
            i for i in pool
            if abs(i - pick) <= _PASSAGE and scored[i].sentence.segment in segments
            and not plain & set(scored[i].salience.penalties)
        ]  # fmt: skip
        evidence = sorted(sorted(passage, key=lambda i: (-scored[i].base, i))[:_LOCAL])
        pool = [i for i in pool if i not in evidence]
        out.append((0.0, OTHER, pick, evidence, scored[pick].base * 0.5))
    return out


def _similarity(texts: Sequence[str], segments: Sequence[int]) -> NDArray[np.float64]:
    """Cosine similarity of TF-IDF vectors, raised to ``_SAME_SEGMENT`` within one segment."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # here: drafts import this module

        matrix = TfidfVectorizer(stop_words="english").fit_transform(texts)
        result: NDArray[np.float64] = (matrix @ matrix.T).toarray()
    except ValueError:
        result = np.zeros((len(texts), len(texts)))
    same = np.equal.outer(np.asarray(segments), np.asarray(segments))
    return np.where(same, np.maximum(result, _SAME_SEGMENT), result)


def _reason(
    s: ScoredSentence, decision: ThemeDecision, theme: str, weight: float, labels: dict[str, str]
) -> str:
    parts = []
    if theme in decision.scores:
        parts.append(f"{labels.get(theme, theme)} p={decision.scores[theme]:.2f} ({decision.reasons[theme]})")
        parts.append(f"theme weight {weight:.2f}")
    else:
        parts.append("salient sentence outside the taxonomy")
    parts.append(f"centrality {s.salience.centrality:.2f}")
    if s.salience.cues:
        parts.append("cues: " + ", ".join(s.salience.cues))
    parts.extend(s.structure)
    if s.salience.penalties:
        parts.append("penalised: " + ", ".join(s.salience.penalties))
    return "; ".join(parts)
