"""The review app end to end in headless Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by
Selenium): keyboard accept, relabel from the menu, decisions in the store; hostile text never runs."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from flows.settings import Settings
from flows.store import Store
from nlp.training import ThemeModel
from review.app import create_app
from tests.support.chromium import FLAGS, require_chromium
from tests.support.review_store import ReviewStore

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
)
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

WAIT_S = 20
RELOADING = (StaleElementReferenceException,)
"""An element found on the page being replaced: look again (the form was submitted mid-check)."""


def _chromedriver() -> str:
    found = os.environ.get("TAKEAWAYS_CHROMEDRIVER") or shutil.which("chromedriver")
    if found is None and Path("/usr/bin/chromedriver").is_file():
        found = "/usr/bin/chromedriver"
    if found is None:
        pytest.skip(
            "chromedriver not found: install the Debian package (`apt-get install -y chromium-driver`)"
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    binary = require_chromium()
    driver_path = _chromedriver()
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never download anything
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, "--window-size=1280,1000"):
        options.add_argument(flag)
    options.unhandled_prompt_behavior = "ignore"  # an alert() must stay open for us to detect it
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()


@contextmanager
def _serving(app: FastAPI) -> Iterator[str]:
    """``app`` on 127.0.0.1 (a free port) in a background thread; its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the review app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_S)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, review_store: ReviewStore, settings: Settings
) -> Iterator[tuple[str, ReviewStore]]:
    """The app on 127.0.0.1 (a free port) in a background thread, over a copy of the session's store."""
    out = tmp_path_factory.mktemp("browser") / "out"
    shutil.copytree(review_store.out, out)
    built = dataclasses.replace(review_store, url=f"sqlite:///{out / 'takeaways.db'}", out=out)
    app = create_app(db_url=built.url, settings=settings, token=None, out_dir=built.out)
    with _serving(app) as base:
        yield base, built


def _no_alert(driver: WebDriver) -> None:
    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return
    raise AssertionError(f"a script ran: alert({text!r})")


def _card(driver: WebDriver) -> dict[str, str]:
    card = driver.find_element(By.CSS_SELECTOR, "article.item")
    fields = card.find_elements(By.CSS_SELECTOR, "input[type=hidden]")
    return {f.get_attribute("name") or "": f.get_attribute("value") or "" for f in fields}


def _wait_for_saved(driver: WebDriver, previous: str) -> None:
    WebDriverWait(driver, WAIT_S, ignored_exceptions=RELOADING).until(
        lambda d: "saved=" in d.current_url and d.current_url != previous and d.find_elements(By.ID, "saved")
    )


def test_an_analyst_accepts_and_relabels_in_the_browser(
    browser: WebDriver, served: tuple[str, ReviewStore], tmp_path: Path
) -> None:
    base, built = served
    browser.get(f"{base}/review")
    assert browser.title == "Review queue · Takeaways review"
    name = browser.find_element(By.ID, "who")
    name.clear()
    name.send_keys("Grace Hopper")
    name.submit()
    WebDriverWait(browser, WAIT_S, ignored_exceptions=RELOADING).until(
        lambda d: "Grace Hopper" in d.find_element(By.CLASS_NAME, "reviewer").text
    )

    first = _card(browser)
    body = browser.find_element(By.TAG_NAME, "body")

    def current() -> str | None:  # the card the keyboard acts on
        return browser.find_element(By.CSS_SELECTOR, "article.item.current").get_attribute("data-item")

    assert current() == "0"
    body.send_keys("j")
    assert current() == "1"
    body.send_keys("k")
    assert current() == "0"
    before = browser.current_url
    body.send_keys("a")  # keyboard shortcut: accept
    _wait_for_saved(browser, before)

    second = _card(browser)
    assert (second["document_id"], second["sentence_i"]) != (first["document_id"], first["sentence_i"])
    card = browser.find_element(By.CSS_SELECTOR, "article.item")
    menu = Select(card.find_element(By.NAME, "new_theme"))
    new_theme = next(o.get_attribute("value") for o in menu.options if o.get_attribute("value"))
    menu.select_by_value(new_theme or "")
    before = browser.current_url
    card.find_element(By.CSS_SELECTOR, "button[value=relabel]").click()
    _wait_for_saved(browser, before)
    shot = tmp_path / "review-queue.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    with Store(built.url, create=False) as store:
        decisions = store.decisions()
    assert [(d.action, d.document_id, d.sentence_i, d.theme, d.new_theme, d.who) for d in decisions] == [
        ("accept", first["document_id"], int(first["sentence_i"]), first["theme"], None, "Grace Hopper"),
        (
            "relabel",
            second["document_id"],
            int(second["sentence_i"]),
            second["theme"],
            new_theme,
            "Grace Hopper",
        ),
    ]
    recent = browser.find_element(By.CSS_SELECTOR, "aside").text
    assert "relabel" in recent and "accept" in recent and "Grace Hopper" in recent


