"""Incremental builds through the cache index: only new data costs time, and the
result is byte-identical to a fresh build."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from pathlib import Path

import pytest

from sitegen import scan as scan_module
from sitegen.cache import CACHE_DIR, FORMAT_VERSION, INDEX_NAME
from sitegen.config import load_config
from sitegen.demo import generate
from sitegen.pipeline import build

SITE = False  # these tests pin the cache; the site has its own tests


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    monkeypatch.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)
    logs = tmp_path / "logs"
    paths = generate(logs, days=12, per_day=15, seed=3)
    held = tmp_path / "held"
    held.mkdir()
    last = paths[-1]
    shutil.move(last, held / last.name)  # appended later
    return tmp_path, logs, held / last.name


@pytest.fixture
def reads(monkeypatch):
    """Names of the log files read during a build: by the scan stage, and read back
    later (for pages or identity cases)."""
    seen: list[str] = []
    scan_and_digest = scan_module.scan_and_digest
    read_back = scan_module.read_log_file

    def spy_scan(path, *args, **kwargs):
        seen.append(Path(path).name)
        return scan_and_digest(path, *args, **kwargs)

    def spy_read(path, *args, **kwargs):
        seen.append(Path(path).name)
        return read_back(path, *args, **kwargs)

    monkeypatch.setattr(scan_module, "scan_and_digest", spy_scan)
    monkeypatch.setattr(scan_module, "read_log_file", spy_read)
    return seen


def _config(logs: Path, **kw):
    return load_config(logs_dir=logs, **kw)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != INDEX_NAME and CACHE_DIR not in p.parts
    }


def _fresh_outputs(tmp_path: Path, logs: Path) -> dict[str, bytes]:
    fresh = tmp_path / "fresh"
    shutil.copytree(logs, fresh, ignore=shutil.ignore_patterns("performance*"))
    build(_config(fresh), site=SITE, full=True)
    return {k: v[0] for k, v in _snapshot(fresh / "performance").items()}


def test_no_change_rebuild_reads_and_writes_nothing(workspace, reads):
    _, logs, _ = workspace
    first = build(_config(logs), site=SITE)
    assert first.files_read == first.files_total > 0
    before = _snapshot(logs / "performance")
    reads.clear()
    again = build(_config(logs), site=SITE)
    assert again.up_to_date and again.files_read == 0 and reads == []
    assert again.open_breaches == first.open_breaches
    assert _snapshot(logs / "performance") == before  # same bytes, same mtimes


def test_append_one_day_reads_only_that_file(workspace, reads):
    tmp_path, logs, held = workspace
    build(_config(logs), site=SITE)
    shutil.copy(held, logs / held.name)
    reads.clear()
    report = build(_config(logs), site=SITE)
    assert reads == [held.name]
    assert report.files_read == 1 and report.cache_hits == report.files_total - 1
    assert report.summaries < 10  # its day, week, month, all (and neighbours)
    outputs = {k: v[0] for k, v in _snapshot(logs / "performance").items()}
    assert outputs == _fresh_outputs(tmp_path, logs)


def test_editing_an_old_day_recomputes_its_periods(workspace, reads):
    tmp_path, logs, _ = workspace
    build(_config(logs), site=SITE)
    old = sorted(logs.glob("2025-*.jsonl"))[2]
    lines = old.read_text().splitlines(keepends=True)
    record = json.loads(lines[0])
    record["net_profit_loss"] = "-999.99"
    record["outcome"] = "loss"
    lines[0] = json.dumps(record) + "\n"
    old.write_text("".join(lines))
    reads.clear()
    report = build(_config(logs), site=SITE)
    assert reads == [old.name]
    outputs = {k: v[0] for k, v in _snapshot(logs / "performance").items()}
    assert outputs == _fresh_outputs(tmp_path, logs)
    day = old.name.removesuffix(".jsonl")
    summary = json.loads((logs / "performance" / f"daily-summary-{day}.json").read_text())
    assert summary["largest_loss"] == "-999.99"
    assert report.summaries < 12


def test_touched_but_unchanged_file_is_not_redigested(workspace):
    _, logs, _ = workspace
    build(_config(logs), site=SITE)
    victim = sorted(logs.glob("2025-*.jsonl"))[1]
    os.utime(victim, ns=(victim.stat().st_atime_ns, victim.stat().st_mtime_ns + 10**9))
    report = build(_config(logs), site=SITE)
    assert report.files_read == 1 and report.cache_misses == 0  # read to checksum only
    assert build(_config(logs), site=SITE).up_to_date


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "version", "empty"])
def test_bad_index_warns_and_rebuilds(workspace, caplog, damage):
    tmp_path, logs, _ = workspace
    build(_config(logs), site=SITE)
    index = logs / "performance" / INDEX_NAME
    data = index.read_bytes()
    index.write_bytes(
        {
            "corrupt": b"{not json",
            "truncated": data[: len(data) // 2],
            "version": data.replace(b'{"version":%d,' % FORMAT_VERSION, b'{"version":99,', 1),
            "empty": b"",
        }[damage]
    )
    with caplog.at_level(logging.WARNING, logger="sitegen"):
        report = build(_config(logs), site=SITE)
    assert report.files_read == report.files_total
    assert "rebuilding from scratch" in caplog.text
    outputs = {k: v[0] for k, v in _snapshot(logs / "performance").items()}
    assert outputs == _fresh_outputs(tmp_path, logs)


def test_settings_change_rebuilds(workspace, caplog):
    _, logs, _ = workspace
    first = build(_config(logs), site=SITE)
    with caplog.at_level(logging.WARNING, logger="sitegen"):
        report = build(_config(logs, timezone="America/New_York"), site=SITE)
    assert report.files_read == report.files_total
    assert "settings changed" in caplog.text
    # a setting that changes only summaries re-reads nothing but redoes every summary
    report = build(_config(logs, timezone="America/New_York", holidays=["2025-09-03"]), site=SITE)
    assert report.files_read == 0 and report.summaries >= first.summaries - 1


def test_in_progress_last_line_is_read_again(workspace):
    _, logs, held = workspace
    lines = held.read_text().splitlines(keepends=True)
    target = logs / held.name
    target.write_text("".join(lines[:-1]) + lines[-1].rstrip("\n"))  # still being written
    first = build(_config(logs), site=SITE)
    assert first.files_read == first.files_total
    target.write_text("".join(lines))  # the write finished
    report = build(_config(logs), site=SITE)
    assert report.files_read == 1
    # and a file still in progress is never taken from the cache
    target.write_text("".join(lines) + '{"timestamp"')
    report = build(_config(logs), site=SITE)
    assert report.files_read == 1
    report = build(_config(logs), site=SITE)
    assert report.files_read == 1 and not report.up_to_date


def test_full_ignores_the_cache(workspace):
    _, logs, _ = workspace
    build(_config(logs), site=SITE)
    report = build(_config(logs), site=SITE, full=True)
    assert report.files_read == report.files_total and report.cache_hits == 0


def test_backfill_regenerates_missing_and_skips_valid(workspace):
    _, logs, _ = workspace
    build(_config(logs), site=SITE)
    artifacts = logs / "performance"
    days = sorted(p.name for p in artifacts.glob("daily-summary-*.json"))
    (artifacts / days[-1]).unlink()
    report = build(_config(logs), site=SITE, backfill=3)
    assert report.backfill_generated == [f"daily {days[-1][14:24]}"]
    assert len(report.backfill_skipped) >= 3
    assert (artifacts / days[-1]).exists()


def test_narrowed_build_leaves_the_index_for_the_next_full_build(workspace, reads):
    tmp_path, logs, held = workspace
    build(_config(logs), site=SITE)
    shutil.copy(held, logs / held.name)
    build(_config(logs), site=SITE, window="weekly")
    report = build(_config(logs), site=SITE)
    assert not report.up_to_date and report.summaries >= 4
    outputs = {k: v[0] for k, v in _snapshot(logs / "performance").items()}
    assert outputs == _fresh_outputs(tmp_path, logs)


def test_outputs_are_readable_by_others(workspace):
    _, logs, _ = workspace
    build(_config(logs), site=SITE)
    index = logs / "performance" / INDEX_NAME
    summary = logs / "performance" / "all-summary.json"
    for path in (index, summary):
        assert path.stat().st_mode & 0o044 == 0o044, path  # umask 022 in tests


def test_editing_a_template_rerenders_the_site(workspace, tmp_path):
    _, logs, _ = workspace
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "style.css").write_text("body { color: red; }\n")
    config = _config(logs, templates_dir=theme, site_dir=tmp_path / "site")
    build(config)
    assert build(config).up_to_date
    (theme / "style.css").write_text("body { color: blue; }\n")
    report = build(config)
    # every page again (daily pages read their trades back), no log re-digested
    assert not report.up_to_date and report.cache_misses == 0
    assert "blue" in (tmp_path / "site" / "assets" / "style.css").read_text()


def test_parallel_page_rendering_gives_the_same_site(workspace, tmp_path, monkeypatch):
    from sitegen import render as render_module

    _, logs, _ = workspace
    sequential = tmp_path / "seq"
    build(_config(logs, site_dir=sequential, artifacts_dir=tmp_path / "a1"))
    monkeypatch.setattr(render_module, "PAGES_PER_WORKER", 2)
    monkeypatch.setattr(render_module.os, "cpu_count", lambda: 2)
    parallel = tmp_path / "par"
    report = build(_config(logs, site_dir=parallel, artifacts_dir=tmp_path / "a2"))
    assert report.pages_rendered > 10
    files = sorted(p.relative_to(sequential) for p in sequential.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    for name in files:
        assert (sequential / name).read_bytes() == (parallel / name).read_bytes(), name


def test_deleting_the_index_rebuilds_even_with_its_head_left(workspace):
    _, logs, _ = workspace
    build(_config(logs), site=SITE)
    (logs / "performance" / INDEX_NAME).unlink()
    assert (logs / "performance" / CACHE_DIR / "index-head.json").exists()
    report = build(_config(logs), site=SITE)
    assert not report.up_to_date and report.files_read == report.files_total
    assert build(_config(logs), site=SITE).up_to_date


def test_append_one_day_with_the_site_reads_only_that_file(workspace, reads, tmp_path):
    _, logs, held = workspace
    config = _config(logs, site_dir=tmp_path / "site")
    build(config)
    shutil.copy(held, logs / held.name)
    reads.clear()
    report = build(config)
    # The previous days' pages are rendered again (their "next" link, and the open
    # trade the new day closed) from their kept trade tables, not from their logs.
    assert reads == [held.name] and report.files_read == 1
    assert report.pages_rendered >= 2
    fresh = tmp_path / "fresh"
    shutil.copytree(logs, fresh, ignore=shutil.ignore_patterns("performance*"))
    build(_config(fresh, site_dir=tmp_path / "site2"), full=True)
    for page in (tmp_path / "site").rglob("*.html"):
        other = tmp_path / "site2" / page.relative_to(tmp_path / "site")
        assert page.read_bytes() == other.read_bytes(), page


def test_index_written_a_digest_at_a_time_is_the_whole_encoding(workspace):
    """save_index streams the index; the bytes are msgspec's encoding of the whole."""
    import msgspec

    from sitegen.cache import _index_codec

    _, logs, _ = workspace
    build(_config(logs), site=SITE)
    data = (logs / "performance" / INDEX_NAME).read_bytes()
    index = _index_codec()[1].decode(data)
    assert index.files and msgspec.json.encode(index) == data


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != INDEX_NAME and CACHE_DIR not in p.parts
    }


