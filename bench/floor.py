"""The floor's struct: what the issue defines the floor as decoding every line into
(the fields the analytics read, timestamps left as strings). On purpose not
sitegen.ingest.TradeRecord: the floor must not move when sitegen's decoding does.
Used by run.py (in the subprocess that times the floor) and bound.py."""

from __future__ import annotations

from decimal import Decimal

import msgspec


class Trade(msgspec.Struct, gc=False):
    timestamp: str
    symbol: str
    outcome: str
    action: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    stop_loss: Decimal | None = None
    risk_reward_ratio: Decimal | None = None
    profit_loss: Decimal | None = None
    net_profit_loss: Decimal | None = None
    commission: Decimal | None = None
    slippage: Decimal | None = None
    exit_timestamp: str | None = None
    order_id: str | None = None
    strategy_name: str | None = None
