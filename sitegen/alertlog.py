"""The alert log ``performance-alerts.jsonl``: append-only, one event per line.

A later line with the same id supersedes an earlier one (that is how an
acknowledgement is recorded without rewriting history). Never read as a trade log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from sitegen.cache import NO_STAMP, Stamp, read_stamped
from sitegen.errors import SitegenError

log = logging.getLogger("sitegen")


def read_alert_log(path: Path) -> dict[str, dict]:
    """id -> the latest event for that id; a missing file is an empty log."""
    return read_alert_log_stamped(path)[0]


def read_alert_log_stamped(path: Path) -> tuple[dict[str, dict], Stamp | None]:
    """read_alert_log(), and the stamp of the bytes read (None: no file)."""
    try:
        data, stamp = read_stamped(path)
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        raise SitegenError(f"cannot read alert log {path} ({exc.strerror or exc})") from exc
    return _parse(path, data), stamp


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
    """Append events in one write (O_APPEND), so a crash never interleaves two lines.

    ``read`` is the stamp of the log as the caller read it; returned is the stamp of
    that log with these events appended — NO_STAMP when someone else wrote to it
    meanwhile (an ack during a build), so that the next build reads it again."""
    if not events:
        return read
    payload = "".join(
        json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events
    ).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    needs_newline = False
    try:
        with open(path, "rb") as fp:
            fp.seek(0, os.SEEK_END)
            if fp.tell():
                fp.seek(-1, os.SEEK_END)
                needs_newline = fp.read(1) != b"\n"
    except FileNotFoundError:
        pass
    if needs_newline:  # a torn last line from a crash: start ours on a fresh line
        payload = b"\n" + payload
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, payload)
        st = os.fstat(fd)
    finally:
        os.close(fd)
    before = 0 if read is None else read[0]
    if read == NO_STAMP or st.st_size != before + len(payload):
        return NO_STAMP
    return (st.st_size, st.st_mtime_ns)


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
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event = {**event, "acknowledged_at": stamp}
    append_events(path, [event])
    return event, True
