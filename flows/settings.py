"""All paths, limits and defaults in one place; `TAKEAWAYS_*` environment variables and CLI flags override.

``nlp/`` never reads settings itself: callers pass the values it needs as keyword arguments.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAKEAWAYS_", extra="ignore")

    out_dir: Path = Field(default=Path("out"), description="where outputs are written")
    db_url: str | None = Field(default=None, description="store URL; default: SQLite in out_dir")

    taxonomy_path: Path = Field(
        default=PROJECT_ROOT / "configs" / "taxonomy.yaml", description="theme taxonomy"
    )
    models_dir: Path = Field(default=PROJECT_ROOT / "models", description="where trained theme models live")
    train_labels: Path = PROJECT_ROOT / "corpus" / "labels" / "train.jsonl"
    eval_labels: Path = PROJECT_ROOT / "corpus" / "labels" / "eval.jsonl"
    real_labels: Path = Field(
        default=PROJECT_ROOT / "corpus" / "labels" / "real",
        description="labels on real documents, as spans into data_dir",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data",
        description="real data the labels point into",
    )
    unlabelled_dir: Path = Field(
        default=PROJECT_ROOT / "corpus" / "samples", description="documents whose sentences get weak labels"
    )
    templates_dir: Path = Field(
        default=PROJECT_ROOT / "configs" / "templates", description="Jinja2 templates: drafts and report"
    )
    max_takeaways: int = Field(default=5, ge=1, le=20)
    random_state: int = 0

    spacy_model: str = Field(default="en_core_web_sm", description="spaCy pipeline package to load")
    n_process: int | None = Field(
        default=None,
        ge=1,
        description="analysing processes; default: one per core, once a run is large enough",
    )
    batch_size: int = Field(default=32, ge=1, description="documents per analysis batch")

    metadata_files: list[Path] = Field(
        default_factory=list,
        description="CSV or JSON sidecars giving title, date, speaker, role, organisation, event and place "
        "by file name",
    )
    max_file_bytes: int = Field(default=50 * 1024 * 1024, ge=1, description="larger inputs are rejected")
    max_read_seconds: float = Field(
        default=120.0, gt=0, description="a large input that takes longer to read is stopped and reported"
    )
    fetch_timeout_s: float = Field(default=20.0, gt=0, description="the most one fetch may take, whole")
    lock_timeout_s: float = Field(
        default=60.0, ge=0, description="how long a run waits for another run holding the same store"
    )
    fetch_max_redirects: int = Field(default=5, ge=0)
    fetch_max_feed_items: int = Field(default=50, ge=1, description="new items fetched per feed per run")

    shipped_model_dir: Path = Field(
        default=PROJECT_ROOT / "configs" / "theme_model",
        description="the theme model shipped with the project, used when models_dir holds none",
    )

    @property
    def theme_model_dir(self) -> Path:
        return self.models_dir / "theme"

    @property
    def model_search_path(self) -> list[Path]:
        """Where a run looks for its theme model: the user's trained one, then the shipped one."""
        return [self.theme_model_dir, self.shipped_model_dir]

    def store_url(self, override: str | None = None) -> str:
        """The one place that says which store a command uses: ``--db``, else ``TAKEAWAYS_DB_URL``, else
        a SQLite file in the output folder."""
        return override or self.db_url or f"sqlite:///{(self.out_dir / 'takeaways.db').resolve()}"

    @property
    def fetch_state_path(self) -> Path:
        return self.out_dir / "fetch_state.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
