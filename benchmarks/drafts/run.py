"""The drafts benchmark: are the facts in reporters' drafts right, and is their text clean?

Three sources of truth, all read in place from ``../shared/data``:
1. the facts labelled by hand on 35 documents (``corpus/labels/real/facts``, ``corpus/FACTS_GUIDELINE.md``);
2. ``ungdc/speakers.csv``, who gave each UN General Debate speech and in what post, given to the drafts
   as metadata (as a user would pass it with ``--metadata``) and also withheld, to see what the text
   alone leads the drafts to say;
3. rules any draft must keep on every UN speech and QMSum meeting: no transcript markup, no file name as
   a title, nothing in quotation marks that nobody is named as saying, no non-participant in a lede.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.drafts.scoring import (
    FieldScore,
    file_name_title,
    markup_leaks,
    non_quotes,
    overlaps,
    same_date,
    same_person,
    un_event_right,
)
from benchmarks.quality.analysis import DEFAULT_CACHE, Engine
from benchmarks.quality.data import DEFAULT_DATA, PROJECT_ROOT
from benchmarks.quality.report import table
from benchmarks.results_file import RESULTS, replace_section
from flows.outputs.drafts import render_markdown
from nlp.drafts import Draft, build_document_draft
from nlp.entities import split_speaker_label
from nlp.facts import with_given
from nlp.gold import GoldFacts, load_gold_facts
from nlp.linguistic import clean_transcript_text
from nlp.metadata import canonical
from nlp.summary import DocumentSummary

SECTION = "## Drafts"
COMMAND = "python -m benchmarks.drafts"
FACTS = PROJECT_ROOT / "corpus" / "labels" / "real" / "facts"
SAMPLE = 200
_SEED = 7
_SELF_INTRODUCED = re.compile(  # "I'm Heather", "I'm the Project Manager Christa Pavlov"
    r"\b(?:I'm|I am|[Mm]y name is|[Mm]y name's)\s+(?:the\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+)?"
    r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)
_FIELDS = ("people", "roles", "event", "place", "date")


@dataclass
class Tally:
    """Rule counts over many drafts."""

    drafts: int = 0
    non_participants: int = 0
    markup: int = 0
    file_titles: int = 0
    non_quotes: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, example: str) -> None:
        self.examples.setdefault(kind, []).append(example)


def _draft(summary: DocumentSummary) -> tuple[Draft, str]:
    draft = build_document_draft(summary)
    return draft, render_markdown(draft)


def _rules(
    tally: Tally, summary: DocumentSummary, draft: Draft, markdown: str, participants: Sequence[str]
) -> None:
    """Count every rule a draft breaks; ``participants`` are the names allowed in a lede."""
    path = Path(summary.source)
    tally.drafts += 1
    outsiders = [p.name for p in draft.facts.people if not any(same_person(p.name, q) for q in participants)]
    tally.non_participants += len(outsiders)
    for name in outsiders:
        tally.note("non-participant", f"{path.name}: {name}")
    shown = [markdown, *(clean_transcript_text(t.text) for t in summary.takeaways)]
    leaks = markup_leaks(shown)
    tally.markup += leaks
    if leaks:
        tally.note("markup", path.name)
    if file_name_title(draft, [path.name, path.stem, path.parent.name]):
        tally.file_titles += 1
        tally.note("file-name title", f"{path.name}: {draft.headline}")
    found = non_quotes(draft, markdown)
    tally.non_quotes += found
    if found:
        tally.note("non-quote", path.name)


# --- 1. labelled documents -------------------------------------------------------------------------


def labelled(engine: Engine, data: Path, split: str) -> tuple[dict[str, FieldScore], int]:
    gold = [g for g in load_gold_facts(FACTS, data) if g.doc.split == split]
    summaries = engine.summaries([data / g.doc.path for g in gold])
    scores = {name: FieldScore() for name in _FIELDS}
    for g, summary in zip(gold, summaries, strict=True):
        draft, _ = _draft(summary)
        _score_document(scores, g, draft)
    return scores, len(gold)


def _score_document(scores: dict[str, FieldScore], g: GoldFacts, draft: Draft) -> None:
    where = g.doc.doc
    named = [(n, r) for n, r in g.participants if n]
    for person in draft.facts.people:
        label = next((n for n, _ in named if same_person(person.name, n)), None)
        match = next((r for n, r in named if n == label), None)
        scores["people"].add(labelled=False, stated=person.name, right=label is not None, where=where)
        role = person.role or person.organisation
        if role:
            # the labelled role, or the one the labelled name itself states ("Hon. X (Minister of Y)")
            stated_roles = [r for r in (match, label and split_speaker_label(label)[1]) if r]
            ok = any(overlaps(role, r) or overlaps(r, role) for r in stated_roles)
            scores["roles"].add(labelled=False, stated=f"{person.name}: {role}", right=ok, where=where)
    scores["people"].labelled += min(len(named), 3)
    scores["roles"].labelled += min(sum(1 for _, r in named if r), 3)
    f = draft.facts
    checks: list[tuple[str, str | None, str | None, Callable[[str, str], bool]]] = [
        ("event", f.event, g.event, overlaps),
        ("place", f.where, g.place, overlaps),
        ("date", f.when, g.date, same_date),
    ]
    for name, stated, gold, agree in checks:
        right = gold is not None and stated is not None and agree(stated, gold)
        scores[name].add(labelled=gold is not None, stated=stated, right=right, where=where)


def labelled_section(scores: dict[str, FieldScore], n: int, split: str) -> str:
    rows = [
        [name, s.labelled, s.stated, s.right, s.wrong, f"{s.coverage:.0%}" if s.labelled else "-"]
        for name, s in scores.items()
    ]
    total_labelled = sum(s.labelled for s in scores.values())
    total_right = sum(min(s.right, s.labelled) for s in scores.values())
    rows.append(
        ["all", total_labelled, sum(s.stated for s in scores.values()), sum(s.right for s in scores.values()),
         sum(s.wrong for s in scores.values()), f"{total_right / max(total_labelled, 1):.0%}"]
    )  # fmt: skip
    wrong = [e for s in scores.values() for e in s.wrong_examples]
    lines = [
        f"### Facts on the labelled documents ({split} split, {n} documents)",
        "",
        "People and roles: every person the lede names (at most three) must be a labelled participant, with "
        "a labelled role; *labelled* counts up to three participants (and roles) a document has. Event, "
        "place and date: what the lede states against what the text states for this event.",
        "",
        table(["fact", "labelled", "stated", "right", "wrong", "labelled facts stated rightly"], rows),
    ]
    if wrong:
        lines += ["", "Wrong: " + "; ".join(wrong[:12]) + ("; …" if len(wrong) > 12 else "")]
    return "\n".join(lines)


# --- 2. UN speeches --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Speaker:
    file: str
    session: int
    year: int
    name: str
    post: str
    country: str


def speakers(data: Path) -> dict[str, Speaker]:
    with (data / "ungdc" / "speakers.csv").open(encoding="utf-8") as handle:
        return {
            row["file"]: Speaker(
                file=row["file"],
                session=int(row["session"]),
                year=int(row["year"]),
                name=row["speaker"].strip(),
                post=row["post"].strip(),
                country=row["country"].strip(),
            )
            for row in csv.DictReader(handle)
        }


def _un_facts(scores: dict[str, FieldScore], summary: DocumentSummary, draft: Draft, who: Speaker) -> None:
    where = Path(summary.source).stem
    for person in draft.facts.people:
        scores["people"].add(
            labelled=False, stated=person.name, right=same_person(person.name, who.name), where=where
        )
    scores["people"].labelled += 1
    f = draft.facts
    scores["event"].add(
        labelled=False, stated=f.event, right=un_event_right(f.event or "", who.session), where=where
    )
    scores["place"].add(
        labelled=False, stated=f.where, right="new york" in (f.where or "").lower(), where=where
    )
    years = re.findall(r"\b(?:19|20)\d\d\b", f.when or "")
    right_date = (
        all(int(y) == who.year for y in years)
        if years
        else re.search(r"\b(?:Sept|Oct)", f.when or "") is not None
    )
    scores["date"].add(labelled=False, stated=f.when, right=right_date, where=where)


def un_speeches(engine: Engine, data: Path) -> tuple[str, list[tuple[str, Tally]], list[str]]:
    table_ = speakers(data)
    paths = sorted((data / "ungdc" / "TXT").glob("*/*.txt"))
    paths = [p for p in paths if p.stem in table_]
    summaries = engine.summaries(paths)
    sample = set(random.Random(_SEED).sample(range(len(paths)), min(SAMPLE, len(paths))))
    plain = {name: FieldScore() for name in ("people", "event", "place", "date")}
    given = {name: FieldScore() for name in ("people", "event", "place", "date")}
    named_right = post_right = 0
    tally_plain, tally_given = Tally(), Tally()
    for i, (path, summary) in enumerate(zip(paths, summaries, strict=True)):
        who = table_[path.stem]
        draft, markdown = _draft(summary)
        _rules(tally_plain, summary, draft, markdown, [who.name])
        if i in sample:
            _un_facts(plain, summary, draft, who)
        record = canonical({"speaker": who.name, "post": who.post, "country": who.country})
        with_meta = summary.model_copy(update={"facts": with_given(summary.facts, record)})
        draft, markdown = _draft(with_meta)
        _rules(tally_given, with_meta, draft, markdown, [who.name])
        _un_facts(given, with_meta, draft, who)
        named_right += " ".join(who.name.split()) in draft.lede  # the table breaks some names over lines
        post_right += bool(who.post) and " ".join(who.post.split()) in draft.lede
    rows = [
        [f"text only, sample of {len(sample)}", *(_cells(plain[k]) for k in plain)],
        [f"with speakers.csv, all {len(paths)}", *(_cells(given[k]) for k in given)],
    ]
    wrong = [e for s in plain.values() for e in s.wrong_examples] + [
        e for s in given.values() for e in s.wrong_examples
    ]
    lines = [
        "### UN General Debate speeches",
        "",
        "Each cell: stated / wrong. People: anyone the lede names who is not the speaker in `speakers.csv` "
        "is wrong. Event: wrong unless it is the General Assembly's and, if numbered, this session. Place: "
        "wrong unless New York. Date: wrong unless it is in the speech's year or says September/October.",
        "",
        table(["drafts", "people", "event", "place", "date"], rows),
        "",
        f"With `speakers.csv` as metadata the lede names the right speaker in {named_right} of {len(paths)} "
        f"speeches and the right post in {post_right} of the {sum(bool(table_[q.stem].post) for q in paths)} "
        "the table gives a post for.",
    ]
    if wrong:
        lines += ["", "Wrong: " + "; ".join(wrong[:10]) + ("; …" if len(wrong) > 10 else "")]
    tallies = [("UN speeches, text only", tally_plain), ("UN speeches, with speakers.csv", tally_given)]
    return "\n".join(lines), tallies, wrong


def _cells(score: FieldScore) -> str:
    return f"{score.stated} / {score.wrong}"


# --- 3. QMSum meetings -----------------------------------------------------------------------------


def qmsum(engine: Engine, data: Path) -> Tally:
    import json

    paths = sorted((data / "qmsum").glob("*/*.json"))
    summaries = engine.summaries(paths)
    tally = Tally()
    for path, summary in zip(paths, summaries, strict=True):
        turns = json.loads(path.read_text(encoding="utf-8"))["meeting_transcripts"]
        labels = [t["speaker"] for t in turns]  # and the names speakers give themselves ("I'm Heather")
        labels += [m.group(1) for t in turns for m in _SELF_INTRODUCED.finditer(t["content"])]
        draft, markdown = _draft(summary)
        _rules(tally, summary, draft, markdown, labels)
    return tally


def rules_section(tallies: Sequence[tuple[str, Tally]]) -> str:
    rows = [
        [name, t.drafts, t.non_participants, t.markup, t.file_titles, t.non_quotes] for name, t in tallies
    ]
    lines = [
        "### Rules on every draft",
        "",
        "Counts over every draft: people named in a lede who do not take part (for a meeting, anyone who is "
        'not one of its speakers by label or by the name they give ("I\'m Heather"); for a speech, anyone '
        "but its speaker), transcript markup or fillers in the "
        "draft or the headlines the report shows, headlines or ledes that name a file or folder, and "
        "words in quotation marks that nobody is named as saying.",
        "",
        table(
            ["drafts of", "drafts", "non-participants in ledes", "markup", "file-name titles", "non-quotes"],
            rows,
        ),
    ]
    for name, t in tallies:
        for kind, examples in t.examples.items():
            lines.append(
                f"- {name}, {kind}: " + "; ".join(examples[:5]) + ("; …" if len(examples) > 5 else "")
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (read only)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="summary and model cache")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the RESULTS.md to update")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--n-process", type=int, default=1, help="processes for the spaCy pass")
    parser.add_argument("--split", choices=("dev", "test"), default="test", help="labelled split to report")
    parser.add_argument("--wrong", type=Path, help="write every wrong fact here, one a line, to study them")
    args = parser.parse_args(argv)
    if not (args.data / "ungdc").is_dir():
        print(f"Drafts benchmark skipped: no data at {args.data}")
        return 0
    engine = Engine(args.cache, n_process=args.n_process)
    parts = [
        SECTION,
        "",
        f"`{COMMAND}` (`make bench-drafts`); facts labelled by `corpus/FACTS_GUIDELINE.md`.",
        "",
    ]
    wrong: list[str] = []
    for split in dict.fromkeys([args.split, "dev"]):
        scores, n = labelled(engine, args.data, split)
        parts += [labelled_section(scores, n, split), ""]
        wrong += [f"{split} {e}" for s in scores.values() for e in s.wrong_examples]
    un_text, un_tallies, un_wrong = un_speeches(engine, args.data)
    wrong += [f"UN {e}" for e in un_wrong]
    parts += [un_text, "", rules_section([*un_tallies, ("QMSum meetings", qmsum(engine, args.data))])]
    body = "\n".join(parts)
    print(body)
    if args.wrong:
        args.wrong.write_text("".join(f"{line}\n" for line in wrong), encoding="utf-8")
    if not args.no_write and args.split == "test":
        replace_section(args.results, body, heading=SECTION)
    return 0
