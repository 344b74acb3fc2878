"""``python -m benchmarks.quality``: run the quality benchmark with a fixed string-hash seed.

sumy's LSA builds its word matrix from a Python set, so its ranking changes with each run's random
string hashing (0.013 R-1 on the education meetings between two runs; LexRank and TextRank did not
move). With ``PYTHONHASHSEED`` fixed the numbers repeat; we re-execute ourselves with it when unset.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") is None:
    os.execve(sys.executable, [sys.executable, "-m", "benchmarks.quality", *sys.argv[1:]],
              {**os.environ, "PYTHONHASHSEED": "0"})  # fmt: skip

from benchmarks.quality.run import main

raise SystemExit(main())
