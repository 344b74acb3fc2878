"""The store: analysed documents, runs, errors and analysts' decisions in SQLite or PostgreSQL."""

from flows.store.db import StoreBusy, StoreError
from flows.store.store import DecisionRecord, Store, default_url, version_key

__all__ = ["DecisionRecord", "Store", "StoreBusy", "StoreError", "default_url", "version_key"]
