"""The cache index ``performance-index.json`` and every stamp and key a build keeps.

Stamped and disposable (like Pelican's cache): ``(size, mtime, hash) -> digest``
as JSON, never pickle. A corrupt, truncated or foreign index, or one written with
other settings, is one warning and a rebuild from scratch — never a crash.

A stamp describes the bytes a build read, taken when it read them (read_stamped), so
a line appended while a build runs is seen by the next one. The outputs are state
too: the index keeps a manifest of every file the build wrote (size, mtime, hash),
and a build is only "up to date" when its inputs still carry the stamps it read and
its outputs the stamps it wrote (up_to_date).
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import hashlib
import json
import logging
import os
import stat
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from sitegen.config import Config, default_templates_dir
from sitegen.errors import BuildError
from sitegen.ingest import list_log_files
from sitegen.report import BuildReport, finish
from sitegen.rules import TAIL
from sitegen.writer import atomic_write, atomic_write_chunks, why

log = logging.getLogger("sitegen")

INDEX_NAME = "performance-index.json"
#: the folder (in the artifacts folder) for caches besides the index
CACHE_DIR = ".sitegen-cache"
#: bump when digests, partials or metrics change meaning: old indexes are then rebuilt
FORMAT_VERSION = 15


#: (size, mtime_ns) of the bytes a build read; NO_STAMP when it cannot be trusted (the
#: file changed while it was read): it then matches no file, so the next build looks
Stamp = tuple[int, int]
NO_STAMP: Stamp = (-1, -1)


def read_stamped(path: Path) -> tuple[bytes, Stamp]:
    """A file's bytes with the stamp of exactly those bytes.

    The stamp is taken from the open file before reading it. When the file grew while
    it was read, its mtime cannot be trusted to describe what was read: the stamp's
    mtime is then -1, so the next build looks at the file again (and its checksum,
    for a log file, decides)."""
    with open(path, "rb") as fp:
        st = os.fstat(fp.fileno())
        data = fp.read()
    return data, (len(data), st.st_mtime_ns if len(data) == st.st_size else -1)


def file_stamp(path: Path) -> Stamp | None:
    """The stamp a file has now (None when it does not exist or cannot be seen)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def key_of(*parts: object) -> str:
    """A short stable hash of JSON-able parts."""
    raw = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class OutputStamp(msgspec.Struct, frozen=True, array_like=True):
    """What a build wrote to one output file: checked by stat, then by hash."""

    size: int
    mtime_ns: int
    hash: str


class Manifest:
    """The output files under one folder a build wrote (or found already right), by
    path relative to it. The one Writer records into it (see writer.Writer.on_write)."""

    def __init__(self, root: Path, entries: dict[str, OutputStamp] | None = None) -> None:
        self.root = root
        self.entries: dict[str, OutputStamp] = dict(entries or {})

    def record(self, relative: str, data: bytes) -> None:
        """``relative`` now holds ``data``."""
        st = (self.root / relative).stat()
        self.entries[relative] = OutputStamp(st.st_size, st.st_mtime_ns, content_hash(data))

    def verify(self) -> list[str]:
        """Drop the entries whose file is missing or holds other bytes (returned); an
        entry whose stat changed but whose bytes did not is stamped again."""
        damaged = []
        for relative, old in list(self.entries.items()):
            path = self.root / relative
            try:
                st = path.stat()
                if (st.st_size, st.st_mtime_ns) == (old.size, old.mtime_ns):
                    continue
                same = st.st_size == old.size and content_hash(path.read_bytes()) == old.hash
            except OSError:
                same = False
            if same:
                self.entries[relative] = OutputStamp(st.st_size, st.st_mtime_ns, old.hash)
            else:
                damaged.append(relative)
                del self.entries[relative]
        return damaged

    def forget(self, paths: Iterable[Path]) -> None:
        """Drop the entries of files removed from the folder."""
        for path in paths:
            if path.is_relative_to(self.root):
                self.entries.pop(path.relative_to(self.root).as_posix(), None)


