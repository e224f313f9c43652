"""The covenant simulator: what each agency would see, per purpose and level, under a draft.

Evidence for the rechtmatigheidsadviescommissie (WGS art. 1.8(6)): counts only, never content
or ids. Both sides are judged by the policy's SQL form (hub.covenants.sql.level_of) over the
stored signals, each as if it were shared today, so the difference is the draft's alone. One
scan of the signals per purpose gives every agency's level under both sets (GROUP BY over the
levels), so it scales with the signals, not with signals times agencies.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency as AgencyRow
from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.covenants.model import Agency, Covenant, Level
from hub.covenants.policy import in_force
from hub.covenants.sql import level_of
from hub.kit import clock
from hub.linking.models import Proposal, ProposalMember
from hub.signals.models import Signal

# Trend reports show counts only (aggregates_only rules): no agency sees a signal for them.
SIMULATED_PURPOSES = ("case-proposal", "hit-lookup", "investigation")
LEVELS = tuple(Level)
OWN = -1  # an agency's own signal: it sees it in full under any covenant, so it is not counted


@dataclass
class Comparison:
    """How many signals (or proposals) are seen at each level now and under the draft, and
    how many are seen at a higher (raised) or lower (lowered) level under the draft."""

    now: list[int] = field(default_factory=lambda: [0] * len(LEVELS))
    draft: list[int] = field(default_factory=lambda: [0] * len(LEVELS))
    raised: int = 0
    lowered: int = 0

    def add(self, now: int, draft: int, count: int) -> None:
        self.now[now] += count
        self.draft[draft] += count
        self.raised += count if draft > now else 0
        self.lowered += count if draft < now else 0

    @property
    def change(self) -> list[int]:
        return [d - n for n, d in zip(self.now, self.draft, strict=True)]

    @property
    def changed(self) -> bool:
        return self.raised > 0 or self.lowered > 0

    def as_json(self) -> dict[str, Any]:
        def named(values: list[int]) -> dict[str, int]:
            return {level.label: values[level] for level in LEVELS}

        return {
            "now": named(self.now),
            "draft": named(self.draft),
            "change": named(self.change),
            "raised": self.raised,
            "lowered": self.lowered,
        }


@dataclass
class Row:
    agency: str
    purpose: str
    signals: Comparison = field(default_factory=Comparison)
    proposals: Comparison = field(default_factory=Comparison)


@dataclass
class Simulation:
    on: date
    against: list[str]  # the covenant versions in force: "id vN"
    draft: list[str]
    signals: int
    proposals: int
    rows: list[Row]

    @property
    def changed(self) -> int:
        """Rows (agency and purpose) whose counts change under the draft."""
        return sum(1 for r in self.rows if r.signals.changed or r.proposals.changed)

    def as_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "against": self.against,
            "draft": self.draft,
            "signals": self.signals,
            "proposals": self.proposals,
            "changed": self.changed,
            "rows": [
                {
                    "agency": r.agency,
                    "purpose": r.purpose,
                    "signals": r.signals.as_json(),
                    "proposals": r.proposals.as_json(),
                }
                for r in self.rows
            ],
        }


def run(
    session: Session, caller: Caller, *, current: tuple[Covenant, ...], draft: tuple[Covenant, ...]
) -> Simulation:
    """Simulate the draft against the covenants in force for every registered agency, today;
    audited with the counts (never what the signals hold)."""
    agencies = {
        row.id: Agency(row.code, row.kind, row.region)
        for row in session.execute(
            select(AgencyRow.id, AgencyRow.code, AgencyRow.kind, AgencyRow.region)
        )
    }
    result = simulate(session, current=current, draft=draft, agencies=agencies, today=clock.today())
    audit.record(
        session,
        caller,
        "covenants.simulated",
        object_type="covenant-simulation",
        objects=[
            (
                str(uuid.uuid4()),
                {
                    "against": result.against,
                    "draft": result.draft,
                    "signals": result.signals,
                    "proposals": result.proposals,
                    "agencies": len(agencies),
                    "changed": result.changed,
                },
            )
        ],
    )
    return result


def simulate(
    session: Session,
    *,
    current: tuple[Covenant, ...],
    draft: tuple[Covenant, ...],
    agencies: Mapping[int, Agency],
    today: date,
) -> Simulation:
    """Every agency's counts per purpose and level under the current covenants and the draft."""
    ordered = sorted(agencies.items(), key=lambda item: item[1].code)
    rows: list[Row] = []
    for purpose in SIMULATED_PURPOSES:
        levels = [
            (
                _level(agency_id, agency, purpose, current, agencies, today),
                _level(agency_id, agency, purpose, draft, agencies, today),
            )
            for agency_id, agency in ordered
        ]
        found = [Row(agency.code, purpose) for _, agency in ordered]
        same = [_same(session, now, draft) for now, draft in levels]
        _count_signals(session, ordered, levels, same, found)
        _count_proposals(session, levels, same, found)
        rows += found
    return Simulation(
        on=today,
        against=_versions(current, today),
        draft=_versions(draft, today),
        signals=session.scalar(select(func.count()).select_from(Signal)) or 0,
        proposals=session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.status != "merged")
        )
        or 0,
        rows=rows,
    )


