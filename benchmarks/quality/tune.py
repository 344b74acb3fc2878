"""Tuning experiments on QMSum ``train`` only: which ranking choices move ROUGE and AMI F1, and by how much.

``python -m benchmarks.quality.tune`` scores variants of our extractive ranking beside the peers on the
train split (never val: nothing reported is tuned on). Each variant is a ranking of sentence indices;
the budget rule and the scoring are the benchmark's own. The findings feed engine changes, not numbers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import numpy as np
from rouge_score import rouge_scorer  # type: ignore[import-untyped]

from benchmarks.quality.analysis import DEFAULT_CACHE, Engine
from benchmarks.quality.data import DEFAULT_DATA, ami_gold, gold_sentences, load_meetings
from benchmarks.quality.report import table
from benchmarks.quality.run import MeetingRun, inside
from benchmarks.quality.systems import PEERS, select
from nlp.extractive import fill_budget, ranked_sentences, rescore
from nlp.linguistic import clean_transcript_text
from nlp.search import Boosts, SearchIndex
from nlp.takeaways import ScoredSentence
from nlp.taxonomy import Taxonomy

Ranking = Callable[[MeetingRun], list[int]]
_SCORED: dict[str, list[ScoredSentence]] = {}


def _scored(run: MeetingRun) -> list[ScoredSentence]:
    if run.meeting.name not in _SCORED:
        _SCORED[run.meeting.name] = rescore(run.summary)
    return _SCORED[run.meeting.name]


def _candidates(run: MeetingRun) -> list[int]:
    return [r.i for r in run.summary.sentences if r.candidate]


def _headlines(run: MeetingRun) -> list[int]:
    by_span = {(r.start, r.end): r.i for r in run.summary.sentences}
    out = [by_span.get((t.start, t.end)) for t in run.summary.takeaways]
    return [i for i in out if i is not None]


def by_value(
    value: Callable[[MeetingRun, int], float], *, headlines: bool, max_headlines: int = 99
) -> Ranking:
    """Candidates by a value, best first, optionally after the (top ``max_headlines``) takeaway headlines."""

    def rank(run: MeetingRun) -> list[int]:
        first = _headlines(run)[:max_headlines] if headlines else []
        rest = sorted((i for i in _candidates(run) if i not in first), key=lambda i: (-value(run, i), i))
        return [*first, *rest]

    return rank


def salience(
    theme_weight: float,
    *,
    position: float = 0.0,
    min_words: int = 0,
    opening: float = 0.0,
    scale: float = 0.05,
    lift_framing: bool = False,
) -> Callable[[MeetingRun, int], float]:
    """``max(0, 0.5 + base) * (1 + w * top theme p)``, optionally times a linear lead prior, an
    opening prior (``1 + opening * exp(-position / scale)``, position in [0, 1]), a length floor, and
    without the framing and logistics penalties."""

    def value(run: MeetingRun, i: int) -> float:
        s = _scored(run)[i]
        top = max(run.summary.sentences[i].themes.values(), default=0.0)
        base = s.base
        if lift_framing:
            weights = {"framing": 0.6, "logistics": 0.6}  # as in nlp.rank.salience
            base += min(s.salience.penalty, sum(weights.get(p, 0.0) for p in s.salience.penalties))
        v = max(0.0, 0.5 + base) * (1.0 + theme_weight * top)
        relative = i / max(len(run.texts) - 1, 1)
        if position:
            v *= 1.0 + position * (1.0 - relative)
        if opening:
            v *= 1.0 + opening * float(np.exp(-relative / scale))
        if run.lengths[i] < min_words:
            v *= 0.5
        return v

    return value


def centrality_only(run: MeetingRun, i: int) -> float:
    return _scored(run)[i].salience.centrality


def opening_then(count: int, then: Ranking) -> Ranking:
    """The first ``count`` candidate sentences of the meeting, then another ranking."""

    def rank(run: MeetingRun) -> list[int]:
        first = _candidates(run)[:count]
        return [*first, *(i for i in then(run) if i not in first)]

    return rank


def filtered(peer: str) -> Ranking:
    """A peer's ranking with our back-channel filter applied: how much of our edge is the filter."""

    def rank(run: MeetingRun) -> list[int]:
        keep = set(_candidates(run))
        return [i for i in run.rankings[peer] if i in keep]

    return rank


