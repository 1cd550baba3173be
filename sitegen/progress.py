"""The build's progress bar: on a terminal only (rich is loaded only then), never
when output is piped, redirected or in CI."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@contextlib.contextmanager
def progress_bar(
    *, enabled: bool = True, console: Console | None = None
) -> Iterator[Callable[[str, int, int], None] | None]:
    """Yields the ``progress(stage, done, total)`` callback a build calls, or None."""
    terminal = console.is_terminal if console is not None else sys.stderr.isatty()
    if not enabled or not terminal or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console or Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        yield update