@pytest.mark.parametrize("change", ["delete first day", "holiday"])
def test_periods_that_vanish_leave_no_outputs(workspace, tmp_path, change):
    """After a log file is deleted (or a day becomes a holiday), an incremental build
    leaves exactly the files a fresh build makes: no page or artifact of a period that
    no longer exists."""
    _, logs, _ = workspace
    first = sorted(logs.glob("????-??-??.jsonl"))[0]
    holidays = ()
    site = tmp_path / "site"
    build(_config(logs, site_dir=site))
    if change == "delete first day":
        first.unlink()
        gone = first.stem
    else:  # a trading day without trades or a log file stops being one
        (logs / "2025-09-08.jsonl").unlink(missing_ok=True)
        holidays = ("2025-09-08",)
        gone = "2025-09-08"
    report = build(_config(logs, site_dir=site, holidays=holidays))
    assert report.outputs_removed >= 2
    assert not (site / "daily" / f"{gone}.html").exists()
    assert not (logs / "performance" / f"daily-summary-{gone}.json").exists()
    fresh = tmp_path / "fresh"
    shutil.copytree(logs, fresh, ignore=shutil.ignore_patterns("performance*"))
    build(_config(fresh, site_dir=tmp_path / "site2", holidays=holidays), full=True)
    assert _tree(site) == _tree(tmp_path / "site2")
    assert _tree(logs / "performance") == _tree(fresh / "performance")


def test_affected_days_of_a_new_run_far_away_are_its_own_days_not_the_years_between():
    """A file misdated by two thousand years starts a run of its own: the days that
    enter the data range are that run's, not the gap's."""
    from sitegen.incremental import affected_days

    d = dt.date
    recent = [(d(2025, 10, 6), d(2025, 10, 13))]
    typo = [(d(1, 1, 3), d(1, 1, 3))]
    old = (recent, recent)
    new = (typo + recent, typo + recent)
    # its own day, and the two ends of the gap it opens (the periods there list it)
    expected = {d(1, 1, 3), d(1, 1, 4), d(2025, 10, 5)}
    assert affected_days([], [], {}, [], old, new, {}, {}) == expected
    assert affected_days([], [], {}, [], new, old, {}, {}) == expected
    # one run growing by a day at each end: those two days
    grown = [(d(2025, 10, 5), d(2025, 10, 14))]
    assert affected_days([], [], {}, [], old, (grown, recent), {}, {}) == {
        d(2025, 10, 5),
        d(2025, 10, 14),
    }
