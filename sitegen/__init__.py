"""sitegen: trading-bot trade logs -> performance summaries, alerts and a static site.

The library API the bot can call::

    import sitegen
    config = sitegen.load_config(logs_dir="logs")
    report = sitegen.build(config)
    today = sitegen.Tracker(config).get_summary("daily")

Names are imported on first use, so ``import sitegen`` (and ``sitegen --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "build": "sitegen.pipeline",
    "BuildReport": "sitegen.report",
    "Tracker": "sitegen.pipeline",
    "Config": "sitegen.config",
    "Targets": "sitegen.config",
    "load_config": "sitegen.config",
    "SitegenError": "sitegen.errors",
    "ConfigError": "sitegen.errors",
    "InputError": "sitegen.errors",
    "BuildError": "sitegen.errors",
    "NoDataError": "sitegen.errors",
}

__all__ = [
    "BuildError",
    "BuildReport",
    "Config",
    "ConfigError",
    "InputError",
    "NoDataError",
    "SitegenError",
    "Targets",
    "Tracker",
    "__version__",
    "build",
    "load_config",
]

if TYPE_CHECKING:  # pragma: no cover
    from sitegen.config import Config, Targets, load_config
    from sitegen.errors import BuildError, ConfigError, InputError, NoDataError, SitegenError
    from sitegen.pipeline import Tracker, build
    from sitegen.report import BuildReport


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sitegen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
