"""`takeaways train` never leaves a half-written model in use: a training process killed while writing
leaves the previous model loadable, as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from nlp.taxonomy import Taxonomy
from nlp.training import ThemeModel, load_model, save_model

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import flows.models.train as train

    def slow_save(model, folder):
        folder.mkdir(parents=True)
        (folder / "classifier.skops").write_bytes(b"half a classifier")
        Path(sys.argv[2]).touch()  # the test kills us now
        time.sleep(60)

    train.save_model = slow_save
    train.save_model_whole(None, Path(sys.argv[1]))
    """
)


def test_a_training_killed_while_writing_leaves_the_model_in_use_whole(
    tmp_path: Path, theme_model: ThemeModel, taxonomy: Taxonomy
) -> None:
    folder = tmp_path / "models" / "theme"
    save_model(theme_model, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    marker = tmp_path / "writing"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(marker)])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert writer.poll() is None and time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.05)
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert load_model(folder, taxonomy=taxonomy).version == theme_model.version
