"""The report at corpus scale: ``python -m benchmarks.report_scale [--n 1000]``.

Runs ``takeaways run`` over the first N UN General Debate speeches (read in place from
``../shared/data/ungdc/TXT``, sorted; only symlinks go into a temporary folder), then opens the report in
headless Chromium (Selenium, Debian's ``chromium`` and ``chromium-driver``) and measures what an analyst
waits for: the weight of each page and the time to first render (the browser's first-contentful-paint,
median of 3 cold loads), and whether every takeaway can be reached through the table's filters (for a
sample of documents, the document filter shows exactly that document's takeaways). Writes the section
"## Report at scale" of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.results_file import RESULTS, replace_section

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data" / "ungdc" / "TXT"
SECTION = "## Report at scale"
SAMPLED_DOCUMENTS = 20
LOADS = 3
_PAINT = (
    "const e = performance.getEntriesByName('first-contentful-paint'); "
    "return e.length ? e[0].startTime : null"
)


def _inputs(data: Path, n: int, folder: Path) -> list[Path]:
    paths = sorted(data.glob("*/*.txt"))[:n]
    folder.mkdir(parents=True)
    for path in paths:
        (folder / f"{path.parent.name.split()[-1]}_{path.name}").symlink_to(path)
    return paths


def _run(inputs: Path, out: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "flows", "run", str(inputs), "--out", str(out)],
        check=True,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PREFECT_HOME": str(out.parent / "prefect")},
    )
    return time.monotonic() - started


def _driver() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.support.chromium import FLAGS, require_chromium

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = require_chromium()
    for flag in (*FLAGS, "--window-size=1280,1000"):
        options.add_argument(flag)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(options=options, service=Service(driver_path))


def _first_paint_ms(driver: Any, url: str) -> float:
    """First-contentful-paint of a cold load (the tab is reset to about:blank first)."""
    driver.get("about:blank")
    driver.get(url)
    for _ in range(100):
        paint = driver.execute_script(_PAINT)
        if paint is not None:
            return float(paint)
        time.sleep(0.05)
    raise RuntimeError(f"{url} never painted")


def _reachable(driver: Any, out: Path) -> tuple[int, int, int]:
    """(documents checked, takeaways expected, takeaways the document filter showed) over a sample."""
    from selenium.webdriver.common.by import By

    table = out / "report" / "takeaways.html"
    html = table.read_text(encoding="utf-8")
    data = json.loads(html.split('id="rows">', 1)[1].split("</script>", 1)[0])
    documents = data["documents"]
    step = max(1, len(documents) // SAMPLED_DOCUMENTS)
    checked = expected = shown = 0
    for index in range(0, len(documents), step)[:SAMPLED_DOCUMENTS]:
        page = documents[index][1]
        driver.get(f"{table.as_uri()}?doc={page.removesuffix('.html')}")
        want = sum(1 for row in data["rows"] if row[0] == index)
        rows = driver.find_elements(By.CSS_SELECTOR, "#table tbody tr[data-row]")
        pages = driver.find_element(By.ID, "page").text
        got = len(rows) if pages.endswith(" of 1") else -1
        checked, expected, shown = checked + 1, expected + want, shown + got
    return checked, expected, shown


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report_scale")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="takeaways-report-") as tmp:
        root = Path(tmp)
        paths = _inputs(args.data, args.n, root / "inputs")
        out = root / "out"
        run_s = _run(root / "inputs", out)
        pages = {
            "overview (`report.html`)": out / "report.html",
            "takeaways table (`report/takeaways.html`)": out / "report" / "takeaways.html",
            "document list (`report/documents.html`)": out / "report" / "documents.html",
        }
        document_pages = sorted((out / "report" / "documents").glob("*.html"))
        driver = _driver()
        try:
            paints = {
                name: statistics.median(_first_paint_ms(driver, path.as_uri()) for _ in range(LOADS))
                for name, path in pages.items()
            }
            paints["a document page (the first)"] = statistics.median(
                _first_paint_ms(driver, document_pages[0].as_uri()) for _ in range(LOADS)
            )
            checked, expected, shown = _reachable(driver, out)
        finally:
            driver.quit()
        sizes = {name: path.stat().st_size for name, path in pages.items()}
        sizes["a document page (the first)"] = document_pages[0].stat().st_size
        mean_page = sum(p.stat().st_size for p in document_pages) / max(len(document_pages), 1)
    lines = [
        SECTION,
        "",
        f"- Date: {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} (local); command: "
        f"`python -m benchmarks.report_scale --n {args.n}`; load average at the end: "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        f"- Input: the first {len(paths)} UN General Debate speeches (sorted paths), one `takeaways run` "
        f"({run_s:.0f} s, including analysis), then the pages in headless Chromium "
        "(Selenium, 1280 × 1000 window, `file://`).",
        f"- First render: the browser's first-contentful-paint after a cold load, median of {LOADS} loads.",
        "",
        "| page | size KB | first render ms |",
        "|---|---|---|",
        *(f"| {name} | {sizes[name] / 1024:,.0f} | {paints[name]:,.0f} |" for name in sizes),
        "",
        f"- {len(document_pages)} document pages, {mean_page / 1024:,.0f} KB on average.",
        f"- Every takeaway reachable through the filters: for {checked} documents spread over the corpus, "
        f"the table filtered to the document showed {shown} of their {expected} takeaways on one page.",
    ]
    body = "\n".join(lines) + "\n"
    print(body)
    if not args.no_write:
        replace_section(RESULTS, body, heading=SECTION)


if __name__ == "__main__":
    main()
