"""The linguistic pass: one spaCy ``Doc`` per document, sentences that never cross a speaker turn.

The parser is the slow part of ``en_core_web_sm`` and nothing here needs a dependency tree, so it is
excluded and the statistical sentence recognizer (``senter``) is enabled instead. The ``segment_boundaries``
component then forces a sentence start after every segment break (the blank line between turns or
paragraphs in ``Document.text``), so no sentence spans two speakers.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from spacy.attrs import IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc

from nlp.attribute_rules import use_lookup_attribute_ruler
from nlp.document import Document
from nlp.pipeline import load_pipeline

EXCLUDED = ("parser",)
_DISFLUENCY_MARKER = re.compile(r"\{\w+\}")
_FILLER = re.compile(r"\b(?:um+|uh+|erm+|er|hmm+|mm+|uh-huh|mm-hmm|ah+)\b[,.]?\s*", re.I)
_REPEATED_WORD = re.compile(r"\b(\w+)(?:\s+\1\b)+", re.I)
_SPACES = re.compile(r"\s+")
_BACKCHANNEL = {
    "yeah",
    "yes",
    "yep",
    "no",
    "nope",
    "okay",
    "ok",
    "right",
    "sure",
    "mm-hmm",
    "uh-huh",
    "mhm",
    "hmm",
    "um",
    "uh",
    "oh",
    "ah",
    "thanks",
    "thank you",
    "great",
    "good",
    "fine",
    "alright",
    "all right",
    "exactly",
    "true",
    "i see",
    "got it",
    "cool",
    "wow",
    "really",
    "so",
    "and",
    "but",
    "well",
    "indeed",
    "absolutely",
    "of course",
    "i agree",
    "agreed",
    "that's right",
    "that's true",
    "yeah yeah",
    "okay okay",
}
_MIN_CANDIDATE_WORDS = 5


@Language.component("segment_boundaries")
def segment_boundaries(doc: Doc) -> Doc:
    """Start a sentence after any whitespace token holding a line break (our segment separator). Only
    whitespace tokens are visited: a loop over every token cost as much as the sentence recognizer."""
    breaks = [i for i in np.flatnonzero(doc.to_array(IS_SPACE)).tolist() if "\n" in doc[i].text]
    after_break = {i + 1 for i in breaks}
    for i in breaks:
        if i > 0 and i not in after_break:
            doc[i].is_sent_start = False
    for i in after_break:
        if i < len(doc):
            doc[i].is_sent_start = True
    return doc


def analysis_pipeline(model: str) -> Language:
    """The shared spaCy pipeline for analysis: no parser, senter on, segment boundaries enforced."""
    nlp = load_pipeline(model, exclude=EXCLUDED)
    use_lookup_attribute_ruler(nlp)
    if "senter" in nlp.component_names and "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if "segment_boundaries" not in nlp.pipe_names:
        after = "senter" if "senter" in nlp.pipe_names else "sentencizer"
        nlp.add_pipe("segment_boundaries", after=after)
    return nlp


@dataclass(frozen=True)
class Sentence:
    """A sentence with offsets into ``Document.text`` and the speaker of the segment it lies in."""

    i: int
    start: int
    end: int
    text: str
    speaker: str | None
    segment: int
    clean: str
    candidate: bool


MAX_PIECE_CHARS = 100_000
"""The most text one call of the pipeline gets. spaCy refuses texts over ``nlp.max_length`` (a million
characters) because its memory grows with the text; a longer document is parsed in pieces cut at
segment (or line, or space) boundaries and joined back, so every offset still points into its text."""


def parse(
    documents: Iterable[Document], *, nlp: Language, n_process: int = 1, batch_size: int = 16
) -> Iterator[tuple[Document, Doc]]:
    """Run the pipeline over documents in batches, yielding each document with its ``Doc``, whose text
    is the document's text whatever its length."""
    docs = list(documents)
    cuts = [piece_bounds(d, MAX_PIECE_CHARS) for d in docs]
    texts = (d.text[a:b] for d, bounds in zip(docs, cuts, strict=True) for a, b in bounds)
    parsed = nlp.pipe(texts, n_process=n_process, batch_size=batch_size)
    for document, bounds in zip(docs, cuts, strict=True):
        pieces = [next(parsed) for _ in bounds]
        yield document, pieces[0] if len(pieces) == 1 else Doc.from_docs(pieces, ensure_whitespace=False)


