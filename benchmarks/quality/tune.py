"""Tuning on QMSum ``train`` only: which choices of the brief move ROUGE and AMI F1, and by how much.

``python -m benchmarks.quality.tune`` scores variants of ``nlp.extractive.cover`` (one knob of
``CoverOptions`` changed at a time) beside the peers on the train split; the defaults of
``CoverOptions`` were chosen from this table. Nothing reported in RESULTS.md is tuned on val.
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
from benchmarks.results_file import RESULTS, replace_section
from nlp.extractive import CoverOptions, cover
from nlp.linguistic import clean_transcript_text
from nlp.search import Boosts, SearchIndex
from nlp.taxonomy import Taxonomy

TUNING_SECTION = "## Tuning on QMSum train"
Selection = Callable[[MeetingRun, int], list[int]]
"""A system under test: a meeting and a word budget in, the chosen sentence indices out."""


def brief(options: CoverOptions | None = None) -> Selection:
    chosen = options or CoverOptions()
    return lambda run, budget: cover(run.summary.sentences, budget, options=chosen)


def headlines(run: MeetingRun) -> list[int]:
    """The takeaways' headline sentences, in rank order."""
    by_span = {(r.start, r.end): r.i for r in run.summary.sentences}
    found = (by_span.get((t.start, t.end)) for t in run.summary.takeaways)
    return [i for i in found if i is not None]


def headlines_first(run: MeetingRun, budget: int) -> list[int]:
    """The issue's literal reading: the takeaway headlines in rank order, then the brief fills the budget."""
    return cover(run.summary.sentences, budget, start=headlines(run))


VARIANTS: dict[str, Selection] = {
    "brief as shipped": brief(),
    "takeaway headlines first, then the brief": headlines_first,
    "no opening prior": brief(CoverOptions(opening_boost=0.0)),
    "opening prior 1": brief(CoverOptions(opening_boost=1.0)),
    "opening prior 2": brief(CoverOptions(opening_boost=2.0)),
    "opening prior 5": brief(CoverOptions(opening_boost=5.0)),
    "opening over 2%": brief(CoverOptions(opening_scale=0.02)),
    "opening over 10%": brief(CoverOptions(opening_scale=0.1)),
    "length exponent 0.3": brief(CoverOptions(length_exponent=0.3)),
    "length exponent 0.7": brief(CoverOptions(length_exponent=0.7)),
    "length exponent 1.0": brief(CoverOptions(length_exponent=1.0)),
    "concept weight: mentions^0.75": brief(CoverOptions(weight_exponent=0.75)),
    "concept weight: mentions^1.0": brief(CoverOptions(weight_exponent=1.0)),
    "concepts in 3+ sentences": brief(CoverOptions(min_sentences=3)),
    "no purpose prior": brief(CoverOptions(purpose_boost=0.0)),
    "purpose prior 2": brief(CoverOptions(purpose_boost=2.0)),
    "single words only (no pairs)": brief(CoverOptions(pairs=False)),
    "stop when nothing new is left (no fill)": brief(CoverOptions(fill=False)),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality.tune", description=__doc__)
    parser.add_argument("--only", nargs="*", default=None, help="variant names to run (default: all)")
    parser.add_argument("--write", action="store_true", help=f"write the table into {RESULTS.name}")
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
    systems: dict[str, Selection] = {name: _peer(name) for name in PEERS}
    systems |= {k: v for k, v in VARIANTS.items() if args.only is None or k in args.only}
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rows = []
    for name, system in systems.items():
        r1, r2, edu, ami = [], [], [], []
        for run in runs:
            budget = len(run.meeting.reference.split())
            chosen = system(run, budget)
            result = scorer.score(run.meeting.reference, run.text(chosen))
            r1.append(result["rouge1"].fmeasure)
            r2.append(result["rouge2"].fmeasure)
            if run.meeting.education:
                edu.append((result["rouge1"].fmeasure, result["rouge2"].fmeasure))
            gold_text = ami_gold(DEFAULT_DATA, run.meeting.name)
            if gold_text is not None:
                gold, _ = gold_sentences([r.text for r in run.summary.sentences], gold_text)
                picked = set(system(run, len(clean_transcript_text(gold_text).split())))
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
    n_edu = sum(run.meeting.education for run in runs)
    body = "\n".join(
        [
            TUNING_SECTION,
            "",
            f"_`python -m benchmarks.quality.tune --write`: {len(runs)} QMSum train meetings ({n_edu} "
            "education); the same budget rule and scoring as the Quality section. Each row changes one "
            "setting of the brief (`nlp.extractive.CoverOptions`) from its default; the defaults were "
            "chosen from this table. Nothing here is measured on val._",
            "",
            table(
                ["ranking (QMSum train)", "R-1", "R-2", "education R-1", "education R-2", "AMI F1"],
                [[r[0], *(float(x) for x in r[1:])] for r in rows],
            ),
            "",
            search_variants(runs, engine.analyzer.taxonomy),
        ]
    )
    print(body)
    if args.write:
        replace_section(RESULTS, body, heading=TUNING_SECTION)
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


def _peer(name: str) -> Selection:
    return lambda run, budget: select(run.rankings[name], run.lengths, budget)


if __name__ == "__main__":
    raise SystemExit(main())
