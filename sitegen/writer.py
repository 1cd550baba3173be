"""The one place that writes output files: atomic, skip-if-unchanged, confined to a root."""

from __future__ import annotations

import contextlib
import errno
import filecmp
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sitegen.errors import BuildError


def _file_mode() -> int:
    """rw for everyone the umask allows, like a plain open(): mkstemp's private 0600
    would hide the site from a web server running as another user."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()

# What the user can do about a failed write, by its errno: the generic advice to check
# permissions sends someone with a full disk looking in the wrong place.
_REMEDIES = {
    errno.ENOSPC: "the disk is full ({}); free some space, then run sitegen again",
    errno.EDQUOT: "your disk quota is used up ({}); free some space, then run sitegen again",
    errno.EACCES: "permission denied ({}); check the folder's permissions",
    errno.EPERM: "operation not permitted ({}); check the folder's permissions",
    errno.EROFS: "it is on a read-only file system ({}); choose a folder you can write to",
    errno.ENOTDIR: "a file is in the way of a folder on that path ({}); check the folder's path",
    errno.EISDIR: "a folder is in the way ({}); remove or rename that folder",
    errno.EEXIST: "something by that name is in the way ({}); remove or rename it",
    errno.ELOOP: "it is a symbolic link ({}), and sitegen never writes through one; remove it",
}


def why(exc: OSError) -> str:
    """The cause of a failed write and what to do about it, from its errno."""
    strerror = exc.strerror or str(exc)
    remedy = _REMEDIES.get(exc.errno)  # type: ignore[arg-type]
    return remedy.format(strerror) if remedy else strerror


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and a rename, so a
    crash leaves either the old file or the new one, never a torn one."""
    _write_via_temp(path, (data,), keep_same=False)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> bool:
    """:func:`atomic_write` of the concatenation of ``chunks``, which are written as
    they come (a large file is never whole in memory). Returns False, leaving the file
    untouched, when it already held these bytes."""
    return _write_via_temp(path, chunks, keep_same=True)


def _write_via_temp(path: Path, chunks: Iterable[bytes], *, keep_same: bool) -> bool:
    """Write ``chunks`` to a temp file beside ``path``, then rename it over ``path``
    (unless ``keep_same`` and ``path`` holds the same bytes). True when replaced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fp:
            for chunk in chunks:
                fp.write(chunk)  # no fsync: rename is atomic against a killed process;
                # the page cache survives it, and fsync per page would dominate builds
        if keep_same and _same_bytes(tmp, path):
            os.unlink(tmp)
            return False
        os.replace(tmp, path)
        return True
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``, whole or not at all; FileExistsError when
    something by that name exists, even if it appeared a moment ago (a hard link of
    the temp file, unlike a rename, never replaces what is there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
        try:
            os.link(tmp, path)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            # a file system without hard links: exclusive creation, not atomic
            with open(path, "xb") as fp:
                fp.write(data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _same_bytes(a: str, b: Path) -> bool:
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


# atomic_write's temp names: "." + the file's name + "." + mkstemp's 8 characters + ".tmp"
_TEMP_NAME = re.compile(r"^\..+\.(?:json|md|html|css)\.[a-z0-9_]{8}\.tmp$")


def remove_leftovers(root: Path, *, before: float) -> int:
    """Delete temp files that a killed build left in ``root`` and its subfolders (not
    deeper: the writer writes no deeper), if last changed before ``before`` (a Unix
    time). Call it only while holding the build lock: then no build is writing them."""
    removed = 0
    folders = [root]
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if folder == root:
                        folders.append(Path(entry.path))
                elif _TEMP_NAME.match(entry.name) and entry.stat().st_mtime < before:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                pass
    return removed


class Writer:
    """Writes files below ``root``; refuses paths outside it and paths written twice.

    ``on_write(relative, data)`` is told of every file it leaves holding ``data``,
    written or already right (the build's manifest of its outputs: cache.Manifest)."""

    def __init__(self, root: Path, on_write: Callable[[str, bytes], None] | None = None) -> None:
        self.root = root
        self.on_write = on_write
        self._resolved = root.resolve()
        self._seen: set[Path] = set()
        self.written = 0
        self.unchanged = 0

    def write(self, relative: str | Path, data: bytes | str) -> bool:
        """Write one file; returns False when the file already held these bytes."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.root / relative
        resolved = path.resolve()
        if not resolved.is_relative_to(self._resolved):  # (the paths it is given have no ..)
            raise BuildError(
                f"refusing to write {path}: a symbolic link leads from there out of the output "
                f"folder {self.root} (to {resolved}); sitegen never writes through one. "
                "Remove the link and build again."
            )
        if resolved in self._seen:
            raise BuildError(f"refusing to write {path} twice in one build")
        self._seen.add(resolved)
        try:
            same = path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            try:
                atomic_write(path, data)
            except OSError as exc:
                raise BuildError(f"cannot write {path}: {why(exc)}") from exc
        if self.on_write is not None:
            self.on_write(Path(relative).as_posix(), data)
        if same:
            self.unchanged += 1
            return False
        self.written += 1
        return True
