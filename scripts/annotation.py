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

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language

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
            splits[path] = (
                "test" if kind == "seed" or i < n_test else "dev" if i < n_test + n_dev else "train"
            )
    return splits


def document_sentences(path: str, nlp: Language) -> list[Span]:
    """The pipeline's candidate sentences of one file, as spans into the raw file or meeting turn."""
    raw = (DATA / path).read_bytes()
    document = read_document(raw, source=path)
    ((_, doc),) = parse([document], nlp=nlp)
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
        record = GoldDocument.model_validate(
            {"doc": key, "path": path, "kind": kind, "split": split, "takeaways": path in with_takeaways}
        )
        doc_lines.append(record.model_dump_json())
        for i in chosen:
            unit = Unit.model_validate({"id": f"{key}s{i:03d}", "doc": key, "split": split, "span": spans[i]})
            unit_lines.append(unit.model_dump_json())
        if record.takeaways:
            numbered = [{"n": i, "span": s.model_dump()} for i, s in enumerate(spans)]
            sentence_lines.append(json.dumps({"doc": key, "sentences": numbered}))
        print(f"{key} {kind:9} {split:5} {len(spans):4} sentences, {len(chosen):3} chosen  {path}")
    (REAL / "documents.jsonl").write_text("\n".join(doc_lines) + "\n", encoding="utf-8")
    (REAL / "units.jsonl").write_text("\n".join(unit_lines) + "\n", encoding="utf-8")
    (REAL / "takeaway_sentences.jsonl").write_text("\n".join(sentence_lines) + "\n", encoding="utf-8")
    print(f"{len(doc_lines)} documents, {len(unit_lines)} sentences")


_RARE = re.compile(
    r"\b(teach\w*|educators?|skill\w*|tvet|vocational|apprentice\w*|employab\w*|lifelong|"
    r"data|statistic\w*|evidence|monitor\w*|evaluat\w*|research\w*|digital\w*|online|internet|"
    r"broadband|connectivity|artificial intelligence|curricul\w*|literacy|numeracy|exam\w*|"
    r"learning)\b",
    re.I,
)
_MORE = {"statement": (80, 5), "committee": (16, 12)}


def select_more() -> None:
    """A second, targeted batch: themes that the windows rarely reached (teachers, skills, data,
    digital, learning) from documents not chosen yet, a few matching sentences per document."""
    rng = random.Random(SEED + 1)
    known = {d.path for d in _documents().values()}
    speeches = [str(p.relative_to(DATA)) for p in _speeches() if str(p.relative_to(DATA)) not in known]
    committee = [
        str(p.relative_to(DATA))
        for p in sorted((DATA / "qmsum").glob("*/*.json"))
        if p.stem.split("_")[0] in {"education", "covid"} and str(p.relative_to(DATA)) not in known
    ]
    rng.shuffle(speeches)
    speeches = sorted(speeches[:600], key=lambda p: -len(_RARE.findall((DATA / p).read_text("utf-8"))))
    docs = [(p, "statement") for p in speeches[: _MORE["statement"][0]]]
    docs += [(p, "committee") for p in committee[: _MORE["committee"][0]]]
    splits = assign_splits(docs, rng)
    nlp = analysis_pipeline("en_core_web_sm")
    start = len(known) + 1
    doc_lines, unit_lines = [], []
    for number, (path, kind) in enumerate(docs, start=start):
        key = f"d{number:03d}"
        spans = document_sentences(path, nlp)
        matching = [i for i, span in enumerate(spans) if _RARE.search(unit_text(span))]
        chosen = sorted(rng.sample(matching, min(_MORE[kind][1], len(matching))))
        doc = GoldDocument.model_validate({"doc": key, "path": path, "kind": kind, "split": splits[path]})
        doc_lines.append(doc.model_dump_json())
        for i in chosen:
            fields = {"id": f"{key}s{i:03d}", "doc": key, "split": splits[path], "span": spans[i]}
            unit = Unit.model_validate(fields)
            unit_lines.append(unit.model_dump_json())
        print(f"{key} {kind:9} {splits[path]:5} {len(chosen):3} chosen  {path}")
    with (REAL / "documents.jsonl").open("a", encoding="utf-8") as f:
        f.write("\n".join(doc_lines) + "\n")
    with (REAL / "units.jsonl").open("a", encoding="utf-8") as f:
        f.write("\n".join(unit_lines) + "\n")
    print(f"{len(doc_lines)} more documents, {len(unit_lines)} more sentences")


_SCARCE = {
    "teachers": (re.compile(r"\b(teach\w*|educators?|headteachers?|school staff|workforce)\b", re.I), 200),
    "skills": (re.compile(r"\b(skill\w*|tvet|vocational|apprentice\w*|employab\w*|lifelong)\b", re.I), 90),
    "data": (re.compile(r"\b(data|statistic\w*|survey\w*|monitor\w*|evaluat\w*|evidence)\b", re.I), 90),
}


