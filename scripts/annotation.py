"""Build the real-text annotation set: choose documents and sentences, write annotators' task files.

``python -m scripts.annotation select``: choose documents from ../shared/data with a fixed seed, split
them by document into train/dev/test, segment them with the pipeline's own sentence splitter and record
each chosen sentence as a span (path, turn, offsets, hash) in ``corpus/labels/real/``.
``python -m scripts.annotation tasks DIR``: write the annotators' task files (which hold the text) to a
folder outside the repo. ``python -m scripts.annotation collect PASS DIR``: bring an annotator's answers
back as label files holding ids and themes only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from nlp.gold import GoldDocument, Span, Unit, make_span, read_jsonl, source_text
from nlp.ingest import read_document
from nlp.linguistic import analysis_pipeline, clean_transcript_text, parse, sentences

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
REAL = ROOT / "corpus" / "labels" / "real"
SEED = 13
_FOCUS = re.compile(
    r"\b(educat\w*|school\w*|teacher\w*|learn\w*|digital\w*|skills?|financ\w*|debt|climate|pandemic|"
    r"covid\w*|girls?|internet|data)\b",
    re.I,
)
_THEME_WORDS = re.compile(
    r"\b(educat\w*|school\w*|teacher\w*|learn\w*|digital\w*|skills?|financ\w*|fund\w*|debt|budget\w*|"
    r"invest\w*|aid|climate|pandemic|covid\w*|conflict\w*|crisis|crises|girls?|women|poverty|"
    r"inequalit\w*|refugee\w*|disabilit\w*|internet|data|evidence|partnership\w*|cooperation|"
    r"technolog\w*|jobs?|youth|employment|reform\w*|sdgs?|agenda)\b",
    re.I,
)


def _speeches() -> list[Path]:
    return sorted((DATA / "ungdc" / "TXT").glob("*/*.txt"))


def choose_documents(rng: random.Random) -> list[tuple[str, str]]:
    """(path, kind): 120 speeches (12 a session: 6 at random, 6 rich in education, finance, digital
    and crisis words), the committee meetings, product and research meetings, the seed."""
    chosen: list[tuple[str, str]] = []
    by_session: dict[str, list[Path]] = {}
    for path in _speeches():
        by_session.setdefault(path.parent.name, []).append(path)
    for session in sorted(by_session):
        pool = by_session[session][:]
        rng.shuffle(pool)
        randoms, rest = pool[:6], pool[6:]
        dense = sorted(rest, key=lambda p: -len(_FOCUS.findall(p.read_text(encoding="utf-8"))))[:6]
        chosen += [(str(p.relative_to(DATA)), "statement") for p in randoms + dense]
    qmsum = sorted((DATA / "qmsum").glob("*/*.json"))
    education = [p for p in qmsum if p.stem.startswith("education_")]
    covid = [p for p in qmsum if p.stem.startswith("covid_")]
    product = [p for p in qmsum if p.stem[:2] in {"ES", "IS", "TS"}]
    academic = [p for p in qmsum if p.stem[:1] == "B"]
    for group, n, kind in ((education, 14, "committee"), (covid, 6, "committee"),
                           (product, 10, "product"), (academic, 6, "academic")):  # fmt: skip
        chosen += [(str(p.relative_to(DATA)), kind) for p in rng.sample(group, n)]
    chosen.append(("seed/000_68b3656781c3daf0.txt", "seed"))
    return chosen


def assign_splits(docs: Sequence[tuple[str, str]], rng: random.Random) -> dict[str, str]:
    """60/20/20 by document within each kind; the seed goes to test, so it is never trained on."""
    splits: dict[str, str] = {}
    for kind in sorted({k for _, k in docs}):
        paths = [p for p, k in docs if k == kind]
        rng.shuffle(paths)
        n_dev, n_test = round(len(paths) * 0.2), round(len(paths) * 0.2)
        for i, path in enumerate(paths):
            splits[path] = "test" if kind == "seed" or i < n_test else "dev" if i < n_test + n_dev else "train"
    return splits


def document_sentences(path: str, nlp: object) -> list[Span]:
    """The pipeline's candidate sentences of one file, as spans into the raw file or meeting turn."""
    raw = (DATA / path).read_bytes()
    document = read_document(raw, source=path)
    (_, doc), = parse([document], nlp=nlp)  # type: ignore[arg-type]
    spans: list[Span] = []
    cursors: dict[int | None, int] = {}
    for sentence in sentences(document, doc):
        if not sentence.candidate:
            continue
        turn = None
        if path.endswith(".json"):
            turn = document.segments[sentence.segment].source_index
        text = source_text(DATA, path, turn)
        pattern = r"\s+".join(re.escape(word) for word in sentence.text.split())
        match = re.compile(pattern).search(text, cursors.get(turn, 0))
        if match is None:
            continue  # normalisation changed the characters; this sentence cannot be addressed
        cursors[turn] = match.end()
        spans.append(make_span(DATA, path, turn, match.start(), match.end()))
    return spans


def _density(spans: Sequence[Span], start: int, size: int) -> int:
    return sum(bool(_THEME_WORDS.search(unit_text(s))) for s in spans[start : start + size])


def windows(spans: Sequence[Span], size: int, count: int, rng: random.Random) -> list[int]:
    """Indices of the sentences to label: the window richest in theme words, then random windows."""
    if len(spans) <= size * count:
        return list(range(len(spans)))
    starts = range(len(spans) - size + 1)
    best = max(starts, key=lambda s: (_density(spans, s, size), -s))
    chosen = set(range(best, best + size))
    for _ in range(count - 1):
        free = [s for s in starts if not chosen & set(range(s, s + size))]
        if not free:
            break
        start = rng.choice(free)
        chosen |= set(range(start, start + size))
    return sorted(chosen)