def _versions(covenants: tuple[Covenant, ...], today: date) -> list[str]:
    return [f"{c.id} v{c.version}" for c in in_force(covenants, today).values()]


def _level(
    agency_id: int,
    agency: Agency,
    purpose: str,
    covenants: tuple[Covenant, ...],
    agencies: Mapping[int, Agency],
    today: date,
) -> ColumnElement[int]:
    return level_of(
        viewer=agency,
        viewer_id=agency_id,
        purpose=purpose,
        covenants=covenants,
        agencies=agencies,
        today=today,
        as_shared_today=True,
    )


def _same(session: Session, now: ColumnElement[int], draft: ColumnElement[int]) -> bool:
    """Whether the two expressions are the same SQL: then one column serves both sides (most
    agencies, when a draft changes one covenant), and the database evaluates half as much."""
    dialect = session.get_bind().dialect

    def text(expression: ColumnElement[int]) -> str:
        return str(expression.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    return text(now) == text(draft)


def _count_signals(
    session: Session,
    ordered: list[tuple[int, Agency]],
    levels: list[tuple[ColumnElement[int], ColumnElement[int]]],
    same: list[bool],
    rows: list[Row],
) -> None:
    """One scan: each agency's level of each signal under both sets, grouped and counted."""
    columns = []
    for k, ((agency_id, _), (now, draft)) in enumerate(zip(ordered, levels, strict=True)):
        own = Signal.agency_id == agency_id
        columns.append(case((own, OWN), else_=now).label(f"n{k}"))
        if not same[k]:
            columns.append(case((own, OWN), else_=draft).label(f"d{k}"))
    _tally(session, select(*columns).subquery(), rows, "signals")


def _count_proposals(
    session: Session,
    levels: list[tuple[ColumnElement[int], ColumnElement[int]]],
    same: list[bool],
    rows: list[Row],
) -> None:
    """A proposal is seen at the highest level at which the agency sees two of its members
    (the read model shows it only when it sees two, own members included); merged ones are
    not counted (they live on in the proposal they were merged into)."""
    columns = []
    for k, (now, draft) in enumerate(levels):
        columns.append(now.label(f"n{k}"))
        if not same[k]:
            columns.append(draft.label(f"d{k}"))
    members = (
        select(ProposalMember.proposal_id, *columns)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .join(Proposal, Proposal.id == ProposalMember.proposal_id)
        .where(Proposal.status != "merged")
        .subquery()
    )
    per_proposal = (
        select(
            *(
                _second_highest(column).label(column.name)
                for column in members.c
                if column.name != "proposal_id"
            )
        )
        .group_by(members.c.proposal_id)
        .subquery()
    )
    _tally(session, per_proposal, rows, "proposals")


def _second_highest(level: Any) -> ColumnElement[int]:
    """Per group: the highest level at which at least two rows are seen (0: none)."""

    def seen_at(at: Level) -> ColumnElement[bool]:
        return func.sum(case((level >= int(at), 1), else_=0)) >= 2

    whens = [(seen_at(at), int(at)) for at in reversed(LEVELS) if at > Level.NONE]
    return case(*whens, else_=int(Level.NONE))


def _tally(session: Session, levels: Any, rows: list[Row], what: str) -> None:
    names = list(levels.c.keys())
    # Where now and the draft are the same expression there is one column, `n`, for both.
    at = [
        (names.index(f"n{k}"), names.index(f"d{k}" if f"d{k}" in names else f"n{k}"))
        for k in range(len(rows))
    ]
    grouped = select(*levels.c, func.count()).group_by(*levels.c)
    for found in session.execute(grouped):
        count = found[-1]
        for (n, d), row in zip(at, rows, strict=True):
            now, draft = found[n], found[d]
            if now == OWN:
                continue
            getattr(row, what).add(now, draft, count)