def select_scarce() -> None:
    """A third batch for the themes real documents rarely state (teachers, skills, data): more
    sentences naming them from the documents already chosen, so every split keeps its documents."""
    rng = random.Random(SEED + 2)
    documents = _documents()
    taken = {u.id for u in read_jsonl(REAL / "units.jsonl", Unit)}
    nlp = analysis_pipeline("en_core_web_sm")
    pools: dict[str, list[Unit]] = {name: [] for name in _SCARCE}
    for key, doc in sorted(documents.items()):
        if doc.kind not in {"statement", "committee"}:
            continue
        raw = (DATA / doc.path).read_text(encoding="utf-8")
        if not any(pattern.search(raw) for pattern, _ in _SCARCE.values()):
            continue
        for i, span in enumerate(document_sentences(doc.path, nlp)):
            unit_id = f"{key}s{i:03d}"
            if unit_id in taken:
                continue
            text = unit_text(span)
            for name, (pattern, _) in _SCARCE.items():
                if pattern.search(text):
                    pools[name].append(Unit(id=unit_id, doc=key, split=doc.split, span=span))
                    break
    chosen: dict[str, Unit] = {}
    for name, (_, count) in _SCARCE.items():
        for unit in rng.sample(pools[name], min(count, len(pools[name]))):
            chosen[unit.id] = unit
        print(f"{name}: {len(pools[name])} candidates")
    with (REAL / "units.jsonl").open("a", encoding="utf-8") as f:
        f.write("\n".join(chosen[k].model_dump_json() for k in sorted(chosen)) + "\n")
    print(f"{len(chosen)} more sentences")


_KIND_LABEL = {
    "statement": "UN General Debate speech",
    "committee": "Welsh Parliament committee meeting (transcript)",
    "product": "product-design team meeting (transcript)",
    "academic": "research-group meeting (transcript)",
    "seed": "blog post about a coalition meeting",
}


def _documents() -> dict[str, GoldDocument]:
    return {d.doc: d for d in read_jsonl(REAL / "documents.jsonl", GoldDocument)}


