"""``sitegen serve``: build, serve the site folder, rebuild on change, reload open pages.

A thin shell around :func:`sitegen.pipeline.build` and the ``livereload`` package (its
tornado server and polling watcher). As with ``mkdocs serve``: the config is read
again on every rebuild, one ScanCache is kept across rebuilds (so a rebuild reads only
changed log files), and a failed rebuild is reported while the last good site stays
served.

Two things are done here rather than by livereload, after reading its source (2.7):
its watcher runs a task on every 800 ms poll that sees a change, and its ``delay``
only postpones the reload message; and it drops a reload that comes within 1-3 s of
the previous one, so a quick second edit would not show. So a change only schedules a
rebuild (all changes within ``DEBOUNCE`` seconds make one rebuild), and the pages are
reloaded once that rebuild has written them.
"""

from __future__ import annotations

import dataclasses
import glob
import ipaddress
import logging
import threading
import traceback
import webbrowser
from collections.abc import Callable
from pathlib import Path

import jinja2
from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado.ioloop import IOLoop
from tornado.web import HTTPError

from sitegen.config import DEFAULT_CONFIG, Config
from sitegen.errors import BuildError, ConfigError, SitegenError
from sitegen.lock import DEFAULT_TIMEOUT as DEFAULT_LOCK_TIMEOUT
from sitegen.pipeline import BuildReport, ScanCache, build

log = logging.getLogger("sitegen")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEBOUNCE = 0.3  # seconds: changes this close together make one rebuild


def parse_address(value: str) -> tuple[str, int]:
    """``HOST:PORT`` as ``(host, port)``; ``[::1]:8000`` for IPv6, ``:8000`` for
    127.0.0.1. Raises ValueError with a message naming the expected form."""
    host, sep, port = value.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"write an IPv6 host in brackets, as in [::1]:8000; got {value!r}")
    digits = port.isascii() and port.isdigit() and len(port) <= 5  # int() of 5,000 digits fails
    if not sep or not digits or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT such as {DEFAULT_HOST}:{DEFAULT_PORT}, got {value!r}")
    if any(c.isspace() for c in host):
        raise ValueError(f"{host!r} is not a host name or IP address")
    return host or DEFAULT_HOST, int(port)


def watched_paths(config: Config) -> list[str]:
    """What a build depends on, as livereload watch specs: the trade logs and the alert
    log (``sitegen ack`` changes it), the config and targets files (watched even before
    they exist) and the templates folder."""
    from sitegen.config import default_templates_dir

    templates = config.templates_dir or default_templates_dir()
    files = (config.config_file or DEFAULT_CONFIG, config.targets_file)
    if config.alerts_file.parent != config.logs_dir or config.alerts_file.suffix != ".jsonl":
        files += (config.alerts_file,)  # an `alert_log` outside the logs folder
    return [
        glob.escape(str(config.logs_dir)) + "/*.jsonl",  # not the artifacts under logs/
        *(glob.escape(str(path)) for path in files),
        str(templates) if templates.is_dir() else glob.escape(str(templates)),
    ]


