"""Books (execution_mode): the records' mode and version are decoded and carried, a
build analyses the modes it is given (``modes``, ``--mode``) and counts the others in
``data_quality.excluded_by_mode``, and identity is resolved before the filter — a
record supersedes an earlier one of its order id whatever either's mode."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

import sitegen
from sitegen.cache import fingerprint
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.digest import decode_part, digest
from sitegen.errors import ConfigError
from sitegen.ingest import scan_bytes
from sitegen.pipeline import Tracker
from sitegen.windows import zone
from tests import oracle
from tests.conftest import trade, write_log
from tests.test_trust import assert_same, fresh_outputs, outputs

DAY = dt.date(2025, 10, 6)


def line(**fields) -> bytes:
    record = {"timestamp": "2025-10-06T14:00:00Z", "symbol": "NVDA", "outcome": "win"}
    record.update(fields)
    return json.dumps(record).encode() + b"\n"


def scan(*lines: bytes):
    return scan_bytes(b"".join(lines), "2025-10-06.jsonl", DAY)


# --------------------------------------------------------------------------- decoding


def test_mode_and_version_fields_are_decoded_with_their_types():
    result = scan(
        line(execution_mode="LIVE", bot_version="1.4.2", config_hash="abc123"),
        line(execution_mode=None, bot_version=2, config_hash=17),
        line(),
        line(execution_mode="", bot_version="", config_hash=None),
        line(execution_mode="shadow book", bot_version="1.5.0"),
    )
    assert not result.problems
    records = [r.trade for r in result.records]
    assert [(t.execution_mode, t.bot_version, t.config_hash) for t in records] == [
        ("LIVE", "1.4.2", "abc123"),
        (None, 2, 17),
        (None, None, None),
        ("", "", None),
        ("shadow book", "1.5.0", None),
    ]
    _, pairs = digest(result, zone("UTC"))
    assert [(t.mode, t.version) for t, _ in pairs] == [
        ("LIVE", "1.4.2 · abc123"),
        ("UNKNOWN", "2 · 17"),  # integers as text
        ("UNKNOWN", "unknown · unknown"),
        ("UNKNOWN", "unknown · unknown"),  # "" is missing, as for order_id
        ("shadow book", "1.5.0 · unknown"),
    ]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"execution_mode": 1}, "Expected `str | null`, got `int` - at `$.execution_mode`"),
        ({"execution_mode": True}, "Expected `str | null`, got `bool` - at `$.execution_mode`"),
        (
            {"execution_mode": ["LIVE"]},
            "Expected `str | null`, got `array` - at `$.execution_mode`",
        ),
        ({"bot_version": 1.5}, "Expected `int | str | null`, got `float` - at `$.bot_version`"),
        (
            {"bot_version": {"v": 1}},
            "Expected `int | str | null`, got `object` - at `$.bot_version`",
        ),
        ({"config_hash": False}, "Expected `int | str | null`, got `bool` - at `$.config_hash`"),
        ({"config_hash": [1]}, "Expected `int | str | null`, got `array` - at `$.config_hash`"),
    ],
)
def test_a_wrong_type_is_a_bad_line_with_its_reason(fields, reason):
    result = scan(line(), line(**fields), line(execution_mode="LIVE"))
    assert [r.line for r in result.records] == [1, 3]
    [problem] = result.problems
    assert (problem.line, problem.reason) == (2, reason)


def test_a_digest_keeps_mode_and_version_of_the_trades_it_carries():
    """A small day part keeps its trades (to rebuild a day whose files interleave): with
    their mode and version, through the index's encoding."""
    result = scan(
        line(execution_mode="LIVE", bot_version="1.4.2", config_hash="abc", net_profit_loss="5"),
        line(timestamp="2025-10-06T15:00:00Z", outcome="loss", net_profit_loss="-2"),
    )
    dg, _ = digest(result, zone("UTC"))
    part = decode_part(dg.raw_parts()[DAY])
    assert part.trades is not None
    trades = [c.trade(DAY, 0) for c in part.trades]
    assert [(t.mode, t.version) for t in trades] == [
        ("LIVE", "1.4.2 · abc"),
        ("UNKNOWN", "unknown · unknown"),
    ]
    assert part.modes == {"LIVE": 1, "UNKNOWN": 1}
    again = msgspec.json.decode(msgspec.json.encode(dg), type=type(dg))
    assert again == dg