def test_hostile_document_text_never_runs(
    browser: WebDriver, served: tuple[str, ReviewStore], tmp_path: Path
) -> None:
    base, built = served
    for path in (
        f"/documents/{built.hostile_id}",
        f"/review?doc={built.hostile_id}",
        "/takeaways",
        "/documents",
    ):
        browser.get(base + path)
        time.sleep(0.3)  # an onerror handler would fire as the broken image fails to load
        _no_alert(browser)
        assert browser.title.endswith("Takeaways review"), path
        assert browser.execute_script("return document.images.length") == 0, path
        scripts = browser.execute_script("return Array.from(document.scripts).map(s => s.src)")
        assert scripts == [f"{base}/static/review.js"], path
    browser.get(f"{base}/documents/{built.hostile_id}")
    text = browser.find_element(By.CSS_SELECTOR, ".doctext").text
    assert "<script>alert(2)</script>" in text and "<img src=x onerror=alert(6)>" in text
    browser.save_screenshot(str(tmp_path / "hostile-document.png"))


@pytest.mark.usefixtures("prefect_harness")
def test_a_theme_rejected_in_the_app_is_gone_everywhere_after_the_next_run(
    browser: WebDriver, settings: Settings, theme_model: ThemeModel, tmp_path: Path
) -> None:
    """The analyst's loop closed: reject a takeaway's theme on its document page, run again with nothing
    new, and no output (summary, corpus view, report, Parquet export, frames) gives the sentence that
    theme; the document's takeaways are chosen again without it."""
    import pandas as pd

    from flows.outputs.frames import export_frames, open_frames
    from flows.run.pipeline import PipelineParameters, run_pipeline
    from nlp.summary import DocumentSummary
    from tests.support.review_store import SAMPLES

    out = tmp_path / "out"
    params = PipelineParameters(sources=[str(SAMPLES / "statement_ministry.html")], out_dir=str(out))
    run_pipeline(params)
    url = f"sqlite:///{out / 'takeaways.db'}"
    with Store(url, create=False) as store:
        (before,) = store.summaries()
    headline = before.takeaways[0]
    sentence = next(s for s in before.sentences if s.start == headline.start)
    assert headline.theme in sentence.themes

    with _serving(create_app(db_url=url, settings=settings, token=None, out_dir=out)) as base:
        browser.get(f"{base}/documents/{before.id[:10]}")  # the short id the CLI prints
        form = browser.find_elements(By.CSS_SELECTOR, "form.decide.inline")[0]
        previous = browser.current_url
        form.find_element(By.CSS_SELECTOR, "button[value=reject]").click()
        WebDriverWait(browser, WAIT_S, ignored_exceptions=RELOADING).until(
            lambda d: d.current_url != previous and d.find_elements(By.ID, "saved")
        )
        assert browser.find_elements(By.ID, "pending"), "the page says when the decision takes effect"

    again = run_pipeline(params)
    assert (again.analysed, again.skipped) == (0, 1), "nothing was analysed again"

    after = DocumentSummary.model_validate_json((out / "summaries" / f"{before.id}.json").read_text())
    decided = after.sentences[sentence.i]
    assert decided.reviewed and headline.theme not in decided.themes
    assert (headline.start, headline.theme) not in {(t.start, t.theme) for t in after.takeaways}
    assert after.takeaways and after.takeaways != before.takeaways, "the takeaways were chosen again"

    corpus = json.loads((out / "corpus.json").read_text())
    (entry,) = corpus["documents"]
    assert entry["takeaways"] == [t.theme for t in after.takeaways]

    table = (out / "report" / "takeaways.html").read_text()
    page = (out / "report" / "documents" / f"{before.id[:12]}.html").read_text()
    for html in (table, page):
        rows = (
            json.loads(html.split('id="rows">', 1)[1].split("</script>", 1)[0])["rows"]
            if html is table
            else []
        )
        assert all(
            not (r[8].endswith(f"-{headline.start}-{headline.end}") and r[2] == headline.theme) for r in rows
        )
    assert f"tk-{before.id[:12]}-1" in page and after.takeaways[0].theme_label in page

    for frames_at in (url, str(out)):
        with open_frames(frames_at) as frames:
            themes = frames.sentence_themes()
            exported = export_frames(frames, tmp_path / "export", "parquet")
        mine = themes[(themes.document_id == before.id) & (themes.sentence_i == sentence.i)]
        assert headline.theme not in set(mine.theme), frames_at

        def exported_rows(name: str, paths: list[Path] = exported) -> pd.DataFrame:
            table = pd.read_parquet(next(p for p in paths if p.name == f"{name}.parquet"))
            return table[(table.document_id == before.id) & (table.sentence_i == sentence.i)]

        assert headline.theme not in set(exported_rows("sentence_themes").theme), frames_at
        assert list(exported_rows("sentences").reviewed) == [True], frames_at
