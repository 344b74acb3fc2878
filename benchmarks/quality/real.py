"""Quality on real documents, judged against the adjudicated labels in ``corpus/labels/real``.

Themes: per-sentence labels of the dev or test split, for the shipped engine, the keyword list (a
theme whenever one of its taxonomy phrases occurs), a model trained on the written sentences only (the
data of the model shipped before real labels existed) and the two annotators against each other.
Takeaways: the top four of each test document with gold key takeaways, against LEAD and the keyword
list. Off-taxonomy: every product-design and research meeting of QMSum outside the train split.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from spacy.language import Language

from benchmarks.quality.analysis import Engine
from benchmarks.quality.report import table
from flows.settings import Settings
from nlp.gold import (
    NO_THEME,
    GoldSentence,
    load_documents,
    load_gold_sentences,
    load_gold_takeaways,
    load_theme_labels,
    resolve,
)
from nlp.gold import Span as GoldSpan
from nlp.key_sentences import same_sentence
from nlp.patterns import PatternMatcher
from nlp.scope import OUTSIDE_TAXONOMY_SHARE
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel, metrics, sentence_hits, train

IntArray = NDArray[np.int_]
TOP = 4


@dataclass(frozen=True)
class Scores:
    micro: dict[str, float]
    macro_f1: float
    per_theme: dict[str, float]
    gate_accuracy: float
    """'no theme' vs 'some theme' accuracy"""

    @property
    def worst(self) -> tuple[str, float]:
        theme = min(self.per_theme, key=lambda t: self.per_theme[t])
        return theme, self.per_theme[theme]


def score(Y: IntArray, P: IntArray, theme_ids: Sequence[str]) -> Scores:
    m = metrics(Y, P, theme_ids)
    gate = float(np.mean((Y.sum(axis=1) > 0) == (P.sum(axis=1) > 0))) if len(Y) else 0.0
    return Scores(
        micro=m["micro"],
        macro_f1=m["macro"]["f1"],
        per_theme={t: v["f1"] for t, v in m["per_theme"].items()},
        gate_accuracy=round(gate, 4),
    )


def matrix(labels: Sequence[Sequence[str]], theme_ids: Sequence[str]) -> IntArray:
    index = {t: j for j, t in enumerate(theme_ids)}
    Y = np.zeros((len(labels), len(theme_ids)), dtype=int)
    for i, themes in enumerate(labels):
        for t in themes:
            Y[i, index[t]] = 1
    return Y


def keyword_matrix(hits: Sequence[dict[str, list[str]]], theme_ids: Sequence[str]) -> IntArray:
    """The keyword-list baseline: a theme whenever any of its taxonomy phrases occurs."""
    return matrix([[t for t in theme_ids if h.get(t)] for h in hits], theme_ids)


def written_only_model(settings: Settings, analyzer_nlp: Language, taxonomy: Taxonomy) -> ThemeModel:
    """The model the project shipped before real labels: written sentences and taxonomy examples only."""
    from flows.models.train import unlabelled_sentences
    from nlp.training import LabelledSentence, load_labels

    items = load_labels(settings.train_labels, taxonomy.ids, unknown="drop")
    items += [LabelledSentence(text=e, themes=[t.id]) for t in taxonomy.themes for e in t.examples]
    unlabelled = unlabelled_sentences(settings, analyzer_nlp)
    return train(
        items, taxonomy=taxonomy, nlp=analyzer_nlp, unlabelled=unlabelled, random_state=settings.random_state
    )


@dataclass
class ThemeBench:
    """Gold sentences of one split with every system's predictions and the two annotation passes."""

    split: str
    sentences: list[GoldSentence]
    Y: IntArray
    predictions: dict[str, IntArray]
    passes: tuple[IntArray, IntArray]
    """annotator A and annotator B on the same sentences, before adjudication"""


def theme_bench(
    settings: Settings, model: ThemeModel, nlp: Language, taxonomy: Taxonomy, split: str
) -> ThemeBench:
    theme_ids = model.theme_ids
    gold = [
        g for g in load_gold_sentences(settings.real_labels, settings.data_dir, theme_ids) if g.split == split
    ]
    texts = [g.text for g in gold]
    matcher = PatternMatcher(nlp, taxonomy)
    hits = sentence_hits(nlp, matcher, texts)
    written = written_only_model(settings, nlp, taxonomy)
    predictions = {
        "Takeaways (patterns + model)": model.predict(texts, hits, "combined"),
        "model only": model.predict(texts, hits, "model"),
        "keyword list": keyword_matrix(hits, theme_ids),
        "trained on written sentences only (before)": written.predict(texts, hits, "combined"),
    }
    a, b = (load_theme_labels(settings.real_labels / "passes" / p / "themes.jsonl", theme_ids) for p in "ab")
    both = [g.id for g in gold if g.id in a and g.id in b]
    passes = (matrix([a[i] for i in both], theme_ids), matrix([b[i] for i in both], theme_ids))
    return ThemeBench(split, gold, matrix([g.themes for g in gold], theme_ids), predictions, passes)


