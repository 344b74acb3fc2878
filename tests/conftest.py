"""Session-wide fixtures: one spaCy pipeline, one trained theme model, models kept out of the repo."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from flows.models.train import train_and_save
from flows.run.prefect_env import configure_prefect
from flows.settings import Settings, get_settings
from nlp.linguistic import analysis_pipeline
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.training import ThemeModel, load_model
from tests.support.review_store import ReviewStore, build_review_store

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

configure_prefect()  # quiet, telemetry off: before any test module imports prefect
os.environ["TAKEAWAYS_DISCOVER_PREFECT"] = "0"  # a Prefect server the machine runs is not the tests' one


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Property tests run first, before any flow test starts Prefect's event client. That client pings
    its websocket from a background thread, each ping draws from the global `random` state, and
    Hypothesis, which watches that state while it generates examples, took the change for a strategy
    using `random` (a HypothesisDeprecationWarning in some full runs, an error in later versions)."""
    items.sort(key=lambda item: not getattr(getattr(item, "obj", None), "is_hypothesis_test", False))


@pytest.fixture(scope="session", autouse=True)
def _models_outside_the_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every command a test runs trains and loads theme models in a temporary folder."""
    folder = tmp_path_factory.mktemp("models")
    previous = os.environ.get("TAKEAWAYS_MODELS_DIR")
    os.environ["TAKEAWAYS_MODELS_DIR"] = str(folder)
    get_settings.cache_clear()
    yield folder
    if previous is None:
        os.environ.pop("TAKEAWAYS_MODELS_DIR", None)
    else:
        os.environ["TAKEAWAYS_MODELS_DIR"] = previous
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def nlp() -> Language:
    return analysis_pipeline("en_core_web_sm")


@pytest.fixture(scope="session")
def settings(_models_outside_the_repo: Path) -> Settings:
    return Settings(models_dir=_models_outside_the_repo)


@pytest.fixture(scope="session")
def taxonomy(settings: Settings) -> Taxonomy:
    return load_taxonomy(settings.taxonomy_path)


@pytest.fixture(scope="session")
def theme_model(settings: Settings, nlp: Language, taxonomy: Taxonomy) -> ThemeModel:
    """The model users run, saved where the CLI finds it: trained once per session from the repo's labels
    and ../shared/data (a test checks it equals the shipped one), or, in a clone without the data, the
    shipped model itself (training on the written sentences alone would test another model)."""
    if settings.data_dir.is_dir():
        return train_and_save(settings, nlp=nlp)
    shutil.copytree(settings.shipped_model_dir, settings.theme_model_dir, dirs_exist_ok=True)
    return load_model(settings.theme_model_dir, taxonomy=taxonomy)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data sets not found at {SHARED_DATA} (a fresh clone has no ../shared)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect database and API for every flow test in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def review_store(
    tmp_path_factory: pytest.TempPathFactory, nlp: Language, taxonomy: Taxonomy, theme_model: ThemeModel
) -> ReviewStore:
    """Sample documents analysed once for the review app, decisions and retraining tests: copy it before
    writing to it."""
    return build_review_store(
        tmp_path_factory.mktemp("review") / "out", nlp=nlp, taxonomy=taxonomy, model=theme_model
    )
