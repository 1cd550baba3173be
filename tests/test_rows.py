"""The daily pages' trade rows: made once per log file by the scan stage, kept as
fragments (sitegen/rows.py), filtered by identity when a page is made, written as HTML
by the site (sitegen/site/rows.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.cache import CACHE_DIR
from sitegen.config import load_config
from sitegen.demo import generate
from sitegen.ingest import TradeRecord
from sitegen.partials import Trade
from sitegen.pipeline import ScanCache, build, load_history
from sitegen.report import BuildReport
from sitegen.rows import ROWS_DIR, DayRows, fragment_path, make_fragments, to_row
from sitegen.site.rows import day_table
from sitegen.site.rows import row_html as html_of_row

UTC = ZoneInfo("UTC")
WHEN = dt.datetime(2025, 10, 10, 14, 2, 17, tzinfo=dt.UTC)


def _trade(**kw) -> Trade:
    base = dict(
        day=WHEN.date(),
        when=WHEN,
        file=0,
        line=1,
        outcome="win",
        pnl=Decimal("1298.5"),
        symbol="NVDA",
        strategy="flag",
    )
    base.update(kw)
    return Trade(**base)


def _record(**kw) -> TradeRecord:
    base = dict(timestamp=WHEN.isoformat(), symbol="NVDA", outcome="win")
    base.update(kw)
    return TradeRecord(**base)


def row_html(trade: Trade, rec: TradeRecord, time: str) -> str:
    return html_of_row(to_row(trade, rec, UTC)._replace(time=time), "2025-10-10")


def test_row_escapes_everything_from_the_logs():
    trade = _trade(symbol="<b>X</b>", strategy='a"b', r=Decimal("1.235"))
    rec = _record(action="BUY&SELL", decision_reasoning="<script>", exit_reasoning="it's")
    html = row_html(trade, rec, "14:02:17")
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;X&lt;/b&gt;" in html and "a&#34;b" in html and "BUY&amp;SELL" in html
    assert "<td><bdi>it&#39;s</bdi></td>" in html  # the exit reason, its own column
    assert '<td class="pos">+1,298.50</td><td>+1.24</td>' in html  # money, R half-even


def test_row_of_open_and_of_a_trade_without_stop():
    open_row = row_html(_trade(outcome="open", pnl=Decimal("-5")), _record(outcome="open"), "t")
    assert '<td class="muted">-5.00 unreal.</td><td>—</td>' in open_row
    no_pnl = row_html(_trade(outcome="open", pnl=None), _record(outcome="open"), "t")
    assert '<td class="muted">—</td>' in no_pnl
    closed = row_html(_trade(outcome="loss", pnl=Decimal("-3")), _record(), "t")
    assert '<td class="neg">-3.00</td><td>no stop</td>' in closed


def test_fragments_and_direct_table_agree():
    first = _trade(line=1, when=WHEN, pnl=Decimal("2"))
    late = _trade(line=2, when=WHEN + dt.timedelta(hours=12), day=dt.date(2025, 10, 11))
    opened = _trade(line=3, when=WHEN + dt.timedelta(minutes=1), outcome="open", pnl=None)
    pairs = [(t, _record(order_id=f"o{t.line}")) for t in (first, late, opened)]
    frags = make_fragments(pairs, "key", UTC)
    assert sorted(frags) == [dt.date(2025, 10, 10), dt.date(2025, 10, 11)]
    day = frags[dt.date(2025, 10, 10)]
    assert day.line == [1, 3] and day.oid == ["o1", "o3"]
    assert [row.pnl for row in day.rows] == [Decimal("2"), None]
    table = day_table([to_row(t, rec, UTC) for t, rec in (pairs[0], pairs[2])], "2025-10-10")
    assert table.count == 2
    assert str(day_table(day.rows, "2025-10-10").html) == str(table.html)
    assert table.steps == (Decimal("2"),) and table.labels == ("14:02",)


def test_a_row_shows_entry_exit_hold_and_stop():
    entry = WHEN - dt.timedelta(days=1, minutes=5)  # opened the day before
    trade = _trade(r=Decimal("0.5"))
    rec = _record(
        timestamp=entry.isoformat(),
        exit_timestamp=WHEN.isoformat(),
        stop_loss=Decimal("180.55"),
        price=Decimal("182.40"),
    )
    row = to_row(trade, rec, ZoneInfo("America/New_York"))
    assert (row.entry, row.exit) == ("2025-10-09T09:57:17", "2025-10-10T10:02:17")
    assert row.hold == Decimal("86700") and row.stop == Decimal("180.55")
    html = html_of_row(row, "2025-10-10")
    assert html.startswith(
        '<tr><td data-sort="2025-10-09T09:57:17">10-09 09:57:17</td>'
        '<td data-sort="2025-10-10T10:02:17">10:02:17</td>'
    )
    assert "<td>182.40</td><td>180.55</td>" in html  # price, stop
    assert '<td data-sort="86700">1d 0h</td>' in html
    given = to_row(trade, _record(hold_duration_seconds=Decimal("1862")), UTC)
    assert given.hold == Decimal("1862") and given.exit is None
    assert '<td data-sort="1862">31m 02s</td>' in html_of_row(given, "2025-10-10")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (-1, "—"), (0, "0s"), (59, "59s"), (60, "1m 00s"), (3599, "59m 59s"),
     (3600, "1h 00m"), (86399, "23h 59m"), (86400, "1d 0h"), (200000, "2d 7h")],
)  # fmt: skip
def test_hold_times_read_like_a_traders(seconds, text):
    from sitegen.site.rows import hold_text

    assert hold_text(None if seconds is None else Decimal(seconds)) == text


@pytest.fixture
def logs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    folder = tmp_path / "logs"
    generate(folder, days=6, per_day=12, seed=5)
    return folder


def _empty_history():
    from sitegen.history import History

    return History("UTC", frozenset(), (), {})


def _history(config):
    return load_history(config, ScanCache(), BuildReport(), use_index=False)


def test_cold_build_reads_each_log_file_once(logs, tmp_path):
    report = build(load_config(logs_dir=logs, site_dir=tmp_path / "site"))
    assert report.files_read == report.files_total == len(list(logs.glob("????-??-??.jsonl")))


def test_a_record_rewritten_later_shows_once_on_its_day(logs, tmp_path):
    files = sorted(logs.glob("*.jsonl"))
    lines = files[0].read_text().splitlines()
    first = json.loads(lines[0])
    assert first["outcome"] != "open" and first["order_id"]
    lines[0] = json.dumps(dict(first, decision_reasoning="original-unique"))
    files[0].write_text("\n".join(lines) + "\n")
    fixed = dict(first, decision_reasoning="corrected <later>")
    with files[1].open("a") as fp:  # the next day's file rewrites it (same order id)
        fp.write(json.dumps(fixed) + "\n")
    site = tmp_path / "site"
    build(load_config(logs_dir=logs, site_dir=site))
    day = dt.datetime.fromisoformat(first["exit_timestamp"].replace("Z", "+00:00")).date()
    page = (site / "daily" / f"{day}.html").read_text()
    assert page.count("corrected &lt;later&gt;") == 1
    assert "original-unique" not in page


def test_corrupt_or_stale_fragment_is_made_again(logs, tmp_path):
    config = load_config(logs_dir=logs, site_dir=tmp_path / "site")
    build(config)
    history = _history(config)
    day = max(history.day_files)
    fi = history.day_files[day][0]
    cache = DayRows(history, config.artifacts / CACHE_DIR / ROWS_DIR)
    good = cache(day)
    assert cache.reads == 0 and good
    path = fragment_path(cache.folder, day, history.digests[fi].name)
    path.write_bytes(b"\x00garbage")
    assert cache(day) == good and cache.reads == 1
    assert cache(day) == good and cache.reads == 1  # kept again


def test_prune_keeps_recent_days_and_drops_temp_files(tmp_path):
    folder = tmp_path / "rows"
    folder.mkdir()
    names = [
        "2025-10-01_2025-10-01.rows",
        "2025-10-20_2025-10-20.rows",
        ".2025-10-20_2025-10-20.rows.abc123.tmp",
    ]
    for name in names:
        (folder / name).write_bytes(b"x")
    history = _empty_history()
    DayRows(history, folder).prune(dt.date(2025, 10, 10))
    assert [p.name for p in folder.iterdir()] == ["2025-10-20_2025-10-20.rows"]
    DayRows(history, tmp_path / "absent").prune(dt.date(2025, 10, 10))  # no folder: nothing


def test_kept_fragments_are_only_the_recent_days(logs, tmp_path):
    config = load_config(logs_dir=logs, site_dir=tmp_path / "site")
    generate(logs, days=30, per_day=4, seed=5, force=True)
    build(config)
    kept = sorted(Path(p).name[:10] for p in (config.artifacts / CACHE_DIR / ROWS_DIR).iterdir())
    history = _history(config)
    assert kept and min(kept) >= str(history.last - dt.timedelta(days=13))


@settings(max_examples=500, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**14), max_value=10**14)
    | st.sampled_from([Decimal("-0"), Decimal("-0.00"), Decimal("1E+2"), Decimal("0.005")])
)
def test_row_numbers_are_written_as_fmt_writes_them(value):
    from sitegen.site import fmt
    from sitegen.site.rows import money, quantity, rounded

    assert money(value) == fmt.money(value)
    assert money(value, signed=True) == fmt.money(value, signed=True)
    assert quantity(value) == fmt.quantity(value)
    assert rounded(value, signed=True) == fmt.rounded(value, signed=True)
    assert ("pos" if value > 0 else "neg" if value < 0 else "zero") == fmt.tone(value)


def test_a_fragment_folder_that_cannot_be_written_costs_only_time(logs, tmp_path):
    """Fragments are a cache: when they cannot be kept, pages are made from the logs."""
    config = load_config(logs_dir=logs, site_dir=tmp_path / "site")
    folder = config.artifacts / CACHE_DIR / ROWS_DIR
    folder.parent.mkdir(parents=True)
    folder.write_text("a file where the folder should be")
    report = build(config)
    assert report.pages_rendered and not folder.is_dir()
    fresh = load_config(logs_dir=logs, site_dir=tmp_path / "site2", artifacts_dir=tmp_path / "a")
    build(fresh)
    for page in (tmp_path / "site").rglob("*.html"):
        assert (
            page.read_bytes()
            == (tmp_path / "site2" / page.relative_to(tmp_path / "site")).read_bytes()
        )


def test_site_data_copies_are_the_artifacts(logs, tmp_path):
    """The site's data/ copies are copied from the artifacts this build wrote."""
    config = load_config(logs_dir=logs, site_dir=tmp_path / "site")
    build(config)
    copies = sorted(p.name for p in (tmp_path / "site" / "data").iterdir())
    summaries = sorted(
        p.name for p in config.artifacts.glob("*summary*") if p.suffix in {".json", ".md"}
    )
    assert copies == summaries
    for name in copies:
        assert (tmp_path / "site" / "data" / name).read_bytes() == (
            config.artifacts / name
        ).read_bytes()


def test_remembered_names_and_quantities_stay_bounded_and_equal_to_the_plain_forms():
    from sitegen.site import rows

    assert rows.esc_name("<S&P>") == rows.esc("<S&P>") == "&lt;S&amp;P&gt;"
    assert rows.esc_name("<S&P>") is rows.esc_name("<S&P>")
    assert rows.quantity(Decimal("120.0")) == rows.quantity(Decimal("120")) == "120"
    for i in range(5000):
        rows.esc_name(f"SYM{i}")
        rows.quantity(Decimal(i) / 4)
    assert rows.esc_name.cache_info().currsize <= 4096
    assert rows._quantity.cache_info().currsize <= 4096
    assert rows.esc_name("a'b") == "a&#39;b" and rows.quantity(Decimal("2.50")) == "2.5"
