"""Find inputs on disk: files and folders walked recursively, with every problem reported, not raised.

Hidden entries inside folders and files of unknown formats are reported and not read; symlink loops,
unreadable files and oversized files become errors naming the path and the reason.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlp.errors import ErrorCode, IngestError, IngestFailure
from nlp.ingest import FORMATS_BY_EXTENSION
from nlp.ingest.sniff import sniff_format


@dataclass(frozen=True)
class LocalInput:
    """A file to read; ``explicit`` when the user named it rather than a folder holding it."""

    path: Path
    explicit: bool


def discover(sources: list[str]) -> Iterator[LocalInput | IngestError]:
    """Yield every readable-looking file under ``sources`` (in sorted order) and an error for each problem."""
    for source in sources:
        path = Path(source)
        try:
            info = path.stat()
        except OSError as exc:
            yield _os_error(path, exc)
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, seen={(info.st_dev, info.st_ino)})
        elif stat.S_ISREG(info.st_mode):
            yield LocalInput(path=path, explicit=True)
        else:
            yield IngestError(
                path=str(path), code=ErrorCode.UNSUPPORTED, reason="not a regular file or folder"
            )


def read_local(item: LocalInput, *, max_bytes: int) -> bytes:
    """Read a discovered file, enforcing the size limit and the known-format rule for folder members."""
    try:
        size = item.path.stat().st_size
        if size > max_bytes:
            raise IngestFailure(
                ErrorCode.TOO_LARGE,
                f"the file is {human_size(size)}, over the {human_size(max_bytes)} limit "
                "(raise TAKEAWAYS_MAX_FILE_BYTES to allow it)",
            )
        with item.path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        error = _os_error(item.path, exc)
        raise IngestFailure(error.code, error.reason) from exc
    if len(data) > max_bytes:
        raise IngestFailure(ErrorCode.TOO_LARGE, f"the file grew past the {human_size(max_bytes)} limit")
    if not item.explicit and item.path.suffix.lower() not in FORMATS_BY_EXTENSION:
        sniff_format(data, item.path.name)  # in a folder, unknown extensions are read only if sniffed
    return data


def _walk(folder: Path, *, seen: set[tuple[int, int]]) -> Iterator[LocalInput | IngestError]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield _os_error(folder, exc)
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            yield IngestError(path=str(path), code=ErrorCode.HIDDEN, reason="hidden; skipped")
            continue
        try:
            info = path.stat()
        except OSError as exc:
            yield _os_error(path, exc)
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen:
                yield IngestError(
                    path=str(path),
                    code=ErrorCode.SYMLINK_LOOP,
                    reason="symbolic link loop: this folder links back to one already being read",
                )
                continue
            yield from _walk(path, seen=seen | {key})
        elif stat.S_ISREG(info.st_mode):
            yield LocalInput(path=path, explicit=False)
        else:
            yield IngestError(
                path=str(path), code=ErrorCode.UNSUPPORTED, reason="not a regular file; skipped"
            )


def _os_error(path: Path, exc: OSError) -> IngestError:
    if exc.errno == errno.ELOOP:
        return IngestError(path=str(path), code=ErrorCode.SYMLINK_LOOP, reason="symbolic link loop")
    if exc.errno == errno.ENOENT:
        broken = path.is_symlink()
        reason = "broken symbolic link" if broken else "no such file or folder"
        return IngestError(path=str(path), code=ErrorCode.NOT_FOUND, reason=reason)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return IngestError(
            path=str(path), code=ErrorCode.UNREADABLE, reason="permission denied: cannot read it"
        )
    return IngestError(path=str(path), code=ErrorCode.UNREADABLE, reason=f"cannot read it ({exc.strerror})")


def human_size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
