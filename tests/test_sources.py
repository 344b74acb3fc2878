"""Discovery of local inputs: folders, hidden entries, symlink loops, size limits, unreadable files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.inputs.ingestion import ingest_sources
from flows.inputs.sources import LocalInput, discover, read_local
from flows.settings import Settings
from nlp.errors import ErrorCode, IngestError, IngestFailure

STATEMENT = "Ministers agreed to fund teacher training.\n\nThey will meet again in June.\n"


def _settings(**kw: object) -> Settings:
    return Settings().model_copy(update=kw)


def test_folder_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Second document text here.")
    (tmp_path / "a.md").write_text("First document text here.")
    (tmp_path / "b" / "deeper").mkdir()
    (tmp_path / "b" / "deeper" / "three.txt").write_text("Third document text here.")
    found = list(discover([str(tmp_path)]))
    assert all(isinstance(item, LocalInput) for item in found)
    names = [item.path.name for item in found if isinstance(item, LocalInput)]
    assert names == ["a.md", "three.txt", "two.txt"]


def test_hidden_entries_are_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.txt").write_text("not a document")
    (tmp_path / ".notes.txt").write_text("secret notes")
    (tmp_path / "doc.txt").write_text(STATEMENT)
    result = ingest_sources([str(tmp_path)], settings=_settings())
    assert [d.source for d in result.documents] == [str(tmp_path / "doc.txt")]
    hidden = {Path(e.path).name for e in result.errors if e.code is ErrorCode.HIDDEN}
    assert hidden == {".git", ".notes.txt"}


def test_symlink_loop_is_an_error_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "doc.txt").write_text(STATEMENT)
    (tmp_path / "docs" / "loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    (tmp_path / "self").symlink_to(tmp_path / "self")
    result = ingest_sources([str(tmp_path)], settings=_settings())
    assert len(result.documents) == 1
    loops = {Path(e.path).name: e.reason for e in result.errors if e.code is ErrorCode.SYMLINK_LOOP}
    assert set(loops) == {"loop", "self"}
    assert all("loop" in reason for reason in loops.values())


def test_file_over_the_size_limit_is_rejected_with_sizes_in_the_reason(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 400)
    small = tmp_path / "small.txt"
    small.write_text(STATEMENT)
    result = ingest_sources([str(tmp_path)], settings=_settings(max_file_bytes=1000))
    assert [Path(d.source).name for d in result.documents] == ["small.txt"]
    (error,) = result.errors
    assert error.code is ErrorCode.TOO_LARGE
    assert "2.0 kB" in error.reason and "1.0 kB" in error.reason


def test_unreadable_file_is_an_error_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(STATEMENT)
    (tmp_path / "open.txt").write_text("Another statement about school meals for every child.")
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", deny)
    result = ingest_sources([str(tmp_path)], settings=_settings())
    assert [Path(d.source).name for d in result.documents] == ["open.txt"]
    assert result.errors == [
        IngestError(path=str(locked), code=ErrorCode.UNREADABLE, reason="permission denied: cannot read it")
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_file_without_read_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(STATEMENT)
    locked.chmod(0)
    with pytest.raises(IngestFailure) as info:
        read_local(LocalInput(path=locked, explicit=True), max_bytes=10_000)
    assert info.value.code is ErrorCode.UNREADABLE


def test_unknown_formats_in_folders_are_reported_but_sniffed_formats_are_read(tmp_path: Path) -> None:
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04 not really a deck")
    (tmp_path / "script.py").write_text("print('hello')\n")
    (tmp_path / "captions").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>Hello there.\n")
    result = ingest_sources([str(tmp_path)], settings=_settings())
    assert [Path(d.source).name for d in result.documents] == ["captions"]
    unsupported = {Path(e.path).name for e in result.errors if e.code is ErrorCode.UNSUPPORTED}
    assert unsupported == {"slides.pptx", "script.py"}


def test_missing_source_and_broken_link_are_errors(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    result = ingest_sources([str(tmp_path / "nope"), str(tmp_path)], settings=_settings())
    reasons = {Path(e.path).name: (e.code, e.reason) for e in result.errors}
    assert reasons["nope"] == (ErrorCode.NOT_FOUND, "no such file or folder")
    assert reasons["dangling.txt"] == (ErrorCode.NOT_FOUND, "broken symbolic link")


def test_same_content_from_two_paths_is_one_document(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(STATEMENT)
    (tmp_path / "two.md").write_text(STATEMENT.replace("\n\n", "\n\n\n"))
    result = ingest_sources([str(tmp_path)], settings=_settings())
    assert len(result.documents) == 1
    (dup,) = result.duplicates
    assert dup.path.endswith("two.md") and dup.same_as.endswith("one.txt")
    assert dup.id == result.documents[0].id


def test_a_reader_crash_becomes_an_error_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(STATEMENT)
    (tmp_path / "b.html").write_text("<html><body><p>Schools reopen on Monday.</p></body></html>")

    def explode(data: bytes, *, source: str) -> object:
        raise RuntimeError("reader bug")

    monkeypatch.setitem(__import__("nlp.ingest", fromlist=["READERS"]).READERS, "html", explode)
    result = ingest_sources([str(tmp_path)], settings=_settings())
    assert [Path(d.source).name for d in result.documents] == ["a.txt"]
    (error,) = result.errors
    assert error.path.endswith("b.html") and "reader bug" in error.reason
