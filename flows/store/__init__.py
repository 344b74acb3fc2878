"""The store: analysed documents, runs, errors and analysts' decisions in SQLite or PostgreSQL."""

from flows.store.db import StoreBusy, StoreError
from flows.store.store import DecisionRecord, NewDecision, Store, version_key

__all__ = ["DecisionRecord", "NewDecision", "Store", "StoreBusy", "StoreError", "version_key"]
