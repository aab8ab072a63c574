"""What the conversion did, cell by cell: statuses, reasons and the summary.

Cell statuses:

``converted``
    everything in the cell is in the pipeline in Spark form.
``partial``
    the cell is in the pipeline but something in it was not converted, or was
    converted with a documented difference from pandas.
``not-converted``
    the cell is not in the pipeline (it does not parse, or its body is not
    Python), or none of its pandas calls could be converted.
``dropped``
    nothing in the cell belongs in a pipeline (markdown aside: magics,
    ``display``, plots, bare expressions, empty cells).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["converted", "partial", "not-converted", "dropped"]
Outcome = Literal["converted", "partial", "not-converted", "dropped", "info"]


@dataclass(frozen=True)
class Event:
    """One thing a pass did or could not do.

    Attributes:
        cell: 1-based cell number (see :mod:`nb2prod.notebook`).
        code: the rule or reason code, e.g. ``PS103`` (see ``nb2prod rule CODE``).
        outcome: ``converted``, ``partial`` (converted with a difference),
            ``not-converted``, ``dropped`` (removed on purpose) or ``info``.
        message: one line for people.
        pandas_call: True when the event is about one pandas call site; these
            are what readiness counts.
        line: 1-based line inside the cell, when known.
        tier: for converted pandas calls, how they run on Spark: ``native`` or a
            fallback tier (``pandas_udf``, ``applyInPandas``, ``mapInPandas``, ``driver``).
    """

    cell: int
    code: str
    outcome: Outcome
    message: str
    pandas_call: bool = False
    line: int | None = None
    tier: str | None = None


@dataclass
class CellReport:
    """The outcome for one code cell."""

    number: int
    id: str
    status: Status
    source: str
    generated: str = ""
    events: list[Event] = field(default_factory=list)
    tags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "cell": self.number,
            "id": self.id,
            "status": self.status,
            "reasons": [
                {"code": e.code, "outcome": e.outcome, "message": e.message, **({"line": e.line} if e.line else {})}
                for e in self.events
            ],
            "generated": self.generated.splitlines(),
        }


def cell_status(events: list[Event], has_code: bool) -> Status:
    """Derive a cell's status from its events.

    Args:
        events: everything the passes reported for the cell.
        has_code: whether any statement of the cell remains in the pipeline.
    """
    outcomes = {e.outcome for e in events}
    pandas = [e for e in events if e.pandas_call]
    if any(e.outcome == "not-converted" and not e.pandas_call for e in events):
        return "not-converted" if not has_code else "partial"
    if not has_code:
        return "dropped"
    if pandas and all(e.outcome == "not-converted" for e in pandas):
        return "not-converted"
    if "not-converted" in outcomes or "partial" in outcomes:
        return "partial"
    return "converted"


def summarise(cells: list[CellReport], events: list[Event]) -> dict[str, object]:
    """The ``summary`` block of ``conversion.json``.

    ``readiness`` = pandas call sites converted (natively, with a documented
    difference, or by a counted executor fallback tier) / all pandas call sites
    found, rounded to 4 places; 1.0 when the notebook has no pandas call. The
    denominator holds the sites that run as pandas on the driver
    (``pandas_calls_driver``) and those on values whose kind could not be decided
    (``pandas_calls_unresolved``): they are never left out. ``tiers`` counts
    every site by where it runs: ``native``, a fallback (``pandas_udf``,
    ``applyInPandas``, ``mapInPandas``, ``collect``), ``driver`` (the notebook's
    pandas code on the driver), ``unresolved``, or ``not-run`` (its cell is not
    in the pipeline).
    """
    calls = [e for e in events if e.pandas_call]
    converted = [e for e in calls if e.outcome in ("converted", "partial")]
    counts = {s: sum(1 for c in cells if c.status == s) for s in ("converted", "partial", "not-converted", "dropped")}
    tiers: dict[str, int] = {}
    for event in calls:
        tier = (event.tier or "native") if event.outcome in ("converted", "partial") else (event.tier or "not-run")
        tiers[tier] = tiers.get(tier, 0) + 1
    return {
        "cells": len(cells),
        "converted": counts["converted"],
        "partial": counts["partial"],
        "not_converted": counts["not-converted"],
        "dropped": counts["dropped"],
        "pandas_calls": len(calls),
        "pandas_calls_converted": len(converted),
        "pandas_calls_driver": sum(1 for e in calls if e.outcome == "not-converted" and e.tier == "driver"),
        "pandas_calls_unresolved": sum(1 for e in calls if e.outcome == "not-converted" and e.tier == "unresolved"),
        "readiness": round(len(converted) / len(calls), 4) if calls else 1.0,
        "tiers": dict(sorted(tiers.items())),
    }


def inventory(events: list[Event]) -> list[dict[str, object]]:
    """Every pandas call site: where it is, the rule or reason code, its outcome and tier."""
    return [
        {
            "cell": e.cell,
            "line": e.line,
            "code": e.code,
            "outcome": e.outcome,
            "tier": e.tier if e.outcome in ("converted", "partial") else (e.tier or "not-run"),
            "message": e.message,
        }
        for e in events
        if e.pandas_call
    ]
