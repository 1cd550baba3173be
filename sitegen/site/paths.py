"""Where a period's page and data copies live in the site, relative to its root. Pure."""

from __future__ import annotations

from sitegen.export import artifact_name


def page_path(window: str, period: str) -> str:
    """Where a period's page lives, relative to the site root."""
    if window == "all":
        return "index.html"
    return f"{window}/{period}.html"


def data_path(window: str, period: str, ext: str) -> str:
    """The site's copy of a period's JSON or Markdown artifact."""
    return f"data/{artifact_name(window, period)}.{ext}"


def root_of(path: str) -> str:
    """The ``../`` prefix that leads from the page at ``path`` back to the site root."""
    return "../" * path.count("/")