CANDIDATE_NAME = "candidate: salience only (w=0), opening prior 3, no framing/logistics penalty, no headlines"
CANDIDATE: Ranking = by_value(salience(0.0, opening=3.0, lift_framing=True), headlines=False)
"""The best meeting-summary ranking on train, evaluated once on val by the benchmark (not tuned there)."""

VARIANTS: dict[str, Ranking] = {
    "ours as shipped (headlines, then value w=1)": lambda run: ranked_sentences(run.summary),
    "no headlines, value w=1": by_value(salience(1.0), headlines=False),
    "headlines, value w=0 (salience only)": by_value(salience(0.0), headlines=True),
    "headlines, value w=3": by_value(salience(3.0), headlines=True),
    "no headlines, centrality only": by_value(centrality_only, headlines=False),
    "headlines, value w=1, lead prior 1.0": by_value(salience(1.0, position=1.0), headlines=True),
    "no headlines, value w=1, lead prior 1.0": by_value(salience(1.0, position=1.0), headlines=False),
    "no headlines, value w=1, halve <12 words": by_value(salience(1.0, min_words=12), headlines=False),
    "headlines, value w=1, opening prior 1": by_value(salience(1.0, opening=1.0), headlines=True),
    "headlines, value w=1, opening prior 3": by_value(salience(1.0, opening=3.0), headlines=True),
    "headlines, value w=1, no framing/logistics penalty": by_value(
        salience(1.0, lift_framing=True), headlines=True
    ),
    "headlines, value w=1, opening prior 3, no framing/logistics penalty": by_value(
        salience(1.0, opening=3.0, lift_framing=True), headlines=True
    ),
    "top 2 headlines, then value w=1, opening prior 3, no framing penalty": by_value(
        salience(1.0, opening=3.0, lift_framing=True), headlines=True, max_headlines=2
    ),
    "top 3 headlines, then value w=1, opening prior 3, no framing penalty": by_value(
        salience(1.0, opening=3.0, lift_framing=True), headlines=True, max_headlines=3
    ),
    "no headlines, value w=1, opening prior 3, no framing penalty": by_value(
        salience(1.0, opening=3.0, lift_framing=True), headlines=False
    ),
    "no headlines, value w=1, opening prior 10, no framing penalty": by_value(
        salience(1.0, opening=10.0, lift_framing=True), headlines=False
    ),
    "no headlines, value w=1, opening prior 3": by_value(salience(1.0, opening=3.0), headlines=False),
    "no headlines, value w=1, no framing penalty": by_value(
        salience(1.0, lift_framing=True), headlines=False
    ),
    "no headlines, value w=1, opening prior 3 over 10%, no framing penalty": by_value(
        salience(1.0, opening=3.0, scale=0.1, lift_framing=True), headlines=False
    ),
    CANDIDATE_NAME: CANDIDATE,
    "top 2 headlines, then LEAD": by_value(lambda run, i: -i, headlines=True, max_headlines=2),
    "first 2 candidates, then ours as shipped": opening_then(2, lambda run: ranked_sentences(run.summary)),
    "first 3 candidates, then ours as shipped": opening_then(3, lambda run: ranked_sentences(run.summary)),
    "headlines, then first candidates (LEAD)": by_value(lambda run, i: -i, headlines=True),
    **{f"{p} + our back-channel filter": filtered(p) for p in ("LEAD", "LexRank", "LSA")},
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality.tune", description=__doc__)
    parser.add_argument("--only", nargs="*", default=None, help="variant names to run (default: all)")
    args = parser.parse_args(argv)
    if not (DEFAULT_DATA / "qmsum" / "train").is_dir():
        print("Tuning skipped: no QMSum train data in ../shared/data.")
        return 0
    engine = Engine(DEFAULT_CACHE)
    meetings = load_meetings(DEFAULT_DATA, "train")
    runs = [
        MeetingRun(m, s, DEFAULT_CACHE)
        for m, s in zip(meetings, engine.summaries([m.path for m in meetings]), strict=True)
    ]
    systems: dict[str, Ranking] = {name: _peer(name) for name in PEERS}
    systems |= {k: v for k, v in VARIANTS.items() if args.only is None or k in args.only}
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rows = []
    for name, rank in systems.items():
        r1, r2, edu, ami = [], [], [], []
        for run in runs:
            order = rank(run)
            budget = len(run.meeting.reference.split())
            chosen = (
                select(order, run.lengths, budget)
                if name in PEERS
                else fill_budget(order, run.lengths, budget)
            )
            result = scorer.score(run.meeting.reference, run.text(chosen))
            r1.append(result["rouge1"].fmeasure)
            r2.append(result["rouge2"].fmeasure)
            if run.meeting.education:
                edu.append((result["rouge1"].fmeasure, result["rouge2"].fmeasure))
            gold_text = ami_gold(DEFAULT_DATA, run.meeting.name)
            if gold_text is not None:
                gold, _ = gold_sentences([r.text for r in run.summary.sentences], gold_text)
                picked = set(fill_budget(order, run.lengths, len(clean_transcript_text(gold_text).split())))
                if gold and picked:
                    p, r = len(picked & gold) / len(picked), len(picked & gold) / len(gold)
                    ami.append(2 * p * r / (p + r) if p + r else 0.0)
        rows.append(
            [
                name,
                np.mean(r1),
                np.mean(r2),
                np.mean([e[0] for e in edu]),
                np.mean([e[1] for e in edu]),
                np.mean(ami),
            ]
        )
        print(f"[tune] {name}: R1 {np.mean(r1):.3f} R2 {np.mean(r2):.3f}", file=sys.stderr, flush=True)
    print(search_variants(runs, engine.analyzer.taxonomy))
    print(
        table(
            ["ranking (QMSum train)", "R-1", "R-2", "education R-1", "education R-2", "AMI F1"],
            [[r[0], *(float(x) for x in r[1:])] for r in rows],
        )
    )
    return 0


def search_variants(runs: Sequence[MeetingRun], taxonomy: Taxonomy) -> str:
    """Recall@5 of ``search`` on the specific queries under different boosts and BM25 parameters."""
    variants = {
        "default": {},
        "no boosts": {"boosts": Boosts(0.0, 0.0, 0.0)},
        "no speaker boost": {"boosts": Boosts(speaker=0.0)},
        "no query-theme boost": {"boosts": Boosts(query_theme=0.0)},
        "speaker boost 1.0": {"boosts": Boosts(speaker=1.0)},
        "k1 1.5, b 0.5": {"k1": 1.5, "b": 0.5},
        "k1 0.9, b 0.9": {"k1": 0.9, "b": 0.9},
        "speaker boost 1.0, k1 1.5, b 0.5": {"boosts": Boosts(speaker=1.0), "k1": 1.5, "b": 0.5},
        "speaker boost 2.0": {"boosts": Boosts(speaker=2.0)},
    }
    rows: list[list[object]] = []
    for name, options in variants.items():
        index = SearchIndex.build([r.summary for r in runs], taxonomy=taxonomy, **options)  # type: ignore[arg-type]
        found = total = 0
        for run in runs:
            for query in run.meeting.specific:
                total += 1
                hits = index.search(query.text, top_k=5, doc=run.summary.id)
                found += any(inside(run.turn_at(h.start), query.spans) for h in hits)
        rows.append([name, found / max(total, 1)])
    return table(["search variant (QMSum train specific queries)", "recall@5"], rows)


def _peer(name: str) -> Ranking:
    return lambda run: run.rankings[name]


if __name__ == "__main__":
    raise SystemExit(main())
