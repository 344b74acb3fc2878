"""A draft states only what the text (or the user's metadata) supports: participants, not people merely
mentioned; the event, not another one the text names; quotation marks only around words someone said;
text free of transcript markup; titles that are never file names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from spacy.language import Language

from flows.outputs.drafts import render_docx, render_markdown
from nlp.analyse import Analyzer, analyse
from nlp.drafts import build_document_draft
from nlp.entities import is_unnamed_label, split_speaker_label
from nlp.ingest import read_document
from nlp.metadata import MetadataError, apply, lookup, parse_sidecar
from nlp.summary import DocumentSummary
from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel

SPEECH = """Thank you, Mr. President. I congratulate Mr. Philemon Yang on his election as President of the \
seventy-ninth session of the General Assembly. I also thank the Secretary-General, Mr. António Guterres, \
for his leadership.

As Bob Marley sang, "One good thing about music, when it hits you, you feel no pain." Our children deserve \
schools that never close. Digital public infrastructure must reach every rural school, and we are \
connecting 4,000 schools to broadband this year with our partners.

We call on development banks to double concessional finance for education in small island states, \
because our debt burden leaves too little for teachers and classrooms.

Teachers are the heart of our recovery, and we are training 2,000 more of them in digital skills.
"""

RELEASE = """Ministry opens 40 digital learning hubs

The Ministry of Education today opened 40 digital learning hubs in rural districts, giving 12,000 \
pupils broadband access and trained digital mentors.

"Forty-one of our fifty-eight teachers answered," said Priya Shah, "and most of them asked for more \
training in digital tools before the hubs opened."

"Every child in a rural district now has a place to learn online, and every hub has a trained mentor to \
help them," said Minister Grace Okafor.

