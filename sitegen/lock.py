"""One build at a time per output: an exclusive ``fcntl.flock`` on a lock file.

Two builds that share an artifacts folder (two scheduled runs, or ``serve`` rebuilding
while a command-line build runs) would otherwise interleave their read-modify-write
of the cache index and the alert log: one could save an index describing outputs the
other has since replaced. So a build holds ``<artifacts>/.sitegen.lock`` from reading
the index to saving it, and a second build waits for it, up to a bound.

One lock keyed on the artifacts folder is enough: that folder holds the index (the
state every build reads and writes), and the site is rendered by the build that owns
it. The file is never deleted — removing a lock file while a build holds it would let
a third build lock a new file with the same name — and it stays empty, so the folder's
bytes still depend only on the inputs. The kernel drops a flock when its holder exits,
however it exits, so a killed build never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from pathlib import Path
from types import TracebackType

from sitegen.errors import BuildError, ConfigError

log = logging.getLogger("sitegen")

LOCK_NAME = ".sitegen.lock"
#: seconds a build waits for another build of the same output by default
DEFAULT_TIMEOUT = 60.0
#: and at most: a build that holds the lock for longer is stuck, not busy
MAX_TIMEOUT = 86_400.0


def check_timeout(timeout: float | None, key: str = "lock_timeout") -> float | None:
    """``timeout`` when it is a number of seconds from 0 to MAX_TIMEOUT, or None (as
    long as it takes); else a ConfigError naming ``key``. (NaN compares false with
    everything: a deadline of NaN would never come.)"""
    if timeout is None:
        return None
    number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if not (number and 0 <= timeout <= MAX_TIMEOUT):
        shown = f"{timeout:g}" if number else repr(timeout)
        raise ConfigError(
            f"{key} {shown}: expected a number of seconds from 0 to {MAX_TIMEOUT:g} "
            f"(a day); the default is {DEFAULT_TIMEOUT:g}"
        )
    return timeout


# Descriptors of the locks this process holds. A forked child (the worker processes of
# a parallel scan) shares them, and a flock lasts until the last copy is closed: a
# worker orphaned by a killed build would keep the output locked. Children close them.
_held: set[int] = set()


def _close_in_child() -> None:
    for fd in _held:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


class BuildLock:
    """An exclusive lock on ``folder/.sitegen.lock``, as a context manager.

    ``timeout`` is how many seconds to wait for another holder (None: as long as it
    takes; 0: not at all). A wait is announced once on the ``sitegen`` logger; giving
    up raises BuildError naming the lock file. ``waited`` tells whether another build
    held the lock first (its outputs may make this build's work unnecessary).
    """

    def __init__(
        self, folder: Path, *, timeout: float | None = DEFAULT_TIMEOUT, poll: float = 0.1
    ) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self.timeout = check_timeout(timeout)
        self.poll = poll
        self.waited = False
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            raise BuildError(f"{self.path} is already locked by this build")
        fd = self._open()
        try:
            self._wait(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        _held.add(fd)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None and fd in _held:  # (not in a forked child: it closed them)
            _held.discard(fd)
            os.close(fd)  # closing the last descriptor releases the lock

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def _open(self) -> int:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # flock needs only read access (so a lock file another user made works too)
            # (not through a symlink: creating its target would write outside the folder)
            flags = os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
            return os.open(self.path, flags, 0o666)
        except OSError as exc:
            from sitegen.writer import why  # imported here: `sitegen --help` stays fast

            raise BuildError(f"cannot create the lock file {self.path}: {why(exc)}") from exc

    def _wait(self, fd: int) -> None:
        deadline = None if self.timeout is None else time.monotonic() + max(self.timeout, 0)
        pause = min(0.01, self.poll)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            except OSError as exc:  # a file system without locks, say
                raise BuildError(f"cannot lock {self.path} ({exc.strerror or exc})") from exc
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise BuildError(self._timeout_message())
            if not self.waited:
                self.waited = True
                limit = "" if self.timeout is None else f" (up to {self.timeout:g} s)"
                log.warning(
                    "waiting for another build of %s to finish…%s; lock file %s",
                    self.folder,
                    limit,
                    self.path,
                )
            pause = min(pause * 2, self.poll)
            time.sleep(pause if deadline is None else max(0.0, min(pause, deadline - now)))

    def _timeout_message(self) -> str:
        waited = f"after {self.timeout:g} s" if self.timeout else "and --lock-timeout is 0"
        return (
            f"another sitegen build of {self.folder} is still running {waited}: it holds "
            f"the lock file {self.path}. Let it finish and run this build again, or pass "
            "--lock-timeout SECONDS to wait longer. Do not delete the lock file: it is "
            "freed as soon as that build exits."
        )
