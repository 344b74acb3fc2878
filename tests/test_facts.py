"""Lede facts: what, when, where, organiser and people, on the seed article, the samples and small texts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from nlp.document import Document, DocumentKind, Segment, text_id
from nlp.entities import extract_entities
from nlp.facts import extract_facts
from nlp.ingest import read_document
from nlp.linguistic import analysis_pipeline
from nlp.summary import EventFacts, Person

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return analysis_pipeline("en_core_web_sm")


def _document(text: str, kind: DocumentKind = "statement", date: dt.date | None = None) -> Document:
    segments = tuple(Segment(start=m.start(), end=m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text))
    return Document(
        id=text_id(text), source="test", format="txt", kind=kind, text=text, segments=segments, date=date
    )


def _facts(nlp: Language, document: Document) -> EventFacts:
    doc = nlp(document.text)
    facts = extract_facts(document, doc, extract_entities(doc))
    _assert_exact(document, facts)
    return facts


def _assert_exact(document: Document, facts: EventFacts) -> None:
    text = document.text
    for span in (facts.what, facts.when, facts.where, facts.organiser):
        if span is not None:
            assert text[span.start : span.end] == span.text
    speakers = set(document.speakers)
    for person in facts.people:
        if person.name not in speakers:  # a speaker never named in the text points at their first turn
            assert text[person.start : person.end] == person.name


def _person(facts: EventFacts, name: str) -> Person:
    found = [p for p in facts.people if p.name == name]
    assert found, f"{name} not among {[p.name for p in facts.people]}"
    return found[0]


def _sample(name: str) -> Document:
    return read_document((SAMPLES / name).read_bytes(), source=name)


def test_seed_article_lede_facts(nlp: Language) -> None:
    seeds = sorted((SHARED_DATA / "seed").glob("*.txt")) if SHARED_DATA.is_dir() else []
    if not seeds:
        pytest.skip(f"the shared seed article is not available ({SHARED_DATA / 'seed'} is absent)")
    document = read_document(seeds[0].read_bytes(), source=str(seeds[0]))
    facts = _facts(nlp, document)
    assert (
        facts.what is not None
        and "fourth annual meeting of the Global Education Coalition" in facts.what.text
    )
    assert facts.when is not None and "25 March" in facts.when.text
    assert facts.where is not None and facts.where.text == "Paris"
    assert facts.organiser is not None and facts.organiser.text == "Global Education Coalition"
    chakroun = _person(facts, "Borhene Chakroun")
    assert chakroun.organisation == "UNESCO"
    assert chakroun.role is not None and "Director" in chakroun.role
    assert chakroun.role == "Director of Policies and Lifelong Learning Systems Division"


def test_keynote_speech_sample(nlp: Language) -> None:
    facts = _facts(nlp, _sample("statement_speech.docx"))
    assert facts.what is not None and facts.what.text.endswith("Regional Skills Summit")
    assert facts.when is not None and facts.when.text == "23 September 2025"
    assert facts.date == dt.date(2025, 9, 23)
    assert facts.where is not None and facts.where.text == "Accra"
    assert _person(facts, "Miriam Castellanos").role == "Minister of Education and Vocational Training"


def test_ministry_sample_names_the_minister(nlp: Language) -> None:
    facts = _facts(nlp, _sample("statement_ministry.html"))
    assert _person(facts, "Grace Achterberg").role == "Minister"
    assert facts.date == dt.date(2025, 4, 8), "the document's own date"
    assert facts.when is not None and facts.when.text == "8 April 2025"


def test_ngo_sample_roles_and_organisations(nlp: Language) -> None:
    facts = _facts(nlp, _sample("statement_ngo.md"))
    haddad = _person(facts, "Nadia Haddad")
    assert (haddad.role, haddad.organisation) == ("Executive Director", "Bridges for Learning")
    assert _person(facts, "Samuel Otieno").role == "Head of Research"


def test_board_meeting_main_speakers_with_roles(nlp: Language) -> None:
    document = _sample("meeting_board.txt")
    facts = _facts(nlp, document)
    assert facts.what is not None and "Riverside Unified School District Board" in facts.what.text
    assert facts.organiser is not None and facts.organiser.text == "Riverside Unified School District Board"
    assert facts.when is not None and facts.when.text == "12 May 2025"
    names = [p.name for p in facts.people]
    assert names[0] == "Dr Luis Ortega", "speakers come first, by talk time"
    assert set(document.speakers) - {"David Nguyen"} <= set(names)
    assert _person(facts, "Dr Luis Ortega").role == "Superintendent"
    assert _person(facts, "Karen Bell").role == "chief financial officer"
    patel = _person(facts, "Rosa Patel")
    assert (patel.role, patel.organisation) == ("parent", "Lincoln Elementary")


def test_committee_and_webinar_samples(nlp: Language) -> None:
    committee = _facts(nlp, _sample("meeting_committee.srt"))
    assert committee.organiser is not None and committee.organiser.text == "Education and Skills Committee"
    assert committee.when is not None and committee.when.text == "Tuesday 14 January 2025"
    okafor = _person(committee, "Helen Okafor")
    assert (okafor.role, okafor.organisation) == ("headteacher", "Westbrook Primary School")
    webinar = _facts(nlp, _sample("meeting_webinar.json"))
    assert webinar.organiser is not None and webinar.organiser.text == "Open Classrooms Network"
    assert _person(webinar, "Sofia Marchetti").role == "programme director"


@pytest.mark.parametrize(
    ("text", "name", "role", "organisation"),
    [
        ("Minister of Education Ana Costa opened the session.", "Ana Costa", "Minister of Education", None),
        ("Dr Rhys Morgan, head of the Welsh Education Alliance, gave evidence.", "Rhys Morgan", "head",
         "Welsh Education Alliance"),
        ("We heard from Ana Costa (Director of Programmes at UNICEF) on Monday.", "Ana Costa",
         "Director of Programmes", "UNICEF"),
        ("The report was written by Kofi Mensah and reviewed by others.", "Kofi Mensah", None, None),
        # A role ends where the sentence goes on ("and is here ...") or a second role starts.
        ("We welcome Sally Jenkins, who is chair of All Wales Heads of Children’s Services and is here for "
         "the directors.", "Sally Jenkins", "chair", "All Wales Heads of Children’s Services"),
        ("We welcome Huw David, who is the Welsh Local Government Association spokesperson for health and "
         "social care and leader of Bridgend County Borough Council.", "Huw David",
         "Welsh Local Government Association spokesperson for health and social care", None),
    ],
)  # fmt: skip
def test_roles_from_titles_and_appositions(
    nlp: Language, text: str, name: str, role: str | None, organisation: str | None
) -> None:
    person = _person(_facts(nlp, _document(text)), name)
    assert (person.role, person.organisation) == (role, organisation)


def test_event_sentence_gives_date_place_and_host(nlp: Language) -> None:
    text = (
        "Ministers meet on skills\n\n"
        "The second regional summit on teacher pay was held on Monday in Lisbon. "
        "It was hosted by the Ministry of Education and drew 300 delegates."
    )
    facts = _facts(nlp, _document(text, date=dt.date(2025, 3, 3)))
    assert facts.what is not None and facts.what.text == "The second regional summit on teacher pay"
    assert facts.when is not None and facts.when.text == "Monday"
    assert facts.date == dt.date(2025, 3, 3)
    assert facts.where is not None and facts.where.text == "Lisbon"
    assert facts.organiser is not None and facts.organiser.text == "Ministry of Education"


def test_full_date_is_parsed_when_the_document_has_none(nlp: Language) -> None:
    text = "The hearing of the Senedd committee was held in Cardiff on 3 May 2024."
    facts = _facts(nlp, _document(text))
    assert facts.when is not None and facts.when.text == "3 May 2024"
    assert facts.date == dt.date(2024, 5, 3)
    assert facts.where is not None and facts.where.text == "Cardiff", "a place NER missed, after 'held in'"


@pytest.mark.parametrize(
    ("kind", "text", "what"),
    [
        # Meetings that open on an earlier meeting (as AMI's often do) are not about it.
        (
            "transcript",
            "Okay.\nThe minutes from the last meeting were circulated.\nNow the remote design.",
            None,
        ),
        (
            "transcript",
            "Right.\nThe first meeting's minutes were reviewed and approved.\nNow the budget.",
            None,
        ),
        (
            "transcript",
            "So in last meeting we have discussed the design.\nWelcome to the detailed design meeting.",
            "the detailed design meeting",
        ),
        # "Last" can be this meeting: said of itself, or reported as held.
        (
            "transcript",
            "Okay.\nThis is our last project meeting.\nWe will go through the prototype and the costs.",
            "last project meeting",
        ),
        (
            "statement",
            "The board held its last meeting of the Leeds Schools Forum on Tuesday.",
            "last meeting of the Leeds Schools Forum",
        ),
    ],
)
def test_an_earlier_meeting_is_not_what_the_document_is_about(
    nlp: Language, kind: DocumentKind, text: str, what: str | None
) -> None:
    facts = _facts(nlp, _document(text, kind=kind))
    assert (facts.what.text if facts.what else None) == what


@pytest.mark.parametrize(
    ("kind", "text", "what"),
    [
        # Words that name no event are not printed as one, "the forum" or "this important meeting".
        ("statement", "Mr. President,\nI address the Assembly today at this important meeting.", None),
        ("statement", "Mr. President,\nOur first Prime Minister stood in this forum in 1960.", None),
        ("transcript", "Alright, this is the beginning of the third meeting, the conceptual design meeting.",
         "the conceptual design meeting"),
        ("transcript", "Hello everyone. We're here to have a kick-off meeting for the new remote control.",
         "a kick-off meeting for the new remote control"),
        # A chair's welcome names the body whose meeting it is, commas and all.
        ("transcript", "Good morning. Welcome to the Children, Young People and Education committee today.",
         "Children, Young People and Education committee"),
        ("transcript", "Good morning. Welcome to the Children, Young People and Education Committee."
         "\nItem 2 this morning is our evidence session.", "Children, Young People and Education Committee"),
        ("transcript", "I call this meeting to order. Welcome to the 15thmeeting of the House of Commons "
         "Special Committee on the COVID-19 Pandemic.",
         "the 15thmeeting of the House of Commons Special Committee on the COVID-19 Pandemic"),
        # The session whose new president a speech congratulates, when it speaks of "this session".
        ("statement", "Mr. President,\nI congratulate Mr. Bande on his election as President of the General "
         "Assembly at its seventy-fourth session, and thank his predecessor, who led the seventy-third "
         "session. I assure him of our support during this session.",
         "the General Assembly at its seventy-fourth session"),
        # An event a speaker mentions is not the meeting; nor is one a speech recalls in an aside.
        ("transcript", "Thank you, Chair.\nHarry Jerome represented Canada in three Olympic Games.", None),
        ("statement", "Mr. President,\nWe expect the conclusions of the third International Conference on "
         "Financing for Development, held in Addis Ababa, to be translated into reality.", None),
        ("statement", "Mr. President,\nWe also convened the sixteenth Conference of the Parties in Istanbul.",
         None),
        ("statement", "Mr. President,\nThis week, the Secretary-General held a Climate Action Summit.", None),
        ("statement", "Mr. President,\nHe championed the commitments made at the Ocean Conference held here "
         "in June.", None),
    ],
)  # fmt: skip
def test_the_event_is_named_and_is_this_one(
    nlp: Language, kind: DocumentKind, text: str, what: str | None
) -> None:
    facts = _facts(nlp, _document(text, kind=kind))
    assert (facts.what.text if facts.what else None) == what
    if what is None:
        assert facts.where is None


def test_a_date_a_speaker_plans_is_not_the_meetings(nlp: Language) -> None:
    text = (
        "Welcome to the Education Committee.\nThank you. The OECD will publish its report on 23 March, and I "
        "will make a statement to the Chamber on 24 March."
    )
    assert _facts(nlp, _document(text, kind="transcript")).when is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mr. President,\nAs I prepared to speak today, I recalled the commencement address given by "
         "Alexandr Solzhenitsyn in 1978 on the decline of courage.", "Alexandr Solzhenitsyn"),
        ("Mr. President,\nIn 1946, Carlos P. Romulo, who would become President of the Assembly, said: “We "
         "are not here to make peace, but to build for peace.”", "Carlos P. Romulo"),
    ],
)  # fmt: skip
def test_someone_history_gives_a_byline_or_a_quote_is_not_a_participant(
    nlp: Language, text: str, name: str
) -> None:
    facts = _facts(nlp, _document(text))
    assert not [p for p in facts.people if p.participant and name in p.name], facts.people


@pytest.mark.parametrize(
    "text",
    [
        "Mr. President,\nThis session is being held in a difficult context, marked by the war in Ukraine.",
        "I bring warm greetings from the Kingdom of Tonga to this session of the Assembly.",
        "On 26 June 1945, fifty delegations gathered in San Francisco to sign the Charter.",
        "As we meet in this forum, the final election rallies are being held in Germany.",
        "The seventieth session of the General Assembly is being held amid grave challenges, foremost the "
        "terrorism of the Islamic State in Iraq.",
        "Mr. President,\nI am pleased that a leader from a small island State has been elected to lead this "
        "august body during this crucial 76th session of the United Nations General Assembly.",
        "Mr. President,\nBetween 28 September 1960 and today, successive Governments of Mali have served.",
        "Mr. President,\nI address this 75th General Assembly for the first time since our General "
        "Elections, held on 23 October 2019.",
    ],
)
def test_a_place_or_date_the_statement_only_mentions_is_not_the_events(nlp: Language, text: str) -> None:
    facts = _facts(nlp, _document(text))
    assert (facts.where, facts.when) == (None, None)


def test_no_event_means_no_what(nlp: Language) -> None:
    facts = _facts(nlp, _document("Teachers need better pay. Schools need books."))
    assert (facts.what, facts.when, facts.where, facts.organiser) == (None, None, None, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12345 !!! ??? ... --- ***",
        "😀 🎉 meeting 🎉 in 😀 Paris 👩‍🏫 on 📚 25 March",
        "قال الوزير إن الاجتماع عقد في باريس يوم 25 مارس.",
        "הפגישה התקיימה בפריז ב-25 במרץ.",
        '"""',
        "meeting " * 6300 + "in Paris",
    ],
)
def test_hostile_inputs_never_raise(nlp: Language, text: str) -> None:
    _facts(nlp, _document(text))


def test_a_doc_from_other_text_is_refused(nlp: Language) -> None:
    with pytest.raises(ValueError, match="not made from this document"):
        extract_facts(_document("One text."), nlp("Another text."), [])


_PIECES = st.sampled_from(
    ["The annual meeting of the Global Coalition", " took place on 25 March", " in Paris", ". ", "\n\n",
     "Ana Costa, Director of Programmes at UNICEF,", " said", ' "', "“", "”", " hosted by UNESCO", ", ",
     "Minister of Education ", "Dr Rhys Morgan", " (head of research)", " today", "{vocalsound}", "—"]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.one_of(_PIECES, st.text(max_size=10)), max_size=25),
    kind=st.sampled_from(["statement", "transcript"]),
)
def test_property_facts_never_raise_and_slice_exactly(
    nlp: Language, pieces: list[str], kind: DocumentKind
) -> None:
    text = "".join(pieces)
    turns = tuple(
        Segment(speaker=f"Speaker {i % 3}", start=m.start(), end=m.end(), kind="turn")
        for i, m in enumerate(re.finditer(r"[^\n]*\S[^\n]*", text))
    )
    document = Document(id=text_id(text), source="test", format="txt", kind=kind, text=text, segments=turns)
    _facts(nlp, document)
