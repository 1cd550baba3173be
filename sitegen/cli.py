"""The command line: thin click commands over the library.

Each command opens the config, calls one library function and turns a
SitegenError into exit 1 with its message (no traceback). Heavy modules are
imported inside the commands so that ``sitegen --help`` starts fast.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path

import click

from sitegen.errors import SitegenError
from sitegen.lock import DEFAULT_TIMEOUT as DEFAULT_LOCK_TIMEOUT
from sitegen.lock import check_timeout

WINDOW_CHOICE = click.Choice(["daily", "weekly", "monthly", "all"])


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (click's test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _setup_logging(verbosity: int) -> None:
    """Log lines to stderr as ``sitegen: LEVEL: message``; replaces only our own handler,
    so an application's logging setup (or pytest's caplog) keeps working."""
    level = {-1: logging.ERROR, 0: logging.INFO, 1: logging.DEBUG}[max(-1, min(1, verbosity))]
    logger = logging.getLogger("sitegen")
    for old in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(old)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("sitegen: %(levelname)s: %(message)s"))
    if verbosity < 1:  # a line per alert, window or gap only with -v: the command counts them
        handler.addFilter(lambda record: not getattr(record, "detail", False))
    logger.addHandler(handler)
    logger.setLevel(level)


def common_options(fn):
    """--config/--logs/--artifacts/--out/--targets/--mode, the same on every command."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file (default: config/sitegen.yaml when it exists).",
    )
    @click.option(
        "--logs",
        "logs_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of YYYY-MM-DD.jsonl trade logs (default: logs/).",
    )
    @click.option(
        "--artifacts",
        "artifacts_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder for JSON/Markdown summaries (default: LOGS/performance/).",
    )
    @click.option(
        "--out",
        "site_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder for the HTML site (default: site/).",
    )
    @click.option(
        "--targets",
        "targets_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Targets YAML (default: config/dashboard-targets.yaml).",
    )
    @click.option(
        "--mode",
        "modes",
        multiple=True,
        metavar="MODE",
        help="Only analyse trades of this execution_mode (PAPER, LIVE, ...; UNKNOWN: "
        "records without one); repeat for several (default: the config's modes, else "
        "every mode).",
    )
    @click.option("-q", "--quiet", "quiet", is_flag=True, help="Only print errors.")
    @click.option(
        "-v", "--verbose", "verbose", is_flag=True, help="Print a line per problem and details."
    )
    @functools.wraps(fn)
    def wrapper(
        config_path,
        logs_dir,
        artifacts_dir,
        site_dir,
        targets_file,
        modes,
        quiet,
        verbose,
        **kwargs,
    ):
        _setup_logging(-1 if quiet else 1 if verbose else 0)
        from sitegen.config import load_config

        try:
            config = load_config(
                config_path,
                logs_dir=logs_dir,
                artifacts_dir=artifacts_dir,
                site_dir=site_dir,
                targets_file=targets_file,
                modes=list(modes) or None,
            )
            return fn(config, quiet=quiet, **kwargs)
        except SitegenError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


class _ExitOne:
    """A usage error (an unknown command or option, a value out of range) exits 1 like
    every other error: exit 2 means only "open alerts" (``build``), so a script that
    tells the two apart never takes a typo for an alert."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise

    def resolve_command(self, *args, **kwargs):
        try:
            return super().resolve_command(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise

    def invoke(self, *args, **kwargs):
        try:
            return super().invoke(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise


class _Command(_ExitOne, click.Command):
    pass


class _Group(_ExitOne, click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sitegen")
def main() -> None:
    """Turn a trading bot's JSONL trade logs into performance summaries and a static site."""


def _lock_timeout(ctx, param, value: float) -> float:
    try:
        return check_timeout(value, "--lock-timeout")
    except SitegenError as exc:
        raise click.ClickException(str(exc)) from exc


lock_timeout_option = click.option(
    "--lock-timeout",
    type=float,
    callback=_lock_timeout,
    default=DEFAULT_LOCK_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another build of the same output to finish.",
)


def _no_logs(logs_dir: Path) -> bool:
    from sitegen.ingest import list_log_files

    try:
        return not list_log_files(logs_dir)
    except OSError:
        return True