The hubs are funded by a 25 million partnership with two telecom operators and the regional \
development bank, and each will report usage data every quarter.
"""

TRANSCRIPT = """Chair: Welcome, everyone, to this meeting of the schools committee.
Rhys Morgan: Um, I think {vocalsound} the budget for teacher training is, uh, far too small this year, \
and teachers tell us they cannot attend courses.
Chair: Thank you. Please go on.
Rhys Morgan: We need a {disfmarker} we need a digital skills programme for every teacher in the county, \
and the partnership with the university can fund half of it.
Helen Price: Um the data from our survey shows {gap} that rural schools still lack broadband, so pupils \
there cannot join online lessons at home.
Rhys Morgan: Uh, the council should invest two million pounds in laptops and connectivity for the \
poorest families {vocalsound} before the winter term.
Helen Price: And the teachers need coaching, um, to use those devices well in class, otherwise the money \
is wasted.
"""


@pytest.fixture(scope="module")
def analyzer(nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel) -> Analyzer:
    return Analyzer(nlp=nlp, taxonomy=taxonomy, model=theme_model)


def _summary(
    analyzer: Analyzer, text: str, name: str, record: dict[str, str] | None = None
) -> DocumentSummary:
    document = read_document(text.encode(), source=f"/home/reporter/inbox/{name}", name=name)
    if record:
        document = apply(document, record)
    (summary,) = list(analyse([document], analyzer=analyzer))
    assert isinstance(summary, DocumentSummary), summary
    return summary


def test_a_speech_names_nobody_it_only_mentions(analyzer: Analyzer) -> None:
    summary = _summary(analyzer, SPEECH, "GRD_79_2024.txt")
    draft = build_document_draft(summary)
    markdown = render_markdown(draft)
    for mentioned in ("Yang", "Guterres", "Marley"):
        assert mentioned not in draft.lede, draft.lede
    assert draft.facts.people == []
    assert draft.facts.event is None, "the seventy-ninth session is congratulated, not described"
    assert any("does not say who delivered it" in c.text for c in draft.checks)
    body = markdown.split("## Check before publishing")[0]
    assert "> “" not in body, "nobody is named as saying the speech's words: cited as text, not quoted"
    assert "GRD_79_2024" not in draft.headline + draft.lede
    assert "/home/reporter" not in markdown, "sources are cited by name, never by a local path"


def test_metadata_names_the_speaker_and_quotes_them(analyzer: Analyzer) -> None:
    record = {"speaker": "Mr. Dickon Mitchell", "role": "Prime Minister", "country": "Grenada"}
    summary = _summary(analyzer, SPEECH, "GRD_79_2024.txt", record)
    draft = build_document_draft(summary)
    markdown = render_markdown(draft)
    assert draft.lede.startswith("Mr. Dickon Mitchell, Prime Minister of Grenada, spoke"), draft.lede
    assert "statement by Mr. Dickon Mitchell" in draft.headline
    quoted = [t for t in draft.takeaways if t.quote and t.quote.direct]
    assert quoted and all(
        t.attribution == "said Mr. Dickon Mitchell, Prime Minister of Grenada" for t in quoted
    )
    assert "Marley" not in markdown.split("## Check")[0].replace(SPEECH, "")


def test_a_fragment_is_never_quoted_but_a_whole_quotation_is(analyzer: Analyzer) -> None:
    summary = _summary(analyzer, RELEASE, "release.txt")
    draft = build_document_draft(summary)
    markdown = render_markdown(draft)
    assert "Forty-one of our fifty-eight teachers answered" not in markdown
    assert "said Grace Okafor" in markdown
    assert "Grace Okafor" in draft.lede  # quoted in a release: she took part


def test_transcript_markup_never_reaches_a_reader(analyzer: Analyzer) -> None:
    summary = _summary(analyzer, TRANSCRIPT, "2025-03-04_schools_committee.txt")
    draft = build_document_draft(summary)
    markdown = render_markdown(draft)
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(render_docx(draft))).paragraphs)
    for shown in (markdown, word):
        for markup in (
            "{vocalsound}",
            "{disfmarker}",
            "{gap}",
            " um",
            "Um ",
            " uh",
            "Uh",
            "we need a we need",
        ):
            assert markup not in shown, (markup, shown)
    quoted = [t.quote for t in draft.takeaways if t.quote]
    assert quoted
    for quote in quoted:  # the citation still points at the exact source, markup and all
        source = summary.text[quote.citation.start : quote.citation.end]
        assert "{" in source or "um," in source or ", um" in source or "Uh," in source, source
        assert quote.direct and quote.speaker in summary.speakers
    assert "schools_committee" not in draft.headline + draft.lede


def test_an_outside_taxonomy_document_still_gets_its_draft(analyzer: Analyzer) -> None:
    summary = _summary(analyzer, TRANSCRIPT, "meeting.txt").model_copy(update={"outside_taxonomy": True})
    draft = build_document_draft(summary)
    assert draft.checks[0].kind == "scope"


def test_docx_properties_are_the_projects() -> None:
    from nlp.drafts import Draft, LedeFacts

    draft = Draft(
        kind="document", name="x", headline="Two key takeaways from a statement", lede="Here.",
        facts=LedeFacts(event=None, when=None, when_phrase=None, where=None, organiser=None, people=[]),
        takeaways=[], checks=[], sources=[],
    )  # fmt: skip
    properties = docx.Document(io.BytesIO(render_docx(draft))).core_properties
    assert properties.author == "Takeaways" and properties.title == draft.headline


def test_sidecar_tables_key_records_by_file_name() -> None:
    csv_table = parse_sidecar(
        b"file,speaker,post,country,venue\nGRD_79_2024,Mr. Dickon Mitchell,Prime Minister,Grenada,New York\n",
        "speakers.csv",
    )
    assert lookup(csv_table, "/data/Session 79 - 2024/GRD_79_2024.txt") == {
        "speaker": "Mr. Dickon Mitchell", "role": "Prime Minister", "country": "Grenada", "place": "New York",
    }  # fmt: skip
    keyed = parse_sidecar(b'{"brief.docx": {"title": "Budget brief", "date": "2025-03-04"}}', "meta.json")
    assert lookup(keyed, "https://example.org/files/brief.docx") == {
        "title": "Budget brief",
        "date": "2025-03-04",
    }
    listed = parse_sidecar(b'[{"filename": "a.txt", "event": "the spring forum"}]', "meta.json")
    assert lookup(listed, "a.txt") == {"event": "the spring forum"}
    for bad, reason in (
        (b"{not json", "not JSON"),
        (b'[{"speaker": "X"}]', "no file name"),
        (b"\xff\xfe", "UTF-8"),
    ):
        with pytest.raises(MetadataError, match=reason) as raised:
            parse_sidecar(bad, "meta.json")
        assert "meta.json" in str(raised.value)


def test_a_metadata_date_that_is_no_date_is_refused() -> None:
    document = read_document(b"Some text here.", source="a.txt", name="a.txt")
    assert apply(document, {"date": "25 March 2025"}).date is not None
    with pytest.raises(MetadataError, match=r"a\.txt"):
        apply(document, {"date": "sometime soon"})


def test_front_matter_gives_the_speaker(analyzer: Analyzer) -> None:
    text = (
        "---\ntitle: Address to the education forum\nspeaker: Amina Diallo\n"
        "role: Minister of Education\n---\n"
    )
    summary = _summary(analyzer, text + SPEECH, "address.md")
    assert summary.facts.speaker == "Amina Diallo"
    draft = build_document_draft(summary)
    assert draft.lede.startswith("Amina Diallo, Minister of Education, spoke"), draft.lede


def test_keynote_byline_names_who_delivered_it(analyzer: Analyzer) -> None:
    path = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "statement_speech.docx"
    document = read_document(path.read_bytes(), source=str(path), name=path.name)
    (summary,) = list(analyse([document], analyzer=analyzer))
    assert isinstance(summary, DocumentSummary)
    assert summary.facts.speaker == "Miriam Castellanos"
    draft = build_document_draft(summary)
    assert any(t.attribution and "Miriam Castellanos" in t.attribution for t in draft.takeaways)


CITING_SPEECH = """Eritrea has long stood for peace in the Horn of Africa.

