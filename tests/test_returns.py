"""Returns, when the account size is known (config ``starting_equity``): every field on
a fixture computed by hand, the config key, the schema, Markdown and the site (the
return beside the dollars, the overview's monthly-returns table), incremental builds;
and without the key, nothing changes at all.

The fixture (UTC; one closed trade a day unless said), with starting_equity 1000:

  day          P&L       end-of-day equity   return
  09-01 Mon   -300.00     700.00            -0.3          (a losing first day)
  09-02 Tue   +500.00    1200.00            +500/700
  09-03 Wed      0.00    1200.00             0            (a breakeven: zero P&L)
  09-04 Thu   (an open trade only)  1200.00  0
  09-05 Fri   -400.00     800.00            -1/3
  09-06 Sat    +25.50     825.50            +25.5/800     (a weekend day with a trade)
  09-08 Mon   -100.00     725.50            -100/825.5    (week 37 starts below the peak)
  09-09 Tue    +50.25     775.75
  09-10 Wed   +600.00    1375.75                          (09-11 .. 09-29: missing days)
  09-30 Tue   -150.00    1225.75
  10-01 Wed  -2000.00    -774.25            -2000/1225.75 (the account is blown)
  10-02 Thu   +100.00    (returns undefined from here on)
  10-03 Fri    -50.00
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import sitegen
from sitegen import returns
from sitegen.config import load_config
from sitegen.errors import BuildError, ConfigError
from sitegen.export import summary_markdown, validate_summary
from sitegen.pipeline import Tracker
from tests.conftest import trade, write_log
from tests.test_site import parse
from tests.test_trust import assert_same, fresh_outputs, outputs

#: (day, P&L of its closed trade; None: an open trade only)
DAYS = [
    ("2025-09-01", "-300.00"),
    ("2025-09-02", "500.00"),
    ("2025-09-03", "0.00"),
    ("2025-09-04", None),
    ("2025-09-05", "-400.00"),
    ("2025-09-06", "25.50"),
    ("2025-09-08", "-100.00"),
    ("2025-09-09", "50.25"),
    ("2025-09-10", "600.00"),
    ("2025-09-30", "-150.00"),
    ("2025-10-01", "-2000.00"),
    ("2025-10-02", "100.00"),
    ("2025-10-03", "-50.00"),
]
BLOWN = "equity fell to 0 or below on 2025-10-01; returns are undefined from then on"
RETURN_FIELDS = set(returns.FIELDS)


def returns_logs(logs: Path) -> Path:
    """The fixture above, one log file a day."""
    for day, pnl in DAYS:
        if pnl is None:
            record = trade(f"{day}T15:00:00Z", "NVDA", "open", order_id=f"o-{day}")
        else:
            outcome = "win" if Decimal(pnl) > 0 else "loss" if Decimal(pnl) < 0 else "breakeven"
            record = trade(f"{day}T14:00:00Z", "AAPL", outcome, pnl, exit=f"{day}T15:00:00Z")
        write_log(logs, day, [record])
    return logs


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No config/ of the working directory, no time-zone variables."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    monkeypatch.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)


@pytest.fixture
def fixture_logs(tmp_path) -> Path:
    return returns_logs(tmp_path / "logs")


def summaries(logs: Path, equity: str | None) -> dict[tuple[str, str], dict]:
    """Every summary of the logs, through JSON as the artifacts hold them."""
    history = Tracker(load_config(logs_dir=logs, starting_equity=equity)).history()
    return {
        (w, p): json.loads(json.dumps(history.summary(w, p)))
        for w in ("daily", "weekly", "monthly", "all")
        for p in history.periods(w)
    }


def figures(summary: dict) -> dict:
    return {k: summary[k] for k in (*returns.FIELDS, "sharpe", "sortino") if k in summary}


# --- the config key ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("100000", "100000"), (2500.5, "2500.5"), ("1e5", "1E+5"), ("0.01", "0.01"), (None, None)],
)
def test_starting_equity_is_dollars_above_zero(given, expected) -> None:
    found = load_config(starting_equity=given).starting_equity
    assert found == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (0, "above 0"),
        ("-5", "above 0"),
        ("lots", "above 0"),
        (True, "above 0"),
        ("nan", "above 0"),
        ("2e15", "10^15"),
        ("100.0000001", "decimal places"),
    ],
)
def test_a_bad_starting_equity_is_an_error_naming_the_key(given, says) -> None:
    with pytest.raises(ConfigError, match="starting_equity") as info:
        load_config(starting_equity=given)
    assert says in str(info.value)


def test_starting_equity_from_the_config_file(tmp_path) -> None:
    file = tmp_path / "sitegen.yaml"
    file.write_text("starting_equity: 25000.50\n", encoding="utf-8")
    assert load_config(file).starting_equity == Decimal("25000.50")
    file.write_text("starting_equity: null\n", encoding="utf-8")
    assert load_config(file).starting_equity is None
    file.write_text("starting_equity: -1\nrolling_window: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(file)
    assert "starting_equity" in str(info.value) and "rolling_window" in str(info.value)


def test_a_change_of_starting_equity_rebuilds_the_summaries(tmp_path) -> None:
    from sitegen.cache import settings_key

    plain = load_config()
    assert settings_key(plain, True) == settings_key(load_config(starting_equity=None), True)
    keys = {settings_key(load_config(starting_equity=v), True) for v in ("1000", "1000.00", "1e3")}
    assert len(keys) == 1  # the same amount, however written
    assert keys.isdisjoint({settings_key(plain, True)})
    assert settings_key(load_config(starting_equity="1001"), True) not in keys


# --- each field, by hand --------------------------------------------------------------


def test_a_losing_first_day(fixture_logs) -> None:
    day = summaries(fixture_logs, "1000")[("daily", "2025-09-01")]
    # -300 / 1000; the peak starts at the 1000 before the day
    assert figures(day) == {
        "total_return": "-0.300000",
        "max_drawdown_relative": "-0.300000",
        "sharpe": None,
        "sortino": "-15.874508",  # one losing day: mean / |mean| × √252
    }
    assert day["undefined_reasons"]["sharpe"] == "fewer than 2 days in the daily returns series"
    assert "sortino" not in day["undefined_reasons"]
    keys = list(day)  # the returns follow the trade-by-trade drawdown; none of the longer ones
    at = keys.index("max_drawdown_duration_trades")
    assert keys[at + 1 : at + 3] == ["total_return", "max_drawdown_relative"]


def test_days_with_zero_pnl(fixture_logs) -> None:
    found = summaries(fixture_logs, "1000")
    for day in ("2025-09-03", "2025-09-04"):  # a breakeven; an open trade only
        summary = found[("daily", day)]
        assert summary["total_return"] == "0.000000", day
        assert summary["max_drawdown_relative"] == "0.000000", day
        assert summary["sortino"] is None and summary["undefined_reasons"]["sortino"] == (
            "no losing days"
        )


def test_a_week_with_a_losing_start(fixture_logs) -> None:
    week = summaries(fixture_logs, "1000")[("weekly", "2025-W36")]
    assert list(week["daily_pnl"]) == [f"2025-09-0{d}" for d in range(1, 7)]  # Saturday too
    # 1000 -> 825.50; the peak of 1200 (09-02) to 800 (09-05) is a third
    assert week["total_return"] == "-0.174500"
    assert week["max_drawdown_relative"] == "-0.333333"
    rs = [Fraction(-3, 10), Fraction(500, 700), 0, 0, Fraction(-1, 3), Fraction(255, 8000)]
    mean = sum(rs, Fraction(0)) / 6
    variance = sum(((r - mean) ** 2 for r in rs), Fraction(0)) / 5
    vol = Decimal(variance.numerator) / Decimal(variance.denominator) * 252
    assert week["volatility_annual"] == str(vol.sqrt().quantize(Decimal("0.000001")))
    assert "cagr" not in week and "calmar" not in week


def test_a_week_that_starts_in_a_drawdown(fixture_logs) -> None:
    week = summaries(fixture_logs, "1000")[("weekly", "2025-W37")]
    # before it 825.50, below the all-time peak of 1200: the week's peak starts at 825.50
    assert week["total_return"] == "0.666566"  # 550.25 / 825.5
    assert week["max_drawdown_relative"] == "-0.121139"  # 725.5 / 825.5 - 1, not / 1200
    assert list(week["daily_pnl"].values()) == ["-100.00", "50.25", "600.00", "0", "0"]


def test_a_blown_account(fixture_logs) -> None:
    found = summaries(fixture_logs, "1000")
    fall = found[("daily", "2025-10-01")]  # the day it falls is a return of its own
    assert fall["total_return"] == "-1.631654"  # -2000 / 1225.75
    assert fall["max_drawdown_relative"] == "-1.631654"
    for key in [("daily", "2025-10-02"), ("weekly", "2025-W40"), ("monthly", "2025-10")]:
        summary = found[key]
        for field in ("total_return", "max_drawdown_relative", "sharpe", "sortino"):
            assert summary[field] is None, (key, field)
            assert summary["undefined_reasons"][field] == BLOWN, (key, field)
    everything = found[("all", "all")]
    assert all(everything[f] is None for f in (*RETURN_FIELDS, "sharpe", "sortino"))
    assert {everything["undefined_reasons"][f] for f in RETURN_FIELDS} == {BLOWN}
    # the months before it keep theirs
    assert found[("monthly", "2025-09")]["total_return"] == "0.225750"  # 1225.75 / 1000 - 1


@pytest.mark.parametrize(
    ("equity", "fall"),
    [("300", "2025-09-01"), ("1774.25", "2025-10-01")],  # equity exactly 0 at the close
)
def test_equity_at_exactly_zero_blows_the_account(fixture_logs, equity, fall) -> None:
    found = summaries(fixture_logs, equity)
    assert found[("daily", fall)]["total_return"] == "-1.000000"  # all of it, to 0
    later = found[("daily", "2025-10-02")]
    assert later["total_return"] is None
    assert later["undefined_reasons"]["total_return"].startswith(
        f"equity fell to 0 or below on {fall}"
    )
    for summary in found.values():
        validate_summary(summary)


def test_the_whole_history(fixture_logs) -> None:
    everything = summaries(fixture_logs, "100000")[("all", "all")]
    # end 100000 - 1724.25 over 33 calendar days (09-01 .. 10-03)
    assert everything["total_return"] == "-0.017242"  # -0.0172425: half-even
    assert everything["max_drawdown_relative"] == "-0.021420"  # -2150 / 100375.75
    # 0.9827575 ^ (365.25 / 33) - 1, by Decimal's power at 60 digits
    assert everything["cagr"] == "-0.175112"
    assert everything["calmar"] == "-8.175345"  # from the unrounded cagr and drawdown
    keys = list(everything)
    at = keys.index("max_drawdown_duration_trades")
    assert keys[at + 1 : at + 6] == list(returns.FIELDS)


def test_sharpe_and_sortino_move_to_daily_returns(fixture_logs) -> None:
    plain = summaries(fixture_logs, None)[("monthly", "2025-09")]
    known = summaries(fixture_logs, "100000")[("monthly", "2025-09")]
    assert plain["sharpe"] != known["sharpe"] and plain["sortino"] != known["sortino"]
    assert not RETURN_FIELDS & set(plain)
    same = {k: v for k, v in known.items() if k not in RETURN_FIELDS}
    for field in ("sharpe", "sortino", "undefined_reasons"):
        same[field] = plain[field]
    assert same == plain  # nothing else changes


def test_cagr_of_a_few_very_good_days_is_not_written(tmp_path) -> None:
    logs = tmp_path / "logs"
    write_log(logs, "2025-09-01", [trade("2025-09-01T14:00:00Z", net="900.00")])
    everything = summaries(logs, "100")[("all", "all")]
    assert everything["total_return"] == "9.000000"
    assert everything["cagr"] is None and everything["calmar"] is None
    assert everything["undefined_reasons"]["cagr"] == returns.TOO_BIG
    assert everything["undefined_reasons"]["calmar"].startswith("cagr is undefined")
    validate_summary(everything)


def test_a_history_that_ends_on_the_day_it_is_blown(tmp_path) -> None:
    logs = tmp_path / "logs"
    write_log(logs, "2025-09-01", [trade("2025-09-01T14:00:00Z", net="10.00")])
    write_log(logs, "2025-09-02", [trade("2025-09-02T14:00:00Z", "AAPL", "loss", "-1100.00")])
    everything = summaries(logs, "1000")[("all", "all")]
    assert everything["total_return"] == "-1.090000"  # -90 / 1000: defined, below -100%
    assert everything["max_drawdown_relative"] == "-1.089109"  # -90 / 1010 - 1
    assert everything["cagr"] is None and everything["calmar"] is None
    why = "equity fell to 0 or below on 2025-09-02; returns are undefined from then on"
    assert everything["undefined_reasons"]["cagr"] == why
    assert everything["undefined_reasons"]["calmar"] == f"cagr is undefined ({why})"
    validate_summary(everything)


def test_no_drawdown_no_calmar(tmp_path) -> None:
    logs = tmp_path / "logs"
    for day in ("2025-09-01", "2025-09-02"):
        write_log(logs, day, [trade(f"{day}T14:00:00Z", net="10.00")])
    everything = summaries(logs, "1000")[("all", "all")]
    assert everything["max_drawdown_relative"] == "0.000000"
    assert everything["calmar"] is None
    assert everything["undefined_reasons"]["calmar"] == returns.NO_DRAWDOWN
    # 1020 / 1000 over 2 days, annualised: 1.02 ^ 182.625 - 1
    expected = Decimal("1.02") ** Decimal("182.625") - 1
    assert everything["cagr"] == str(expected.quantize(Decimal("0.000001")))


def test_the_ledger_keeps_prefix_sums() -> None:
    import datetime as dt

    d = dt.date.fromisoformat
    ledger = returns.Ledger.of(
        Decimal(100), [(d("2025-09-01"), Decimal(-40)), (d("2025-09-03"), Decimal(-60))]
    )
    assert ledger.before(d("2025-08-01")) == 100
    assert ledger.before(d("2025-09-01")) == 100
    assert ledger.before(d("2025-09-02")) == 60
    assert ledger.before(d("2025-09-04")) == 0
    assert ledger.blown == d("2025-09-03")
    found = returns.path(ledger, [d("2025-09-02"), d("2025-09-03")], [Decimal(0), Decimal(-60)])
    assert found.total_return == -1 and found.max_drawdown_relative == -1
    assert returns.path(ledger, [d("2025-09-04")], [Decimal(0)]) == returns.blown_reason(
        d("2025-09-03")
    )
    assert returns.path(ledger, [], []) == returns.NO_DAYS
    assert returns.cagr(Decimal(5), Decimal(5), 3) == (0, None)
    assert returns.cagr(Decimal(5), Decimal(0), 3)[0] is None


def test_the_history_computes_its_ledger_once(fixture_logs) -> None:
    import datetime as dt

    history = Tracker(load_config(logs_dir=fixture_logs, starting_equity="1000")).history()
    assert history.ledger is history.ledger
    assert history.ledger.before(dt.date(2025, 9, 30)) == Decimal("1375.75")
    assert Tracker(load_config(logs_dir=fixture_logs)).history().ledger is None


# --- the schema ---------------------------------------------------------------------


def test_the_schema_holds_the_returns_to_their_windows(fixture_logs) -> None:
    found = summaries(fixture_logs, "100000")
    for summary in found.values():
        validate_summary(summary)
    week, month = found[("weekly", "2025-W37")], found[("monthly", "2025-09")]
    for bad in (
        {**month, "cagr": "0.100000", "calmar": "1.000000"},  # only in the all summary
        {k: v for k, v in week.items() if k != "volatility_annual"},  # all or none
        {k: v for k, v in week.items() if k != "total_return"},
        {**week, "total_return": None},  # null without its reason
    ):
        with pytest.raises(BuildError):
            validate_summary(bad)
    day = found[("daily", "2025-09-01")]
    with pytest.raises(BuildError):
        validate_summary({**day, "volatility_annual": "0.100000"})


# --- Markdown and the site -------------------------------------------------------------


def test_markdown_shows_the_return_beside_the_dollars(fixture_logs) -> None:
    found = summaries(fixture_logs, "1000")
    text = summary_markdown(found[("weekly", "2025-W37")])
    assert "| Net P&L | 550.25 (66.66% total return) |" in text
    assert "(-12.11% relative, end of day) |" in text
    assert "| Total return | 66.66% |" in text
    assert "| Volatility (daily returns, annualised) |" in text
    blown = summary_markdown(found[("monthly", "2025-10")])
    assert "| Net P&L | -1950.00 |" in blown  # no return beside it: there is none
    assert f"| Total return | n/a ({BLOWN}) |" in blown
    plain = summary_markdown(summaries(fixture_logs, None)[("weekly", "2025-W37")])
    assert "total return" not in plain.lower() and "| Net P&L | 550.25 |" in plain


def _two_years(logs: Path) -> Path:
    """Nov 2024 +300, Dec 2024 -350, Jan 2025 +1000, Feb 2025 -100."""
    for day, pnl in [
        ("2024-11-04", "500"),
        ("2024-11-05", "-200"),
        ("2024-12-02", "-400"),
        ("2024-12-30", "50"),
        ("2025-01-06", "1000"),
        ("2025-02-03", "-100"),
    ]:
        write_log(logs, day, [trade(f"{day}T14:00:00Z", net=pnl)])
    return logs


def _build(logs: Path, site: Path, equity: str | None) -> sitegen.BuildReport:
    config = load_config(logs_dir=logs, site_dir=site, starting_equity=equity)
    return sitegen.build(config, validate=True)


ROW = re.compile(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>')
CELL = re.compile(r'<td class="num( [^"]*)?"[^>]*>(?:<a href="([^"]*)"[^>]*>)?([^<]*)')


def _table(index: Path) -> dict[str, list[tuple[str, str, str | None]]]:
    """Year -> its 13 cells (classes, text, link) of the monthly-returns table."""
    text = index.read_text(encoding="utf-8")
    start = text.index('<table class="returns">')
    table = text[start : text.index("</table>", start)]
    return {
        year: [(cls or "", label, href or None) for cls, href, label in CELL.findall(cells)]
        for year, cells in ROW.findall(table)
    }


def test_the_overview_shows_monthly_returns(tmp_path) -> None:
    logs, site = _two_years(tmp_path / "logs"), tmp_path / "site"
    _build(logs, site, "10000")
    rows = _table(site / "index.html")
    assert list(rows) == ["2024", "2025"]  # oldest first, as QuantStats lists them
    y2024, y2025 = rows["2024"], rows["2025"]
    assert [len(y2024), len(y2025)] == [13, 13]  # 12 months and the year's total
    assert all(text == "" for _, text, _ in y2024[:10]) and y2025[2:12] == [("", "", None)] * 10
    # Nov: +300 / 10000; Dec: -350 / 10300; the year: 1.03 × 9950/10300 - 1 = 9950/10000 - 1
    assert [text for _, text, _ in y2024[10:]] == ["+3.00%", "-3.40%", "-0.50%"]
    # Jan: +1000 / 9950; Feb: -100 / 10950; the year: 10850 / 9950 - 1
    assert [text for _, text, _ in (*y2025[:2], y2025[12])] == ["+10.05%", "-0.91%", "+9.05%"]
    classes = [cls.split()[0] for cls, text, _ in (*y2024, *y2025) if text]
    assert [c[:3] for c in classes] == ["h-p", "h-n", "h-n", "h-p", "h-n", "h-p"]  # by sign
    assert y2025[0][0].startswith(" h-p4")  # the largest month, darkest
    assert y2024[10][2] == "monthly/2024-11.html" and y2024[12][2] is None
    page = parse(site / "index.html")  # well nested
    assert "h-returns" in page.ids
    # the site was handed the monthly summaries' figures
    for month, cell in (("2024-11", y2024[10]), ("2025-02", y2025[1])):
        data = json.loads((site / "data" / f"monthly-summary-{month}.json").read_text())
        assert cell[1] == f"{Decimal(data['total_return']) * 100:+.2f}%"


def test_the_table_says_why_a_month_has_no_return(tmp_path) -> None:
    logs, site = _two_years(tmp_path / "logs"), tmp_path / "site"
    _build(logs, site, "100")  # 600, 400, then 0 on 2024-12-02: blown
    rows = _table(site / "index.html")
    assert [(c, t) for c, t, _ in rows["2024"][10:]] == [
        (" h-p4 dark", "+300.00%"),
        (" na", "n/a"),
        (" na", "n/a"),
    ]
    assert {t for _, t, _ in rows["2025"] if t} == {"n/a"}
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "n/a: equity fell to 0 or below on 2024-12-02; returns are undefined" in text


def test_cards_show_the_return_beside_the_dollars(tmp_path) -> None:
    logs, site = _two_years(tmp_path / "logs"), tmp_path / "site"
    _build(logs, site, "10000")
    index = (site / "index.html").read_text(encoding="utf-8")
    # +850 / 10000; the deepest fall of the closes: 9900 against the peak of 10500
    assert '<div class="card-detail">+8.50% total return</div>' in index
    assert "-5.71% of the peak, end of day · trade by trade" in index
    month = (site / "monthly" / "2025-01.html").read_text(encoding="utf-8")
    assert '<div class="card-detail">+10.05% total return</div>' in month
    assert "definitions.html#total_return" in month  # the Returns table of the page
    assert "Max drawdown % (end of day)" in month
    definitions = (site / "definitions.html").read_text(encoding="utf-8")
    assert 'id="total_return"' in definitions and "on the daily returns" in definitions


# --- without starting_equity: nothing changes ---------------------------------------


def test_without_starting_equity_every_output_is_as_it_was(tmp_path) -> None:
    """The outputs of a build without the key hold nothing of the returns, are the same
    with the key set to null, and the summaries are those of a build with it minus the
    returns and with Sharpe and Sortino on the daily P&L."""
    from sitegen.demo import generate

    logs = tmp_path / "logs"
    generate(logs, days=15, per_day=6, seed=5)
    shutil.copytree(logs, tmp_path / "logs-null")
    config = tmp_path / "null.yaml"
    config.write_text("starting_equity: null\n", encoding="utf-8")
    plain = fresh_outputs(logs, tmp_path / "plain")
    null = fresh_outputs(tmp_path / "logs-null", tmp_path / "null", config)
    assert plain == null
    known = fresh_outputs(logs, tmp_path / "known", starting_equity="25000")
    assert plain.keys() == known.keys()
    for name, data in plain.items():
        text = data.decode("utf-8", "replace")
        assert "total_return" not in text and "Monthly returns" not in text, name
        assert "starting_equity" not in text and "total return" not in text.lower(), name
        if name.endswith(".json") and name.startswith("artifacts/"):
            mine, theirs = json.loads(text), json.loads(known[name])
            assert RETURN_FIELDS.isdisjoint(mine)
            assert RETURN_FIELDS & set(theirs)
            same = {k: v for k, v in theirs.items() if k not in RETURN_FIELDS}
            for field in ("sharpe", "sortino", "undefined_reasons"):
                same[field] = mine[field]
            assert same == mine, name
    assert "Monthly returns" in known["site/index.html"].decode()


def test_returns_through_the_library(fixture_logs) -> None:
    tracker = Tracker(load_config(logs_dir=fixture_logs, starting_equity="1000"))
    assert tracker.get_summary("monthly", "2025-09")["total_return"] == "0.225750"
    history = tracker.history()
    table = history.monthly_returns()
    assert table.months["2025-09"] == returns.Figure("0.225750")
    assert table.months["2025-10"] == returns.Figure(None, BLOWN)
    assert table.years == {"2025": returns.Figure(None, BLOWN)}
    for month, figure in table.months.items():  # what the monthly summaries hold
        summary = history.summary("monthly", month)
        assert figure.value == summary["total_return"], month
        assert figure.reason == summary["undefined_reasons"].get("total_return"), month


# --- incremental builds -----------------------------------------------------------------


def test_an_edit_of_an_early_day_moves_every_later_return(tmp_path) -> None:
    logs = returns_logs(tmp_path / "ws" / "logs")
    site = tmp_path / "ws" / "site"
    config = load_config(logs_dir=logs, site_dir=site, starting_equity="5000")
    sitegen.build(config)
    # the same history without returns, for the cost of an appended day
    plain_logs = returns_logs(tmp_path / "plain" / "logs")
    plain = load_config(logs_dir=plain_logs, site_dir=tmp_path / "plain" / "site")
    sitegen.build(plain)
    before = json.loads((config.artifacts / "weekly-summary-2025-W40.json").read_text())
    # the first day's loss doubles: the equity before every later period moves
    write_log(logs, "2025-09-01", [trade("2025-09-01T14:00:00Z", "AAPL", "loss", "-600.00")])
    report = sitegen.build(config)
    after = json.loads((config.artifacts / "weekly-summary-2025-W40.json").read_text())
    assert after["net_pnl"] == before["net_pnl"] and after["total_return"] != before["total_return"]
    assert report.summaries > 10  # every later period, not only the first day's
    want = fresh_outputs(logs, tmp_path / "fresh", starting_equity="5000")
    assert_same(outputs(config.artifacts, site), want)
    # a new day costs its own periods, as without returns
    for folder in (logs, plain_logs):
        write_log(folder, "2025-10-06", [trade("2025-10-06T14:00:00Z", net="75.00")])
    report = sitegen.build(config)
    assert report.summaries == sitegen.build(plain).summaries  # a new day: its own periods
    want = fresh_outputs(logs, tmp_path / "fresh2", starting_equity="5000")
    assert_same(outputs(config.artifacts, site), want)
