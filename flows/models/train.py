"""Train, evaluate and load the theme model with the project's settings (no Prefect: quick commands)."""

from __future__ import annotations

import hashlib
import shutil
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from flows.settings import Settings
from nlp.analyse import Analyzer
from nlp.errors import IngestFailure
from nlp.gold import GoldError, Split, load_documents, load_gold_sentences, load_gold_takeaways, resolve
from nlp.ingest import read_document
from nlp.key_sentences import fit as fit_key_sentences
from nlp.key_sentences import same_sentence
from nlp.linguistic import analysis_pipeline, parse, sentences
from nlp.model_files import ModelError, active_model_dir
from nlp.patterns import PatternMatcher
from nlp.takeaways import TakeawayOptions, key_sentence_rows
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.training import (
    LabelledSentence,
    ThemeModel,
    indicator_matrix,
    load_labels,
    load_model,
    metrics,
    save_model,
    sentence_hits,
    train,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluation:
    n_sentences: int
    results: dict[str, dict[str, Any]]
    """variant (combined, model, rules) -> metrics"""
    where: str = "held-out sentences"


def training_items(settings: Settings, taxonomy: Taxonomy) -> list[LabelledSentence]:
    """The real sentences of the train split (when the data is beside the project), the sentences
    written for the project and the taxonomy's own example sentences.

    With a taxonomy of one's own, labels for themes it does not have are dropped."""
    items = real_items(settings, taxonomy, split="train")
    items += load_labels(settings.train_labels, taxonomy.ids, unknown="drop")
    items += [LabelledSentence(text=e, themes=[t.id]) for t in taxonomy.themes for e in t.examples]
    return items


def real_items(settings: Settings, taxonomy: Taxonomy, *, split: Split) -> list[LabelledSentence]:
    """One split of the real labelled sentences, or none when the data or the labels are absent or the
    taxonomy is not the one they were labelled for."""
    if not (settings.real_labels / "themes.jsonl").exists() or not settings.data_dir.is_dir():
        return []
    try:
        gold = load_gold_sentences(settings.real_labels, settings.data_dir, taxonomy.ids)
    except GoldError as exc:
        if "unknown theme" in str(exc):
            return []
        raise
    return [
        LabelledSentence(text=g.text, themes=list(g.themes), group=g.doc, real=True)
        for g in gold
        if g.split == split
    ]


def unlabelled_sentences(settings: Settings, nlp: Language) -> list[str]:
    """Candidate sentences of the documents in ``unlabelled_dir`` (the samples, written for the project),
    in a fixed order so training stays reproducible."""
    paths = (
        sorted(p for p in settings.unlabelled_dir.rglob("*") if p.is_file())
        if settings.unlabelled_dir.is_dir()
        else []
    )
    documents = []
    for path in paths:
        try:
            documents.append(read_document(path.read_bytes(), source=str(path)))
        except IngestFailure:
            continue
    return [
        s.clean
        for document, doc in parse(documents, nlp=nlp)
        for s in sentences(document, doc)
        if s.candidate
    ]


def train_and_save(
    settings: Settings, *, nlp: Language | None = None, folder: Path | None = None
) -> ThemeModel:
    taxonomy = load_taxonomy(settings.taxonomy_path)
    nlp = nlp or analysis_pipeline(settings.spacy_model)
    model = train(
        training_items(settings, taxonomy), taxonomy=taxonomy, nlp=nlp,
        unlabelled=unlabelled_sentences(settings, nlp), random_state=settings.random_state,
    )  # fmt: skip
    learn_key_sentences(settings, model, taxonomy, nlp)
    model.metadata["labels"] = label_hashes(settings)
    save_model_whole(model, folder or settings.theme_model_dir)
    return model


def save_model_whole(model: ThemeModel, folder: Path) -> None:
    """Write the model beside ``folder`` and put it in place by renames: a training killed midway leaves
    the model in use as it was, never a half-written one that every later run would fail to load."""
    staging, old = folder.with_name(folder.name + ".writing"), folder.with_name(folder.name + ".replaced")
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    save_model(model, staging)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    if old.exists():
        shutil.rmtree(old)


def label_hashes(settings: Settings) -> dict[str, str]:
    """SHA-256 of each label file a model could learn from, so a shipped model can be checked against
    the labels it claims (files that are absent are left out)."""
    files = {
        "written": settings.train_labels,
        "real_units": settings.real_labels / "units.jsonl",
        "real_themes": settings.real_labels / "themes.jsonl",
        "real_takeaways": settings.real_labels / "takeaways.jsonl",
    }
    return {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in files.items() if p.exists()}


def learn_key_sentences(settings: Settings, model: ThemeModel, taxonomy: Taxonomy, nlp: Language) -> None:
    """Fit the key-sentence model on the gold takeaways of the train split's real documents, when the
    data and labels are there; the model's version then covers those labels too."""
    if not (settings.real_labels / "takeaways.jsonl").exists() or not settings.data_dir.is_dir():
        return
    try:
        gold = load_gold_takeaways(settings.real_labels, settings.data_dir, taxonomy.ids)
    except GoldError as exc:
        if "unknown theme" in str(exc):
            return
        raise
    documents = [
        d for d in load_documents(settings.real_labels).values() if d.split == "train" and d.doc in gold
    ]
    read = [read_document((settings.data_dir / d.path).read_bytes(), source=d.path) for d in documents]
    matcher = PatternMatcher(nlp, taxonomy)
    rows: list[list[float]] = []
    labels: list[int] = []
    for record, (document, doc) in zip(documents, parse(read, nlp=nlp), strict=True):
        sents = sentences(document, doc)
        decisions = model.decide(
            [s.clean or s.text for s in sents], matcher.sentence_hits(doc, [(s.start, s.end) for s in sents])
        )
        key = [resolve(span, settings.data_dir) for t in gold[record.doc].takeaways for span in t.evidence]
        for s, row in zip(sents, key_sentence_rows(document, sents, decisions), strict=True):
            if s.candidate:
                rows.append(row)
                labels.append(int(any(same_sentence(s.text, k) for k in key)))
    model.key_sentences = fit_key_sentences(rows, labels)
    gold_hash = hashlib.sha256((settings.real_labels / "takeaways.jsonl").read_bytes()).hexdigest()[:16]
    model.metadata["key_sentences"] = {
        "documents": len(documents), "sentences": len(rows), "key_sentences": sum(labels),
        "gold_hash": gold_hash,
    }  # fmt: skip
    model.metadata["version"] = hashlib.sha256(f"{model.version}:{gold_hash}".encode()).hexdigest()[:12]


def load_or_train(settings: Settings, *, nlp: Language | None = None) -> tuple[ThemeModel, bool]:
    """The user's trained model or the shipped one for the current taxonomy, training one first if
    neither fits; True if trained."""
    taxonomy = load_taxonomy(settings.taxonomy_path)
    try:
        return load_model(
            active_model_dir(settings.model_search_path, taxonomy=taxonomy), taxonomy=taxonomy
        ), False
    except ModelError:
        if not real_items(settings, taxonomy, split="train"):
            logger.warning(
                "training a theme model without the real labelled sentences (%s is not there): it will "
                "be weaker than the shipped one on real documents", settings.data_dir,
            )  # fmt: skip
        return train_and_save(settings, nlp=nlp), True


def build_analyzer(settings: Settings, *, nlp: Language | None = None) -> tuple[Analyzer, bool]:
    """What analysis loads once per process: the spaCy pipeline (unless given), taxonomy and theme model
    (trained first if there is none); and whether it had to be trained."""
    nlp = nlp or analysis_pipeline(settings.spacy_model)
    model, trained = load_or_train(settings, nlp=nlp)
    taxonomy = load_taxonomy(settings.taxonomy_path)
    analyzer = Analyzer(nlp=nlp, taxonomy=taxonomy, model=model, options=takeaway_options(settings))
    return analyzer, trained


def load_analyzer(settings: Settings, *, nlp: Language) -> Analyzer:
    """The analyser over the model in use; :class:`ModelError` if there is none (nothing is trained)."""
    taxonomy = load_taxonomy(settings.taxonomy_path)
    model = load_model(active_model_dir(settings.model_search_path, taxonomy=taxonomy), taxonomy=taxonomy)
    return Analyzer(nlp=nlp, taxonomy=taxonomy, model=model, options=takeaway_options(settings))


def takeaway_options(settings: Settings) -> TakeawayOptions:
    return TakeawayOptions(max_takeaways=settings.max_takeaways)


def evaluate(settings: Settings, model: ThemeModel, *, nlp: Language | None = None) -> Evaluation:
    """Scores on held-out labels never seen in training, for the combined, model-only and rule-only
    variants: the real test split when the data is beside the project, else the written eval set."""
    taxonomy = load_taxonomy(settings.taxonomy_path)
    nlp = nlp or analysis_pipeline(settings.spacy_model)
    items = real_items(settings, taxonomy, split="test")
    where = "real sentences of the test split"
    if not items:
        items = load_labels(settings.eval_labels, taxonomy.ids, unknown="drop")
        where = "written sentences of the eval set"
    texts = [item.text for item in items]
    Y = indicator_matrix(items, taxonomy.ids)
    hits = sentence_hits(nlp, PatternMatcher(nlp, taxonomy), texts)
    results = {
        variant: metrics(Y, model.predict(texts, hits, variant), taxonomy.ids)
        for variant in ("combined", "model", "rules")
    }
    return Evaluation(n_sentences=len(items), results=results, where=where)