@main.command()
@common_options
@click.option("--window", type=WINDOW_CHOICE, help="Only build this window kind.")
@click.option("--start", help="Only periods ending on or after this date (YYYY-MM-DD).")
@click.option("--end", help="Only periods starting on or before this date (YYYY-MM-DD).")
@click.option(
    "--backfill",
    type=click.IntRange(min=1),
    metavar="N",
    help="Make sure the summaries and pages of the last N days (ending at the last log date)"
    " are as the last build wrote them: write again any missing or changed.",
)
@click.option("--full", is_flag=True, help="Ignore the cache and rebuild everything.")
@click.option("--no-site", is_flag=True, help="Write summaries only; do not render the site.")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when any log line had to be skipped; validate every artifact.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="When the logs folder has no trade logs, write demo logs there first.",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when the latest day, week or month has an unacknowledged alert "
    "(errors still exit 1).",
)
@lock_timeout_option
def build(
    config,
    *,
    quiet,
    window,
    start,
    end,
    backfill,
    full,
    no_site,
    strict,
    demo,
    exit_zero,
    lock_timeout,
):
    """Read the logs, write every summary (JSON + Markdown) and the site.

    Exit 0 on success, 2 when the latest day, week or month has an unacknowledged
    alert (0 with --exit-zero), 1 on an error."""
    import time

    verbose = click.get_current_context().params["verbose"]

    from sitegen.cache import quick_report
    from sitegen.config import check_templates

    began = time.perf_counter()
    if demo and _no_logs(config.logs_dir):
        from sitegen.demo import generate

        paths = generate(config.logs_dir)
        click.echo(f"No trade logs in {config.logs_dir}/: wrote {len(paths)} days of demo logs.")
    if not no_site:  # (an empty theme folder removed since leaves every stamp as it was)
        check_templates(config)
    # Nothing changed since the last build: answer without loading the analytics.
    everything = not (window or start or end or backfill or full or strict)
    report = quick_report(config, not no_site, began) if everything else None
    if report is None:
        from sitegen.pipeline import build as run_build
        from sitegen.progress import progress_bar

        with progress_bar(enabled=not quiet) as progress:
            report = run_build(
                config,
                window=window,
                start=start,
                end=end,
                backfill=backfill,
                full=full,
                site=not no_site,
                validate=strict,
                lock_timeout=lock_timeout,
                progress=progress,
            )
    if not quiet:
        _print_problems(report, verbose or strict)  # --strict fails on them: list them
        if report.up_to_date:
            click.echo(
                f"Up to date: none of the {report.files_total} log files changed since the "
                f"last build (summaries in {config.artifacts}/)."
            )
        else:
            click.echo(
                f"Built {report.summaries} summaries from {report.trades} trades in "
                f"{report.files_total} log files: {report.artifacts_written} files written, "
                f"{report.artifacts_unchanged} unchanged, in {config.artifacts}/"
            )
        if backfill:
            click.echo(
                f"Backfill of the last {backfill} days: generated "
                f"{', '.join(report.backfill_generated) or 'nothing'}; skipped (valid) "
                f"{len(report.backfill_skipped)} periods."
            )
        if not no_site:
            index = (config.site_dir / "index.html").resolve()
            if not report.up_to_date:
                click.echo(
                    f"Site: {report.pages_rendered} pages written, {report.pages_skipped} "
                    f"unchanged, in {config.site_dir}/"
                )
            click.echo(f"Open {index.as_uri()} in a browser.")
    if strict and (report.bad_lines or report.skipped_lines):
        raise click.ClickException(
            f"--strict: {_count(max(report.skipped_lines, len(report.bad_lines)), 'log line')} "
            "skipped (see above)"
        )
    if report.open_breaches:
        if not quiet:
            incidents = len(report.open_incidents)
            click.echo(
                f"{_count(incidents, 'open incident')} "
                f"({_count(len(report.open_breaches), 'unacknowledged alert')}) in the latest "
                "day, week or month: run `sitegen alerts` to see them and `sitegen ack ID` to "
                "acknowledge.",
                err=True,
            )
        if not exit_zero:
            sys.exit(2)


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _print_problems(report, verbose: bool) -> None:
    """What needs a look, on stderr: by default a line per kind of problem with its
    count (the first few named); with -v every bad line (the first 100 of each file)."""
    skipped = max(report.skipped_lines, len(report.bad_lines))
    if verbose:
        for problem in report.bad_lines:
            click.echo(f"skipped {problem}", err=True)
    if skipped:
        click.echo(
            f"{_count(skipped, 'log line')} skipped (not valid trade records): "
            "`sitegen validate` lists them with file:line and reason.",
            err=True,
        )
    if report.partial_windows:
        shown = ", ".join(report.partial_windows[:3])
        more = " ..." if len(report.partial_windows) > 3 else ""
        click.echo(
            f"{_count(len(report.partial_windows), 'partial window')} (missing days or "
            f"skipped lines): {shown}{more}" + ("" if verbose else " (-v lists them)"),
            err=True,
        )
    if report.gaps:
        shown = ", ".join(report.gaps[:3]) + (" ..." if len(report.gaps) > 3 else "")
        click.echo(
            f"{_count(len(report.gaps), 'gap')} of more than 31 days without logs or trades, "
            f"with no pages inside: {shown}",
            err=True,
        )


