"""From documents to ``DocumentSummary`` objects: the whole text-mining pass, batch by batch.

An :class:`Analyzer` holds what is loaded once per process (spaCy pipeline, taxonomy, pattern matcher,
theme model). ``analyse`` streams documents through ``nlp.pipe`` and turns each into a summary; a
document whose analysis fails becomes an :class:`AnalysisFailure` and the others carry on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from nlp.document import Document
from nlp.entities import extract_entities
from nlp.facts import extract_facts
from nlp.keyphrases import phrase_candidates, rank_keyphrases
from nlp.linguistic import analysis_pipeline, parse, sentences
from nlp.patterns import PatternMatcher
from nlp.quotes import extract_quotes
from nlp.scope import outside_taxonomy
from nlp.summary import DocumentSummary, ModelInfo, SentenceRecord
from nlp.takeaways import TakeawayOptions, score_sentences, select_takeaways
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel

logger = logging.getLogger(__name__)
DOCUMENT_GROUP = "__document__"


@dataclass(frozen=True)
class AnalysisFailure:
    document_id: str
    source: str
    reason: str


@dataclass
class Analyzer:
    """Everything analysis needs, loaded once per process and reused for every batch."""

    nlp: Language
    taxonomy: Taxonomy
    model: ThemeModel
    matcher: PatternMatcher = field(init=False)
    options: TakeawayOptions = field(default_factory=TakeawayOptions)

    def __post_init__(self) -> None:
        self.matcher = PatternMatcher(self.nlp, self.taxonomy)

    @classmethod
    def build(cls, *, spacy_model: str, taxonomy: Taxonomy, model: ThemeModel) -> Analyzer:
        return cls(nlp=analysis_pipeline(spacy_model), taxonomy=taxonomy, model=model)

    @property
    def info(self) -> ModelInfo:
        package = str(self.nlp.meta.get("takeaways_package", self.nlp.meta.get("name", "?")))
        return ModelInfo(
            spacy_pipeline=package, theme_model=self.model.version, taxonomy=self.taxonomy.digest()
        )


def analyse(
    documents: Iterable[Document], *, analyzer: Analyzer, n_process: int = 1, batch_size: int = 16
) -> Iterator[DocumentSummary | AnalysisFailure]:
    """Summaries in input order; a failure in one document never stops the rest."""
    yield from summarise_parsed(
        parse(documents, nlp=analyzer.nlp, n_process=n_process, batch_size=batch_size), analyzer
    )


def summarise_parsed(
    parsed: Iterable[tuple[Document, Doc]], analyzer: Analyzer
) -> Iterator[DocumentSummary | AnalysisFailure]:
    """The analysis after spaCy, for documents parsed here or in another process."""
    for document, doc in parsed:
        try:
            yield summarise(document, doc, analyzer)
        except Exception as exc:
            logger.exception("analysis failed for %s", document.source)
            yield AnalysisFailure(
                document_id=document.id, source=document.source, reason=f"{type(exc).__name__}: {exc}"
            )


def summarise(document: Document, doc: Doc, analyzer: Analyzer) -> DocumentSummary:
    """Build the summary of one parsed document."""
    sents = sentences(document, doc)
    spans = [(s.start, s.end) for s in sents]
    hits = analyzer.matcher.sentence_hits(doc, spans)
    decisions = analyzer.model.decide([s.clean or s.text for s in sents], hits)
    candidates = phrase_candidates(doc, spans)
    groups: dict[str, list[int]] = {DOCUMENT_GROUP: [s.i for s in sents if s.candidate]}
    for s, decision in zip(sents, decisions, strict=True):
        if s.candidate:
            for theme in decision.scores:
                groups.setdefault(theme, []).append(s.i)
    keyphrases = rank_keyphrases(candidates, groups) if sents else {}
    scored = score_sentences(document, sents, decisions=decisions, key_model=analyzer.model.key_sentences)
    labels = {t.id: t.label for t in analyzer.taxonomy.themes}
    takeaways = select_takeaways(
        scored, decisions, labels=labels, keyphrases=keyphrases, options=analyzer.options
    )
    entities = extract_entities(doc)
    quotes = extract_quotes(document, doc)
    return DocumentSummary(
        id=document.id,
        source=document.source,
        title=document.title,
        format=document.format,
        kind=document.kind,
        date=document.date,
        speakers=document.speakers,
        text=document.text,
        segments=list(document.segments),
        sentences=[
            SentenceRecord(
                i=s.i,
                text=s.text,
                start=s.start,
                end=s.end,
                speaker=s.speaker,
                themes=d.scores,
                reasons=d.reasons,
                candidate=s.candidate,
            )
            for s, d in zip(sents, decisions, strict=True)
        ],
        takeaways=takeaways,
        quotes=quotes,
        entities=entities,
        facts=extract_facts(document, doc, entities, quotes),
        keyphrases=keyphrases.get(DOCUMENT_GROUP, []),
        model=analyzer.info,
        outside_taxonomy=outside_taxonomy(
            (s.candidate, bool(d.scores)) for s, d in zip(sents, decisions, strict=True)
        ),
    )
