"""Alert events -> incidents. Pure: events in, incidents out.

An incident is a run of breaches of one rule in one window: its events share the rule,
the window and ``context.since``, the first period of their run, which
alerts.evaluate sets while it walks every period of the rule in order (a period that
evaluates the rule without a breach ends a run; a period without closed trades does
not). So the last build's events (the cache index keeps them) are all the record
needed: ``sitegen alerts`` and ``sitegen ack`` group them without a build, with the
acknowledgements the alert log holds now.

An incident: ``id`` (its first event's), ``rule``, ``window``, ``severity`` (the most
severe of its events), ``since`` and ``latest`` (its first and last period),
``periods`` (how many), ``worst`` (the worst actual value, by the rule's comparison),
``acknowledged`` (all its events are) and ``events`` (their ids, in period order).

Events read back from the alert log are data a person may have edited: every field is
read defensively, and nothing here fails on a strange one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sitegen.numbers import finite_decimal
from sitegen.windows import period_bounds

SEVERITY_RANK = {"CRITICAL": 0, "WARN": 1}
#: what `sitegen alerts` calls an incident: open, cleared (the last build no longer
#: raises its events) or acknowledged
STATES = ("open", "cleared", "acknowledged")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def run_start(event: Mapping[str, Any]) -> str:
    """The first period of the run of breaches ``event`` belongs to."""
    context = event.get("context")
    since = context.get("since") if isinstance(context, Mapping) else None
    return since if isinstance(since, str) and since else _text(event.get("period"))


def incidents(events: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The incidents ``events`` form, in display order (see ``_rank``)."""
    return [incident for incident, _ in grouped(events)]


def grouped(
    events: Iterable[Mapping[str, Any]],
) -> list[tuple[dict, list[Mapping[str, Any]]]]:
    """Each incident ``events`` form with its events (in period order), in display
    order (see ``_rank``)."""
    runs: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for event in sorted(events, key=lambda e: (_text(e.get("period")), _text(e.get("id")))):
        key = (_text(event.get("rule")), _text(event.get("window")), run_start(event))
        runs.setdefault(key, []).append(event)
    return sorted(((_incident(run), run) for run in runs.values()), key=lambda p: _rank(p[0]))


def _incident(run: Sequence[Mapping[str, Any]]) -> dict:
    severity = min((_text(e.get("severity")) for e in run), key=lambda s: SEVERITY_RANK.get(s, 2))
    return {
        "id": _text(run[0].get("id")),
        "rule": _text(run[0].get("rule")),
        "window": _text(run[0].get("window")),
        "severity": severity,
        "since": _text(run[0].get("period")),
        "latest": _text(run[-1].get("period")),
        "periods": len({_text(e.get("period")) for e in run}),
        "worst": worst(run),
        "acknowledged": all(e.get("acknowledged_at") for e in run),
        "events": [_text(e.get("id")) for e in run],
    }


def worst(events: Iterable[Mapping[str, Any]]) -> Any:
    """The actual value furthest past the target: the lowest for a rule that breaches
    below its target (``<``, ``<=``), the highest for one that breaches above it. None
    when no event has a number."""
    found: tuple[Decimal, Any] | None = None
    for event in events:
        number = finite_decimal(event.get("actual"))
        if number is None:
            continue
        context = event.get("context")
        above = isinstance(context, Mapping) and context.get("comparison") in (">", ">=")
        if found is None or (number > found[0] if above else number < found[0]):
            found = (number, event.get("actual"))
    return None if found is None else found[1]


def period_end(window: str, period: str) -> dt.date | None:
    """The last day of a period; None for an id that names none."""
    try:
        return period_bounds(window, period)[1]
    except (ValueError, KeyError, TypeError, OverflowError):
        return None


def _rank(incident: Mapping[str, Any]) -> tuple[bool, int, int, str]:
    """Open before acknowledged; then the most severe; then the most recent (by the
    end of the latest period); then by id."""
    end = period_end(incident["window"], incident["latest"]) or dt.date.min
    severity = SEVERITY_RANK.get(incident["severity"], 2)
    return (incident["acknowledged"], severity, -end.toordinal(), incident["id"])


def current_and_cleared(
    built: Sequence[Mapping[str, Any]] | None, logged: Mapping[str, Mapping[str, Any]]
) -> tuple[list[dict], list[dict]]:
    """The events of the alert log (``logged``, as read now) split in two: those the last
    build raised (``built``, as the cache index keeps them: their ``context.since`` is
    the current one), with the acknowledgement the log holds now; and those it no
    longer raises (cleared: raised while their day was being written, say). Without a
    build (None) every logged event counts as raised. An event of the build that the
    log lacks (another log, or one moved away) is not one of them."""
    if built is None:
        return [dict(e) for e in logged.values()], []
    raised = {e["id"]: e for e in built}
    current = [
        {**raised[key], "acknowledged_at": e.get("acknowledged_at")}
        for key, e in logged.items()
        if key in raised
    ]
    cleared = [dict(e) for key, e in logged.items() if key not in raised]
    return current, cleared


def listing(current: Iterable[Mapping], cleared: Iterable[Mapping]) -> list[tuple[dict, str]]:
    """Every incident with its state (STATES), open ones first, then cleared ones."""
    rows = [(i, "acknowledged" if i["acknowledged"] else "open") for i in incidents(current)]
    rows += [(i, "acknowledged" if i["acknowledged"] else "cleared") for i in incidents(cleared)]
    rows.sort(key=lambda row: STATES.index(row[1]))  # stable: each keeps its order
    return rows


def select(
    events: Sequence[Mapping[str, Any]],
    found: Sequence[Mapping[str, Any]],
    ids: Collection[str] = (),
    *,
    everything: bool = False,
    rule: str | None = None,
    before: dt.date | None = None,
) -> tuple[list[Mapping[str, Any]], list[str]]:
    """What `sitegen ack` chooses among ``events`` (grouped in incidents ``found``): the
    events of ``ids`` (event or incident ids; an incident's id stands for all its
    events), or every event (``everything``, or no ids at all), narrowed to ``rule``
    and to periods that end before ``before``. Returns them in period order, and the
    ids that name neither an event nor an incident."""
    by_incident = {i["id"]: i["events"] for i in found}
    by_id = {e["id"]: e for e in events}
    unknown = [i for i in dict.fromkeys(ids) if i not in by_incident and i not in by_id]
    chosen: Collection[str] = by_id
    if ids and not everything:
        chosen = {e for i in ids for e in by_incident.get(i, (i,))}
    picked = [
        e
        for e in by_id.values()
        if e["id"] in chosen
        and (rule is None or e.get("rule") == rule)
        and (before is None or _ends_before(e, before))
    ]
    picked.sort(key=lambda e: (_text(e.get("period")), e["id"]))
    return picked, unknown


def _ends_before(event: Mapping[str, Any], day: dt.date) -> bool:
    end = period_end(_text(event.get("window")), _text(event.get("period")))
    return end is not None and end < day


def open_incidents(events: Sequence[Mapping[str, Any]], open_ids: Collection[str]) -> list[str]:
    """The ids of the incidents that hold one of ``open_ids`` (the unacknowledged
    events of the latest day, week and month)."""
    wanted = set(open_ids)
    return [i["id"] for i in incidents(events) if wanted.intersection(i["events"])]