def describe(exc: BaseException) -> str:
    """A one-line account of a failed build, with the template file and line if any."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}"
    if isinstance(exc, jinja2.TemplateError):
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")
        ]
        where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
        return f"{where}template error: {type(exc).__name__}: {exc}"
    return str(exc)


class Rebuilder:
    """Reloads the config and rebuilds into the served folder through one ScanCache.

    ``watch`` (set once the server exists) is called with each new watch spec; a
    successful build that changed anything calls ``reload_pages``.
    """

    def __init__(
        self,
        config: Config,
        load: Callable[[], Config],
        *,
        delay: float = DEBOUNCE,
        lock_timeout: float | None = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        self.config = config
        self.load = load
        self.site_dir = config.site_dir.resolve()
        self.delay = delay
        self.lock_timeout = lock_timeout  # waiting for a command-line build of the same output
        self.cache = ScanCache()
        self.watch: Callable[[str], None] | None = None
        self.watched: set[str] = set()
        self.reload_pages: Callable[[], None] = lambda: None
        self._pending = None

    def follow(self, config: Config) -> None:
        """Watch what ``config`` depends on (a reloaded config may name new files)."""
        if self.watch is None:
            return
        for spec in watched_paths(config):
            if spec not in self.watched:
                self.watched.add(spec)
                self.watch(spec)

    def schedule(self) -> None:
        """Watcher callback (on the IOLoop): rebuild once changes have settled."""
        if self._pending is None:
            self._pending = IOLoop.current().call_later(self.delay, self._run)

    def _run(self) -> None:
        self._pending = None
        self.rebuild()

    def rebuild(self) -> BuildReport | None:
        """One build; None when it failed (reported; the site is left as it was)."""
        try:
            config = self.load()
            self.follow(config)
            if config.site_dir.resolve() != self.site_dir:
                log.warning("site_dir changed: restart serve to serve %s", config.site_dir)
                config = dataclasses.replace(config, site_dir=self.site_dir)
            self.config = config
            report = build(config, cache=self.cache, lock_timeout=self.lock_timeout)
        except Exception as exc:
            # A failed build may leave the cache ahead of the on-disk index: start over
            # from the index of the last good build.
            self.cache = ScanCache()
            if isinstance(exc, SitegenError | jinja2.TemplateError):
                log.error("build failed: %s", describe(exc))
            else:  # a bug in sitegen: show where, keep serving
                log.exception("build failed with an unexpected error")
            log.error("still serving the last good site; save a fix to rebuild")
            return None
        if not report.up_to_date:
            log.info(
                "built: %d pages written, %d unchanged",
                report.pages_rendered,
                report.pages_skipped,
            )
            self.reload_pages()
        return report


class _Watcher(Watcher):
    """livereload's polling watcher whose changes only schedule a rebuild: the reload
    is sent by the Rebuilder after the build, never by livereload itself."""

    def examine(self):
        super().examine()
        return None, None


class _SiteFiles(StaticFileHandler):
    """The regular files of the site folder, and 404 for anything else, never a 500.

    livereload routes every path but its own (``/livereload.js``) here. tornado refuses
    ``..`` as written and, from 6.6, symlinks out of the folder (a 403), but serves
    dotfiles (the ``.git/config`` of a site published from a checkout, a writer's temp
    file) and meets a NUL with a ValueError (a 500). So, whatever tornado's version: no
    NUL, no part starting with a dot, and the file it resolves to inside the folder."""

    def decode_argument(self, value: bytes, name: str | None = None) -> str:
        try:
            return super().decode_argument(value, name)
        except HTTPError:  # not UTF-8: no file of the site has that name
            raise HTTPError(404) from None

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        if "\0" in self.path or _hidden(self.path.split("/")):
            raise HTTPError(404)
        site = Path(root).resolve()
        try:
            target = Path(absolute_path).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            raise HTTPError(404) from None
        if not target.is_relative_to(site) or _hidden(target.relative_to(site).parts):
            raise HTTPError(404)
        try:
            found = super().validate_absolute_path(root, absolute_path)
        except (OSError, ValueError):
            raise HTTPError(404) from None
        if found is not None:  # a folder's index page may be a link too
            final = Path(found).resolve()
            if not final.is_relative_to(site) or _hidden(final.relative_to(site).parts):
                raise HTTPError(404)
        return found

    async def get(self, path: str, include_body: bool = True) -> None:
        try:
            await super().get(path, include_body)
        except HTTPError as exc:
            if exc.status_code != 403:  # tornado's "outside the folder", "not a file"
                raise
            raise HTTPError(404) from None
        except OSError:  # a page removed by a rebuild since it was checked
            if self._headers_written:
                raise
            raise HTTPError(404) from None


def _hidden(parts) -> bool:
    return any(part.startswith(".") for part in parts)


def serve(
    config: Config,
    *,
    load: Callable[[], Config] | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    lock_timeout: float | None = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Build, then serve ``config.site_dir`` on http://host:port/ until Ctrl-C (or
    until the IOLoop is stopped), rebuilding when a watched file changes. ``load``
    reads the config again for each rebuild (default: keep ``config``)."""
    rebuilder = Rebuilder(config, load or (lambda: config), lock_timeout=lock_timeout)
    try:
        if rebuilder.rebuild() is None and not (rebuilder.site_dir / "index.html").is_file():
            raise BuildError("the first build failed (see above) and there is no site to serve")
        server = Server(watcher=_Watcher())
        server.SFH = _SiteFiles
        rebuilder.watch = lambda spec: server.watch(spec, rebuilder.schedule)
        rebuilder.reload_pages = lambda: LiveReloadHandler.reload_waiters("*")
        rebuilder.follow(rebuilder.config)
        url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
        if not _is_loopback(host):
            log.warning("serving on %s: anyone who can reach it can read the site", host)
        log.info("serving %s at %s (Ctrl-C to stop)", rebuilder.site_dir, url)
        if open_browser:  # once listening; a thread, as a browser may not return at once
            opener = threading.Thread(target=webbrowser.open, args=(url,), daemon=True)
            IOLoop.current().add_callback(opener.start)
        try:
            server.serve(host=host, port=port, root=str(rebuilder.site_dir), restart_delay=0)
        except OSError as exc:
            raise ConfigError(
                f"-a {host}:{port}: cannot listen there ({exc.strerror or exc}); pick another port"
            ) from exc
    except KeyboardInterrupt:
        pass
    log.info("stopped serving")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
