"""What sitegen never does, whatever the user or the machine throws at it: replace a
log file, lose a raised alert, write through a symlink, serve anything but the site's
own files, leave worker processes behind, or answer a mistake with a traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen import demo
from sitegen import writer as writer_module
from sitegen.cli import main
from sitegen.errors import BuildError, ConfigError
from sitegen.writer import Writer

# --------------------------------------------------------------------------- writing outputs


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "disk quota"),
        (errno.EACCES, "check the folder's permissions"),
        (errno.EPERM, "check the folder's permissions"),
        (errno.EROFS, "read-only file system"),
        (errno.EIO, "Input/output error"),
    ],
)
def test_a_failed_write_names_its_real_cause(tmp_path, monkeypatch, code, reason):
    def fail(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(writer_module, "atomic_write", fail)
    with pytest.raises(BuildError) as caught:
        Writer(tmp_path).write("daily/2025-10-10.html", b"<p>")
    message = str(caught.value)
    assert str(tmp_path / "daily" / "2025-10-10.html") in message
    assert reason in message
    if code not in (errno.EACCES, errno.EPERM):
        assert "permission" not in message.lower()


# --------------------------------------------------------------------------- demo-data


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def files(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Each file's bytes, inode and mtime: a replaced file shows even with the same bytes."""
    return {
        p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def test_demo_data_never_replaces_a_log_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("demo-data", "--out", "logs", "--days", "6", "--per-day", "3")
    before = files(tmp_path / "logs")
    result = run(
        "demo-data", "--out", "logs", "--days", "6", "--per-day", "3", "--seed", "9", code=1
    )
    assert "2025-09-01.jsonl" in result.output and "already exist" in result.output
    assert "nothing was written" in result.output and "--force" in result.output
    assert files(tmp_path / "logs") == before


def test_demo_data_checks_every_file_before_writing_any(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "2025-09-05.jsonl").write_text('{"the": "bot\'s own log"}\n')  # the 5th day
    before = files(logs)
    result = run("demo-data", "--out", "logs", "--days", "6", code=1)
    assert "logs/2025-09-05.jsonl" in result.output
    assert files(logs) == before  # not even the days before it were written


def test_demo_generate_refuses_unless_forced(tmp_path):
    first = demo.generate(tmp_path / "logs", days=2, per_day=1)
    before = files(tmp_path / "logs")
    with pytest.raises(ConfigError, match="already exist"):
        demo.generate(tmp_path / "logs", days=2, per_day=1, seed=2)
    assert files(tmp_path / "logs") == before
    assert demo.generate(tmp_path / "logs", days=2, per_day=1, seed=2, force=True) == first
    assert files(tmp_path / "logs").keys() == before.keys()


def test_demo_data_never_replaces_a_log_that_appears_while_it_writes(tmp_path, monkeypatch):
    logs = tmp_path / "logs"
    logs.mkdir()
    bots = logs / "2025-09-03.jsonl"
    bots.write_text("the bot's own log\n")
    monkeypatch.setattr(demo.os.path, "lexists", lambda path: False)  # not there when checked
    with pytest.raises(ConfigError, match=r"2025-09-03.jsonl.*only 2 new files were written"):
        demo.generate(logs, days=4, per_day=2)
    assert bots.read_text() == "the bot's own log\n"
    assert sorted(p.name for p in logs.iterdir()) == [
        "2025-09-01.jsonl",
        "2025-09-02.jsonl",
        "2025-09-03.jsonl",
    ]  # and no temp file


def test_write_new_without_hard_links_still_never_replaces(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(writer_module.os, "link", no_links)
    writer_module.write_new(tmp_path / "a.jsonl", b"new\n")
    assert (tmp_path / "a.jsonl").read_bytes() == b"new\n"
    with pytest.raises(FileExistsError):
        writer_module.write_new(tmp_path / "a.jsonl", b"other\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.jsonl"]


def test_demo_data_force_replaces(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("demo-data", "--out", "logs", "--days", "3", "--seed", "1")
    first = files(tmp_path / "logs")
    run("demo-data", "--out", "logs", "--days", "3", "--seed", "2", "--force")
    again = files(tmp_path / "logs")
    assert again.keys() == first.keys()
    assert all(again[name][0] != first[name][0] for name in first)


def test_demo_data_into_a_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("logs").write_text("not a folder")
    result = run("demo-data", "--out", "logs/sub", "--days", "2", code=1)
    assert "logs/sub" in result.output


def test_build_demo_still_fills_an_empty_logs_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "performance-alerts.jsonl").write_text("")  # not a trade log
    result = CliRunner().invoke(main, ["build", "--demo", "--no-site"])
    assert result.exit_code in (0, 2), result.output
    assert "days of demo logs" in result.output
    assert len(list(logs.glob("2025-*.jsonl"))) == 59
    result = CliRunner().invoke(main, ["build", "--demo", "--no-site"])
    assert "demo logs" not in result.output  # it has logs now: they are left alone
