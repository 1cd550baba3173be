"""Worker processes of a build: none outlives it.

A process pool's workers wait for tasks on a pipe that each of them holds open too, so
a build killed with SIGKILL (no chance to shut its pools down) would leave them
waiting forever, holding their memory. Every pool a build starts runs
:func:`exit_with_parent` in each worker.
"""

from __future__ import annotations

import os
import threading
import time

#: seconds between two looks at whether the build is still there
POLL = 0.5


def exit_with_parent(parent: int) -> None:
    """A pool initializer: exit this worker as soon as ``parent`` (the build, whose pid
    it is given) is gone, whatever the worker is doing then."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="sitegen-parent-watch").start()
