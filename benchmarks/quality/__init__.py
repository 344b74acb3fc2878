"""Quality benchmark: Takeaways measured on real meetings and statements, beside the classic peers.

Run ``python -m benchmarks.quality`` (``make bench-quality``). Data is read in place from
``../shared/data``; nothing is copied. Results go to the "## Quality" section of ``benchmarks/RESULTS.md``.
"""
