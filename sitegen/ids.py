"""The order-id hashes of each log file's closed records, kept on disk, not in memory.

Identity resolution (history.supersedes) needs, for every log file, the hashes of the
order ids of the closed records it counts (digest.closed_ids). At a million trades
they are 16 MB: more than everything else a build keeps per day, and they grew with
the history. So neither the index nor a build holds them: each file's are in
``<artifacts>/.sitegen-cache/ids/<log name>.ids``, written by the process that read
the log, and supersedes() reads one slice of the hash range of every file at a time.

A file: one line ``ids-1 <checksum of the log>``, then 257 little-endian uint32 (where
the hashes with each leading byte start, and the count), then the sorted hashes. One
whose checksum is not its log's, or that is missing or damaged, is made again from its
log. One that cannot be written is kept in memory instead: only that costs memory.
"""

from __future__ import annotations

import contextlib
import os
import struct
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path

from sitegen.digest import ID_SIZE, FileDigest
from sitegen.writer import atomic_write

#: the folder, in the cache folder (cache.CACHE_DIR)
IDS_DIR = "ids"
SUFFIX = ".ids"
MAGIC = b"ids-1 "
_TABLE = struct.Struct("<257I")


def encode(checksum: str, packed: bytes) -> bytes:
    """A sidecar's bytes: its log's checksum, where each leading byte starts, the ids."""
    count = len(packed) // ID_SIZE
    table = [bisect_left(_Leading(packed), b) for b in range(256)]
    return _head(checksum) + _TABLE.pack(*table, count) + packed


def leading(packed: bytes, lo: int, hi: int) -> bytes:
    """The hashes of a sorted pack_ids() concatenation whose leading byte is in
    ``lo`` .. ``hi - 1``."""
    items = _Leading(packed)
    return packed[bisect_left(items, lo) * ID_SIZE : bisect_left(items, hi) * ID_SIZE]


class _Leading:
    """The leading byte of each hash of a packed concatenation (for bisect)."""

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    def __len__(self) -> int:
        return len(self.packed) // ID_SIZE

    def __getitem__(self, i: int) -> int:
        return self.packed[i * ID_SIZE]


def _span(top: bytes, checksum: str, lo: int, hi: int, size: int) -> tuple[int, int] | None:
    """Where in a sidecar of ``size`` bytes, whose first bytes are ``top``, the ids with
    a leading byte in ``lo`` .. ``hi - 1`` lie (start, end); None when it is not a whole
    sidecar of a log with ``checksum``."""
    head = _head(checksum)
    start = len(head) + _TABLE.size
    if len(top) < start or not top.startswith(head):
        return None
    table = _TABLE.unpack_from(top, len(head))
    if size != start + table[256] * ID_SIZE or not table[lo] <= table[hi] <= table[256]:
        return None
    return start + table[lo] * ID_SIZE, start + table[hi] * ID_SIZE


def slice_of(data: bytes, checksum: str, lo: int, hi: int) -> bytes | None:
    """The ids of a sidecar's ``data`` whose leading byte is in ``lo`` .. ``hi - 1``;
    None when ``data`` is not a sidecar of a log with ``checksum``."""
    span = _span(data, checksum, lo, hi, len(data))
    return None if span is None else data[span[0] : span[1]]


def _head(checksum: str) -> bytes:
    return MAGIC + checksum.encode() + b"\n"


def _read_slice(path: str, checksum: str, lo: int, hi: int) -> bytes | None:
    """slice_of() the sidecar at ``path``, reading only its table and that slice (a
    build reads a slice of every file's for each slice of the hash range: plain
    system calls, no buffered file object)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        top = os.pread(fd, len(_head(checksum)) + _TABLE.size, 0)
        span = _span(top, checksum, lo, hi, os.fstat(fd).st_size)
        if span is None:
            return None
        data = os.pread(fd, span[1] - span[0], span[0])
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == span[1] - span[0] else None


class IdFiles:
    """The closed-id hashes of log files, by file, read a slice at a time.

    ``remake(digest)`` gives a file's packed hashes again from its log (when its
    sidecar is missing, stale or damaged); it is then written again.
    """

    def __init__(self, folder: Path, remake: Callable[[FileDigest], bytes] | None = None) -> None:
        self.folder = folder
        self._prefix = os.path.join(folder, "")
        self.remake = remake
        self.kept: dict[str, bytes] = {}  # sidecars that could not be written
        self.remade = 0

    def path(self, name: str) -> Path:
        return self.folder / (name + SUFFIX)

    def store(self, name: str, checksum: str, packed: bytes) -> bool:
        """Write a file's sidecar; False when it cannot be written (then keep() it)."""
        try:
            atomic_write(self.path(name), encode(checksum, packed))
        except OSError:
            return False
        return True

    def keep(self, name: str, checksum: str, packed: bytes) -> None:
        self.kept[name] = encode(checksum, packed)

    def note(self, dg: FileDigest, unsaved: bytes | None) -> None:
        """A file was read: its sidecar was written, or its ids are ``unsaved``."""
        if unsaved is None:
            self.kept.pop(dg.name, None)
        else:
            self.keep(dg.name, dg.hash, unsaved)

    def closed(self, dg: FileDigest, lo: int, hi: int) -> bytes:
        """The sorted hashes of ``dg``'s closed ids with a leading byte in ``lo`` .. ``hi - 1``."""
        if not dg.ids:
            return b""
        kept = self.kept.get(dg.name)
        found = (
            _read_slice(self._prefix + dg.name + SUFFIX, dg.hash, lo, hi)
            if kept is None
            else slice_of(kept, dg.hash, lo, hi)
        )
        if found is not None:
            return found
        if self.remake is None:
            raise RuntimeError(f"the order ids of {dg.name} are gone and cannot be remade")
        packed = self.remake(dg)
        self.remade += 1
        if not self.store(dg.name, dg.hash, packed):
            self.keep(dg.name, dg.hash, packed)
        found = slice_of(encode(dg.hash, packed), dg.hash, lo, hi)
        assert found is not None
        return found

    def prune(self, names: set[str]) -> None:
        """Remove the sidecars of log files other than ``names`` (files gone)."""
        try:
            entries = os.listdir(self.folder)
        except OSError:
            return
        for entry in entries:
            if entry.endswith(SUFFIX) and entry[: -len(SUFFIX)] not in names:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / entry)