def test_records_of_other_modes_are_set_aside_after_identity_in_the_file():
    """In one file the last line of an order id counts, whatever its mode: an open PAPER
    record followed by a closed LIVE one is one LIVE trade; the reverse is one PAPER one."""
    result = scan(
        line(order_id="a", outcome="open", execution_mode="PAPER"),
        line(order_id="b", outcome="open", execution_mode="LIVE"),
        line(order_id="a", execution_mode="LIVE", net_profit_loss="4"),
        line(order_id="b", execution_mode="PAPER", net_profit_loss="6"),
        line(execution_mode="PAPER", net_profit_loss="1"),
        line(net_profit_loss="1"),
    )
    dg, pairs = digest(result, zone("UTC"), modes=frozenset({"LIVE"}))
    assert [(t.line, t.mode) for t, _ in pairs] == [(3, "LIVE")]
    assert dg.superseded == 2 and not dg.opens
    assert dg.excluded_counts() == {DAY: {"PAPER": 2, "UNKNOWN": 1}}
    assert dg.has_records
    everything, pairs = digest(result, zone("UTC"))
    assert len(pairs) == 4 and not everything.excluded and not everything.excluded_ids


# --------------------------------------------------------------------------- config


def test_modes_config_key(tmp_path: Path):
    config = tmp_path / "sitegen.yaml"
    config.write_text("modes: [PAPER, LIVE, PAPER]\n")
    assert load_config(config).modes == ("LIVE", "PAPER")  # sorted, once each
    assert load_config(config).mode_filter == frozenset({"LIVE", "PAPER"})
    config.write_text("modes: LIVE\n")
    assert load_config(config).modes == ("LIVE",)
    config.write_text("timezone: UTC\n")
    assert load_config(config).modes is None  # every mode
    assert load_config(config).mode_filter is None
    assert load_config(config, modes=["UNKNOWN"]).modes == ("UNKNOWN",)  # overrides


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("modes: []\n", "modes: the list is empty; leave the key out to analyse every mode"),
        ("modes: [LIVE, 3]\n", "modes: 3 is not a mode name"),
        ("modes: ['']\n", "modes: '' is not a mode name"),
        ("modes: {LIVE: 1}\n", "modes: expected a list of execution modes"),
    ],
)
def test_a_bad_modes_value_is_a_config_error_naming_the_key(tmp_path: Path, text, message):
    config = tmp_path / "sitegen.yaml"
    config.write_text(text)
    with pytest.raises(ConfigError, match="sitegen.yaml: " + message):
        load_config(config)


def test_load_config_modes_override_is_checked():
    with pytest.raises(ConfigError, match="modes: 5 is not a mode name"):
        load_config(modes=[5])


# --------------------------------------------------------------------------- the fixture

