"""The Prefect flow behind `takeaways run` and `takeaways serve`: its tasks, worker processes, settings
and the cache that lets a run with nothing new keep its outputs."""
