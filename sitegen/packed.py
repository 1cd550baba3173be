"""A build's summaries, kept encoded until a stage reads one.

A summary is a plain JSON-able dict (strings for decimals, ints, lists, dicts); a
build of a long history makes one per day, week and month, and as dicts they were the
largest thing a build held (37 MB at a million trades over 750 days, against 10 MB
as JSON). :class:`Summaries` keeps each as its JSON bytes and gives a fresh dict on
every read; a stage that changes one (alerts attached) stores it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping

import msgspec

Key = tuple[str, str]  # (window, period)

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(dict).decode


class Summaries(MutableMapping[Key, dict]):
    """Summaries by (window, period), each kept as JSON: reading gives a new dict equal
    to the one stored (tests/test_packed.py), in the order stored."""

    def __init__(self, items: Mapping[Key, dict] | Iterable[tuple[Key, dict]] = ()) -> None:
        self._data: dict[Key, bytes] = {}
        if isinstance(items, Summaries):
            self._data.update(items._data)  # the same bytes: nothing decoded
        else:
            self.update(items)

    def __getitem__(self, key: Key) -> dict:
        return _decode(self._data[key])

    def __setitem__(self, key: Key, summary: dict) -> None:
        self._data[key] = _encode(summary)

    def __delitem__(self, key: Key) -> None:
        del self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[Key]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)