#: Mon 2025-10-06 .. Fri 2025-10-10: PAPER, LIVE, a custom mode (SIM), null and missing
#: modes, with order ids closed across files and across modes.
BOOKS = {
    "2025-10-06": [
        trade("2025-10-06T15:00:00Z", "AAPL", "open", order_id="o-1", execution_mode="PAPER"),
        trade("2025-10-06T15:30:00Z", "NVDA", "open", order_id="o-2", execution_mode="LIVE"),
        trade("2025-10-06T14:00:00Z", "AAPL", "win", "30.00", execution_mode="LIVE"),
        trade("2025-10-06T14:10:00Z", "TSLA", "loss", "-12.50", execution_mode="PAPER"),
        trade("2025-10-06T14:20:00Z", "MSFT", "win", "8.00", execution_mode=None),
        trade("2025-10-06T14:30:00Z", "AMD", "loss", "-4.00", execution_mode="SIM"),
        trade("2025-10-06T14:40:00Z", "QQQ", "breakeven", "0.00"),  # no execution_mode
        trade("2025-10-06T16:00:00Z", "SPY", "open", order_id="o-3", execution_mode="PAPER"),
        trade(
            "2025-10-06T16:00:00Z",
            "SPY",
            "win",
            "14.00",
            exit="2025-10-06T16:40:00Z",
            order_id="o-3",
            execution_mode="LIVE",
        ),
    ],
    "2025-10-07": [
        # the PAPER open o-1 closed by a LIVE record, the LIVE open o-2 by a PAPER one
        trade(
            "2025-10-06T15:00:00Z",
            "AAPL",
            "win",
            "55.00",
            exit="2025-10-07T14:05:00Z",
            order_id="o-1",
            execution_mode="LIVE",
        ),
        trade(
            "2025-10-06T15:30:00Z",
            "NVDA",
            "loss",
            "-21.00",
            exit="2025-10-07T14:15:00Z",
            order_id="o-2",
            execution_mode="PAPER",
        ),
        trade(
            "2025-10-07T13:00:00Z",
            "TSLA",
            "win",
            "40.00",
            exit="2025-10-07T13:30:00Z",
            order_id="o-4",
            execution_mode="PAPER",
        ),
        trade("2025-10-07T17:00:00Z", "AMD", "open", order_id="o-5", execution_mode="LIVE"),
        trade(  # after hours: the next day in UTC, this day in New York
            "2025-10-07T23:50:00Z",
            "NVDA",
            "win",
            "9.00",
            exit="2025-10-08T00:10:00Z",
            execution_mode="LIVE",
        ),
        trade("2025-10-07T15:00:00Z", "SPY", "loss", "-7.00", execution_mode="LIVE"),
    ],
    "2025-10-08": [
        # a closed PAPER record rewritten as SIM the next day (a closed one superseded)
        trade(
            "2025-10-07T13:00:00Z",
            "TSLA",
            "loss",
            "-40.00",
            exit="2025-10-08T13:30:00Z",
            order_id="o-4",
            execution_mode="SIM",
        ),
        trade(
            "2025-10-07T17:00:00Z",
            "AMD",
            "win",
            "11.00",
            exit="2025-10-08T14:00:00Z",
            order_id="o-5",
            execution_mode="PAPER",
        ),
        trade("2025-10-08T14:30:00Z", "AAPL", "win", "6.00", execution_mode="LIVE"),
        trade("2025-10-08T14:40:00Z", "MSFT", "loss", "-3.00", execution_mode="PAPER"),
        trade(
            "2025-10-08T15:00:00Z",
            "QQQ",
            "win",
            "5.00",
            exit="2025-10-08T15:10:00Z",
            order_id="o-8",
            execution_mode="SIM",
        ),
    ],
    "2025-10-09": [
        trade("2025-10-09T15:00:00Z", "SPY", "open", order_id="o-6", execution_mode="PAPER"),
        trade("2025-10-09T15:05:00Z", "AMD", "open", order_id="o-7", execution_mode="SIM"),
        trade("2025-10-09T15:10:00Z", "AAPL", "win", "12.00", execution_mode="LIVE"),
        # o-8 (SIM, another file) corrected, still SIM: one record, not two
        trade(
            "2025-10-08T15:00:00Z",
            "QQQ",
            "win",
            "6.00",
            exit="2025-10-08T15:10:00Z",
            order_id="o-8",
            execution_mode="SIM",
        ),
    ],
    "2025-10-10": [
        trade(
            "2025-10-09T15:00:00Z",
            "SPY",
            "win",
            "13.00",
            exit="2025-10-10T14:00:00Z",
            order_id="o-6",
            execution_mode="PAPER",
        ),
        trade("2025-10-10T14:30:00Z", "NVDA", "loss", "-9.00", execution_mode="LIVE"),
        # a PAPER trade that exits on Saturday: a day no log file names
        trade(
            "2025-10-10T19:00:00Z",
            "TSLA",
            "win",
            "3.00",
            exit="2025-10-11T15:00:00Z",
            execution_mode="PAPER",
        ),
    ],
}

SELECTIONS = [
    None,
    ("LIVE",),
    ("PAPER",),
    ("PAPER", "UNKNOWN"),
    ("SIM",),
    ("LIVE", "SIM"),
    ("NOTHING",),
]


@pytest.fixture
def books(logs: Path) -> Path:
    for day, records in BOOKS.items():
        write_log(logs, day, records)
    return logs


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config/ here
    monkeypatch.delenv("PERFORMANCE_SUMMARY_TIMEZONE", raising=False)
    monkeypatch.delenv("PERFORMANCE_ALERT_ROLLING_WINDOW", raising=False)


