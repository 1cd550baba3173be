"""The alert log ``performance-alerts.jsonl``: append-only, one event per line.

A later line with the same id supersedes an earlier one (that is how an
acknowledgement is recorded without rewriting history). Never read as a trade log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import logging
import os
import stat
from pathlib import Path

from sitegen.cache import NO_STAMP, Stamp
from sitegen.errors import SitegenError
from sitegen.writer import why

log = logging.getLogger("sitegen")


def read_alert_log(path: Path) -> dict[str, dict]:
    """id -> the latest event for that id; a missing file is an empty log."""
    return read_alert_log_stamped(path)[0]


def read_alert_log_stamped(path: Path) -> tuple[dict[str, dict], Stamp | None]:
    """read_alert_log(), and the stamp of the bytes read (None: no file)."""
    try:
        fd = _open(path, os.O_RDONLY, "read")
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        raise SitegenError(f"cannot read alert log {path} ({exc.strerror or exc})") from exc
    try:
        st = os.fstat(fd)
        with os.fdopen(fd, "rb", closefd=False) as fp:
            data = fp.read()
    finally:
        os.close(fd)
    # as cache.read_stamped: a log that grew while read gets a stamp no file matches
    stamp = (len(data), st.st_mtime_ns if len(data) == st.st_size else -1)
    return _parse(path, data), stamp


def _open(path: Path, flags: int, doing: str) -> int:
    """A descriptor of the alert log itself: never of what a symlink in its place
    points to (the log is the one file sitegen writes among the bot's logs, and a
    link could send that write anywhere), never of a FIFO (a read would wait for a
    writer forever) or a folder."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):
            raise SitegenError(
                f"cannot {doing} alert log {path}: it is a symbolic link (to "
                f"{os.readlink(path)}), and sitegen never reads or writes the alert log "
                "through one. Put the log file itself in its place, or remove the link to "
                "start a new log."
            ) from exc
        if exc.errno != errno.EISDIR:
            raise
        fd = None
    if fd is None or not stat.S_ISREG(os.fstat(fd).st_mode):
        if fd is not None:
            os.close(fd)
        raise SitegenError(
            f"cannot {doing} alert log {path}: it is not a regular file. Move it away "
            "(sitegen then starts a new log) or put the log file in its place."
        )
    return fd


def _parse(path: Path, data: bytes) -> dict[str, dict]:
    events: dict[str, dict] = {}
    for number, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
        except ValueError:
            log.warning("%s:%d: not a JSON alert event; ignored", path, number)
            continue
        if isinstance(event, dict) and isinstance(event.get("id"), str):
            events[event["id"]] = event
        else:
            log.warning("%s:%d: not an alert event (no id); ignored", path, number)
    return events


def append_events(path: Path, events: list[dict], read: Stamp | None = NO_STAMP) -> Stamp | None:
    """Append events, whole or not at all: an event reported as raised is in the log.

    A torn last line (a crash, a power cut) is ended first, so ours start on a line
    of their own; a build that finds a torn event appends it again, whole. On an
    error, the log is cut back to where it was and a SitegenError says why.

    ``read`` is the stamp of the log as the caller read it; returned is the stamp of
    that log with these events appended — NO_STAMP when someone else wrote to it
    meanwhile (an ack during a build), so that the next build reads it again."""
    if not events:
        return read
    payload = "".join(
        json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events
    ).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, "append to the")
    except OSError as exc:
        raise SitegenError(f"cannot append to the alert log {path}: {why(exc)}") from exc
    try:
        # `sitegen ack` appends too: cutting back must never cut its line. (On a file
        # system without locks, appends are still O_APPEND.)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        before = os.fstat(fd)
        if before.st_size and os.pread(fd, 1, before.st_size - 1) != b"\n":
            payload = b"\n" + payload
        try:
            _write_all(fd, payload)
        except OSError as exc:
            raise SitegenError(
                f"cannot append to the alert log {path}: {why(exc)}. "
                + _cut_back(fd, before.st_size)
            ) from exc
        after = os.fstat(fd)
    finally:
        os.close(fd)  # (and the flock with it)
    unchanged = (
        before.st_size == 0 if read is None else (before.st_size, before.st_mtime_ns) == read
    )
    if read == NO_STAMP or not unchanged or after.st_size != before.st_size + len(payload):
        return NO_STAMP
    return (after.st_size, after.st_mtime_ns)


def _write_all(fd: int, payload: bytes) -> None:
    """os.write may write less than asked (a full disk, a signal): write the rest."""
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the write made no progress")
        view = view[written:]


def _cut_back(fd: int, size: int) -> str:
    try:
        os.ftruncate(fd, size)
    except OSError as exc:
        return (
            f"Part of a line may be left at its end ({exc.strerror or exc}): the next build "
            "ends that line and appends the events the log misses."
        )
    return "Nothing was appended."


def acknowledge_events(
    path: Path, events: list[dict], now: dt.datetime | None = None
) -> list[dict]:
    """Acknowledge ``events`` (as the log or the last build has them) by appending each
    again with ``acknowledged_at``: one append, whole or absent. Returns them."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    acked = [{**event, "acknowledged_at": stamp} for event in events]
    append_events(path, acked)
    return acked


def acknowledge(path: Path, alert_id: str, now: dt.datetime | None = None) -> tuple[dict, bool]:
    """Record an acknowledgement by appending the event again with ``acknowledged_at``.

    Returns (event, newly_acknowledged). An unknown id is a SitegenError.
    """
    events = read_alert_log(path)
    event = events.get(alert_id)
    if event is None:
        raise SitegenError(
            f"no alert with id {alert_id!r} in {path}; run `sitegen alerts --all` to list ids "
            "(and pass the same --logs as the build)"
        )
    if event.get("acknowledged_at"):
        return event, False
    return acknowledge_events(path, [event], now)[0], True
