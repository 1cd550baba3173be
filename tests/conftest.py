"""Shared fixtures: small trade-log builders for hand-computed tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def trade(
    ts: str,
    symbol: str = "AAPL",
    outcome: str = "win",
    net: str | None = None,
    *,
    exit: str | None = None,
    order_id: str | None = None,
    strategy: str = "A",
    price: str | None = None,
    stop: str | None = None,
    qty: int | None = None,
    rr: float | None = None,
    commission: str | None = None,
    slippage: str | None = None,
    profit: str | None = None,
    **extra,
) -> dict:
    """A trade record in the bot's format with only the fields a test cares about."""
    record = {
        "timestamp": ts,
        "symbol": symbol,
        "action": "BUY",
        "quantity": qty,
        "price": price,
        "order_id": order_id,
        "strategy_name": strategy,
        "stop_loss": stop,
        "risk_reward_ratio": rr,
        "outcome": outcome,
        "profit_loss": profit if profit is not None else net,
        "exit_timestamp": exit,
        "slippage": slippage,
        "commission": commission,
        "net_profit_loss": net if outcome != "open" else None,
    }
    record.update(extra)
    return record


def write_log(logs: Path, day: str, records: list, *, tail: str = "") -> Path:
    """Write YYYY-MM-DD.jsonl; each item is a dict (JSON-encoded) or a raw str line."""
    logs.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path = logs / f"{day}.jsonl"
    path.write_text("".join(line + "\n" for line in lines) + tail, encoding="utf-8")
    return path


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path / "logs"