def summaries(logs: Path, modes=None, tz="UTC") -> dict[tuple[str, str], dict]:
    history = Tracker(load_config(logs_dir=logs, timezone=tz, modes=modes)).history()
    return {
        (w, p): json.loads(json.dumps(history.summary(w, p)))
        for w in ("daily", "weekly", "monthly", "all")
        for p in history.periods(w)
    }


# --------------------------------------------------------------------------- the oracle


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
@pytest.mark.parametrize("modes", SELECTIONS)
def test_every_summary_matches_the_oracle_for_any_selection_of_modes(books, modes, tz):
    """Identity first, over every record, then the filter: every figure and
    ``excluded_by_mode`` of every period against the brute-force oracle."""
    expected = oracle.compute(books, tz, modes=None if modes is None else frozenset(modes))
    actual = summaries(books, modes, tz)
    assert actual.keys() <= expected.keys()
    assert ("daily", "2025-10-11") in actual  # a day held only by a record's exit
    for key, summary in actual.items():
        problems = oracle.diff(expected[key], summary)
        assert not problems, f"{modes} {tz} {key}: {problems[:5]}"
    everything = expected[("all", "all")]["data_quality"]["excluded_by_mode"]
    if modes is None:
        assert everything == {}
    else:
        assert everything and list(everything) == sorted(everything)


def test_identity_across_modes_by_hand(books):
    """The cases of the fixture, as a reader would count them."""
    live = summaries(books, ["LIVE"])
    monday = live[("daily", "2025-10-06")]
    # o-1 (open PAPER) and o-2 (open LIVE) are closed the next day: not open on Monday;
    # o-3 is a PAPER open turned LIVE win in the same file
    assert (monday["trades_total"], monday["trades_open"], monday["net_pnl"]) == (2, 0, "44.00")
    assert monday["data_quality"]["excluded_by_mode"] == {"PAPER": 1, "SIM": 1, "UNKNOWN": 2}
    tuesday = live[("daily", "2025-10-07")]
    # o-1 closed LIVE counts; o-2 closed PAPER is left out; o-4 (PAPER) is superseded by
    # SIM on Wednesday; o-5 is an open LIVE trade closed in PAPER on Wednesday
    assert (tuesday["trades_closed"], tuesday["trades_open"]) == (2, 0)
    assert tuesday["data_quality"]["excluded_by_mode"] == {"PAPER": 1}
    wednesday = live[("daily", "2025-10-08")]
    assert wednesday["data_quality"]["excluded_by_mode"] == {"PAPER": 2, "SIM": 2}
    everything = live[("all", "all")]
    assert everything["data_quality"]["excluded_by_mode"] == {"PAPER": 6, "SIM": 4, "UNKNOWN": 2}
    assert everything["trades_total"] == 8
    saturday = live[("daily", "2025-10-11")]
    assert saturday["trades_total"] == 0 and saturday["note"] == "No trades in window"
    assert saturday["data_quality"]["excluded_by_mode"] == {"PAPER": 1}

    paper = summaries(books, ["PAPER"])
    assert paper[("daily", "2025-10-06")]["trades_open"] == 0  # o-1 closed (LIVE) later
    tuesday = paper[("daily", "2025-10-07")]
    assert (tuesday["trades_closed"], tuesday["net_pnl"]) == (1, "-21.00")  # o-2 only
    assert paper[("daily", "2025-10-09")]["trades_open"] == 0  # o-6 closed on Friday
    sim = summaries(books, ["SIM"])
    assert sim[("daily", "2025-10-09")]["trades_open"] == 1  # o-7 stays open
    assert sim[("daily", "2025-10-08")]["trades_closed"] == 2  # o-4 and o-8, once each

    every = summaries(books)
    assert every[("all", "all")]["data_quality"]["excluded_by_mode"] == {}
    assert every[("all", "all")]["trades_total"] == 20  # 8 + 6 + 4 + 2
    # the same periods whatever the selection: modes change what a day holds, not the days
    for modes in SELECTIONS:
        assert summaries(books, modes).keys() == every.keys()


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("command", ["build", "serve", "summary", "alerts", "ack", "validate"])
def test_every_log_reading_command_takes_mode(command):
    params = {opt: p for p in main.commands[command].params for opt in p.opts}
    assert "--mode" in params and params["--mode"].multiple


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result


