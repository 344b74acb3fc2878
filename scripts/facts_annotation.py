"""Build the facts benchmark's labels (see ``corpus/FACTS_GUIDELINE.md``).

``select``: choose documents (committee, research and product meetings, UN speeches, the seed) and split
them by document into dev and test. ``tasks DIR``: write the annotators' task files, which hold the text,
to a folder outside the repo. ``collect PASS DIR``: turn an annotator's answers (exact strings) into spans
with hashes, kept in ``corpus/labels/real/facts/passes/PASS.jsonl``. ``adjudication-tasks DIR``: both
passes side by side. ``finalize DIR``: the adjudicated answers as ``facts.jsonl``; ``finalize DIR --replace``:
only the documents answered in DIR are replaced (a second adjudication of a document). ``agreement``: how far
the two passes agree, field by field (participants as a set, F1; event, place and date per document).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nlp.gold import (
    FactDocument,
    FactLabels,
    GoldDocument,
    Participant,
    Span,
    make_span,
    read_jsonl,
    span_hash,
)
from nlp.gold import source_text as gold_source_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
REAL = ROOT / "corpus" / "labels" / "real"
FACTS = REAL / "facts"
SEED = 29
_COUNTS = {"committee": 16, "academic": 4, "product": 4, "statement": 10, "seed": 1}


def select() -> None:
    """Documents of the theme labels, by kind, in a fixed random order; half dev, half test."""
    rng = random.Random(SEED)
    pool = list(read_jsonl(REAL / "documents.jsonl", GoldDocument))
    chosen: list[GoldDocument] = []
    for kind, count in _COUNTS.items():
        of_kind = [d for d in pool if d.kind == kind]
        rng.shuffle(of_kind)
        chosen += of_kind[:count]
    rng.shuffle(chosen)
    FACTS.mkdir(parents=True, exist_ok=True)
    lines = [
        FactDocument(
            doc=f"f{i:03d}", path=d.path, kind=d.kind, split="dev" if i % 2 else "test"
        ).model_dump_json()
        for i, d in enumerate(chosen, start=1)
    ]
    (FACTS / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} documents")


def _documents() -> list[FactDocument]:
    return list(read_jsonl(FACTS / "documents.jsonl", FactDocument))


def _turns(path: str) -> list[dict[str, str]] | None:
    if not path.endswith(".json"):
        return None
    turns: list[dict[str, str]] = json.loads((DATA / path).read_text(encoding="utf-8"))["meeting_transcripts"]
    return turns


def _render(document: FactDocument) -> str:
    turns = _turns(document.path)
    if turns is None:
        return gold_source_text(DATA, document.path, None)
    return "\n".join(f"[turn {i}] {t['speaker']}: {t['content']}" for i, t in enumerate(turns))


def _chunks(items: list[FactDocument], n: int) -> Iterator[list[FactDocument]]:
    size = -(-len(items) // n)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def tasks(folder: Path, n_chunks: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for c, chunk in enumerate(_chunks(_documents(), n_chunks), start=1):
        parts = [f"\n### document {d.doc} ({d.kind})\n{_render(d)}" for d in chunk]
        (folder / f"facts_{c}.txt").write_text("\n".join(parts) + "\n", encoding="utf-8")
        print(f"facts_{c}.txt: {len(chunk)} documents")


def _find(document: FactDocument, value: dict[str, Any] | None, where: str) -> Span | None:
    """The exact string an annotator gave, as a span (in the turn they named, for a meeting)."""
    if not value or not value.get("text"):
        return None
    text, turn = str(value["text"]), value.get("turn")
    turns = _turns(document.path)
    candidates = [None] if turns is None else ([int(turn)] if turn is not None else list(range(len(turns))))
    for t in candidates:
        source = gold_source_text(DATA, document.path, t)
        at = source.find(text)
        if at >= 0:
            return make_span(DATA, document.path, t, at, at + len(text))
    print(f"  {document.doc} {where}: {text[:60]!r} not found in the text; left out")
    return None


def _participant(document: FactDocument, raw: dict[str, Any]) -> Participant | None:
    """A speaker label (exact, or one holding the name, as "The Chair (Hon. Anthony Rota)") or a name in
    the text; a role in the text, else within the speaker's label ("Hon. Bill Morneau (Minister of
    Finance)")."""
    turns = _turns(document.path)
    name = str(raw.get("name") or "").strip()
    label_turn = None
    if turns is not None and name:
        labels = [t["speaker"].strip() for t in turns]
        label_turn = next((i for i, label in enumerate(labels) if label == name), None)
        if label_turn is None:
            label_turn = next((i for i, label in enumerate(labels) if name in label), None)
    name_span = None
    if label_turn is None:
        name_span = _find(document, {"text": name, "turn": raw.get("name_turn")}, "name")
    role_text = str(raw.get("role") or "").strip()
    role, label_role = None, None
    label = turns[label_turn]["speaker"] if turns is not None and label_turn is not None else ""
    if role_text and role_text not in label and turns is not None and label_turn is not None:
        fuller = [i for i, t in enumerate(turns) if name in t["speaker"] and role_text in t["speaker"]]
        if fuller:
            label_turn, label = fuller[0], turns[fuller[0]]["speaker"]
    if role_text and role_text in label:
        at = label.index(role_text)
        label_role = (at, at + len(role_text), span_hash(role_text))
    else:
        role = _find(document, {"text": role_text, "turn": raw.get("role_turn")}, "role")
    if label_turn is None and name_span is None and role is None:
        return None
    return Participant(speaker_turn=label_turn, name=name_span, role=role, label_role=label_role)


