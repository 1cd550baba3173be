"""SummaryStore: summaries kept packed between the stages of a build.

A cold build of a long history makes a summary for every day, week and month before
it writes them and renders their pages; held as Python dicts they were the largest
thing a build kept in memory after the digests. The store keeps each one as
compressed MessagePack and gives back an equal dict on each read. A dict read from
it is a copy: after changing one, put it back.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, MutableMapping

import msgspec

Key = tuple[str, str]  # (window, period)

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(dict).decode


def pack(summary: dict) -> bytes:
    return zlib.compress(_encode(summary), 1)


def unpack(packed: bytes) -> dict:
    return _decode(zlib.decompress(packed))


class SummaryStore(MutableMapping[Key, dict]):
    """A mapping of (window, period) to summary that holds its values packed."""

    def __init__(self, items: dict[Key, dict] | None = None) -> None:
        self._packed: dict[Key, bytes] = {}
        for key, summary in (items or {}).items():
            self[key] = summary

    def __getitem__(self, key: Key) -> dict:
        return unpack(self._packed[key])

    def __setitem__(self, key: Key, summary: dict) -> None:
        self._packed[key] = pack(summary)

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
        self._packed[key] = other._packed[key]

    def copy(self) -> SummaryStore:
        """A store with the same entries (the packed bytes are shared, not unpacked)."""
        out = SummaryStore()
        out._packed = dict(self._packed)
        return out