def test_build_summary_and_validate_with_mode(books):
    run("build", "--logs", str(books), "--no-site", "--mode", "LIVE", "--mode", "SIM")
    written = json.loads((books / "performance" / "all-summary.json").read_text())
    assert written["data_quality"]["excluded_by_mode"] == {"PAPER": 6, "UNKNOWN": 2}
    result = run("summary", "--logs", str(books), "--window", "all", "--json", "--mode", "PAPER")
    assert json.loads(result.stdout)["data_quality"]["excluded_by_mode"] == {
        "LIVE": 8,
        "SIM": 4,
        "UNKNOWN": 2,
    }
    result = run("summary", "--logs", str(books), "--window", "all", "--mode", "PAPER")
    assert "Records of other modes, not analysed: LIVE 8, SIM 4, UNKNOWN 2." in result.stdout
    result = run("validate", "--logs", str(books))
    assert result.stdout.splitlines()[-2:] == [
        "Valid records by mode: LIVE 10, PAPER 10, SIM 5, UNKNOWN 2",
        "5 files, 27 lines, 27 valid records, 0 bad lines",  # the totals stay last
    ]
    result = run("validate", "--logs", str(books), "--mode", "LIVE")
    assert result.stdout.splitlines()[-2].endswith("(analysed: LIVE; other modes are not analysed)")


def test_alerts_and_ack_take_mode_like_every_command(books):
    """They read the alert log the builds wrote (whatever modes those analysed)."""
    targets = Path("targets.yaml")
    targets.write_text("max_drawdown_target: -1\n")
    build = run(
        "build", "--logs", str(books), "--no-site", "--mode", "LIVE", "--targets", str(targets),
        code=2,
    )  # fmt: skip
    assert "unacknowledged alert" in build.stderr
    events = [json.loads(x) for x in (books / "performance-alerts.jsonl").read_text().splitlines()]
    alert_id = events[-1]["id"]
    assert alert_id in run("alerts", "--logs", str(books), "--mode", "LIVE").stdout
    result = run("ack", alert_id, "--logs", str(books), "--mode", "LIVE")
    assert result.stdout.startswith("Acknowledged 1 alert in 1 incident at ")


def test_serve_passes_mode_to_every_rebuild(books, monkeypatch):
    import sitegen.serve

    seen = {}

    def fake_serve(config, *, load, **kwargs):
        seen["config"], seen["reloaded"] = config, load()

    monkeypatch.setattr(sitegen.serve, "serve", fake_serve)
    run("serve", "--logs", str(books), "--mode", "PAPER", "--mode", "LIVE")
    assert seen["config"].modes == ("LIVE", "PAPER")
    assert seen["reloaded"].modes == ("LIVE", "PAPER")


# --------------------------------------------------------------------------- the cache


def test_the_modes_are_in_the_digest_fingerprint():
    assert fingerprint("UTC") != fingerprint("UTC", ["LIVE"])
    assert fingerprint("UTC", ["LIVE", "PAPER"]) == fingerprint("UTC", ("PAPER", "LIVE"))
    assert fingerprint("UTC", ["LIVE"]) != fingerprint("UTC", ["PAPER"])
    assert fingerprint("UTC", ["LIVE"]) != fingerprint("Asia/Tokyo", ["LIVE"])


def test_a_change_of_modes_reads_the_logs_again(books, caplog):
    site = Path("site")
    first = sitegen.build(load_config(logs_dir=books, site_dir=site))
    assert first.cache_misses == len(BOOKS)
    again = sitegen.build(load_config(logs_dir=books, site_dir=site))
    assert again.up_to_date
    caplog.set_level(logging.WARNING, logger="sitegen")
    live = sitegen.build(load_config(logs_dir=books, site_dir=site, modes=["LIVE"]))
    assert "settings changed since the cache index was written" in caplog.text
    assert not live.up_to_date and live.cache_misses == len(BOOKS)
    assert live.modes == {"LIVE": 8}
    assert_same(
        outputs(books / "performance", site),
        fresh_outputs(books, Path("fresh"), modes=["LIVE"]),
    )
    assert sitegen.build(load_config(logs_dir=books, site_dir=site, modes=["LIVE"])).up_to_date