class BuildState(msgspec.Struct):
    """What the last complete build read and produced (stored in the cache index)."""

    inputs: str  # key of the settings and the stamps of every input the build read
    settings: str  # key of the settings summaries and pages depend on
    #: the runs of the data range, and those parts of them between the first and the
    #: last log date (where a day without a log is missing): History.spans, .log_spans
    spans: list[tuple[dt.date, dt.date]] = []
    log_spans: list[tuple[dt.date, dt.date]] = []
    #: the alert events this build raised (its incidents: sitegen/incidents.py), each
    #: with the acknowledgement the alert log held when read
    events: list[dict] = []
    open_breaches: list[str] = []
    #: every log file ended with a newline (a file being written is read again next time)
    complete: bool = True
    #: "window period" -> what the summary rules read of that period (reused when unchanged)
    rule_inputs: dict[str, dict] = {}
    #: log file name -> key of its records superseded by later files (History.identity)
    identity: dict[str, str] = {}
    #: the files written, per output folder ("artifacts", "site")
    outputs: dict[str, dict[str, OutputStamp]] = {}
    #: the books (modes) every page's mixed-books notice names, sorted (none: one book);
    #: when a build finds others, it renders every page again (sitegen.render)
    books: list[str] = []
    #: drill-down page (site path) -> the key of what it was made from (key_page_key)
    key_pages: dict[str, str] = {}


def day_rows_key(files: Iterable[tuple[str, str]], superseded: Iterable[Iterable[str]]) -> str:
    """The key of what a day's trade rows are made of: its log files (name and content
    hash) and, for each, the records later files supersede in it."""
    return key_of("day-rows", list(files), [sorted(ids) for ids in superseded])


def key_page_key(books: Iterable[str], inputs: Iterable[str]) -> str:
    """The key of what a symbol's or strategy's page is made of: its inputs, text parts
    hashed as they come (sitegen.drill.page_inputs), and the books its mixed-books
    notice names. The settings are not in it: a build with other settings renders every
    page anyway."""
    digest = hashlib.sha256(json.dumps(["key-page", list(books)]).encode())
    for part in inputs:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:24]


def inputs_key(
    settings: str, logs: Iterable[tuple[str, Stamp | None]], alert_log: Stamp | None
) -> str:
    """The key of a build's inputs: its settings, the stamp of each log file (by name)
    and of the alert log. A build stores the stamps of what it read; a later build
    compares the stamps the files have now."""
    return key_of(settings, sorted(logs), alert_log)


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


def fingerprint(timezone: str, modes: Iterable[str] | None = None) -> str:
    """Everything that changes what a digest holds: the time zone and the modes analysed
    (None: every mode). (Settings that change only summaries, alerts or pages go into
    the outputs key instead, so they never force a re-read.)"""
    chosen = None if modes is None else sorted(set(modes))
    raw = json.dumps(
        {"format": FORMAT_VERSION, "timezone": timezone, "tail": TAIL, "modes": chosen}
    )
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
        found = msgspec.json.decode(_read_file(head_path(path)), type=HeadFile)
        if (found.index_size, found.index_mtime_ns) == (st.st_size, st.st_mtime_ns):
            return found.head
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        pass
    try:
        return _head_decoder.decode(_read_file(path))
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None