def piece_bounds(document: Document, limit: int) -> list[tuple[int, int]]:
    """(start, end) of pieces of at most ``limit`` characters covering the text end to end, cut where a
    segment starts when one is close enough, else after a line break, else after a space."""
    text = document.text
    if len(text) <= limit:
        return [(0, len(text))]
    starts = [s.start for s in document.segments]
    bounds, start = [], 0
    while len(text) - start > limit:
        end = start + limit
        k = bisect.bisect_right(starts, end) - 1
        cut = starts[k] if k >= 0 and starts[k] > start + limit // 2 else -1
        if cut < 0:
            line = text.rfind("\n", start + limit // 2, end)
            cut = line + 1 if line >= 0 else text.rfind(" ", start + limit // 2, end) + 1
        if cut <= start:
            cut = end  # no boundary at all in half a piece: cut where the limit falls
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(text)))
    return bounds


def sentences(document: Document, doc: Doc) -> list[Sentence]:
    """Sentences of ``doc`` trimmed of surrounding whitespace, each tagged with its segment's speaker."""
    starts = [s.start for s in document.segments]
    out: list[Sentence] = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not text:
            continue
        start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        end = start + len(text)
        seg_index = max(bisect.bisect_right(starts, start) - 1, 0)
        segment = document.segments[seg_index] if document.segments else None
        clean = clean_transcript_text(text)
        kind = segment.kind if segment is not None else "paragraph"
        candidate = kind != "heading" and is_substantive(clean)
        out.append(
            Sentence(
                i=len(out),
                start=start,
                end=end,
                text=text,
                speaker=segment.speaker if segment else None,
                segment=seg_index,
                clean=clean,
                candidate=candidate,
            )
        )
    return out


def clean_transcript_text(text: str) -> str:
    """Remove disfluency markers, fillers and stuttered repeats; the source text itself is untouched."""
    text = _DISFLUENCY_MARKER.sub(" ", text)
    text = _FILLER.sub("", text)
    text = _REPEATED_WORD.sub(r"\1", text)
    text = re.sub(r"\s+([,.?!;:])", r"\1", text)
    text = re.sub(r"([,.?!;:])(?:\s*[,.;:])+", r"\1", text)
    return _SPACES.sub(" ", text).strip(" ,;-")


_FILLER_BETWEEN_COMMAS = re.compile(r",?\s*\b(?:um+|uh+|erm+|er|ah+|hmm+)\b\s*,", re.I)
_REPEATED_PHRASE = re.compile(r"\b((?:\w+\s+){1,3}\w+)\s+\1\b", re.I)


def reading_text(text: str) -> str:
    """A sentence as a reader should see it in a draft, report or app: no transcript markup, fillers or
    restarts ("we need a we need a plan"), first letter capitalised. Display only: evidence offsets
    always point at the source text, and the classifier reads :func:`clean_transcript_text`."""
    text = _FILLER_BETWEEN_COMMAS.sub(" ", _DISFLUENCY_MARKER.sub(" ", text))
    text = clean_transcript_text(text)
    text = _unpaired_marks(_REPEATED_PHRASE.sub(r"\1", text))
    return text[:1].upper() + text[1:]


def _unpaired_marks(text: str) -> str:
    """Without a quotation mark that opens or closes nothing: a sentence cut from a quoted passage
    ("“I remain firm in ...", no closing mark) must not seem to open a quotation in a draft."""
    if text[:1] in '“"' and not re.search(r"[”\"]", text[1:]):
        text = text[1:].lstrip()
    if text[-1:] in '”"' and not re.search(r"[“\"]", text[:-1]):
        text = text[:-1].rstrip()
    opened: list[int] = []
    unpaired: list[int] = []
    for i, ch in enumerate(text):  # curly marks pair as a stack: "... say to him: “You, who ..." has no pair
        if ch == "“":
            opened.append(i)
        elif ch == "”":
            (opened.pop() if opened else unpaired.append(i))
    for i in sorted([*opened, *unpaired], reverse=True):
        text = text[:i] + text[i + 1 :]
    return text


def strip_markup(fragment: str) -> str:
    """A piece of a longer text without transcript markup ("{vocalsound}"), its own spacing kept at the
    edges so adjacent pieces still join; for whole sentences use :func:`clean_transcript_text`."""
    return re.sub(r"[ \t]{2,}", " ", _DISFLUENCY_MARKER.sub("", fragment))


def is_substantive(clean: str) -> bool:
    """False for back-channel turns ("Yeah.", "Okay.", "Mm-hmm") and fragments too short to be a point."""
    bare = re.sub(r"[^\w\s'-]", "", clean).strip().lower()
    if not bare or bare in _BACKCHANNEL:
        return False
    return len(bare.split()) >= _MIN_CANDIDATE_WORDS