def unit_text(span: Span) -> str:
    """What annotators and the classifier see: the span with transcript markup removed."""
    return clean_transcript_text(source_text(DATA, span.path, span.turn)[span.start : span.end])


_WINDOWS = {"statement": (10, 2), "committee": (12, 2), "product": (15, 1), "academic": (15, 1)}
N_TAKEAWAY_SPEECHES = 100


def select() -> None:
    rng = random.Random(SEED)
    docs = choose_documents(rng)
    splits = assign_splits(docs, rng)
    nlp = analysis_pipeline("en_core_web_sm")
    speeches = [p for p, k in docs if k == "statement"]
    with_takeaways = set(rng.sample(speeches, N_TAKEAWAY_SPEECHES)) | {"seed/000_68b3656781c3daf0.txt"}
    REAL.mkdir(parents=True, exist_ok=True)
    doc_lines, unit_lines, sentence_lines = [], [], []
    for number, (path, kind) in enumerate(docs, start=1):
        key = f"d{number:03d}"
        spans = document_sentences(path, nlp)
        chosen = range(len(spans)) if kind == "seed" else windows(spans, *_WINDOWS[kind], rng)
        split = splits[path]
        record = GoldDocument(doc=key, path=path, kind=kind, split=split, takeaways=path in with_takeaways)  # type: ignore[arg-type]
        doc_lines.append(record.model_dump_json())
        for i in chosen:
            unit = Unit(id=f"{key}s{i:03d}", doc=key, split=split, span=spans[i])  # type: ignore[arg-type]
            unit_lines.append(unit.model_dump_json())
        if record.takeaways:
            numbered = [{"n": i, "span": s.model_dump()} for i, s in enumerate(spans)]
            sentence_lines.append(json.dumps({"doc": key, "sentences": numbered}))
        print(f"{key} {kind:9} {split:5} {len(spans):4} sentences, {len(chosen):3} chosen  {path}")
    (REAL / "documents.jsonl").write_text("\n".join(doc_lines) + "\n", encoding="utf-8")
    (REAL / "units.jsonl").write_text("\n".join(unit_lines) + "\n", encoding="utf-8")
    (REAL / "takeaway_sentences.jsonl").write_text("\n".join(sentence_lines) + "\n", encoding="utf-8")
    print(f"{len(doc_lines)} documents, {len(unit_lines)} sentences")


_KIND_LABEL = {
    "statement": "UN General Debate speech",
    "committee": "Welsh Parliament committee meeting (transcript)",
    "product": "product-design team meeting (transcript)",
    "academic": "research-group meeting (transcript)",
    "seed": "blog post about a coalition meeting",
}


def _documents() -> dict[str, GoldDocument]:
    return {d.doc: d for d in read_jsonl(REAL / "documents.jsonl", GoldDocument)}  # type: ignore[misc]


def _chunks(keys: list[str], n: int) -> Iterator[list[str]]:
    size = -(-len(keys) // n)
    for i in range(0, len(keys), size):
        yield keys[i : i + size]


def tasks(folder: Path, n_theme_chunks: int, n_takeaway_chunks: int) -> None:
    """Theme tasks: each document's chosen sentences, in windows, with the sentence before each window.
    Takeaway tasks: every candidate sentence of a document, numbered."""
    documents = _documents()
    units: dict[str, list[Unit]] = {}
    for unit in read_jsonl(REAL / "units.jsonl", Unit):
        units.setdefault(unit.doc, []).append(unit)  # type: ignore[union-attr, arg-type]
    keys = sorted(units)
    random.Random(SEED).shuffle(keys)
    folder.mkdir(parents=True, exist_ok=True)
    for c, chunk in enumerate(_chunks(keys, n_theme_chunks), start=1):
        lines = []
        for key in chunk:
            lines.append(f"\n### document {key}: {_KIND_LABEL[documents[key].kind]}")
            previous = -2
            for unit in units[key]:
                index = int(unit.id.split("s")[-1])
                if index != previous + 1:
                    lines.append("   ...")
                lines.append(f"[{unit.id}] {unit_text(unit.span)}")
                previous = index
        (folder / f"themes_{c}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"themes_{c}.txt: {sum(len(units[k]) for k in chunk)} sentences")
    numbered = [json.loads(line) for line in (REAL / "takeaway_sentences.jsonl").read_text().splitlines()]
    random.Random(SEED).shuffle(numbered)
    for c, chunk in enumerate(_chunks([d["doc"] for d in numbered], n_takeaway_chunks), start=1):
        lines = []
        for record in (r for r in numbered if r["doc"] in chunk):
            lines.append(f"\n### document {record['doc']}: {_KIND_LABEL[documents[record['doc']].kind]}")
            lines += [f"{s['n']}. {unit_text(Span(**s['span']))}" for s in record["sentences"]]
        (folder / f"takeaways_{c}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"takeaways_{c}.txt: {len(chunk)} documents")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.annotation")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("select")
    task = commands.add_parser("tasks")
    task.add_argument("folder", type=Path)
    task.add_argument("--theme-chunks", type=int, default=6)
    task.add_argument("--takeaway-chunks", type=int, default=4)
    args = parser.parse_args()
    if args.command == "select":
        select()
    else:
        tasks(args.folder, args.theme_chunks, args.takeaway_chunks)


if __name__ == "__main__":
    main()
