"""Write files so that a crash never leaves a half-written one: temp file in the same folder, then rename.

A process killed between the two steps leaves its temp file behind. Each temp file's name carries the
writer's process id, so a later run can tell an orphan from a file another live process is writing.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

_TEMP_NAME = re.compile(r"^\..+\.(?P<pid>\d+)-[^.]+\.tmp$")


def _default_mode() -> int:
    """What ``open()`` would give a new file (0o666 less the umask); mkstemp alone gives 0o600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_DEFAULT_MODE = _default_mode()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    write_chunks_atomic(path, [data])


def write_chunks_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    """Write the chunks as they come (a large file need not be held in memory), then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _DEFAULT_MODE)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a live process of another user
    return True


def remove_orphaned_temp_files(folder: Path) -> list[Path]:
    """Delete the temp files under ``folder`` whose writer has died; the paths deleted.

    Files of a live writer stay, and so do files that this module did not name.
    """
    removed = []
    for path in folder.rglob("*.tmp"):
        match = _TEMP_NAME.match(path.name)
        if match and path.is_file() and not _alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
