"""sitegen: trading-bot trade logs -> performance summaries, alerts and a static site.

The library API the bot can call::

    import sitegen
    config = sitegen.load_config(logs_dir="logs")
    report = sitegen.build(config)
    today = sitegen.Tracker(config).get_summary("daily")
"""

from sitegen.build import BuildReport, Tracker, build
from sitegen.config import Config, Targets, load_config
from sitegen.errors import BuildError, ConfigError, InputError, SitegenError

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "BuildReport",
    "Config",
    "ConfigError",
    "InputError",
    "SitegenError",
    "Targets",
    "Tracker",
    "__version__",
    "build",
    "load_config",
]