def _read_file(path: Path) -> bytes:
    """The bytes of a regular file; OSError for anything else in its place (reading a
    FIFO would wait for a writer forever)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fp:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return fp.read()


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
        data = _read_file(path)
    except FileNotFoundError:
        return Cached()
    except OSError as exc:
        log.warning(
            "cache index %s unreadable (%s); rebuilding from scratch", path, exc.strerror or exc
        )
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
    # A digest's parts are decoded as views into ``data`` (msgspec.Raw): copied out, so
    # that the whole index is not held for the build's length (a third of its bytes).
    files = {
        name: msgspec.structs.replace(dg, parts=dg.parts.copy()) for name, dg in index.files.items()
    }
    return Cached(files, index.days, index.state)


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

    try:
        changed = atomic_write_chunks(path, chunks())
        st = path.stat()
    except OSError as exc:
        raise BuildError(f"cannot write the cache index {path}: {why(exc)}") from exc
    head = HeadFile(st.st_size, st.st_mtime_ns, IndexHead(FORMAT_VERSION, expected, state))
    encoded = msgspec.json.encode(head)
    try:
        same = _read_file(head_path(path)) == encoded
    except OSError:
        same = False
    if not same:
        try:
            atomic_write(head_path(path), encoded)
        except OSError as exc:
            raise BuildError(f"cannot write the cache index {head_path(path)}: {why(exc)}") from exc
    return changed


def settings_key(config: Config, site: bool) -> str:
    """Everything besides the logs that summaries, alerts and pages depend on."""
    from sitegen import __version__

    return key_of(
        __version__,
        config.timezone,
        sorted(config.holidays),
        config.rolling_window,
        [rule.name for rule in config.rules],
        [rule.as_dict() for rule in config.rules],
        config.targets.values(),
        site,
        str(config.site_dir.resolve()) if site else None,
        _tree_stamp(config.templates_dir) if site else None,
        _tree_stamp(default_templates_dir()) if site else None,
        *_returns_key(config),
    )


def _returns_key(config: Config) -> tuple:
    """The account size, when known (every summary's returns depend on it); nothing when
    not, so that the key of a build without it is the key it always was."""
    if config.starting_equity is None:
        return ()
    return (("starting_equity", format(config.starting_equity.normalize(), "f")),)


def _tree_stamp(folder: Path | None) -> list:
    """(name, size, mtime) of every file under a templates folder: edits show."""
    if folder is None:
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            found.append((str(path.relative_to(folder)), st.st_size, st.st_mtime_ns))
    return found


def output_roots(config: Config, site: bool) -> dict[str, Path]:
    """The folders whose files a build owns, by the name its manifest has."""
    return (
        {"artifacts": config.artifacts, "site": config.site_dir}
        if site
        else {"artifacts": config.artifacts}
    )


def up_to_date(config: Config, site: bool) -> BuildState | None:
    """The last build's state when nothing changed since: every log file and the alert
    log still carry the stamps of the bytes it read, the settings and theme are the
    same, and every output it wrote still carries the stamp it had. Else None.

    Stamps only, no hashing: an output whose stat changed is checked by the build that
    follows (Manifest.verify), which also stamps it again when its bytes are the same."""
    head = read_head(config.artifacts / INDEX_NAME)
    if (
        head is None
        or head.version != FORMAT_VERSION
        or head.fingerprint != fingerprint(config.timezone, config.modes)
        or head.state is None
        or not head.state.complete
    ):
        return None
    state = head.state
    try:
        logs = [(path.name, file_stamp(path)) for _, path in list_log_files(config.logs_dir)]
    except OSError:
        return None
    settings = settings_key(config, site)
    if inputs_key(settings, logs, file_stamp(config.alerts_file)) != state.inputs:
        return None
    roots = output_roots(config, site)
    if set(state.outputs) != set(roots):
        return None
    stat = os.stat
    for name, root in roots.items():
        prefix = os.path.join(root, "")  # plain strings: at a million trades, 5,000 stats
        try:
            for relative, stamp in state.outputs[name].items():
                st = stat(prefix + relative)
                if st.st_mtime_ns != stamp.mtime_ns or st.st_size != stamp.size:
                    return None
        except OSError:
            return None
    return state


def quick_report(config: Config, site: bool, began: float) -> BuildReport | None:
    """The report of a build that has nothing to do, or None when something changed."""
    state = up_to_date(config, site)
    if state is None:
        return None
    from sitegen.incidents import open_incidents

    files = len(list_log_files(config.logs_dir))
    report = BuildReport(
        files_total=files,
        cache_hits=files,
        open_breaches=list(state.open_breaches),
        open_incidents=open_incidents(state.events, state.open_breaches),
        up_to_date=True,
        artifacts_dir=config.artifacts,
        site_dir=config.site_dir if site else None,
    )
    return finish(report, began)
