"""Normalization rules: the one definition of what a document's canonical text looks like."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.normalize import clean_inline, drop_page_furniture, is_boilerplate, split_paragraphs
from tests.support.ingest import read, texts


def test_text_is_nfc() -> None:
    decomposed = "Cafe\u0301 in Sa\u0303o Paulo"
    assert clean_inline(decomposed) == "Café in São Paulo"
    doc = read(f"{decomposed}.\n", "note.txt")
    assert doc.text == "Café in São Paulo."
    assert unicodedata.is_normalized("NFC", doc.text)


def test_nfc_holds_after_invisible_characters_are_dropped() -> None:
    # A zero-width space between a letter and its combining accent: once dropped, the two must compose.
    cleaned = clean_inline("Jose\u200b\u0301 spoke")
    assert cleaned == "José spoke"
    assert unicodedata.is_normalized("NFC", cleaned)


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u3000", "\t"])
def test_exotic_spaces_become_one_plain_space(space: str) -> None:
    assert clean_inline(f"40{space}per{space}{space}cent") == "40 per cent"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("co\u00adoperation", "cooperation"),  # soft hyphen
        ("data\u200bset", "dataset"),  # zero-width space
        ("\ufeffBudget", "Budget"),  # stray byte-order mark
        ("a\u200db", "ab"),  # zero-width joiner
    ],
)
def test_invisible_characters_are_dropped(raw: str, expected: str) -> None:
    assert clean_inline(raw) == expected


def test_control_characters_become_spaces() -> None:
    assert clean_inline("one\x07two\x1fthree") == "one two three"


def test_curly_quotes_are_kept() -> None:
    quoted = "“We will act,” she said, ‘now’ — it’s time."
    assert clean_inline(quoted) == quoted
    assert read(quoted + "\n", "q.txt").text == quoted


def test_lines_of_a_paragraph_are_joined_with_one_space() -> None:
    assert clean_inline("first line\r\n  second line\u2028third") == "first line second line third"
    blocks = split_paragraphs("first line\nsecond line\n\n\nnext paragraph")
    assert [b.text for b in blocks] == ["first line second line", "next paragraph"]
    assert [b.kind for b in blocks] == ["paragraph", "paragraph"]


@pytest.mark.parametrize("marker", ["•", "-", "*", "▪", "●"])
def test_bullets_become_separate_items_without_their_marker(marker: str) -> None:
    raw = (
        f"Three points:\n{marker} partnerships matter\n{marker} digital equity\n  continues here\n"
        f"{marker} teachers"
    )
    blocks = split_paragraphs(raw)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Three points:"),
        ("item", "partnerships matter"),
        ("item", "digital equity continues here"),
        ("item", "teachers"),
    ]


def test_a_unicode_bullet_needs_no_space_after_it() -> None:
    assert [b.text for b in split_paragraphs("•first\n•second")] == ["first", "second"]


def test_a_dash_inside_or_before_a_number_is_not_a_bullet() -> None:
    blocks = split_paragraphs("Temperatures fell to\n-5 degrees in well-known places")
    assert [b.text for b in blocks] == ["Temperatures fell to -5 degrees in well-known places"]
    assert blocks[0].kind == "paragraph"


def test_numbered_items_are_items_and_keep_their_number() -> None:
    blocks = split_paragraphs("Steps:\n1. fund teachers\n2) publish data")
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Steps:"),
        ("item", "1. fund teachers"),
        ("item", "2) publish data"),
    ]


def test_bullet_items_are_segments_of_kind_item_in_a_document() -> None:
    doc = read("Key takeaways\n\n• Partnerships are pivotal.\n• Teachers are crucial.\n", "post.txt")
    assert [(s.kind, doc.segment_text(s)) for s in doc.segments] == [
        ("heading", "Key takeaways"),
        ("item", "Partnerships are pivotal."),
        ("item", "Teachers are crucial."),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "You are here",
        "Skip to main content",
        "Share this",
        "SHARE THIS PAGE",
        "skip to content",
        "Share on X",
    ],
)
def test_boilerplate_lines_are_recognised(line: str) -> None:
    assert is_boilerplate(line)
    assert is_boilerplate(f"  {line}\u00a0")


@pytest.mark.parametrize(
    "line",
    ["You are here to help us decide.", "Share this plan with every school.", "Skip the details."],
)
def test_sentences_that_merely_start_like_boilerplate_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert texts(read(f"Intro paragraph.\n\n{line}\n", "a.txt"))[-1] == line


def test_boilerplate_lines_are_dropped_from_documents() -> None:
    raw = (
        "You are here\n\nSkip to main content\n\n"
        "The ministry launched a plan.\nShare this\n\nIt starts in May.\n"
    )
    doc = read(raw, "page.txt")
    assert texts(doc) == ["The ministry launched a plan.", "It starts in May."]
    for chrome in ("You are here", "Skip to main content", "Share this"):
        assert chrome not in doc.text


def test_a_stray_hard_break_inside_a_sentence_does_not_split_a_one_paragraph_per_line_text() -> None:
    long_a = "The unity Government is committed to enhancing regional engagement and " + "x " * 60
    text = (
        long_a.strip() + " cooperation across the region and\n"
        "beyond, with our neighbours and partners.\n"
        + "A new paragraph starts here with a capital letter and runs on for a long while. " * 3
        + "\n"
    )
    blocks = split_paragraphs(text)
    assert len(blocks) == 2
    assert blocks[0].text.endswith("region and beyond, with our neighbours and partners.")


PAGE_END = "Our ministers agreed that every child should learn to read by the age of seven, and that the"
PAGE_START = "schools which lag furthest behind will receive the first teachers from the new programme."


def test_page_furniture_beside_a_form_feed_is_dropped_and_the_sentence_joined() -> None:
    text = f"{PAGE_END}\n12/40 17-04411\n\f\n14/06/2017 B/12/PV.3\n{PAGE_START}\n"
    (block,) = split_paragraphs(text)
    assert block.text == f"{PAGE_END} {PAGE_START}"


def test_only_short_wordless_lines_next_to_a_page_break_are_furniture() -> None:
    heading = "Agenda item 8: general debate"
    text = f"First paragraph ends here.\n\n7\n\f\n{heading}\n\nSecond paragraph follows.\n\n8\n"
    kept = [b.text for b in split_paragraphs(text)]
    assert kept == ["First paragraph ends here.", heading, "Second paragraph follows.", "8"]


@given(st.lists(st.sampled_from([PAGE_END, PAGE_START, "3/9", "A/70/PV.4", "", "\f"]), max_size=12))
def test_form_feeds_never_survive_and_prose_is_never_dropped(lines: list[str]) -> None:
    raw = "\n".join(lines)
    cleaned = drop_page_furniture(raw)
    assert "\f" not in cleaned
    prose = [line for line in lines if line in (PAGE_END, PAGE_START)]
    assert [line for line in cleaned.split("\n") if line in (PAGE_END, PAGE_START)] == prose
    if "\f" not in raw:
        assert cleaned == raw


def test_one_sentence_per_line_is_one_paragraph_a_line() -> None:
    speech = (
        "Thank you, Madam President.\nOur schools reopened in March.\n"
        "Teachers were trained over the summer.\nWe will connect every school by 2027.\n"
    )
    assert len(split_paragraphs(speech)) == 4
    wrapped = (
        "The committee heard that the budget for teacher training\nhad fallen for three years in a row, and "
        "that schools in\nrural districts could no longer release staff for\ncourses during term time.\n"
    )
    assert len(split_paragraphs(wrapped)) == 1
