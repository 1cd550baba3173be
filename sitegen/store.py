"""SummaryStore: summaries kept packed between the stages of a build.

A cold build of a long history makes a summary for every day, week and month before
it writes them and renders their pages; held as Python dicts they were the largest
thing a build kept in memory after the digests. The store keeps each one as
compressed MessagePack and gives back an equal dict on each read. A dict read from
it is a copy: after changing one, put it back.

Given a folder, a store keeps the packed summaries in an unnamed temp file there
(gone when the build ends), not in memory: they are about 10 KB each, and a history
of three years has a thousand periods. A folder that cannot hold it keeps them in
memory instead.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zlib
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import msgspec

Key = tuple[str, str]  # (window, period)

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(dict).decode


def pack(summary: dict) -> bytes:
    return zlib.compress(_encode(summary), 1)


def unpack(packed: bytes) -> dict:
    return _decode(zlib.decompress(packed))


class Spill:
    """An unnamed temp file that packed values are appended to and read back from (by
    position: forked workers read it too)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # open as long as the store: it and the file are gone when the build ends
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self._end = 0

    def put(self, data: bytes) -> tuple[int, int]:
        at = self._end
        written = os.pwrite(self._file.fileno(), data, at)
        if written != len(data):
            raise OSError(f"short write to a temp file ({written} of {len(data)} bytes)")
        self._end += written
        return at, written

    def get(self, where: tuple[int, int]) -> bytes:
        at, size = where
        return os.pread(self._file.fileno(), size, at)


def spill(folder: Path | None) -> Spill | None:
    """A Spill in ``folder``; None (keep values in memory) when it cannot have one."""
    if folder is None:
        return None
    try:
        return Spill(folder)
    except OSError:
        return None


class SummaryStore(MutableMapping[Key, dict]):
    """A mapping of (window, period) to summary that holds its values packed (in
    ``spill``'s temp file when given one)."""

    def __init__(self, items: dict[Key, dict] | None = None, *, spill: Spill | None = None) -> None:
        self._packed: dict[Key, bytes | tuple[int, int]] = {}
        self._spill = spill
        for key, summary in (items or {}).items():
            self[key] = summary

    def __getitem__(self, key: Key) -> dict:
        packed = self._packed[key]
        if isinstance(packed, tuple):
            assert self._spill is not None
            packed = self._spill.get(packed)
        return unpack(packed)

    def __setitem__(self, key: Key, summary: dict) -> None:
        self._hold(key, pack(summary))

    def _hold(self, key: Key, packed: bytes) -> None:
        if self._spill is not None:
            with contextlib.suppress(OSError):  # a full disk: keep it in memory
                self._packed[key] = self._spill.put(packed)
                return
        self._packed[key] = packed

    @property
    def spill(self) -> Spill | None:
        return self._spill

    def __delitem__(self, key: Key) -> None:
        del self._packed[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def take(self, other: SummaryStore, key: Key) -> None:
        """Hold ``other``'s entry for ``key`` too (shared as it is, not unpacked)."""
        packed = other._packed[key]
        if isinstance(packed, tuple) and other._spill is not self._spill:
            assert other._spill is not None
            self._hold(key, other._spill.get(packed))
        else:
            self._packed[key] = packed

    def copy(self) -> SummaryStore:
        """A store with the same entries (the packed bytes are shared, not unpacked)."""
        out = SummaryStore(spill=self._spill)
        out._packed = dict(self._packed)
        return out
