"""Analyse ingested documents with the project's settings: the engine behind `takeaways run`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.language import Language

from flows.settings import Settings
from flows.theme_model import load_or_train
from nlp.analyse import AnalysisFailure, Analyzer, analyse
from nlp.corpus import CorpusSummary, aggregate
from nlp.document import Document
from nlp.errors import ErrorCode, IngestError
from nlp.linguistic import analysis_pipeline
from nlp.summary import DocumentSummary
from nlp.takeaways import TakeawayOptions
from nlp.taxonomy import load_taxonomy


@dataclass
class AnalysisResult:
    summaries: list[DocumentSummary] = field(default_factory=list)
    failures: list[AnalysisFailure] = field(default_factory=list)
    trained_model: bool = False


def build_analyzer(settings: Settings, *, nlp: Language | None = None) -> tuple[Analyzer, bool]:
    """Load the pipeline (unless given), taxonomy and theme model once (training the model if there is
    none)."""
    nlp = nlp or analysis_pipeline(settings.spacy_model)
    model, trained = load_or_train(settings, nlp=nlp)
    taxonomy = load_taxonomy(settings.taxonomy_path)
    analyzer = Analyzer(
        nlp=nlp, taxonomy=taxonomy, model=model, options=TakeawayOptions(max_takeaways=settings.max_takeaways)
    )
    return analyzer, trained


def analyse_documents(
    documents: Sequence[Document],
    *,
    analyzer: Analyzer,
    settings: Settings,
    on_document: Callable[[], None] | None = None,
) -> AnalysisResult:
    result = AnalysisResult()
    for outcome in analyse(
        documents, analyzer=analyzer, n_process=settings.n_process, batch_size=settings.batch_size
    ):
        if isinstance(outcome, AnalysisFailure):
            result.failures.append(outcome)
        else:
            result.summaries.append(outcome)
        if on_document is not None:
            on_document()
    return result


def corpus_view(analyzer: Analyzer, result: AnalysisResult, errors: Sequence[IngestError]) -> CorpusSummary:
    failures = [IngestError(path=f.source, code=ErrorCode.ANALYSIS, reason=f.reason) for f in result.failures]
    labels = {t.id: t.label for t in analyzer.taxonomy.themes}
    return aggregate(result.summaries, labels=labels, errors=[*errors, *failures])
