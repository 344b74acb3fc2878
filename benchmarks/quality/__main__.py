"""``python -m benchmarks.quality``: run the quality benchmark."""

from benchmarks.quality.run import main

raise SystemExit(main())
