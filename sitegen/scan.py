"""Stage 1: log files -> digests, through the cache (the only place that reads logs).

A file whose size and mtime match its cached digest is not opened. A file whose stamp
changed is read and checksummed; the same checksum keeps the cached digest. New or
changed files are decoded and digested, across processes when there is enough work.
A file whose last line has no newline is never taken from the cache.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from sitegen.cache import NO_STAMP, content_hash, read_stamped
from sitegen.digest import NO_PARTS, FileDigest, digest
from sitegen.errors import InputError
from sitegen.ingest import (
    FileScan,
    Problem,
    check_log_file,
    list_log_files,
    read_log_file,
    scan_bytes,
    unreadable_reason,
)
from sitegen.windows import zone
from sitegen.workers import exit_with_parent

#: below this many bytes to decode, starting worker processes costs more than it saves
PARALLEL_BYTES = 16 * 1024 * 1024
#: scans of changed files kept for the pages after the scan stage (an appended day)
KEEP_SCANS = 4


#: told of each log file read, in the process that read it: (scan, its counted records as
#: (Trade, TradeRecord) pairs in line order, checksum). Must pickle (a module-level
#: function, or a functools.partial of one): worker processes call it.
OnFile = Callable[[FileScan, list, str], None]


@dataclass
class ScanResult:
    digests: list[FileDigest]
    changed: list[str] = field(default_factory=list)  # new or changed files (read and digested)
    removed: list[FileDigest] = field(default_factory=list)  # cached files no longer present
    previous: dict[str, FileDigest] = field(default_factory=dict)  # old digests of changed ones
    hits: int = 0
    read: int = 0
    scans: dict[str, FileScan] = field(default_factory=dict)  # a few changed files, decoded


def list_logs(logs_dir: Path) -> list[tuple[dt.date, Path]]:
    """The trade log files, oldest first; a missing logs dir is an InputError."""
    try:
        return list_log_files(logs_dir)
    except FileNotFoundError as exc:
        raise InputError(
            f"logs dir {logs_dir} does not exist; pass --logs DIR or set logs_dir in "
            "config/sitegen.yaml (or run `sitegen demo-data --out logs` for sample logs)"
        ) from exc
    except OSError as exc:
        raise InputError(f"cannot read logs dir {logs_dir} ({exc.strerror or exc})") from exc


def _unreadable(path: Path, day: dt.date, reason: str) -> FileDigest:
    return FileDigest(
        name=path.name,
        date=day,
        size=-1,
        mtime_ns=-1,
        hash="",
        complete=False,
        lines=0,
        problems=(Problem(path.name, 0, reason),),
        in_progress=None,
        parts=NO_PARTS,
        opens=(),
        closed_ids=b"",
        superseded=0,
    )


def scan_and_digest(
    path: Path,
    day: dt.date,
    timezone: str,
    known_hash: str = "",
    on_file: OnFile | None = None,
    modes: frozenset[str] | None = None,
    parts: bool = True,
) -> tuple[FileDigest | None, FileScan | None, int, int]:
    """Read, checksum and digest one log file; also its scan (kept when few files
    changed), and the stamp (size, mtime) of the bytes read (cache.read_stamped). The
    digest is None when the checksum equals ``known_hash`` (the content did not
    change). ``modes``: the modes analysed (None: every mode); ``parts``: False for a
    digest without its per-day parts (see scan_logs). Runs in worker processes too."""
    try:
        data, (size, mtime_ns) = read_stamped(path)
    except OSError as exc:
        return _unreadable(path, day, unreadable_reason(path, exc)), None, *NO_STAMP
    checksum = content_hash(data)
    if known_hash and checksum == known_hash:
        return None, None, size, mtime_ns
    scan = scan_bytes(data, path.name, day)
    dg, pairs = digest(
        scan,
        zone(timezone),
        size=size,
        mtime_ns=mtime_ns,
        content_hash=checksum,
        complete=scan.in_progress_line is None,
        modes=modes,
    )
    if on_file is not None:
        on_file(scan, pairs, checksum)
    if not parts:
        dg = msgspec.structs.replace(dg, parts=NO_PARTS)
    return dg, scan, size, mtime_ns


def _digest_job(args: tuple) -> tuple[FileDigest | None, int, int]:
    dg, _, size, mtime_ns = scan_and_digest(*args)
    return dg, size, mtime_ns


def scan_logs(
    logs_dir: Path,
    timezone: str,
    cached: dict[str, FileDigest],
    *,
    jobs: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    on_file: OnFile | None = None,
    modes: frozenset[str] | None = None,
    parts: bool = True,
) -> ScanResult:
    """Digests of every log file, reusing ``cached`` ones whose file did not change
    (``cached`` must have been made with the same time zone and ``modes``).
    Each digest is stamped with the bytes it was made from (cache.read_stamped).
    ``progress(stage, done, total)`` is told after each file read; ``on_file`` of each
    file read (see OnFile). With ``parts`` False, the digests of the files read come
    without their per-day parts (the bulk of a digest, per day of the history): enough
    to resolve identity and to read the trades back, not to make a summary, nor to be
    cached."""
    files = list_logs(logs_dir)
    result = ScanResult(digests=[])
    present = set()
    todo: list[tuple] = []
    slots: list[FileDigest | int] = []
    pending_bytes = 0
    for day, path in files:
        present.add(path.name)
        st, reason = check_log_file(path)  # a FIFO is never opened: that would wait
        if st is None:
            slots.append(_unreadable(path, day, reason or "not read"))
            continue
        old = cached.get(path.name)
        if (
            old is not None
            and old.complete
            and (old.size, old.mtime_ns)
            == (
                st.st_size,
                st.st_mtime_ns,
            )
        ):
            slots.append(old)
            result.hits += 1
            continue
        known = old.hash if old is not None and old.complete else ""
        slots.append(len(todo))
        todo.append((path, day, timezone, known, on_file, modes, parts))
        pending_bytes += st.st_size
    result.read = len(todo)

    done: list[tuple[FileDigest | None, int, int]] = []
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    if workers > 1 and pending_bytes >= PARALLEL_BYTES:
        from concurrent.futures import ProcessPoolExecutor  # loads multiprocessing: only now

        with ProcessPoolExecutor(
            max_workers=workers, initializer=exit_with_parent, initargs=(os.getpid(),)
        ) as pool:
            chunk = max(1, len(todo) // (workers * 8))
            for item in pool.map(_digest_job, todo, chunksize=chunk):
                done.append(item)
                if progress:
                    progress("reading logs", len(done), len(todo))
    else:  # in this process: keep the scans of a few changed files for the pages
        for args in todo:
            dg, scan, size, mtime_ns = scan_and_digest(*args)
            done.append((dg, size, mtime_ns))
            if progress:
                progress("reading logs", len(done), len(todo))
            if dg is not None and scan is not None and len(result.scans) < KEEP_SCANS:
                result.scans[scan.name] = scan

    for slot in slots:
        if not isinstance(slot, int):
            result.digests.append(slot)
            continue
        path = todo[slot][0]
        fresh, size, mtime_ns = done[slot]
        old = cached.get(path.name)
        if fresh is None:  # the same bytes as the cached digest: restamp it
            assert old is not None
            result.digests.append(msgspec.structs.replace(old, size=size, mtime_ns=mtime_ns))
            result.hits += 1
            continue
        result.digests.append(fresh)
        result.changed.append(path.name)
        if old is not None:
            result.previous[path.name] = old
    result.removed = [d for name, d in sorted(cached.items()) if name not in present]
    return result


class Rescanner:
    """Reads a log file back for a digest (daily pages, rare identity cases); keeps the
    last few scans, since neighbouring days share files."""

    def __init__(
        self, logs_dir: Path, keep: int = 4, seed: dict[str, FileScan] | None = None
    ) -> None:
        self.logs_dir = logs_dir
        self.keep = keep
        self._seed = dict(seed or {})  # scans made by the scan stage: never read twice
        self._scans: OrderedDict[str, FileScan] = OrderedDict()
        self.reads = 0

    def __call__(self, dg: FileDigest) -> FileScan:
        seeded = self._seed.get(dg.name)
        if seeded is not None:
            return seeded
        scan = self._scans.get(dg.name)
        if scan is not None:
            self._scans.move_to_end(dg.name)
            return scan
        scan = read_log_file(self.logs_dir / dg.name, dg.date)
        self.reads += 1
        self._scans[dg.name] = scan
        if len(self._scans) > self.keep:
            self._scans.popitem(last=False)
        return scan

    def forget(self) -> None:
        """Drop the scans read back so far (a stage that read some is done with them)."""
        self._scans.clear()
