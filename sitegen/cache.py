"""The cache index ``performance-index.json``: per log file its stamp and digest.

Stamped and disposable (like Pelican's cache): ``(size, mtime, hash) -> digest``
as JSON, never pickle. A corrupt, truncated or foreign index, or one written with
other settings, is one warning and a rebuild from scratch — never a crash.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from sitegen.incremental import BuildState
from sitegen.rules import TAIL
from sitegen.writer import atomic_write, atomic_write_chunks

log = logging.getLogger("sitegen")

INDEX_NAME = "performance-index.json"
#: the folder (in the artifacts folder) for caches besides the index
CACHE_DIR = ".sitegen-cache"
#: bump when digests, partials or metrics change meaning: old indexes are then rebuilt
FORMAT_VERSION = 8


class IndexHead(msgspec.Struct):
    """What a no-change build needs: read without decoding the digests."""

    version: int
    fingerprint: str
    state: BuildState | None = None


@functools.cache
def _index_codec() -> tuple[type, msgspec.json.Decoder]:
    """The full index type, made on first use: only builds that read or write digests
    load the digest and partial types (a no-change build reads just the head)."""
    from sitegen.digest import FileDigest
    from sitegen.history import AssembledDay

    index = msgspec.defstruct(
        "Index",
        [
            ("version", int),
            ("fingerprint", str),
            ("state", BuildState | None, None),
            ("files", dict[str, FileDigest], {}),
            ("days", dict[dt.date, AssembledDay], {}),
        ],
    )
    return index, msgspec.json.Decoder(index)


def content_hash(data: bytes) -> str:
    """A fast checksum of a log file's bytes, to confirm a change the stamp suggests."""
    return f"crc32:{zlib.crc32(data):08x}:{len(data)}"


def fingerprint(timezone: str) -> str:
    """Everything that changes what a digest holds. (Settings that change only summaries,
    alerts or pages go into the outputs key instead, so they never force a re-read.)"""
    raw = json.dumps({"format": FORMAT_VERSION, "timezone": timezone, "tail": TAIL})
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


_head_decoder = msgspec.json.Decoder(IndexHead)


class HeadFile(msgspec.Struct):
    """A copy of the index's head beside it, stamped with the index it belongs to, so
    a no-change build need not read a large index at all."""

    index_size: int
    index_mtime_ns: int
    head: IndexHead


def head_path(index: Path) -> Path:
    return index.parent / CACHE_DIR / "index-head.json"


def read_head(path: Path) -> IndexHead | None:
    """The index without its digests (from its head file when that still matches the
    index), or None when the index is missing or unreadable."""
    try:
        st = path.stat()
    except OSError:
        return None
    try:
        found = msgspec.json.decode(head_path(path).read_bytes(), type=HeadFile)
        if (found.index_size, found.index_mtime_ns) == (st.st_size, st.st_mtime_ns):
            return found.head
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        pass
    try:
        return _head_decoder.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None


@dataclass
class Cached:
    """What the index holds: digests by file name, the days rebuilt from interleaved
    files, and the state the last complete build left."""

    files: dict[str, Any] = field(default_factory=dict)
    days: dict[dt.date, Any] = field(default_factory=dict)
    state: BuildState | None = None


def load_index(path: Path, expected: str) -> Cached:
    """The index's content; empty (after one warning) when it cannot be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Cached()
    except OSError as exc:
        log.warning("cache index %s unreadable (%s); rebuilding from scratch", path, exc)
        return Cached()
    try:
        index = _index_codec()[1].decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        log.warning("cache index %s is corrupt (%s); rebuilding from scratch", path, exc)
        return Cached()
    if index.version != FORMAT_VERSION:
        log.warning(
            "cache index %s has format %s (this sitegen writes %s); rebuilding from scratch",
            path,
            index.version,
            FORMAT_VERSION,
        )
        return Cached()
    if index.fingerprint != expected:
        log.warning("settings changed since the cache index was written; rebuilding from scratch")
        return Cached()
    return Cached(index.files, index.days, index.state)


def save_index(
    path: Path,
    digests: Sequence,
    days: dict,
    expected: str,
    state: BuildState | None,
) -> bool:
    """Write the index atomically; returns False when it already held these bytes.

    It is written a file's digest at a time, as msgspec would encode the whole index
    (the same JSON object), so that a large history's index is never whole in memory."""
    encode = msgspec.json.encode

    def chunks() -> Iterator[bytes]:
        yield b'{"version":%d,"fingerprint":%s,"state":%s,"files":{' % (
            FORMAT_VERSION,
            encode(expected),
            encode(state),
        )
        for i, dg in enumerate(digests):
            yield (b"," if i else b"") + encode(dg.name) + b":" + encode(dg)
        yield b'},"days":' + encode(dict(sorted(days.items()))) + b"}"

    changed = atomic_write_chunks(path, chunks())
    st = path.stat()
    head = HeadFile(st.st_size, st.st_mtime_ns, IndexHead(FORMAT_VERSION, expected, state))
    encoded = msgspec.json.encode(head)
    try:
        same = head_path(path).read_bytes() == encoded
    except OSError:
        same = False
    if not same:
        atomic_write(head_path(path), encoded)
    return changed
