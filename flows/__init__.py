"""Orchestration for Takeaways: settings, input discovery, the CLI and (later) Prefect flows and the store."""
