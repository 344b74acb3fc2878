"""The `takeaways` command (:mod:`flows.cli.app`): the composition root, the one place that knows the
flow, the store, the outputs and the review app together."""
