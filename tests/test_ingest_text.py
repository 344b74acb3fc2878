""".txt and .md: YAML front matter, transcript line styles, statements split into paragraphs, Markdown."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.errors import ErrorCode
from tests.support.ingest import assert_well_formed, fail, read, texts, turns

# --- front matter -------------------------------------------------------------------------------------


def test_front_matter_sets_title_date_kind_and_speakers() -> None:
    raw = (
        "---\n"
        "title: Budget hearing\n"
        "date: 2025-03-05\n"
        "kind: transcript\n"
        "speakers: [Ana Soto, Ben Lee]\n"
        "venue: Town hall\n"
        "---\n"
        "Ana Soto: We open the hearing.\n"
        "Ben Lee: Thank you.\n"
    )
    doc = read(raw, "hearing.txt")
    assert (doc.title, doc.date, doc.kind) == ("Budget hearing", dt.date(2025, 3, 5), "transcript")
    assert doc.metadata["speakers"] == "Ana Soto; Ben Lee"
    assert doc.metadata["venue"] == "Town hall"
    assert turns(doc) == [("Ana Soto", "We open the hearing."), ("Ben Lee", "Thank you.")]
    assert "---" not in doc.text
    assert "title:" not in doc.text


def test_front_matter_kind_overrides_detection() -> None:
    # Two labelled lines are too few to call it a transcript on their own; the front matter says it is.
    raw = "---\nkind: transcript\n---\nAna: Hello.\nBen: Hi.\n"
    assert read(raw.replace("kind: transcript\n", ""), "a.txt").kind == "statement"
    assert read(raw, "a.txt").kind == "transcript"
    assert read(raw.replace("transcript", "Statement"), "a.txt").kind == "statement"


def test_front_matter_single_speaker_is_attributed_to_a_statement() -> None:
    doc = read("---\nspeakers: Amina Yusuf\n---\nWe will act.\n\nWe will report back.\n", "s.txt")
    assert doc.kind == "statement"
    assert [s.speaker for s in doc.segments] == ["Amina Yusuf", "Amina Yusuf"]


@pytest.mark.parametrize(
    ("front", "needle"),
    [
        ("title: [unclosed\n", "line 3"),  # the YAML error points at the file's line
        ("title: x\n  bad: indent\n", "invalid"),
        ("- just\n- a list\n", "mapping"),
        ("kind: memo\n", "transcript or statement"),
        ("date: 2024-02-31\n", "invalid value"),  # YAML builds a date object and fails
    ],
)
def test_invalid_front_matter_is_malformed_with_a_useful_reason(front: str, needle: str) -> None:
    failure = fail(f"---\n{front}---\nBody text.\n", "a.md")
    assert failure.code is ErrorCode.MALFORMED
    assert "front matter" in failure.reason
    assert needle in failure.reason


def test_date_comes_from_the_title_when_front_matter_has_none() -> None:
    doc = read("School Board Meeting - 12 May 2025\nAna: One.\nBen: Two.\nAna: Three.\n", "b.txt")
    assert doc.title == "School Board Meeting - 12 May 2025"
    assert doc.date == dt.date(2025, 5, 12)


# --- transcript line styles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "starts"),
    [
        (
            "Ana Soto: Good evening.\nBen Lee: Thanks, Ana.\nAna Soto: Let us begin.\n",
            [("Ana Soto", "Good evening."), ("Ben Lee", "Thanks, Ana."), ("Ana Soto", "Let us begin.")],
            [None, None, None],
        ),
        (
            "CHAIR: Order, order.\nMS OKAFOR: Thank you, Chair.\nCHAIR: Proceed.\n",
            [("CHAIR", "Order, order."), ("MS OKAFOR", "Thank you, Chair."), ("CHAIR", "Proceed.")],
            [None, None, None],
        ),
        (
            "CHAIR:\nOrder, order.\nMS OKAFOR:\nThank you, Chair.\nCHAIR:\nProceed.\n",
            [("CHAIR", "Order, order."), ("MS OKAFOR", "Thank you, Chair."), ("CHAIR", "Proceed.")],
            [None, None, None],
        ),
        (
            "[00:01:02] Ana Soto: Good evening.\n[00:01:10] Ben Lee: Thanks.\n",
            [("Ana Soto", "Good evening."), ("Ben Lee", "Thanks.")],
            [62.0, 70.0],
        ),
        (
            "Ana Soto (00:01:02): Good evening.\nBen Lee (1:01:10): Thanks.\n",
            [("Ana Soto", "Good evening."), ("Ben Lee", "Thanks.")],
            [62.0, 3670.0],
        ),
        (
            "(PERSON3) So the budget is fixed.\n(PERSON1) Yes, for now.\n",
            [("PERSON3", "So the budget is fixed."), ("PERSON1", "Yes, for now.")],
            [None, None],
        ),
    ],
    ids=["name-colon", "caps-colon", "caps-on-own-line", "bracket-stamp", "name-paren-stamp", "person-tag"],
)
def test_transcript_line_styles(
    raw: str, expected: list[tuple[str, str]], starts: list[float | None]
) -> None:
    doc = read(raw, "meeting.txt")
    assert doc.kind == "transcript"
    assert turns(doc) == expected
    assert [s.start_s for s in doc.segments] == starts
    assert [s.source_index for s in doc.segments] == list(range(len(expected)))
    assert_well_formed(doc)


def test_timestamped_turn_ends_where_the_next_one_starts() -> None:
    doc = read("[00:00:05] Ana: One.\n[00:00:31] Ben: Two.\n[00:00:44] Ana: Three.\n", "m.txt")
    assert [(s.start_s, s.end_s) for s in doc.segments] == [(5.0, 31.0), (31.0, 44.0), (44.0, None)]


def test_timestamps_running_backwards_leave_the_end_unknown() -> None:
    doc = read("[00:05:00] Ana: Late.\n[00:01:00] Ben: Early.\n", "m.txt")
    assert [(s.start_s, s.end_s) for s in doc.segments] == [(300.0, None), (60.0, None)]


def test_continuation_lines_join_the_current_turn() -> None:
    raw = (
        "Ana Soto: The budget gap is\n"
        "4.2 million dollars,\n"
        "  mostly in transport.\n"
        "\n"
        "Ben Lee: Understood.\n"
        "Ana Soto: Next item.\n"
    )
    doc = read(raw, "m.txt")
    assert turns(doc) == [
        ("Ana Soto", "The budget gap is 4.2 million dollars, mostly in transport."),
        ("Ben Lee", "Understood."),
        ("Ana Soto", "Next item."),
    ]


def test_a_spoken_line_that_looks_like_page_chrome_is_kept() -> None:
    doc = read("Ana: Welcome to the museum.\nYou are here\nBen: Thanks.\nAna: Right.\n", "m.txt")
    assert turns(doc)[0] == ("Ana", "Welcome to the museum. You are here")


def test_preamble_lines_become_headings_and_the_first_is_the_title() -> None:
    doc = read(
        "Steering call\nMinutes taken by the secretariat\nAna: One.\nBen: Two.\nAna: Three.\n", "m.txt"
    )
    assert doc.title == "Steering call"
    assert [(s.kind, s.speaker) for s in doc.segments[:2]] == [("heading", None), ("heading", None)]
    assert len(turns(doc)) == 3


@pytest.mark.parametrize("names", [("Émile Zola", "Zoë Ångström"), ("Dr. Łukasz Nowak", "Ms O’Neil")])
def test_speaker_names_in_any_latin_script(names: tuple[str, str]) -> None:
    first, second = names
    doc = read(f"{first}: Bonjour.\n{second}: Hej.\n{first}: Merci.\n", "m.txt")
    assert doc.kind == "transcript"
    assert doc.speakers == [first, second]


def test_name_particles_are_part_of_a_speaker_name() -> None:
    doc = read("Ana van der Berg: One.\nJosé de la Cruz: Two.\nAna van der Berg: Three.\n", "m.txt")
    assert doc.speakers == ["Ana van der Berg", "José de la Cruz"]


def test_a_statement_with_one_note_line_stays_a_statement() -> None:
    raw = (
        "The ministry will publish results every year.\n\n"
        "Note: figures for 2024 are provisional.\n\n"
        "Schools will receive the first reports in June.\n"
    )
    doc = read(raw, "s.txt")
    assert doc.kind == "statement"
    assert texts(doc)[1] == "Note: figures for 2024 are provisional."
    assert all(s.speaker is None for s in doc.segments)


def test_a_statement_with_labelled_lines_that_are_not_speakers_stays_a_statement() -> None:
    raw = "Date: 5 May 2025\nVenue: Paris\nSubject: Teacher pay\nAgenda: three items\n\nThe board met.\n"
    assert read(raw, "s.txt").kind == "statement"


def test_a_lowercase_label_is_not_a_speaker() -> None:
    raw = "the answer: yes\nthe question: why\nthe result: fine\n"
    assert read(raw, "s.txt").kind == "statement"


# --- statements ---------------------------------------------------------------------------------------


def test_statement_paragraphs_and_title() -> None:
    raw = (
        "Ministry launches reading plan\n\nThe plan covers 2025-2030.\nIt costs 310 million.\n\nMore soon.\n"
    )
    doc = read(raw, "press.txt")
    assert (doc.kind, doc.title) == ("statement", "Ministry launches reading plan")
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("heading", "Ministry launches reading plan"),
        ("paragraph", "The plan covers 2025-2030. It costs 310 million."),
        ("paragraph", "More soon."),
    ]
    assert doc.metadata["encoding"] == "utf-8"


def test_a_long_first_paragraph_is_not_taken_as_title() -> None:
    doc = read("The ministry launched a plan today.\n\nIt covers five years.\n", "press.txt")
    assert doc.title is None
    assert doc.segments[0].kind == "paragraph"


@pytest.mark.parametrize("opening", ["President, friends –", "Kofi Annan spoke words that still ring true:"])
def test_a_first_line_that_leads_into_the_next_is_not_a_title(opening: str) -> None:
    doc = read(f"{opening}\n\nWe meet in hard times.\n\nThank you.\n", "speech.txt")
    assert doc.title is None
    assert doc.segments[0].kind == "paragraph"


def test_windows_line_endings() -> None:
    doc = read("First paragraph line one\r\nline two.\r\n\r\nSecond paragraph.\r\n", "w.txt")
    assert texts(doc) == ["First paragraph line one line two.", "Second paragraph."]


# --- Markdown -----------------------------------------------------------------------------------------


def test_markdown_syntax_is_stripped_and_headings_kept_as_headings() -> None:
    raw = (
        "# Every Child Counted\n\n"
        "*Statement by Bridges for Learning, marking the\nrelease of our report.*\n\n"
        "## What we **found**\n\n"
        "Refugee pupils in [national schools](https://example.org/report) were _twice_ as likely\n"
        "to complete primary school; see `table 2` and ![chart](c.png) below.\n\n"
        "> Quoted remark from a teacher.\n\n"
        "- Enrol refugee children.\n"
        "* Count them in the census.\n\n"
        "---\n\n"
        "[report]: https://example.org/report\n"
    )
    doc = read(raw, "ngo.md")
    assert (doc.format, doc.kind) == ("md", "statement")
    assert doc.title == "Every Child Counted"
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("heading", "Every Child Counted"),
        ("paragraph", "Statement by Bridges for Learning, marking the release of our report."),
        ("heading", "What we found"),
        (
            "paragraph",
            "Refugee pupils in national schools were twice as likely to complete primary school; "
            "see table 2 and chart below.",
        ),
        ("paragraph", "Quoted remark from a teacher."),
        ("item", "Enrol refugee children."),
        ("item", "Count them in the census."),
    ]
    for syntax in ("#", "**", "](", "`", "https://", "> ", "---"):
        assert syntax not in doc.text


def test_markdown_keeps_underscores_and_asterisks_inside_words_and_numbers() -> None:
    doc = read("The field snake_case_name holds 2*3*4 values.\n", "m.md")
    assert doc.text == "The field snake_case_name holds 2*3*4 values."


def test_markdown_transcript_with_bold_speaker_labels() -> None:
    doc = read("**Ana:** Welcome.\n**Ben:** Thanks.\n**Ana:** Let us start.\n", "m.md")
    assert doc.kind == "transcript"
    assert turns(doc) == [("Ana", "Welcome."), ("Ben", "Thanks."), ("Ana", "Let us start.")]