def _address(ctx, param, value: str) -> tuple[str, int]:
    from sitegen.serve import parse_address

    try:
        return parse_address(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


@main.command()
@common_options
@click.option(
    "-a",
    "--dev-addr",
    "address",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="HOST:PORT",
    callback=_address,
    help="Address to serve on (0.0.0.0:PORT serves to your whole network).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@lock_timeout_option
def serve(config, *, quiet, address, open_browser, lock_timeout):
    """Build and serve the site; rebuild and reload pages when logs, config or templates change."""
    from sitegen.config import load_config
    from sitegen.serve import serve as run_serve

    # the config is read again on every rebuild, with the same command-line overrides
    params = click.get_current_context().params
    names = ("logs_dir", "artifacts_dir", "site_dir", "targets_file")
    load = functools.partial(
        load_config,
        params["config_path"],
        **{n: params[n] for n in names},
        modes=list(params["modes"]) or None,
    )
    host, port = address
    run_serve(
        config,
        load=load,
        host=host,
        port=port,
        open_browser=open_browser,
        lock_timeout=lock_timeout,
    )


@main.command()
@common_options
@click.option("--all", "show_all", is_flag=True, help="Include acknowledged and cleared ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the incidents as a JSON array.")
def alerts(config, *, quiet, show_all, as_json):
    """List the open incidents: runs of alerts of one rule, from the alert log and the
    last build (all of them with --all).

    An incident whose alerts the last build no longer raises (raised while their day
    was still being written, and the rest of the day cleared them) is "cleared": not
    open."""
    import json

    from sitegen.incidents import listing

    current, cleared, _ = _known_events(config)
    rows = listing(current, cleared)
    if not show_all:
        rows = [(incident, state) for incident, state in rows if state == "open"]
    if as_json:
        # ASCII only: a value the alert log was edited to hold cannot drive a terminal
        click.echo(json.dumps([incident for incident, _ in rows], indent=2))
        return
    if not rows:
        click.echo("No open alerts." if not show_all else "No alerts.")
        return
    from sitegen.console import print_incidents

    print_incidents(rows)


def _known_events(config) -> tuple[list[dict], list[dict], dict[str, dict]]:
    """The events of the last build with the alert log's acknowledgements as they are
    now, the cleared ones (incidents.current_and_cleared), and the log as read."""
    from sitegen.alertlog import read_alert_log
    from sitegen.cache import INDEX_NAME, read_head
    from sitegen.incidents import current_and_cleared

    logged = read_alert_log(config.alerts_file)
    head = read_head(config.artifacts / INDEX_NAME)
    built = head.state.events if head is not None and head.state is not None else None
    return (*current_and_cleared(built, logged), logged)


def _before(ctx, param, value: str | None):
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"--before: {value!r} is not a date (YYYY-MM-DD)") from None


@main.command()
@common_options
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--all", "everything", is_flag=True, help="Every alert.")
@click.option("--rule", metavar="R", help="Only the alerts of rule R.")
@click.option(
    "--before",
    metavar="DATE",
    callback=_before,
    help="Only the alerts of periods that end before DATE (YYYY-MM-DD).",
)
def ack(config, *, quiet, ids, everything, rule, before):
    """Acknowledge alerts: each ID (an alert's, or an incident's: all its alerts), or
    --all, narrowed by --rule and --before. Appends to the alert log in one write;
    history is never rewritten.

    `sitegen ack --before TODAY` quiets a long history in one command."""
    from sitegen.alertlog import acknowledge_events
    from sitegen.console import shown
    from sitegen.incidents import incidents, select

    if not (ids or everything or rule or before):
        raise click.UsageError("give alert or incident ids, or --all, --rule R or --before DATE")
    current, cleared, logged = _known_events(config)
    events = current + cleared
    found = incidents(current) + incidents(cleared)
    picked, unknown = select(events, found, ids, everything=everything, rule=rule, before=before)
    if unknown:
        raise click.ClickException(
            f"no alert or incident with id {', '.join(map(repr, map(shown, unknown)))} in "
            f"{config.alerts_file}; run `sitegen alerts --all` to list ids (and pass the same "
            "--config or --logs as the build)"
        )
    todo = [e for e in picked if not e.get("acknowledged_at")]
    if not todo:
        if not picked:
            click.echo("Nothing to acknowledge: no alert matches.")
        else:
            click.echo(
                f"Nothing to acknowledge: {_count(len(picked), 'matching alert')}, "
                "already acknowledged."
            )
        return
    # each appended as the log holds it (the last build may have updated its values)
    acked = acknowledge_events(config.alerts_file, [logged[e["id"]] for e in todo])
    ids_done = {e["id"] for e in acked}
    touched = sum(1 for i in found if ids_done.intersection(i["events"]))
    already = len(picked) - len(todo)
    click.echo(
        f"Acknowledged {_count(len(acked), 'alert')} in {_count(touched, 'incident')} at "
        f"{shown(acked[0]['acknowledged_at'])}"
        + (f"; {already} were already acknowledged." if already else ".")
    )


@main.command()
@common_options
@click.option(
    "--window",
    type=WINDOW_CHOICE,
    default="daily",
    show_default=True,
    help="Window kind to show.",
)
@click.option("--period", help="Period id (2025-10-10, 2025-W41, 2025-10); default: latest.")
@click.option(
    "--start", help="First date of a range (YYYY-MM-DD): one row per period of the window."
)
@click.option("--end", help="Last date of the range (YYYY-MM-DD).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary object instead (a JSON array of them for a range).",
)
def summary(config, *, quiet, window, period, start, end, as_json):
    """Show one period's key figures and targets (the latest period, or --period), or
    one row per period between --start and --end. A period without data is an error
    naming the dates the logs cover."""
    from sitegen.pipeline import Tracker

    tracker = Tracker(config)
    ranged = bool(start or end)
    if ranged:
        if period:
            raise click.UsageError("give either --period or --start/--end, not both")
        results = tracker.summaries(window, start, end)
    else:
        found = tracker.get_summary(window, period)
        if found is None:
            raise click.ClickException(f"no trade logs found in {config.logs_dir}/")
        results = [found]
    if as_json:
        from sitegen.export import summary_json

        if ranged:
            import json

            click.echo(json.dumps(results, indent=2, ensure_ascii=False))
        else:
            click.echo(summary_json(results[0]).decode("utf-8"), nl=False)
        return
    from sitegen.console import print_summaries, print_summary

    if ranged:
        print_summaries(results)
    else:
        print_summary(results[0])


@main.command()
@common_options
def validate(config, *, quiet):
    """Check every log line; list bad ones (file:line: reason). Exit 1 if any.

    Every line is checked, whatever its mode; valid records are counted per mode when
    the logs hold several, or when --mode (or the config's modes) selects some."""
    from collections import Counter

    from sitegen.ingest import read_log_file, record_mode
    from sitegen.scan import list_logs

    files = list_logs(config.logs_dir)
    problems, in_progress = [], []
    lines = records = bad = 0
    by_mode: Counter[str] = Counter()
    for day, path in files:  # one file in memory at a time
        scan = read_log_file(path, day)
        problems.extend(scan.problems)  # the first 100 of each file ...
        bad += len(scan.problems) + scan.more_problems  # ... and every one counted
        lines += scan.lines
        records += len(scan.records)
        by_mode.update(record_mode(rec.trade) for rec in scan.records)
        if scan.in_progress_line is not None:
            in_progress.append((scan.name, scan.in_progress_line))
    for problem in problems[:200]:
        click.echo(str(problem))
    if bad > min(len(problems), 200):
        click.echo(f"... and {bad - min(len(problems), 200):,} more")
    for name, line in in_progress:
        note = "last line has no newline (a write in progress; not counted yet)"
        click.echo(f"{name}:{line}: {note}")
    if len(by_mode) > 1 or config.modes is not None:
        from sitegen.pipeline import LISTED_MODES, shown_mode

        listed = sorted(by_mode.items())
        counts = ", ".join(f"{shown_mode(mode)} {n:,}" for mode, n in listed[:LISTED_MODES])
        if len(listed) > LISTED_MODES:
            counts += f" and {len(listed) - LISTED_MODES:,} more modes"
        line = f"Valid records by mode: {counts or 'none'}"
        if config.modes is not None:
            line += f" (analysed: {', '.join(config.modes)}; other modes are not analysed)"
        click.echo(line)
    click.echo(
        f"{_count(len(files), 'file')}, {_count(lines, 'line')}, "
        f"{_count(records, 'valid record')}, {_count(bad, 'bad line')}"
    )
    if bad:
        sys.exit(1)


@main.group(cls=_Group)
def export() -> None:
    """Export what the logs hold, for a spreadsheet or a script."""


@export.command("trades")
@common_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="csv",
    show_default=True,
    help="CSV (UTF-8, a header row) or one JSON object per line.",
)
@click.option("--start", help="First local day (YYYY-MM-DD).")
@click.option("--end", help="Last local day (YYYY-MM-DD).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
def export_trades(config, *, quiet, fmt, start, end, output):
    """Every analysed trade (open ones too) as a row: day, entry and exit time, symbol,
    strategy, side, quantity, price, stop, outcome, P&L, costs, R, hold time, exit
    reason, order id, mode, version, file and line."""
    from sitegen.pipeline import Tracker
    from sitegen.trade_export import chunks
    from sitegen.writer import atomic_write_chunks, why

    rows = Tracker(config).trades(start, end)
    if output is None:
        stream = sys.stdout.buffer
        try:
            for chunk in chunks(rows, fmt):
                stream.write(chunk)
            stream.flush()
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    target = output.resolve()
    if target.is_relative_to(config.logs_dir.resolve()):
        raise click.ClickException(
            f"refusing to write {output} into the logs folder {config.logs_dir}: sitegen "
            "never writes there (but for the alert log); choose another place"
        )
    try:
        atomic_write_chunks(output, chunks(rows, fmt))
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {why(exc)}") from exc
    if not quiet:
        click.echo(f"Wrote the trades to {output}", err=True)


@main.command("demo-data")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default="logs",
    show_default=True,
    help="Folder to write YYYY-MM-DD.jsonl files into.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Trading days to cover.",
)
@click.option(
    "--per-day",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Mean trades per day.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace log files of the same days (else: refuse, write nothing).",
)
@click.option(
    "--books",
    is_flag=True,
    help="Paper trading first, then live: execution_mode switches from PAPER to LIVE "
    "about 40% of the way through the days (default: every trade PAPER).",
)
@click.option(
    "--live-from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="With a paper to live switch on this date (YYYY-MM-DD): trades from then on are "
    "LIVE (implies --books).",
)
def demo_data(out, days, per_day, seed, force, books, live_from):
    """Write deterministic, realistic demo trade logs (never over existing ones).

    The bot's version (bot_version and config_hash) changes about 60% of the way
    through the days; with --books it also switches from paper to live trading."""
    from sitegen.demo import generate

    try:
        paths = generate(
            out,
            days=days,
            per_day=per_day,
            seed=seed,
            force=force,
            books=books,
            live_from=live_from.date() if live_from else None,
        )
    except SitegenError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {len(paths)} log files to {out}/")