Recently, the Government convened the first session of the National Peace Conference in Asmara in \
November 2015, and its three sessions held so far have adopted 51 principles.

President Obama of the United States stated publicly that he had “renewed sanctions on the worst \
abusers”. As Pope Francis told the Assembly, “War is the negation of all rights.”

The Advisory Commission on the coast, chaired by Mr. Kofi Annan, former Secretary-General of the United \
Nations, has reported on schools. The warning was delivered by John F. Kennedy in 1963.

Eritrea calls on development banks to fund the schools and teachers of the region, because the debt \
burden of the country leaves too little for classrooms. Eritrea will train 3,000 teachers in digital skills \
and connect every secondary school to broadband by 2027.
"""


def test_a_speech_does_not_credit_the_people_it_cites(analyzer: Analyzer) -> None:
    """A third-person speech quotes and recalls others: none of them took part, and the events, places
    and dates it recalls are not its own."""
    summary = _summary(analyzer, CITING_SPEECH, "ERI_71_2016.txt")
    draft = build_document_draft(summary)
    for cited in ("Obama", "Francis", "Annan", "Kennedy"):
        assert cited not in draft.lede, draft.lede
    assert not [p for p in summary.facts.people if p.participant], summary.facts.people
    facts = summary.facts
    assert facts.what is None and facts.where is None and facts.when is None, facts
    assert "Asmara" not in draft.lede and "2015" not in draft.lede
    assert "Peace Conference" not in draft.headline


MEETING = """Project Manager: Alright. This is the first meeting {gap} for our new product. I'm Heather, \
I'm your Project Manager.
Marketing: My name's Sam. I'm uh {vocalsound} Marketing Expert.
Industrial Designer: And I'm the industrial designer on the team.
Project Manager: Good. The remote control should cost less than twenty five euros and sell four million \
units.
Marketing: Our survey says users want a remote that is easy to find and has few buttons.
Industrial Designer: I think the case should be made of rubber so that it survives being dropped.
"""


def test_a_meeting_lede_names_speakers_cleanly(analyzer: Analyzer) -> None:
    """Self-introductions give names and roles, without "I'm your" or transcript markup, and a lede
    never says an event "took place" with nothing else to tell."""
    summary = _summary(analyzer, MEETING, "ES2015a.txt")
    draft = build_document_draft(summary)
    assert "Heather, Project Manager" in draft.lede, draft.lede
    assert "Sam, Marketing Expert" in draft.lede, draft.lede
    for bad in ("I'm", "{", " uh ", "took place"):
        assert bad not in draft.lede, draft.lede


def test_speaker_labels_that_are_not_names_are_never_named() -> None:
    labels = ("Chair", "The Chair", "Project Manager", "Marketing", "User Interface", "PhD F", "Professor B")
    for label in labels:
        assert is_unnamed_label(label), label
    for name in ("Heather", "Rhys Morgan", "Lynne Neagle AM", "Professor Helen Price"):
        assert not is_unnamed_label(name), name


RESEARCH = """Professor B: OK, so we are recording. Today we look at the new recogniser results.
PhD F: The word error rate fell from thirty to twenty four percent on the far-field microphones.
Professor B: That is a big drop. What changed in the front end?
PhD F: We added noise normalisation and retrained the neural net on the augmented data.
PhD A: And the latency went up by about forty milliseconds, which we still need to fix.
"""


def test_a_lede_names_no_anonymised_speaker(analyzer: Analyzer) -> None:
    draft = build_document_draft(_summary(analyzer, RESEARCH, "Bmr019.txt"))
    for label in ("Professor B", "PhD F", "PhD A"):
        assert label not in draft.lede, draft.lede


def test_a_date_in_another_clause_is_not_the_events(analyzer: Analyzer) -> None:
    text = (
        "I am grateful for the privilege of joining everyone here in the General Assembly — a privilege "
        "made possible by the free and fair elections held in Kenya on 9 August.\n\n" + SPEECH
    )
    facts = _summary(analyzer, text, "KEN_77_2022.txt").facts
    assert facts.when is None and facts.where is None, facts


HANSARD = json.dumps(
    [
        {"speaker": speaker, "text": text}
        for speaker, text in (
            ("The Chair (Hon. Anthony Rota (Nipissing, Lib.))", "Order. Welcome to the "
             "12thmeeting of the House of Commons Special Committee on the COVID-19 Pandemic. Mr. Genuis."),
            ("Mr. Garnett Genuis (Sherwood Park, CPC)", "Mr. Chair, how many rapid tests has the government "
             "shipped to provinces this month, and when will rural pharmacies receive them?"),
            ("Hon. Patty Hajdu (Minister of Health)", "We have shipped eleven million rapid tests to the "
             "provinces this month, and rural pharmacies will receive their first deliveries next week."),
            ("The Chair (Hon. Anthony Rota)", "Thank you. Ms. May."),
            ("Ms. Elizabeth May (Saanich, GP)", "Will the minister fund sick leave?"),
            ("Hon. Patty Hajdu", "The federal program pays five hundred dollars a week."),
        )
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    ("label", "name", "role"),
    [
        ("Hon. Patty Hajdu (Minister of Health)", "Hon. Patty Hajdu", "Minister of Health"),
        ("The Chair (Hon. Anthony Rota (Nipissing, Lib.))", "Hon. Anthony Rota", "Chair"),
        ("The Acting Chair (Mr. Bruce Stanton)", "Mr. Bruce Stanton", "Acting Chair"),
        ("Mr. Garnett Genuis (Sherwood Park, CPC)", "Mr. Garnett Genuis", None),  # a riding, not a role
        ("Lynne Neagle AM", "Lynne Neagle AM", None),
        ("Project Manager", "Project Manager", None),
    ],
)
def test_parliamentary_speaker_labels_give_a_name_and_the_role_they_state(
    label: str, name: str, role: str | None
) -> None:
    assert split_speaker_label(label) == (name, role)


def test_a_committee_lede_names_speakers_by_name_with_the_roles_their_labels_state(
    analyzer: Analyzer,
) -> None:
    draft = build_document_draft(_summary(analyzer, HANSARD, "covid_6.json"))
    assert (
        draft.facts.event
        == "the 12th meeting of the House of Commons Special Committee on the COVID-19 Pandemic"
    )
    names = {p.name: p.role for p in draft.facts.people}
    assert names.get("Hon. Patty Hajdu") == "Minister of Health", names
    for person in draft.facts.people:
        assert "(" not in person.name, person.name


WITNESSES = json.dumps(
    [
        {"speaker": speaker, "text": text}
        for speaker, text in (
            ("Lynne Neagle AM", "Good morning. Welcome to the Children, Young People and Education "
             "Committee. I'm pleased to welcome Huw David, who is the Welsh Local Government Association "
             "spokesperson for health and social care. Councillor David, how will councils fund it?"),
            ("Huw David", "Councils will need an extra two million pounds a year to fund the new duty, "
             "because every case needs a social worker's assessment within ten days."),
            ("Lynne Neagle AM", "Thank you, Councillor David. What about training for staff?"),
            ("Huw David", "Every social worker will receive two days of training on the new law before it "
             "comes into force next April."),
        )
    ]
)  # fmt: skip


def test_a_role_the_text_spells_out_beats_a_title_others_use(analyzer: Analyzer) -> None:
    draft = build_document_draft(_summary(analyzer, WITNESSES, "education_14.json"))
    roles = {p.name: p.role for p in draft.facts.people}
    assert (
        roles.get("Huw David") == "Welsh Local Government Association spokesperson for health and social care"
    )
    assert draft.facts.event == "the meeting of the Children, Young People and Education Committee"


HISTORY = """Mr. President,