def test_the_mixed_books_warning(books, caplog):
    caplog.set_level(logging.WARNING, logger="sitegen")
    report = sitegen.build(load_config(logs_dir=books), site=False)
    warned = [r.getMessage() for r in caplog.records if "mixes books" in r.getMessage()]
    assert warned == [
        "the report mixes books: LIVE (8 closed trades), PAPER (6 closed trades), SIM "
        "(3 closed trades), UNKNOWN (2 closed trades); their results are added together "
        "(--mode MODE, or the modes config key, reports on one)"
    ]
    assert report.modes == {"LIVE": 8, "PAPER": 6, "SIM": 3, "UNKNOWN": 2}
    caplog.clear()
    report = sitegen.build(load_config(logs_dir=books, modes=["SIM"]), site=False)
    assert "mixes books" not in caplog.text and report.modes == {"SIM": 3}
    caplog.clear()
    sitegen.build(load_config(logs_dir=books, modes=["live"]), site=False)
    assert (
        "no record in the logs has mode live (modes found: LIVE, PAPER, SIM, UNKNOWN; "
        "names must match execution_mode exactly)" in caplog.text
    )


# --------------------------------------------------------------------------- outputs


def test_markdown_and_pages_show_the_records_left_out(books):
    config = load_config(logs_dir=books, site_dir=Path("site"), modes=["LIVE"])
    sitegen.build(config, validate=True)  # every artifact against the schema
    markdown = (books / "performance" / "daily-summary-2025-10-06.md").read_text()
    assert "- Records of other modes (not analysed): PAPER 1, SIM 1, UNKNOWN 2\n" in markdown
    page = Path("site/daily/2025-10-06.html").read_text()
    assert (
        "<p>Records of other modes (not analysed): <bdi>PAPER</bdi> 1 · <bdi>SIM</bdi> 1 · "
        "<bdi>UNKNOWN</bdi> 2</p>" in page
    )
    # the trade rows of a day are those of the analysed records only: AAPL and SPY (o-3)
    assert "SPY" in page and "AAPL" in page
    assert not any(symbol in page for symbol in ("TSLA", "MSFT", "AMD", "QQQ"))


def test_mode_names_from_logs_are_inert_in_markdown_and_pages(logs):
    write_log(
        logs,
        "2025-10-06",
        [
            trade("2025-10-06T14:00:00Z", "AAPL", "win", "1.00", execution_mode="LIVE"),
            trade("2025-10-06T15:00:00Z", "AAPL", "win", "1.00", execution_mode="<b>x</b>|*y*"),
        ],
    )
    config = load_config(logs_dir=logs, site_dir=Path("site"), modes=["LIVE"])
    sitegen.build(config)
    markdown = (logs / "performance" / "daily-summary-2025-10-06.md").read_text()
    assert "- Records of other modes (not analysed): &lt;b&gt;x&lt;/b&gt;\\|\\*y\\* 1" in markdown
    page = Path("site/daily/2025-10-06.html").read_text()
    assert "<bdi>&lt;b&gt;x&lt;/b&gt;|*y*</bdi> 1" in page and "<b>x</b>" not in page


def test_without_modes_nothing_is_left_out_and_outputs_say_nothing_of_it(books):
    sitegen.build(load_config(logs_dir=books, site_dir=Path("site")))
    summary = json.loads((books / "performance" / "all-summary.json").read_text())
    assert summary["data_quality"]["excluded_by_mode"] == {}
    assert "other modes" not in (books / "performance" / "all-summary.md").read_text()
    assert "other modes" not in Path("site/daily/2025-10-06.html").read_text()


# --------------------------------------------------------------------------- trust


