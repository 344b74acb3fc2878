"""Atomic writes, and the clean-up of temp files that a killed writer leaves behind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.atomic import remove_orphaned_temp_files, write_chunks_atomic, write_text_atomic

# A child that opens an atomic write, then is killed before it can rename or clean up.
_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from flows.atomic import write_chunks_atomic

def chunks():
    yield b"half of it"
    os.kill(os.getpid(), signal.SIGKILL)

write_chunks_atomic(Path(sys.argv[1]), chunks())
"""


def _killed_write(path: Path) -> Path:
    """Run a writer that dies mid-write; the temp file it left."""
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(path)], cwd=Path(__file__).parents[1])
    assert done.returncode == -9
    (orphan,) = path.parent.glob(f".{path.name}.*.tmp")
    return orphan


def test_a_write_replaces_the_file_whole_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "summary.json"
    write_text_atomic(path, "first")
    write_text_atomic(path, "second")
    assert path.read_text() == "second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["summary.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    write_text_atomic(path, "old")

    def chunks() -> Iterator[bytes]:
        yield b"new"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_chunks_atomic(path, chunks())
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_the_orphan_of_a_killed_writer_is_removed_and_the_real_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "summaries" / "doc.json"
    write_text_atomic(path, "complete")
    orphan = _killed_write(path)

    assert remove_orphaned_temp_files(tmp_path) == [orphan]
    assert not orphan.exists()
    assert path.read_text() == "complete"


def test_a_live_writers_temp_file_and_files_named_by_others_are_kept(tmp_path: Path) -> None:
    live = tmp_path / f".doc.json.{os.getpid()}-abcd1234.tmp"
    foreign = tmp_path / "notes.tmp"
    old_style = tmp_path / ".doc.json.abcd1234.tmp"
    for path in (live, foreign, old_style):
        path.write_text("x")

    assert remove_orphaned_temp_files(tmp_path) == []
    assert live.exists() and foreign.exists() and old_style.exists()