def themes_section(bench: ThemeBench, theme_ids: Sequence[str]) -> str:
    scores = {name: score(bench.Y, P, theme_ids) for name, P in bench.predictions.items()}
    scores["annotator B against annotator A"] = score(*bench.passes, theme_ids)
    rows = [
        [
            name, s.micro["precision"], s.micro["recall"], s.micro["f1"], s.macro_f1,
            f"{s.worst[0]} {s.worst[1]:.3f}", s.gate_accuracy,
        ]
        for name, s in scores.items()
    ]  # fmt: skip
    per_theme_rows = [
        [t, int(bench.Y[:, j].sum()), *(scores[n].per_theme[t] for n in scores)]
        for j, t in enumerate(theme_ids)
    ]
    n_none = int((bench.Y.sum(axis=1) == 0).sum())
    return "\n".join(
        [
            f"### Themes on real sentences ({bench.split} split: {len(bench.sentences)} sentences from "
            f"{len({g.doc for g in bench.sentences})} documents, {n_none} with no theme)\n",
            table(
                ["system", "micro P", "micro R", "micro F1", "macro F1", "weakest theme", "none/some acc."],
                rows,
            ),
            "",
            "F1 per theme (support: adjudicated sentences of the split carrying the theme):\n",
            table(["theme", "support", *scores], per_theme_rows),
        ]
    )


# --- takeaways ----------------------------------------------------------------------------------------


Pick = tuple[str, list[str]]
"""(theme or 'none', the headline and evidence texts)"""


def takeaway_scores(
    picks: dict[str, list[Pick]], gold: dict[str, list[tuple[str, list[str]]]]
) -> dict[str, float]:
    """Theme recall of the top four and the share of the top four matching a gold takeaway's sentence
    with the same theme."""
    found = wanted = matched = shown = 0
    for doc, chosen in picks.items():
        gold_themes = {t for t, _ in gold[doc] if t != NO_THEME}
        chosen_themes = {t for t, _ in chosen[:TOP]}
        wanted += len(gold_themes)
        found += len(gold_themes & chosen_themes)
        for theme, texts in chosen[:TOP]:
            shown += 1
            matched += any(
                t == theme and any(same_sentence(x, g) for x in texts for g in gold_texts)
                for t, gold_texts in gold[doc]
            )
    return {
        "documents": len(picks),
        "theme recall@4": round(found / max(wanted, 1), 3),
        "top-4 matching gold": round(matched / max(shown, 1), 3),
        "takeaways shown": shown,
    }


def gold_takeaway_texts(
    settings: Settings, theme_ids: Sequence[str]
) -> dict[str, list[tuple[str, list[str]]]]:
    gold = load_gold_takeaways(settings.real_labels, settings.data_dir, theme_ids)
    return {
        doc: [(t.theme, [resolve(s, settings.data_dir) for s in t.evidence]) for t in record.takeaways]
        for doc, record in gold.items()
    }


def ours(summary: DocumentSummary) -> list[Pick]:
    return [
        (NO_THEME if t.theme == "other" else t.theme, [t.text, *(e.text for e in t.evidence)])
        for t in summary.takeaways
    ]


def lead(summary: DocumentSummary, keyword_themes: Callable[[str], list[str]]) -> list[Pick]:
    """LEAD: the first four candidate sentences, each under its first keyword theme."""
    first = [r.text for r in summary.sentences if r.candidate][:TOP]
    return [((keyword_themes(t) or [NO_THEME])[0], [t]) for t in first]


def keyword_takeaways(summary: DocumentSummary, keyword_themes: Callable[[str], list[str]]) -> list[Pick]:
    """The keyword list: themes by how many sentences name them, each headed by its first such sentence."""
    by_theme: dict[str, list[str]] = {}
    for r in summary.sentences:
        if r.candidate:
            for t in keyword_themes(r.text):
                by_theme.setdefault(t, []).append(r.text)
    ranked = sorted(by_theme.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(t, [texts[0]]) for t, texts in ranked[:TOP]]


def themed_takeaways(summary: DocumentSummary) -> int:
    return sum(t.theme != "other" for t in summary.takeaways)


