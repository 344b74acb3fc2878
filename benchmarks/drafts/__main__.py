"""``python -m benchmarks.drafts``."""

from benchmarks.drafts.run import main

raise SystemExit(main())
