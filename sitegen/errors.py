"""Errors the library raises. The CLI turns each into exit 1 with its message."""

from __future__ import annotations


class SitegenError(Exception):
    """Base class: a problem the user can act on. The message says what, where and what to do."""


class ConfigError(SitegenError):
    """A config, targets or command-line value is wrong. The message names the key."""


class InputError(SitegenError):
    """The logs cannot be read at all (missing or unreadable logs dir)."""


class BuildError(SitegenError):
    """A build could not finish (output not writable, template error, ...)."""


class NoDataError(SitegenError):
    """A period or date range the logs hold no data for. The message names the range
    they cover."""