def takeaways_section(engine: Engine, split: str) -> str:
    """Top four takeaways of each document with gold key takeaways in ``split``, against LEAD and the
    keyword list, and the two annotators against each other."""
    settings, analyzer = engine.settings, engine.analyzer
    theme_ids = analyzer.taxonomy.ids
    documents = [d for d in load_documents(settings.real_labels).values() if d.takeaways and d.split == split]
    gold = gold_takeaway_texts(settings, theme_ids)
    summaries = engine.summaries([settings.data_dir / d.path for d in documents])
    matcher = PatternMatcher(analyzer.nlp, analyzer.taxonomy)

    def keyword_themes(text: str) -> list[str]:
        (hits,) = sentence_hits(analyzer.nlp, matcher, [text])
        return [t for t in theme_ids if hits.get(t)]

    systems = {
        "Takeaways": {d.doc: ours(s) for d, s in zip(documents, summaries, strict=True)},
        "LEAD-4 (keyword theme)": {
            d.doc: lead(s, keyword_themes) for d, s in zip(documents, summaries, strict=True)
        },
        "keyword list": {
            d.doc: keyword_takeaways(s, keyword_themes) for d, s in zip(documents, summaries, strict=True)
        },
    }
    passes = {p: _pass_picks(settings, p) for p in "ab"}
    systems["annotator B against annotator A"] = {
        d.doc: passes["b"][d.doc] for d in documents if d.doc in passes["b"]
    }
    references = dict.fromkeys(systems, gold)
    references["annotator B against annotator A"] = {d.doc: passes["a"][d.doc] for d in documents}
    rows = []
    for name, picks in systems.items():
        result = takeaway_scores(picks, references[name])
        rows.append([name, result["documents"], result["theme recall@4"], result["top-4 matching gold"]])
    return "\n".join(
        [
            f"### Key takeaways on real documents ({split} split)\n",
            "Gold: the adjudicated 2-4 key takeaways a reporter would list (theme and the sentences that "
            "state it). Theme recall@4: the share of gold themes among the themes of the top four "
            "takeaways. Matching: the share of the top four whose headline or evidence is a gold "
            "takeaway's sentence with the same theme ('none' for points outside the taxonomy).\n",
            table(["system", "documents", "theme recall@4", "top-4 matching gold"], rows),
        ]
    )


def _pass_picks(settings: Settings, name: str) -> dict[str, list[tuple[str, list[str]]]]:
    """One annotator's key takeaways as (theme, sentence texts), for agreement."""
    import json

    numbered: dict[str, list[str]] = {}
    for line in (settings.real_labels / "takeaway_sentences.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        numbered[record["doc"]] = [
            resolve(GoldSpan(**s["span"]), settings.data_dir) for s in record["sentences"]
        ]
    out = {}
    for line in (
        (settings.real_labels / "passes" / name / "takeaways.jsonl").read_text(encoding="utf-8").splitlines()
    ):
        record = json.loads(line)
        out[record["doc"]] = [
            (t["theme"], [numbered[record["doc"]][n] for n in t["sentences"]]) for t in record["takeaways"]
        ]
    return out


def scope_section(engine: Engine) -> str:
    """Documents outside the taxonomy: every QMSum product-design and research meeting outside the
    train split should get no themed takeaway; the labelled in-taxonomy documents outside train should."""
    settings = engine.settings
    trained = {d.path for d in load_documents(settings.real_labels).values() if d.split == "train"}
    domains = {"Product": "product-design meetings (AMI)", "Academic": "research-group meetings (ICSI)"}
    rows = []
    for domain, label in domains.items():
        names = set(
            (settings.data_dir / "qmsum" / f"domain_{domain}.txt").read_text(encoding="utf-8").split()
        )
        paths = [
            p for p in sorted((settings.data_dir / "qmsum").glob("*/*.json"))
            if p.stem in names and str(p.relative_to(settings.data_dir)) not in trained
        ]  # fmt: skip
        summaries = engine.summaries(paths)
        clean = sum(themed_takeaways(s) == 0 for s in summaries)
        flagged = sum(s.outside_taxonomy for s in summaries)
        rows.append([label, len(paths), f"{clean} ({clean / max(len(paths), 1):.1%})", flagged])
    inside = [
        d for d in load_documents(settings.real_labels).values()
        if d.split != "train" and d.kind in {"statement", "committee", "seed"}
    ]  # fmt: skip
    summaries = engine.summaries([settings.data_dir / d.path for d in inside])
    clean = sum(themed_takeaways(s) == 0 for s in summaries)
    rows.append(
        ["in-taxonomy documents of dev and test (speeches, committee meetings, seed)", len(inside),
         f"{clean} ({clean / max(len(inside), 1):.1%})", sum(s.outside_taxonomy for s in summaries)]
    )  # fmt: skip
    return "\n".join(
        [
            "### Documents outside the taxonomy\n",
            "A document is outside the taxonomy when fewer than "
            f"{OUTSIDE_TAXONOMY_SHARE:.0%} of its candidate sentences carry a theme (`nlp/scope.py`; the "
            "boundary was read off the train split). Meetings of the train split are left out.\n",
            table(["documents", "n", "no themed takeaway", "flagged outside the taxonomy"], rows),
        ]
    )


def seed_section(engine: Engine) -> str:
    (summary,) = engine.summaries(sorted((engine.settings.data_dir / "seed").glob("*.txt")))
    top = [t.theme for t in summary.takeaways[:3]]
    wanted = ["partnerships", "digital_equity", "teacher_capacity"]
    facts = summary.facts
    verdict = "the three it states" if sorted(top) == sorted(wanted) else "expected " + ", ".join(wanted)
    return "\n".join(
        [
            "### The seed article\n",
            f"Top three takeaway themes: {', '.join(top)} "
            f"({verdict}). "
            "Lede facts: "
            + "; ".join(
                f"{name} “{span.text}”" if span is not None else f"{name} none"
                for name, span in (("what", facts.what), ("when", facts.when), ("where", facts.where))
            )
            + ".",
        ]
    )
