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
from collections.abc import Hashable, Iterator, MutableMapping
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
        self.folder = folder
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


class SpillMap(MutableMapping[Hashable, bytes]):
    """Bytes by key, kept in ``spill``'s temp file (in memory without one, or when it
    cannot be written). What a build keeps per day or per file of a long history
    lives here, so that its memory does not grow with the history."""

    def __init__(self, spill: Spill | None = None) -> None:
        self._at: dict[Hashable, bytes | tuple[int, int]] = {}
        self._spill = spill

    @property
    def spill(self) -> Spill | None:
        return self._spill

    def __getitem__(self, key: Hashable) -> bytes:
        where = self._at[key]
        if isinstance(where, tuple):
            assert self._spill is not None
            return self._spill.get(where)
        return where

    def __setitem__(self, key: Hashable, data: bytes) -> None:
        if self._spill is not None:
            with contextlib.suppress(OSError):  # a full disk: keep it in memory
                self._at[key] = self._spill.put(data)
                return
        self._at[key] = data

    def __delitem__(self, key: Hashable) -> None:
        del self._at[key]

    def size(self, key: Hashable) -> int:
        """How many bytes ``key`` holds (without reading them)."""
        where = self._at[key]
        return where[1] if isinstance(where, tuple) else len(where)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def share(self, other: SpillMap, key: Hashable) -> None:
        """Hold ``other``'s entry for ``key`` too, without copying it when both keep
        their bytes in the same place."""
        where = other._at[key]
        if isinstance(where, tuple) and other._spill is not self._spill:
            self[key] = other[key]
        else:
            self._at[key] = where

    def copy(self) -> SpillMap:
        out = SpillMap(self._spill)
        out._at = dict(self._at)
        return out


class SummaryStore(MutableMapping[Key, dict]):
    """A mapping of (window, period) to summary that holds its values packed (in
    ``spill``'s temp file when given one)."""

    def __init__(self, items: dict[Key, dict] | None = None, *, spill: Spill | None = None) -> None:
        self._packed = SpillMap(spill)
        for key, summary in (items or {}).items():
            self[key] = summary

    def __getitem__(self, key: Key) -> dict:
        return unpack(self._packed[key])

    def __setitem__(self, key: Key, summary: dict) -> None:
        self._packed[key] = pack(summary)

    @property
    def spill(self) -> Spill | None:
        return self._packed.spill

    def __delitem__(self, key: Key) -> None:
        del self._packed[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._packed)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def take(self, other: SummaryStore, key: Key) -> None:
        """Hold ``other``'s entry for ``key`` too (shared as it is, not unpacked)."""
        self._packed.share(other._packed, key)

    def copy(self) -> SummaryStore:
        """A store with the same entries (the packed bytes are shared, not unpacked)."""
        out = SummaryStore()
        out._packed = self._packed.copy()
        return out