def _labels(folder: Path, pattern: str) -> list[FactLabels]:
    documents = {d.doc: d for d in _documents()}
    out: dict[str, FactLabels] = {}
    for path in sorted(folder.glob(pattern)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            raw = json.loads(line)
            document = documents.get(raw.get("doc", ""))
            if document is None:
                raise SystemExit(f"{path}:{number}: unknown document {raw.get('doc')!r}")
            people = [_participant(document, p) for p in raw.get("participants", [])]
            out[document.doc] = FactLabels(
                doc=document.doc,
                participants=[p for p in people if p is not None],
                event=_find(document, raw.get("event"), "event"),
                place=_find(document, raw.get("place"), "place"),
                date=_find(document, raw.get("date"), "date"),
            )
    missing = sorted(documents.keys() - out.keys())
    if missing:
        print(f"  no answer for {missing}")
    return [out[k] for k in sorted(out)]


def _write(labels: list[FactLabels], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(label.model_dump_json() + "\n" for label in labels), encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(labels)} documents")


def _shown(document: FactDocument, labels: FactLabels) -> dict[str, Any]:
    def text(span: Span | None) -> str | None:
        return None if span is None else gold_source_text(DATA, span.path, span.turn)[span.start : span.end]

    turns = _turns(document.path) or []
    return {
        "participants": [
            {
                "name": turns[p.speaker_turn]["speaker"] if p.speaker_turn is not None else text(p.name),
                "role": text(p.role) or _label_role_text(turns, p),
            }
            for p in labels.participants
        ],
        "event": text(labels.event),
        "place": text(labels.place),
        "date": text(labels.date),
    }


def _label_role_text(turns: list[dict[str, str]], p: Participant) -> str | None:
    if p.label_role is None or p.speaker_turn is None:
        return None
    return turns[p.speaker_turn]["speaker"][p.label_role[0] : p.label_role[1]]


def adjudication_tasks(folder: Path, n_chunks: int) -> None:
    passes = {
        name: {x.doc: x for x in read_jsonl(FACTS / "passes" / f"{name}.jsonl", FactLabels)} for name in "ab"
    }
    folder.mkdir(parents=True, exist_ok=True)
    for c, chunk in enumerate(_chunks(_documents(), n_chunks), start=1):
        parts = []
        for d in chunk:
            shown = {
                name: _shown(d, labels[d.doc]) if d.doc in labels else None for name, labels in passes.items()
            }
            parts.append(
                f"\n### document {d.doc} ({d.kind})\nPASS A: {json.dumps(shown['a'], ensure_ascii=False)}\n"
                f"PASS B: {json.dumps(shown['b'], ensure_ascii=False)}\n{_render(d)}"
            )
        (folder / f"adjudicate_{c}.txt").write_text("\n".join(parts) + "\n", encoding="utf-8")


def _key(value: str | None) -> str:
    return " ".join((value or "").lower().replace(".", " ").split())


def _people(shown: dict[str, Any]) -> set[str]:
    return {_key(p["name"]) for p in shown["participants"] if p["name"]}


def _same(a: str | None, b: str | None) -> bool:
    """Both absent, or the same words (one span inside the other counts: "New York" / "in New York")."""
    x, y = _key(a), _key(b)
    return x == y or bool(x and y and (x in y or y in x))


def agreement() -> None:
    """Pass A against pass B (and each against the adjudicated labels): participants' names as sets
    (micro-F1 over documents), event, place and date as the share of documents where both agree."""
    documents = {d.doc: d for d in _documents()}
    sets = {
        name: {x.doc: _shown(documents[x.doc], x) for x in read_jsonl(path, FactLabels)}
        for name, path in (
            ("a", FACTS / "passes" / "a.jsonl"),
            ("b", FACTS / "passes" / "b.jsonl"),
            ("adjudicated", FACTS / "facts.jsonl"),
        )
    }
    for left, right in (("a", "b"), ("a", "adjudicated"), ("b", "adjudicated")):
        docs = sorted(sets[left].keys() & sets[right].keys())
        both = only_left = only_right = 0
        fields = {"event": 0, "place": 0, "date": 0}
        for doc in docs:
            x, y = sets[left][doc], sets[right][doc]
            people_x, people_y = _people(x), _people(y)
            both += len(people_x & people_y)
            only_left += len(people_x - people_y)
            only_right += len(people_y - people_x)
            for field in fields:
                fields[field] += _same(x[field], y[field])
        f1 = 2 * both / max(2 * both + only_left + only_right, 1)
        shares = ", ".join(f"{field} {n / len(docs):.0%}" for field, n in fields.items())
        print(f"{left} vs {right} ({len(docs)} documents): participants F1 {f1:.3f}; {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.facts_annotation")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("select")
    sub = commands.add_parser("tasks")
    sub.add_argument("folder", type=Path)
    sub.add_argument("--chunks", type=int, default=3)
    sub = commands.add_parser("collect")
    sub.add_argument("name")
    sub.add_argument("folder", type=Path)
    sub = commands.add_parser("adjudication-tasks")
    sub.add_argument("folder", type=Path)
    sub.add_argument("--chunks", type=int, default=3)
    sub = commands.add_parser("finalize")
    sub.add_argument("folder", type=Path)
    sub.add_argument("--replace", action="store_true", help="keep the documents DIR does not answer")
    commands.add_parser("agreement")
    args = parser.parse_args()
    if args.command == "select":
        select()
    elif args.command == "tasks":
        tasks(args.folder, args.chunks)
    elif args.command == "collect":
        _write(_labels(args.folder, "facts_*.jsonl"), FACTS / "passes" / f"{args.name}.jsonl")
    elif args.command == "adjudication-tasks":
        adjudication_tasks(args.folder, args.chunks)
    elif args.command == "agreement":
        agreement()
    else:
        labels = _labels(args.folder, "adjudicate_*.jsonl")
        if args.replace:
            answered = {x.doc for x in labels}
            labels += [x for x in read_jsonl(FACTS / "facts.jsonl", FactLabels) if x.doc not in answered]
        _write(sorted(labels, key=lambda x: x.doc), FACTS / "facts.jsonl")


if __name__ == "__main__":
    main()
