"""``python -m benchmarks.quality``: run the quality benchmark with a fixed string-hash seed.

sumy builds its word matrices from Python sets, so LexRank, TextRank and LSA rank ties differently under
each run's random string hashing (LSA moved by 0.01 R-1 on the education meetings between runs). With
``PYTHONHASHSEED`` fixed the peers' numbers repeat exactly; we re-execute ourselves with it when unset.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") is None:
    os.execve(sys.executable, [sys.executable, "-m", "benchmarks.quality", *sys.argv[1:]],
              {**os.environ, "PYTHONHASHSEED": "0"})  # fmt: skip

from benchmarks.quality.run import main

raise SystemExit(main())