def _chunks(keys: list[str], n: int) -> Iterator[list[str]]:
    size = -(-len(keys) // n)
    for i in range(0, len(keys), size):
        yield keys[i : i + size]


def tasks(
    folder: Path, n_theme_chunks: int, n_takeaway_chunks: int, first_doc: str = "", first_chunk: int = 1
) -> None:
    """Theme tasks: each document's chosen sentences, in windows, with the sentence before each window.
    Takeaway tasks: every candidate sentence of a document, numbered."""
    documents = _documents()
    done = _pass("a") if first_doc == "new" else {}
    units: dict[str, list[Unit]] = {}
    for unit in read_jsonl(REAL / "units.jsonl", Unit):
        if unit.id not in done:
            units.setdefault(unit.doc, []).append(unit)
    units = {k: sorted(v, key=lambda u: u.id) for k, v in units.items()}
    first_doc = "" if first_doc == "new" else first_doc
    keys = sorted(k for k in units if k >= first_doc)
    random.Random(SEED).shuffle(keys)
    folder.mkdir(parents=True, exist_ok=True)
    for c, chunk in enumerate(_chunks(keys, n_theme_chunks), start=first_chunk):
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
    if n_takeaway_chunks == 0:
        return
    numbered = [json.loads(line) for line in (REAL / "takeaway_sentences.jsonl").read_text().splitlines()]
    random.Random(SEED).shuffle(numbered)
    for c, chunk in enumerate(_chunks([d["doc"] for d in numbered], n_takeaway_chunks), start=1):
        lines = []
        for record in (r for r in numbered if r["doc"] in chunk):
            lines.append(f"\n### document {record['doc']}: {_KIND_LABEL[documents[record['doc']].kind]}")
            lines += [f"{s['n']}. {unit_text(Span(**s['span']))}" for s in record["sentences"]]
        (folder / f"takeaways_{c}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"takeaways_{c}.txt: {len(chunk)} documents")


THEME_IDS = (
    "partnerships", "financing", "digital_equity", "teacher_capacity", "equity_inclusion",
    "data_evidence", "learning_outcomes", "skills_lifelong", "crisis_resilience", "policy_governance",
)  # fmt: skip


def collect(name: str, folder: Path) -> None:
    """An annotator's answers (``folder/themes_*.jsonl``) as one sorted label file of the repo."""
    from nlp.gold import load_theme_labels

    expected = {u.id for u in read_jsonl(REAL / "units.jsonl", Unit)}
    labels: dict[str, tuple[str, ...]] = {}
    for path in sorted(folder.glob("themes_*.jsonl")):
        labels |= load_theme_labels(path, THEME_IDS)
    missing, extra = expected - labels.keys(), labels.keys() - expected
    if extra:
        raise SystemExit(f"{folder}: labels for unknown units {sorted(extra)[:5]}")
    out = REAL / "passes" / name
    out.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": k, "themes": list(labels[k])}) for k in sorted(labels)]
    (out / "themes.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"pass {name}: {len(labels)} units, {len(missing)} missing")


def _pass(name: str) -> dict[str, tuple[str, ...]]:
    from nlp.gold import load_theme_labels

    return load_theme_labels(REAL / "passes" / name / "themes.jsonl", THEME_IDS)


def adjudication_tasks(folder: Path, n_chunks: int, first_doc: str = "", first_chunk: int = 1) -> None:
    """The sentences the two passes labelled differently, with both answers, for an adjudicator."""
    from nlp.gold import load_theme_labels

    a, b = _pass("a"), _pass("b")
    units = {u.id: u for u in read_jsonl(REAL / "units.jsonl", Unit)}
    final = REAL / "themes.jsonl"
    done = load_theme_labels(final, THEME_IDS) if first_doc == "new" and final.exists() else {}
    first_doc = "" if first_doc == "new" else first_doc
    differ = sorted(
        i for i in a.keys() & b.keys() if set(a[i]) != set(b[i]) and i >= first_doc and i not in done
    )
    for c, chunk in enumerate(_chunks(differ, n_chunks), start=first_chunk):
        lines = []
        for unit_id in chunk:
            unit = units[unit_id]
            before = units.get(f"{unit.doc}s{int(unit_id.split('s')[-1]) - 1:03d}")
            context = unit_text(before.span) if before is not None else "(not shown)"
            lines += [
                f"\n[{unit_id}] ({_KIND_LABEL[_documents()[unit.doc].kind]})",
                f"  before: {context}",
                f"  SENTENCE: {unit_text(unit.span)}",
                f"  annotator 1: {list(a[unit_id])}   annotator 2: {list(b[unit_id])}",
            ]
        (folder / f"adjudicate_{c}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"adjudicate_{c}.txt: {len(chunk)} sentences")


def finalize(folder: Path) -> None:
    """The adjudicated labels: what both passes agreed on, the adjudicator's answer elsewhere."""
    from nlp.gold import load_theme_labels

    a, b = _pass("a"), _pass("b")
    decided: dict[str, tuple[str, ...]] = {}
    for path in sorted(folder.glob("adjudicate_[0-9]*.jsonl")):
        decided |= load_theme_labels(path, THEME_IDS)
    out, pending = [], []
    for unit_id in sorted(a.keys() & b.keys()):
        if set(a[unit_id]) == set(b[unit_id]):
            themes = a[unit_id]
        elif unit_id in decided:
            themes = decided[unit_id]
        else:
            pending.append(unit_id)
            continue
        out.append(json.dumps({"id": unit_id, "themes": list(themes)}))
    adjudicated = REAL / "passes" / "adjudication"
    adjudicated.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": k, "themes": list(v)}) for k, v in sorted(decided.items())]
    (adjudicated / "themes.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (REAL / "themes.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} labelled, {len(decided)} adjudicated, {len(pending)} still undecided")


class _Pick(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: str
    sentences: list[int] = Field(min_length=1, max_length=3)


class _DocumentPicks(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc: str
    takeaways: list[_Pick] = Field(min_length=1, max_length=4)


def _numbered() -> dict[str, list[Span]]:
    lines = (REAL / "takeaway_sentences.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return {r["doc"]: [Span(**s["span"]) for s in r["sentences"]] for r in records}


def _read_picks(paths: Sequence[Path]) -> dict[str, _DocumentPicks]:
    numbered = _numbered()
    picks: dict[str, _DocumentPicks] = {}
    for path in paths:
        for record in read_jsonl(path, _DocumentPicks):
            for pick in record.takeaways:
                if pick.theme not in (*THEME_IDS, "none"):
                    raise SystemExit(f"{path}: {record.doc}: unknown theme {pick.theme}")
                if any(not 0 <= n < len(numbered[record.doc]) for n in pick.sentences):
                    raise SystemExit(f"{path}: {record.doc}: a sentence number outside the document")
            picks[record.doc] = record
    return picks


def collect_takeaways(name: str, folder: Path) -> None:
    """An annotator's key takeaways (sentence numbers of ``takeaway_sentences.jsonl``) as a repo file."""
    picks = _read_picks(sorted(folder.glob("takeaways_*.jsonl")))
    missing = set(_numbered()) - picks.keys()
    out = REAL / "passes" / name
    out.mkdir(parents=True, exist_ok=True)
    lines = [picks[k].model_dump_json() for k in sorted(picks)]
    (out / "takeaways.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"pass {name}: {len(picks)} documents, {len(missing)} missing")


def takeaway_adjudication_tasks(folder: Path, n_chunks: int) -> None:
    """Each document, numbered, with both annotators' key takeaways, for an adjudicator."""
    a = _read_picks([REAL / "passes" / "a" / "takeaways.jsonl"])
    b = _read_picks([REAL / "passes" / "b" / "takeaways.jsonl"])
    numbered = _numbered()
    documents = _documents()
    for c, chunk in enumerate(_chunks(sorted(a.keys() & b.keys()), n_chunks), start=1):
        lines = []
        for key in chunk:
            lines.append(f"\n### document {key}: {_KIND_LABEL[documents[key].kind]}")
            lines += [f"{n}. {unit_text(span)}" for n, span in enumerate(numbered[key])]
            for who, picks in (("annotator 1", a[key]), ("annotator 2", b[key])):
                listed = "; ".join(f"{p.theme} {p.sentences}" for p in picks.takeaways)
                lines.append(f">>> {who}: {listed}")
        (folder / f"adjudicate_takeaways_{c}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"adjudicate_takeaways_{c}.txt: {len(chunk)} documents")


def finalize_takeaways(folder: Path) -> None:
    """The adjudicated key takeaways, with their sentences as spans (``takeaways.jsonl``)."""
    from nlp.gold import DocumentTakeaways, GoldTakeaway

    decided = _read_picks(sorted(folder.glob("adjudicate_takeaways_*.jsonl")))
    numbered = _numbered()
    out = REAL / "passes" / "adjudication"
    out.mkdir(parents=True, exist_ok=True)
    lines = [decided[k].model_dump_json() for k in sorted(decided)]
    (out / "takeaways.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    final = [
        DocumentTakeaways(
            doc=key,
            takeaways=[
                GoldTakeaway(theme=p.theme, evidence=[numbered[key][n] for n in p.sentences])
                for p in decided[key].takeaways
            ],
        ).model_dump_json()
        for key in sorted(decided)
    ]
    (REAL / "takeaways.jsonl").write_text("\n".join(final) + "\n", encoding="utf-8")
    print(f"{len(final)} documents with adjudicated key takeaways")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.annotation")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("select")
    commands.add_parser("select-more")
    commands.add_parser("select-scarce")
    task = commands.add_parser("tasks")
    task.add_argument("folder", type=Path)
    task.add_argument("--theme-chunks", type=int, default=6)
    task.add_argument("--takeaway-chunks", type=int, default=6)
    task.add_argument(
        "--first-doc", default="", help="only documents from this key on, or 'new': units no pass has"
    )
    task.add_argument("--first-chunk", type=int, default=1)
    gather = commands.add_parser("collect")
    gather.add_argument("name")
    gather.add_argument("folder", type=Path)
    adjudicate = commands.add_parser("adjudication-tasks")
    adjudicate.add_argument("folder", type=Path)
    adjudicate.add_argument("--chunks", type=int, default=2)
    adjudicate.add_argument("--first-doc", default="")
    adjudicate.add_argument("--first-chunk", type=int, default=1)
    final = commands.add_parser("finalize")
    final.add_argument("folder", type=Path, help="the adjudicators' answers (adjudicate_*.jsonl)")
    for command in ("collect-takeaways",):
        sub = commands.add_parser(command)
        sub.add_argument("name")
        sub.add_argument("folder", type=Path)
    sub = commands.add_parser("takeaway-adjudication-tasks")
    sub.add_argument("folder", type=Path)
    sub.add_argument("--chunks", type=int, default=6)
    sub = commands.add_parser("finalize-takeaways")
    sub.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.command == "select":
        select()
    elif args.command == "select-more":
        select_more()
    elif args.command == "select-scarce":
        select_scarce()
    elif args.command == "adjudication-tasks":
        adjudication_tasks(args.folder, args.chunks, args.first_doc, args.first_chunk)
    elif args.command == "finalize":
        finalize(args.folder)
    elif args.command == "collect-takeaways":
        collect_takeaways(args.name, args.folder)
    elif args.command == "takeaway-adjudication-tasks":
        takeaway_adjudication_tasks(args.folder, args.chunks)
    elif args.command == "finalize-takeaways":
        finalize_takeaways(args.folder)
    elif args.command == "collect":
        collect(args.name, args.folder)
    else:
        tasks(args.folder, args.theme_chunks, args.takeaway_chunks, args.first_doc, args.first_chunk)


if __name__ == "__main__":
    main()
