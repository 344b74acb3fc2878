"""Orchestration for Takeaways: settings, inputs, the Prefect flow, the store, outputs, the CLI."""
