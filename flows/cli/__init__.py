"""The `takeaways` command: the composition root, the one place that knows the flow, the store, the
outputs and the review app together."""

from flows.cli.app import app, main

__all__ = ["app", "main"]