In 1946, Carlos P. Romulo, who would become the first Asian President of the General Assembly, said: \
“We are not here to make peace, but to build for peace, and to make ready the hearts of men and women.”

Our schools must reach every child, and we will connect 4,000 rural schools to broadband this year.

Teachers are the heart of our recovery, and we are training 2,000 more of them in digital skills.
"""


def test_a_speech_never_credits_someone_it_quotes_from_history(analyzer: Analyzer) -> None:
    draft = build_document_draft(_summary(analyzer, HISTORY, "PHL_79_2024.txt"))
    assert "Romulo" not in draft.lede, draft.lede


KICK_OFF = json.dumps(
    [
        {"speaker": speaker, "text": text}
        for speaker, text in (
            ("Marketing", "{vocalsound}"),
            ("User Interface", "Okay ."),
            ("Industrial Designer", "Mm ."),
            ("Marketing", "{vocalsound} Yeah ."),
            ("User Interface", "Hi ."),
            ("Industrial Designer", "Okay ."),
            ("Project Manager", "So , hello everyone . This is our conceptual design meeting . I'm the "
             "Project Manager Christa Pavlov and today we choose the case and the battery for the remote ."),
            ("Industrial Designer", "I think the case should be made of rubber so that it survives being "
             "dropped , and a kinetic battery means nobody ever has to change it ."),
            ("Marketing", "Our survey says users want a remote that is easy to find and has few buttons ."),
        )
    ]
)  # fmt: skip


def test_a_meeting_after_short_opening_turns_still_has_its_event_and_its_chairs_name(
    analyzer: Analyzer,
) -> None:
    draft = build_document_draft(_summary(analyzer, KICK_OFF, "ES2016c.json"))
    assert draft.facts.event == "the conceptual design meeting"
    assert [(p.name, p.role) for p in draft.facts.people][:1] == [("Christa Pavlov", "Project Manager")]
