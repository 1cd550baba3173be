"""The drill-down pages: ``symbols/<key>.html`` and ``strategies/<key>.html``.

Names: file-safe and unique for any key, hostile ones included, even on a disk that
ignores case. Content: checked against the oracle (tests/oracle.py reads the logs on
its own): the latest 100 closed trades newest first, each month's net P&L, the
all-time figures. Incremental: a new day renders again only the pages of the keys it
trades; a key that is gone loses its page; every breakdown table links to the pages.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sitegen
import sitegen.site as site_package
from sitegen.drill import LATEST_TRADES, KeySeries, key_series
from sitegen.partials import Trade, from_trades
from sitegen.site.paths import KEY_FOLDERS, KEY_NAME, key_name, key_path
from tests import oracle
from tests.conftest import trade, write_log

HOSTILE = [
    "NVDA",
    "nvda",
    "Nvda",
    "BRK.B",
    "brk.b",
    "BTC/USD",
    "BTC-USD",
    "btc-usd",
    "../../etc/passwd",
    "..",
    ".",
    "",
    " ",
    "CON",
    "con",
    "LPT1",
    "aux.txt",
    "A" * 500,
    "A" * 40,
    "A" * 41,
    "<script>alert(1)</script>",
    "\u202eRTL",
    "名前",
    "x\x00y",
    "a~b",
    "A.",
    "-A",
    "a\\b",
    "%2e%2e",
]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("kind", list(KEY_FOLDERS))
def test_names_are_file_safe_and_unique_even_where_case_is_ignored(kind: str) -> None:
    names = [key_name(kind, key) for key in HOSTILE]
    assert len({name.casefold() for name in names}) == len(HOSTILE), names
    for name in names:
        assert KEY_NAME.fullmatch(f"{name}.html"), name
        assert name.isascii() and name.isprintable()
        assert not set(name) & set('/\\:*?"<>|% ') and not name.startswith((".", "-"))
        assert len(name) <= 60
        assert not re.fullmatch(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?", name)


def test_plain_keys_keep_their_names_in_their_folder_s_case() -> None:
    assert key_path("symbol", "NVDA") == "symbols/NVDA.html"
    assert key_path("symbol", "BRK.B") == "symbols/BRK.B.html"
    assert key_path("strategy", "bull-flag-breakout") == "strategies/bull-flag-breakout.html"
    # the other case gets a digest: NVDA and nvda cannot meet on a case-blind disk
    assert re.fullmatch(r"symbols/nvda~[0-9a-f]{20}\.html", key_path("symbol", "nvda"))
    assert re.fullmatch(r"strategies/mean-rev~[0-9a-f]{20}\.html", key_path("strategy", "Mean_Rev"))


@given(st.text(max_size=60), st.text(max_size=60))
def test_two_keys_never_share_a_page(a: str, b: str) -> None:
    for kind in KEY_FOLDERS:
        if a != b:
            assert key_name(kind, a).casefold() != key_name(kind, b).casefold()


# --------------------------------------------------------------------------- series


def _trade(day: str, symbol: str, outcome: str, pnl: str, hour: int = 12) -> Trade:
    when = dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")
    return Trade(dt.date.fromisoformat(day), when, 0, hour, outcome, Decimal(pnl), symbol, "s1")


def test_series_equity_months_and_the_days_of_the_latest_trades() -> None:
    days = {
        dt.date(2025, 9, 30): from_trades([_trade("2025-09-30", "A", "win", "10")]),
        dt.date(2025, 10, 1): from_trades(
            [_trade("2025-10-01", "A", "loss", "-25", 9), _trade("2025-10-01", "B", "win", "5")]
        ),
        dt.date(2025, 10, 2): from_trades([_trade("2025-10-02", "B", "open", "0")]),
        dt.date(2025, 10, 3): from_trades([_trade("2025-10-03", "A", "breakeven", "0")]),
    }
    found = key_series(days)
    assert set(found) == {("symbol", "A"), ("symbol", "B"), ("strategy", "s1")}
    a = found[("symbol", "A")]
    assert [d.day.day for d in a.days] == [30, 1, 3]  # the open trade's day has no cell
    assert a.closed == 3
    assert a.equity() == [
        (dt.date(2025, 9, 30), Decimal(10), Decimal(0)),
        (dt.date(2025, 10, 1), Decimal(-15), Decimal(-25)),
        (dt.date(2025, 10, 3), Decimal(-15), Decimal(-25)),
    ]
    assert a.months() == {"2025-09": (1, 1, Decimal(10)), "2025-10": (2, 0, Decimal(-25))}
    assert a.row_days(1) == (dt.date(2025, 10, 3),)
    assert a.row_days(2) == (dt.date(2025, 10, 3), dt.date(2025, 10, 1))
    assert a.row_days(100) == (dt.date(2025, 10, 3), dt.date(2025, 10, 1), dt.date(2025, 9, 30))
    assert isinstance(found[("strategy", "s1")], KeySeries)
    assert found[("strategy", "s1")].closed == 4


# --------------------------------------------------------------------------- pages

SYMBOLS = ("NVDA", "AAPL", "../../x", "<b>bold</b>")
STRATEGIES = ("flag", "Mean Rev", "\u202eevil")


def _history_logs(logs: Path) -> None:
    """Nine days; NVDA trades 16 a day (more than 100 in all), the others a few; an
    open trade closed two days later under the same order id; a trade that exits the
    next day; a superseded record in a later file."""
    start = dt.date(2025, 10, 1)
    for i in range(9):
        day = start + dt.timedelta(days=i)
        records = []
        for j in range(16):
            outcome = ("win", "loss", "breakeven")[(i + j) % 3]
            net = {"win": f"{10 + j}.{i}5", "loss": f"-{5 + i}.25", "breakeven": "0"}[outcome]
            records.append(
                trade(
                    f"{day}T{10 + j % 8:02d}:{j:02d}:00Z",
                    "NVDA",
                    outcome,
                    net,
                    exit=f"{day}T{10 + j % 8:02d}:{j + 30:02d}:00Z",
                    strategy=STRATEGIES[j % 3],
                    order_id=f"n-{i}-{j}",
                )
            )
        records.append(
            trade(
                f"{day}T19:00:00Z",
                SYMBOLS[1 + i % 3],
                "win" if i % 2 else "loss",
                "12.50" if i % 2 else "-3.00",
                strategy="flag",
                order_id=f"o-{i}",
            )
        )
        if i == 2:
            records.append(trade(f"{day}T20:00:00Z", "AAPL", "open", order_id="late"))
            records.append(
                trade(
                    f"{day}T23:50:00Z",
                    "AAPL",
                    "win",
                    "7.00",
                    exit=f"{day + dt.timedelta(days=1)}T00:10:00Z",
                    strategy="flag",
                )
            )
        if i == 4:  # closes the open trade of day 2; supersedes day 1's o-1 record
            records.append(
                trade(
                    f"{start + dt.timedelta(days=2)}T20:00:00Z",
                    "AAPL",
                    "win",
                    "30.00",
                    exit=f"{day}T15:00:00Z",
                    order_id="late",
                    strategy="flag",
                )
            )
            records.append(
                trade(
                    f"{start + dt.timedelta(days=1)}T19:00:00Z",
                    "<b>bold</b>",
                    "loss",
                    "-9.99",
                    strategy="flag",
                    order_id="o-1",
                )
            )
        write_log(logs, day.isoformat(), records)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, oracle.LogData]:
    root = tmp_path_factory.mktemp("keys")
    _history_logs(root / "logs")
    config = sitegen.load_config(logs_dir=root / "logs", site_dir=root / "site")
    sitegen.build(config)
    return root / "site", config.artifacts, oracle.load(root / "logs")


def _closed_by_key(data: oracle.LogData, kind: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for t in data.trades:  # attribution order
        if t.closed:
            out[t.symbol if kind == "symbol" else t.strategy].append(t)
    return out


def _table_rows(page: str) -> list[list[str]]:
    table = page.split('<table class="trades key-trades sortable">', 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S) for r in rows]


def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell))


@pytest.mark.parametrize("kind", list(KEY_FOLDERS))
def test_every_key_with_closed_trades_has_one_page_and_no_other_page_exists(built, kind):
    site, _, data = built
    expected = {key_path(kind, key) for key in _closed_by_key(data, kind)}
    found = {p.relative_to(site).as_posix() for p in (site / KEY_FOLDERS[kind]).iterdir()}
    assert found == expected
    assert len(expected) == (len(SYMBOLS) if kind == "symbol" else len(STRATEGIES))


@pytest.mark.parametrize("kind", list(KEY_FOLDERS))
def test_a_page_lists_its_latest_closed_trades_newest_first_linking_to_their_days(built, kind):
    site, _, data = built
    for key, closed in _closed_by_key(data, kind).items():
        page = (site / key_path(kind, key)).read_text("utf-8")
        rows = _table_rows(page)
        want = list(reversed(closed))[:LATEST_TRADES]
        assert len(rows) == len(want) == min(LATEST_TRADES, len(closed)), key
        for cells, t in zip(rows, want, strict=True):
            day = t.local_date.isoformat()
            assert f'href="../daily/{day}.html"' in cells[0]
            assert (site / "daily" / f"{day}.html").is_file()
            assert _text(cells[3]) == t.symbol[:200] and _text(cells[13]) == t.strategy
            pnl = _text(cells[9]).replace(",", "")
            assert Decimal(pnl) == t.pnl, (key, cells)
            assert _text(cells[8]) == t.outcome


@pytest.mark.parametrize("kind", list(KEY_FOLDERS))
def test_a_page_s_months_and_figures_match_the_oracle(built, kind):
    site, artifacts, data = built
    import json

    everything = json.loads((artifacts / "all-summary.json").read_text("utf-8"))
    rows = {r["key"]: r for r in everything["breakdowns"][kind]}
    for key, closed in _closed_by_key(data, kind).items():
        page = (site / key_path(kind, key)).read_text("utf-8")
        months: dict[str, Decimal] = defaultdict(Decimal)
        for t in closed:
            months[t.local_date.isoformat()[:7]] += t.pnl
        months_html = page.split('aria-labelledby="h-months"', 2)[2].split("</table>")[0]
        for month, net in months.items():
            link = re.search(rf'href="../monthly/{month}.html"[^>]*>([^<]+)<', months_html)
            assert link, (key, month)
            assert Decimal(link.group(1).replace(",", "")) == net
        total = sum(months.values(), Decimal(0))
        assert f"{oracle.money(total)}" in page.replace(",", "")
        assert rows[key]["trades_closed"] == len(closed)
        wins = sum(1 for t in closed if t.outcome == "win")
        assert f"{wins}W · " in page


def test_every_breakdown_table_links_keys_to_their_pages(built):
    site, _, _ = built
    linked = 0
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        for href in re.findall(r'href="((?:\.\./)?(?:symbols|strategies)/[^"]+)"', text):
            assert (page.parent / html.unescape(href)).resolve().is_file(), (page, href)
            linked += 1
    weekly = (site / "weekly" / "2025-W40.html").read_text("utf-8")
    assert 'href="../symbols/NVDA.html"' in weekly
    assert f'href="../{key_path("strategy", "Mean Rev")}"' in weekly
    assert linked > 50


def test_hostile_keys_stay_text_inside_their_folder(built):
    site, _, _ = built
    page = (site / key_path("symbol", "<b>bold</b>")).read_text("utf-8")
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert not (site.parent / "x.html").exists() and not (site / "x.html").exists()
    evil = (site / key_path("strategy", "\u202eevil")).read_text("utf-8")
    assert "\u202e" not in evil.split("<svg", 1)[0] or "<bdi>" in evil
    assert "<svg" in evil and "evil" not in evil.split("<svg", 1)[1].split("</svg>", 1)[0]


# --------------------------------------------------------------------------- incremental


def _stamps(site: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for folder in KEY_FOLDERS.values()
        for p in (site / folder).iterdir()
    }


def test_a_new_day_renders_again_only_the_pages_of_the_keys_it_trades(tmp_path, monkeypatch):
    logs = tmp_path / "logs"
    _history_logs(logs)
    config = sitegen.load_config(logs_dir=logs, site_dir=tmp_path / "site")
    sitegen.build(config)
    before = _stamps(config.site_dir)
    made: list[str] = []
    real = site_package.key_page
    monkeypatch.setattr(site_package, "key_page", lambda s, *a: made.append(s.key) or real(s, *a))
    write_log(
        logs,
        "2025-10-10",
        [trade("2025-10-10T15:00:00Z", "AAPL", "win", "1.00", strategy="Mean Rev")],
    )
    sitegen.build(config)
    assert sorted(made) == ["AAPL", "Mean Rev"]  # the other pages are not even made
    after = _stamps(config.site_dir)
    assert after.keys() == before.keys()
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {key_path("symbol", "AAPL"), key_path("strategy", "Mean Rev")}
    assert all(after[p][1] != before[p][1] for p in changed)  # rewritten with new bytes


def test_an_edit_no_figure_shows_still_reaches_the_page(tmp_path):
    """A trade's exit reason is in no breakdown cell, yet its row shows it: the page
    depends on the files its latest trades are read from."""
    logs = tmp_path / "logs"
    write_log(logs, "2025-10-06", [trade("2025-10-06T15:00:00Z", "AAPL", "win", "5.00")])
    config = sitegen.load_config(logs_dir=logs, site_dir=tmp_path / "site")
    sitegen.build(config)
    write_log(
        logs,
        "2025-10-06",
        [trade("2025-10-06T15:00:00Z", "AAPL", "win", "5.00", exit_reasoning="target hit")],
    )
    sitegen.build(config)
    assert "target hit" in (config.site_dir / "symbols" / "AAPL.html").read_text("utf-8")


def test_a_key_whose_trades_are_gone_loses_its_page_as_a_fresh_build_would(tmp_path):
    logs = tmp_path / "logs"
    _history_logs(logs)
    write_log(
        logs,
        "2025-10-10",
        [trade("2025-10-10T15:00:00Z", "ZZZ", "win", "1.00", strategy="only-here")],
    )
    config = sitegen.load_config(logs_dir=logs, site_dir=tmp_path / "site")
    sitegen.build(config)
    assert (config.site_dir / "symbols" / "ZZZ.html").is_file()
    (logs / "2025-10-10.jsonl").unlink()
    sitegen.build(config)
    assert not (config.site_dir / "symbols" / "ZZZ.html").exists()
    assert not (config.site_dir / "strategies" / "only-here.html").exists()
    fresh = sitegen.load_config(logs_dir=logs, site_dir=tmp_path / "fresh")
    sitegen.build(fresh, full=True)
    assert _stamp_bytes(config.site_dir) == _stamp_bytes(fresh.site_dir)


def _stamp_bytes(site: Path) -> dict[str, bytes]:
    return {path: data for path, (_, data) in _stamps(site).items()}


def test_a_new_time_zone_remakes_the_kept_rows_as_a_fresh_build_would(tmp_path):
    """The rows kept for a page carry local times: another time zone makes them again
    (found by tests/test_invariant.py)."""
    logs = tmp_path / "logs"
    for day in ("2025-09-26", "2025-09-29"):
        write_log(logs, day, [trade(f"{day}T14:00:00Z", "AAPL", "win", "5.00")])
    site = tmp_path / "site"
    sitegen.build(sitegen.load_config(logs_dir=logs, site_dir=site))
    sitegen.build(sitegen.load_config(logs_dir=logs, site_dir=site, timezone="Asia/Tokyo"))
    fresh = sitegen.load_config(logs_dir=logs, site_dir=tmp_path / "fresh", timezone="Asia/Tokyo")
    sitegen.build(fresh, full=True)
    assert "23:00:00" in (site / "symbols" / "AAPL.html").read_text("utf-8")
    assert _stamp_bytes(site) == _stamp_bytes(fresh.site_dir)
