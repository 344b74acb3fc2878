"""Regenerate the binary sample documents in corpus/samples/.

Why this exists: statement_speech.docx and statement_brief.pdf cannot be
reviewed or edited as text, so their content lives here and the files are
rebuilt from it.  Output is byte-for-byte reproducible: the docx gets fixed
core-property dates and fixed zip entry timestamps, and the PDF writer is
deterministic.

Usage (from the repository root):
    .venv/bin/python scripts/make_binary_samples.py
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.pdf_writer import build_pdf  # noqa: E402 - needs the repo root on sys.path

SAMPLES_DIR = REPO_ROOT / "corpus" / "samples"
FIXED_TIME = dt.datetime(2025, 9, 23, 9, 0, 0, tzinfo=dt.UTC)
ZIP_TIME = (2025, 9, 23, 9, 0, 0)

# --------------------------------------------------------------------------
# statement_speech.docx: a minister's conference speech
# --------------------------------------------------------------------------

SPEECH_TITLE = "Skills for a Green Transition: Building the Workforce of 2030"
SPEECH_BYLINE = (
    "Keynote speech by Hon. Miriam Castellanos, Minister of Education and "
    "Vocational Training, at the Regional Skills Summit, Accra, 23 September 2025"
)

# Each section: (heading, paragraphs).  The table goes after section 3.
SPEECH_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "A changing labour market",
        [
            (
                "Distinguished delegates, colleagues from industry, and above all the "
                "young people in this hall: thank you for inviting me. I want to speak "
                "plainly about a gap that worries me. Our economy is changing faster "
                "than our training system."
            ),
            (
                "Solar installation, energy-efficient construction and the repair of "
                "electric vehicles are growing every year. Yet employers told our "
                "national skills survey last year that 58 per cent of technical "
                "vacancies were hard to fill, while one young person in four is "
                "neither in work nor in education."
            ),
        ],
    ),
    (
        "What we have learned",
        [
            (
                "For too long vocational training has been the option of last "
                "resort. Our colleges have taught from equipment that is twenty years "
                "old, and instructors have had few chances to update their own "
                "skills. Students finish courses and still cannot find work."
            ),
            (
                "Where colleges work hand in hand with employers, the picture is "
                "different. In the pilot apprenticeship scheme launched in 2023 with "
                "the Coastal Builders Association, 81 per cent of graduates were "
                "employed within six months."
            ),
        ],
    ),
    (
        "Our commitments",
        [
            (
                "Today I am announcing three commitments. First, we will triple the "
                "number of apprenticeships by 2030, with employers providing paid "
                "placements and the ministry covering the cost of classroom training."
            ),
            (
                "Second, every technical college instructor will complete industry "
                "placements of at least four weeks every three years, starting with "
                "1,200 instructors in 2026. Third, we will create a Green Skills Fund "
                "of 45 million over five years, co-financed by the state, two "
                "development banks and private partners."
            ),
            (
                "We will publish progress against these targets every year, "
                "including the share of places taken by young women and by students "
                "with disabilities, who remain badly under-represented:"
            ),
        ],
    ),
    (
        "A call to partners",
        [
            (
                "Government cannot do this alone. I ask employers here today to sign "
                "the Skills Compact, committing to apprenticeship places and to "
                "advising on curricula. I ask our development partners to align "
                "their funding behind one national plan rather than many small "
                "projects."
            ),
            (
                "And I ask the young people here to hold us to our word. If these "
                "targets are not met, you should know about it, and so should every "
                "parent in the country. Thank you."
            ),
        ],
    ),
]

SPEECH_TABLE_HEADER = [
    "Year",
    "Apprentices enrolled",
    "Instructors retrained",
    "Share of young women",
]
SPEECH_TABLE_ROWS = [
    ["2025 (baseline)", "14,000", "300", "19%"],
    ["2027", "26,000", "2,600", "30%"],
    ["2030", "42,000", "6,000", "40%"],
]

# --------------------------------------------------------------------------
# statement_brief.pdf: a two-page policy brief.  Lines are laid out by hand
# (<= 90 characters); "trans-"/"formation" and "pro-"/"fessional" are split
# across line breaks on purpose, so readers must handle hyphenation.
# --------------------------------------------------------------------------

BRIEF_TITLE = "Paying for Teachers: Financing Options for the 2026 Education Budget"

BRIEF_PAGES: list[list[str]] = [
    [
        "POLICY BRIEF No. 7 - June 2025",
        "Paying for Teachers: Financing Options for the 2026 Education Budget",
        "Centre for Education Finance and Policy",
        "Authors: Renée Albrecht and Kofi Mensah-Boateng",
        "",
        "Key messages",
        "1. The country needs 21,000 additional primary teachers by 2030 to reach a",
        "   ratio of 40 pupils per teacher. At current salaries this costs about 0.4% of GDP.",
        "2. The teacher wage bill already takes 71% of the education budget, leaving little",
        "   for books, training or maintenance.",
        "3. Raising new money is necessary, but so is spending existing money better.",
        "",
        "The problem",
        "Education received 14.2% of government spending in 2024, below the 15% benchmark",
        "that ministers endorsed in 2022. Enrolment in primary school grew by 3% a year over",
        "the past decade, while the number of teachers on the payroll grew by only 1.1%.",
        "The result is crowded classrooms: in the northern provinces, the average class in",
        "Grade 1 has 74 pupils.",
        "",
        "Simply hiring more teachers on existing terms will not close the gap. What is",
        "needed is a trans-",
        "formation of how teachers are recruited, deployed and supported. Our analysis of",
        "payroll data found 2,300 teachers assigned to schools where they no longer work,",
        "and urban schools holding on average 9 more teachers than their enrolment justifies.",
        "",
        "Option A: Protect and grow the education share",
        "Bring education to 16% of the budget by 2028 through a legally binding floor, with",
        "the increase ring-fenced for new teaching posts in under-staffed districts. This",
        "would fund around 12,000 posts but depends on revenue growth holding at 5% a year.",
    ],
    [
        "Option B: Redeploy before recruiting",
        "Clean the payroll and move surplus teachers from urban to rural schools, using",
        "a transparent formula and a rural hardship allowance of 20% of salary. We estimate",
        "savings of 38 million a year, enough to fund the allowance and 4,000 new posts.",
        "",
        "Option C: Invest in teachers' careers",
        "Fund school-based coaching and a career ladder that rewards pro-",
        "fessional growth in the classroom, so experienced teachers stay. Evidence from",
        "the 2023 pilot in three districts showed a drop in teacher attrition from 9% to 5%",
        "within two years.",
        "",
        "Recommendations",
        "- Adopt Option B immediately; it pays for itself within two budget years.",
        "- Legislate the 16% floor in Option A before the 2026 budget is presented.",
        "- Pilot Option C in ten districts, with an independent evaluation in 2027.",
        "- Publish school-level staffing data every year, so that parliament and",
        "  parents can see where teachers are and where they are missing.",
        "- Ask development partners to finance the first three years of the career",
        "  ladder through budget support, not separate projects.",
        "",
        "Risks",
        "Teachers' unions must be part of the redeployment design from the start; past",
        "transfers imposed without consultation led to strikes in 2019. A rise in public",
        "debt or a drought year could also squeeze revenue. The budget floor should",
        "therefore be paired with a contingency reserve for schools in crisis-affected areas.",
        "",
        "Contact: Centre for Education Finance and Policy, research team, 30 June 2025.",
    ],
]


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed entry timestamps and stable order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build_speech_docx() -> bytes:
    """Build the speech document and return its bytes."""
    document = Document()
    props = document.core_properties
    props.title = SPEECH_TITLE
    props.author = "Ministry of Education and Vocational Training"
    props.last_modified_by = "Takeaways sample generator"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    props.comments = ""

    document.add_heading(SPEECH_TITLE, level=0)
    document.add_paragraph().add_run(SPEECH_BYLINE).italic = True
    document.add_paragraph("Check against delivery.")

    for number, (heading, paragraphs) in enumerate(SPEECH_SECTIONS, start=1):
        document.add_heading(heading, level=1)
        for text in paragraphs:
            document.add_paragraph(text)
        if number == 3:
            table = document.add_table(rows=1 + len(SPEECH_TABLE_ROWS), cols=len(SPEECH_TABLE_HEADER))
            table.style = "Table Grid"
            for row_cells, values in zip(
                (row.cells for row in table.rows),
                [SPEECH_TABLE_HEADER, *SPEECH_TABLE_ROWS],
                strict=False,
            ):
                for cell, value in zip(row_cells, values, strict=False):
                    cell.text = value

    buffer = io.BytesIO()
    document.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def build_brief_pdf() -> bytes:
    """Build the policy brief PDF and return its bytes."""
    for lines in BRIEF_PAGES:
        for line in lines:
            if len(line) > 90:
                raise ValueError(f"brief line longer than 90 characters: {line!r}")
    return build_pdf(BRIEF_PAGES, title=BRIEF_TITLE)


def main() -> None:
    """Write both binary samples into corpus/samples/."""
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    outputs = {
        "statement_speech.docx": build_speech_docx(),
        "statement_brief.pdf": build_brief_pdf(),
    }
    for name, data in outputs.items():
        path = SAMPLES_DIR / name
        path.write_bytes(data)
        print(f"wrote {path.relative_to(REPO_ROOT)} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
