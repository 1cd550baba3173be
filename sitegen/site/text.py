"""Text from the logs on a page: escaped as Jinja2's autoescape does, control
characters as U+FFFD, a long value cut with its length (sitegen.export.shorten), and
isolated from the page's direction in ``<bdi>``, so a right-to-left name or a stray
U+202E cannot reorder the text around it.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from sitegen.export import CONTROLS, SHOWN_CHARS, shorten

# Most log text needs none of this: one search decides (a trade table calls esc() for
# each row's reasoning and exit reason).
_SPECIAL = re.compile("[&<>\"'\x00-\x1f\x7f-\x9f\u2028\u2029]").search


def esc(text: str) -> str:
    """``text`` as a page shows it, without the ``<bdi>``."""
    if len(text) > SHOWN_CHARS:
        head, more = shorten(text)
        return str(escape(head.translate(CONTROLS))) + more
    return str(escape(text.translate(CONTROLS))) if _SPECIAL(text) else text


def log_html(value: object) -> Markup:
    """A log value for a template, in ``<bdi>``; nothing for None or ''."""
    if value is None:
        return Markup("")
    text = str(value)
    return Markup(f"<bdi>{esc(text)}</bdi>") if text else Markup("")