def test_incremental_builds_with_mixed_modes_equal_a_fresh_build(books):
    """Appends and edits that supersede across files and modes, and a change of modes:
    after each, a plain build equals a fresh full build."""
    site = Path("site")

    def check(modes):
        sitegen.build(load_config(logs_dir=books, site_dir=site, modes=modes))
        check.n += 1
        want = fresh_outputs(books, Path(f"fresh{check.n}"), modes=modes)
        assert_same(outputs(books / "performance", site), want)

    check.n = 0
    check(["LIVE"])
    # a later file closes Thursday's SIM open o-7 as LIVE: it leaves excluded_by_mode
    with open(books / "2025-10-10.jsonl", "a") as fp:
        fp.write(
            json.dumps(
                trade(
                    "2025-10-09T15:05:00Z",
                    "AMD",
                    "loss",
                    "-2.00",
                    exit="2025-10-10T15:00:00Z",
                    order_id="o-7",
                    execution_mode="LIVE",
                )
            )
            + "\n"
        )
    check(["LIVE"])
    # one more PAPER record for Saturday, from Friday's file: Saturday's count changes
    with open(books / "2025-10-10.jsonl", "a") as fp:
        fp.write(
            json.dumps(
                trade(
                    "2025-10-10T19:30:00Z",
                    "TSLA",
                    "loss",
                    "-1.00",
                    exit="2025-10-11T16:00:00Z",
                    execution_mode="PAPER",
                )
            )
            + "\n"
        )
    check(["LIVE"])
    # the LIVE close of o-1 rewritten as PAPER (an edit of an older file)
    path = books / "2025-10-07.jsonl"
    path.write_text(
        path.read_text().replace('"execution_mode": "LIVE"', '"execution_mode": "PAPER"', 1)
    )
    check(["LIVE"])
    check(["PAPER", "SIM"])
    (books / "2025-10-08.jsonl").unlink()  # o-4 and o-5 are back to their earlier records
    check(["PAPER", "SIM"])
    check(None)
    check(["UNKNOWN"])


# --------------------------------------------------------------------------- demo data


def _modes_by_file(paths: list[Path]) -> list[tuple[str, list[str]]]:
    return [
        (p.stem, sorted({json.loads(x)["execution_mode"] for x in p.read_text().splitlines()}))
        for p in paths
    ]


def test_demo_default_output_is_unchanged(tmp_path: Path):
    """The default demo logs are byte for byte what they were before books existed."""
    import hashlib

    from sitegen.demo import generate

    digest_ = hashlib.sha256()
    for path in generate(tmp_path / "logs", days=12, per_day=6, seed=5):
        digest_.update(path.name.encode())
        digest_.update(path.read_bytes())
    assert digest_.hexdigest() == (
        "1dbf54391ecc6532f31f551f7e9607f93549ba9eb535510b39b9f85fb4ea1db8"
    )


def test_demo_books_switch_from_paper_to_live_and_change_version(tmp_path: Path):
    from sitegen.demo import generate

    paths = generate(tmp_path / "a", days=20, per_day=8, seed=3, books=True)
    modes = _modes_by_file(paths)
    live_at = next(i for i, (_, found) in enumerate(modes) if "LIVE" in found)
    assert 0 < live_at < len(paths) // 2  # about 40% of the way through
    assert all(found == ["PAPER"] for _, found in modes[:live_at])
    # positions opened in paper are closed in paper, the next day; then live only
    assert all("PAPER" not in found for _, found in modes[live_at + 1 :])
    versions = [
        {(r["bot_version"], r["config_hash"]) for r in map(json.loads, p.read_text().splitlines())}
        for p in paths
    ]
    assert versions[0] != versions[-1] and len(set().union(*versions)) == 2
    # the same days and trades as without books: only execution_mode differs
    plain = generate(tmp_path / "b", days=20, per_day=8, seed=3)
    for with_books, without in zip(paths, plain, strict=True):
        assert with_books.read_text().replace('"LIVE"', '"PAPER"') == without.read_text()
    # a build of them says the books are mixed; --mode LIVE analyses the live part
    report = sitegen.build(load_config(logs_dir=tmp_path / "a", modes=["LIVE"]), site=False)
    assert list(report.modes) == ["LIVE"]


def test_demo_live_from_a_date(tmp_path: Path):
    paths = tmp_path / "logs"
    run(
        "demo-data", "--out", str(paths), "--days", "10", "--per-day", "4",
        "--live-from", "2025-09-08",
    )  # fmt: skip
    modes = dict(_modes_by_file(sorted(paths.glob("*.jsonl"))))
    assert modes["2025-09-05"] == ["PAPER"]
    assert "2025-09-08" not in modes  # the demo's missing day: live from the next one
    assert modes["2025-09-09"] == ["LIVE", "PAPER"]  # Friday's paper position closed
    assert modes["2025-09-10"] == ["LIVE"]
