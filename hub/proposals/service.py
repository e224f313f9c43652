"""Analysts' actions on case proposals: each checked, versioned, stored as an event, audited.

Every action takes the linking lock first, so it never interleaves with the linker rewriting
the same cluster, then compares the caller's If-Match with the proposal's version: of two
analysts acting on one version, the second gets 412. Merges and splits are kept as constraints
the linker honours from then on (`link_joins`, `link_separations`), and each is an event that
records what it changed, so it can be undone and a merged-away id can point to its successor.
"""

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.covenants.model import Agency
from hub.covenants.models import CaseOpening
from hub.covenants.policy import Grant
from hub.covenants.viewer import Viewer
from hub.db import now
from hub.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, PreconditionRequired
from hub.kit.bulk import insert_rows
from hub.kit.crypto import DataKeys, Sealed
from hub.kit.i18n import N_
from hub.linking import ruleset
from hub.linking import service as linking
from hub.linking.models import (
    LinkJoin,
    LinkSeparation,
    Proposal,
    ProposalEvent,
)
from hub.proposals import reads, repository, reviewers
from hub.retention import extensions
from hub.retention.rules import WGS_CAP_DAYS

PURPOSE = "case-proposal"
# Agencies whose queue is their own region's unless they ask for another.
REGIONAL_KINDS = ("riec", "municipality")
OPEN = ("new", "in_review")
# The analysts' actions, as stored in the history (the linker's are created/changed/closed).
ANALYST_ACTIONS = (
    "assigned",
    "review-started",
    "accepted",
    "rejected",
    "merged",
    "merged-into",
    "split",
    "split-from",
    "undone",
    "commented",
)
UNDOABLE = ("merged", "split")
# Sealing context of an acceptance's signal assessment (bound to its proposal).
ASSESSMENT = b"proposal-assessment:"


@dataclass(frozen=True)
class Context:
    """What every action needs besides its own arguments."""

    viewer: Viewer  # reading for the actions' purpose, case-proposal
    keys: DataKeys
    linker: linking.Linker
    case_retention_days: int
    retention_cap_days: int = WGS_CAP_DAYS

    @property
    def caller(self) -> Caller:
        return self.viewer.caller


def queue_region(viewer: Agency, asked: str | None) -> str | None:
    """The region a queue is for: as asked (`all`: every region), else a regional agency's own."""
    if asked == "all":
        return None
    if asked is not None:
        return asked
    return viewer.region if viewer.kind in REGIONAL_KINDS else None


def etag(proposal: Proposal) -> str:
    return f'"{proposal.version}"'


def visible_members(
    session: Session, ctx: Context, proposal_id: uuid.UUID
) -> dict[uuid.UUID, Grant]:
    """The members of a proposal the caller may see (at `hit` or more), with their grants."""
    return reads.visible_grants(session, ctx.viewer, proposal_id)


def visible_signals(session: Session, ctx: Context) -> Callable[[set[uuid.UUID]], set[uuid.UUID]]:
    """A test for the history: which of the signals it names the caller may see."""
    return lambda ids: reads.visible_signals(session, ctx.viewer, ids)


def not_found(proposal_id: uuid.UUID) -> NoReturn:
    raise NotFound(
        N_("There is no proposal {id} that you may see for this purpose."),
        params={"id": proposal_id},
    )


def _find(
    session: Session, ctx: Context, proposal_id: uuid.UUID, also: frozenset[uuid.UUID] = frozenset()
) -> Proposal:
    """The proposal, if the caller may see two of its members (or of `also`: the signals an
    undo brings back); else 404, as the reads answer."""
    # Visibility first: a missing proposal and one the caller may not see run the same query.
    seen = set(visible_members(session, ctx, proposal_id))
    if len(seen) < 2 and also:
        seen |= visible_signals(session, ctx)(set(also))
    proposal = repository.by_id(session, proposal_id) if len(seen) >= 2 else None
    if proposal is None:
        not_found(proposal_id)
    return proposal


def _reviewed(
    session: Session, ctx: Context, proposal: Proposal, also: frozenset[uuid.UUID] = frozenset()
) -> Grant:
    """The rule that names the caller a reviewer of this proposal, or 403: agencies that may
    only see it read and comment. Checked after `_find`, so an unseen proposal stays 404."""
    return reviewers.require(session, ctx.viewer, proposal.id, also)


def _locked(
    session: Session,
    ctx: Context,
    proposal_id: uuid.UUID,
    if_match: str | None,
    also: frozenset[uuid.UUID] = frozenset(),
) -> tuple[Proposal, Grant]:
    """The proposal, locked and at the caller's version, and the rule that lets it act."""
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the proposal's ETag (from GET /proposals/{id}): two analysts "
            "must not act on one proposal without seeing each other's change."
        )
    linking.lock(session)
    proposal = _find(session, ctx, proposal_id, also)
    session.refresh(proposal)  # read after the lock: another analyst may just have committed
    rule = _reviewed(session, ctx, proposal, also)
    if if_match.strip() not in ("*", etag(proposal)):
        raise PreconditionFailed(
            f"The proposal is at version {proposal.version} (ETag {etag(proposal)}); it changed "
            "since you read it. Read it again and decide on what it is now."
        )
    return proposal, rule


def _require(proposal: Proposal, allowed: Iterable[str], what: str) -> None:
    if proposal.status not in allowed:
        raise Conflict(
            N_("A proposal that is {status} cannot {what}."),
            params={"status": proposal.status, "what": what},
        )


def _event(
    session: Session,
    ctx: Context,
    proposal: Proposal,
    action: str,
    detail: dict[str, Any] | None,
    text: str | None,
    at: datetime,
    assessment: dict[str, str] | None = None,
) -> ProposalEvent:
    sealed = (
        ctx.keys.seal(text.encode(), context=b"proposal-event:" + proposal.id.bytes)
        if text
        else None
    )
    assessed = (
        ctx.keys.seal(json.dumps(assessment).encode(), context=ASSESSMENT + proposal.id.bytes)
        if assessment
        else None
    )
    event = ProposalEvent(
        proposal_id=proposal.id,
        at=at,
        action=action,
        actor=ctx.caller.client_id,
        agency=ctx.caller.agency_code,
        detail=detail,
        text_key_id=sealed.key_id if sealed else None,
        text=sealed.blob if sealed else None,
        assessment_key_id=assessed.key_id if assessed else None,
        assessment=assessed.blob if assessed else None,
    )
    session.add(event)
    return event


def event_text(keys: DataKeys, event: ProposalEvent) -> str | None:
    """An event's reason or comment, decrypted (the caller decides who may read it)."""
    if event.text is None or event.text_key_id is None:
        return None
    sealed = Sealed(event.text_key_id, event.text)
    return keys.open(sealed, context=b"proposal-event:" + event.proposal_id.bytes).decode()


def made_by(proposal: Proposal) -> dict[str, str | None]:
    """The linking rules that made what the analyst decided on (WGS art. 1.9(6)): recorded in
    each decision's event and audit detail. Null parts: linked before the rules had a version."""
    return {"version": proposal.ruleset_version, "hash": proposal.ruleset_hash}


def event_assessment(keys: DataKeys, event: ProposalEvent) -> dict[str, str] | None:
    """An acceptance's signal assessment, decrypted (the caller decides who may read it)."""
    if event.assessment is None or event.assessment_key_id is None:
        return None
    sealed = Sealed(event.assessment_key_id, event.assessment)
    opened: dict[str, str] = json.loads(
        keys.open(sealed, context=ASSESSMENT + event.proposal_id.bytes)
    )
    return opened


def _touch(proposal: Proposal, at: datetime) -> None:
    proposal.version += 1
    proposal.updated_at = at


def _audit(
    session: Session,
    ctx: Context,
    action: str,
    proposal: Proposal,
    detail: dict[str, Any],
    rule: Grant | None = None,
) -> None:
    """Record the action; an analyst's decision names the reviewing rule that allowed it."""
    if rule is not None:
        detail = detail | {"reviewing_rule": reviewers.audited(rule)}
    audit.record(
        session,
        ctx.caller,
        f"proposal.{action}",
        object_type="proposal",
        objects=[(str(proposal.id), detail)],
        purpose=PURPOSE,
    )


def assign(
    session: Session,
    ctx: Context,
    proposal_id: uuid.UUID,
    if_match: str | None,
    *,
    assignee: str | None,
    reason: str | None,
) -> Proposal:
    """Give the proposal to an analyst of the caller's agency (None: to nobody)."""
    proposal, rule = _locked(session, ctx, proposal_id, if_match)
    _require(proposal, (*OPEN, "accepted"), N_("be assigned"))
    at = now()
    proposal.assigned_to = assignee
    _touch(proposal, at)
    _event(session, ctx, proposal, "assigned", {"assignee": assignee}, reason, at)
    _audit(session, ctx, "assigned", proposal, {"assignee": assignee}, rule)
    return proposal


def start_review(
    session: Session, ctx: Context, proposal_id: uuid.UUID, if_match: str | None
) -> Proposal:
    """Mark a new proposal as being reviewed."""
    proposal, rule = _locked(session, ctx, proposal_id, if_match)
    _require(proposal, ("new",), N_("be put in review"))
    at = now()
    proposal.status = "in_review"
    _touch(proposal, at)
    _event(session, ctx, proposal, "review-started", None, None, at)
    _audit(session, ctx, "review-started", proposal, {}, rule)
    return proposal


def decide(
    session: Session,
    ctx: Context,
    proposal_id: uuid.UUID,
    if_match: str | None,
    *,
    decision: str,
    reason: str,
    assessment: dict[str, str] | None = None,
) -> Proposal:
    """Accept (it becomes a case with a number; its members are kept as long as the case, within
    the WGS cap) with the signal assessment of WGS art. 2.23, or reject (kept, so re-linking
    proposes it again only when new signals join)."""
    if decision == "accept" and not assessment:
        # The schemas refuse this first; a service caller must not skip the assessment either.
        raise InvalidInput(
            N_("Accepting a proposal records the signal assessment (WGS art. 2.23)."),
            errors=[{"pointer": "/assessment", "detail": N_("is required to accept")}],
        )
    proposal, rule = _locked(session, ctx, proposal_id, if_match)
    at = now()
    if decision == "accept":
        _require(proposal, (*OPEN, "rejected"), N_("be accepted"))
        proposal.status = "accepted"
        proposal.accepted_by = ctx.caller.agency_code
        proposal.case_number = repository.next_case_number(session, ctx.caller.agency_code, at.year)
        proposal.retain_until = at + timedelta(days=ctx.case_retention_days)
        opened = _open(session, ctx, proposal, at)
        detail: dict[str, Any] = {"case_number": proposal.case_number, "opened": opened}
    else:
        _require(proposal, OPEN, N_("be rejected"))
        proposal.status = "rejected"
        detail = {}
    detail["ruleset"] = made_by(proposal)
    proposal.decided_at = at
    _touch(proposal, at)
    action = "accepted" if decision == "accept" else "rejected"
    kept = assessment if decision == "accept" else None
    _event(session, ctx, proposal, action, detail, reason, at, kept)
    # The audit says an assessment was recorded, never what it says.
    audited = detail | ({"assessment": sorted(kept)} if kept else {})
    _audit(session, ctx, action, proposal, audited, rule)
    return proposal


def _open(session: Session, ctx: Context, proposal: Proposal, at: datetime) -> list[str]:
    """Record the members the accepting agency could see for case-proposal now: acceptance
    opens these for investigation and nothing more (issue 12, finding 1). Members it was not
    shown, or that join later by a merge, need the source's consent (a disclosure request)."""
    seen = sorted(visible_members(session, ctx, proposal.id), key=str)
    insert_rows(
        session,
        CaseOpening,
        [
            {
                "proposal_id": proposal.id,
                "signal_id": s,
                "agency": ctx.caller.agency_code,
                "opened_at": at,
            }
            for s in seen
        ],
    )
    return [str(s) for s in seen]


def _ordered(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if a < b else (b, a)


def merge(
    session: Session,
    ctx: Context,
    proposal_id: uuid.UUID,
    if_match: str | None,
    *,
    other: uuid.UUID,
    reason: str,
) -> Proposal:
    """Fold `other` into this proposal; the linker keeps them together from now on and the
    other id points here."""
    if other == proposal_id:
        raise InvalidInput(
            N_("A proposal cannot be merged with itself."),
            errors=[{"pointer": "/other", "detail": N_("is this proposal")}],
        )
    target, rule = _locked(session, ctx, proposal_id, if_match)
    absorbed = _find(session, ctx, other)
    # Both proposals change, so the caller must review both.
    other_rule = _reviewed(session, ctx, absorbed)
    _require(target, (*OPEN, "accepted"), N_("be merged into"))
    _require(absorbed, OPEN, N_("be merged away"))
    at = now()
    kept, taken = repository.members(session, target.id), repository.members(session, absorbed.id)
    anchor = min(kept)
    joins = repository.insert_pairs(
        session,
        LinkJoin,
        {_ordered(anchor, m) for m in taken if m != anchor},
        created_at=at,
        created_by=ctx.caller.client_id,
    )
    previous = absorbed.status
    rules_seen = {"ruleset": made_by(target), "other_ruleset": made_by(absorbed)}
    # The absorbed proposal keeps its member rows as history; only live proposals link.
    absorbed.status, absorbed.merged_into = "merged", target.id
    _touch(absorbed, at)
    repository.set_members(session, target, kept | taken)
    _touch(target, at)
    event = _event(
        session,
        ctx,
        target,
        "merged",
        {"other": str(absorbed.id), "other_status": previous, "joins": joins} | rules_seen,
        reason,
        at,
    )
    _event(session, ctx, absorbed, "merged-into", {"into": str(target.id)}, reason, at)
    session.flush()
    ctx.linker(session, kept | taken)
    _audit(
        session,
        ctx,
        "merged",
        target,
        {
            "other": str(absorbed.id),
            "event": event.pk,
            "other_reviewing_rule": reviewers.audited(other_rule),
        }
        | rules_seen,
        rule,
    )
    return _after_linking(session, target)


def split(
    session: Session,
    ctx: Context,
    proposal_id: uuid.UUID,
    if_match: str | None,
    *,
    members: list[uuid.UUID],
    reason: str,
) -> tuple[Proposal, Proposal | None]:
    """Take the chosen members out into a proposal of their own; the linker keeps the two
    parts apart, and each part together, from now on. Returns this proposal and the new one
    (None when one signal was taken out)."""
    proposal, rule = _locked(session, ctx, proposal_id, if_match)
    _require(proposal, OPEN, N_("be split"))
    current = repository.members(session, proposal.id)
    seen = visible_members(session, ctx, proposal.id)
    chosen = set(members)
    unknown = sorted(str(m) for m in chosen - (current & seen.keys()))
    if unknown or not chosen or chosen == current:
        detail = (
            f"not members you may see: {', '.join(unknown)}"
            if unknown
            else N_("choose some, not all, of the members")
        )
        raise InvalidInput(
            N_("Split off some of the proposal's members."),
            errors=[{"pointer": "/members", "detail": detail}],
        )
    rest = current - chosen
    at = now()
    seen_rules = made_by(proposal)
    separations = repository.insert_pairs(
        session,
        LinkSeparation,
        {_ordered(a, b) for a in chosen for b in rest},
        reason="split by an analyst",
        created_at=at,
        created_by=ctx.caller.client_id,
    )
    # An earlier merge across the new seam would hold the parts together: lift it.
    crossing = [
        [str(a), str(b)]
        for a, b in repository.joins_within(session, current)
        if (a in chosen) != (b in chosen)
    ]
    repository.delete_pairs(session, LinkJoin, crossing)
    # Each side is held together as the analyst drew it: without this, the cut that keeps the
    # pairs apart is free to cut off single signals instead of the chosen seam.
    joins = repository.insert_pairs(
        session,
        LinkJoin,
        {_ordered(min(side), m) for side in (chosen, rest) for m in side if m != min(side)},
        created_at=at,
        created_by=ctx.caller.client_id,
    )
    part = None
    if len(chosen) >= 2:
        part = Proposal(
            id=uuid.uuid4(),
            status="new",
            score=0.0,
            score_parts={},
            barriers=[],
            agencies=[],
            size=len(chosen),
            created_at=at,
            updated_at=at,
            # The linker re-links the part at once, under these rules.
            ruleset_version=ruleset.current().version,
            ruleset_hash=ruleset.current().hash,
        )
        session.add(part)
        session.flush()
        repository.set_members(session, part, chosen)
        _event(session, ctx, part, "split-from", {"from": str(proposal.id)}, reason, at)
    repository.set_members(session, proposal, rest)
    _touch(proposal, at)
    event = _event(
        session,
        ctx,
        proposal,
        "split",
        {
            "part": str(part.id) if part else None,
            "members": sorted(str(m) for m in chosen),
            "separations": separations,
            "joins": joins,
            "lifted_joins": crossing,
            "ruleset": seen_rules,
        },
        reason,
        at,
    )
    session.flush()
    ctx.linker(session, current)
    _audit(
        session,
        ctx,
        "split",
        proposal,
        {"part": str(part.id) if part else None, "event": event.pk, "ruleset": seen_rules},
        rule,
    )
    return _after_linking(session, proposal), (_after_linking(session, part) if part else None)


def undo(
    session: Session,
    ctx: Context,
    proposal_id: uuid.UUID,
    if_match: str | None,
    *,
    event_id: int,
    reason: str,
) -> Proposal:
    """Undo a merge or a split of this proposal: its constraints go, its parts come back."""
    event = repository.event(session, proposal_id, event_id)
    # A split that left one signal closed the proposal; the caller may still see what an undo
    # brings back together.
    named = frozenset(
        uuid.UUID(m) for m in ((event.detail or {}).get("members", []) if event else [])
    )
    proposal, rule = _locked(session, ctx, proposal_id, if_match, named)
    if event is None or event.action not in UNDOABLE:
        raise NotFound(
            N_("This proposal has no merge or split {event} to undo."), params={"event": event_id}
        )
    if repository.undone(session, proposal.id, event.pk):
        raise Conflict(
            N_("The {action} {event} is undone already."),
            params={"action": event.action, "event": event_id},
        )
    _require(
        proposal,
        (*OPEN, "accepted", *(("closed",) if event.action == "split" else ())),
        N_("be changed"),
    )
    at = now()
    detail = event.detail or {}
    if event.action == "merged":
        changed = _undo_merge(session, ctx, proposal, detail, at)
    else:
        changed = _undo_split(session, ctx, proposal, detail, at)
    _touch(proposal, at)
    undone = {"event": event.pk, "action": event.action, "ruleset": made_by(proposal)}
    _event(session, ctx, proposal, "undone", undone, reason, at)
    session.flush()
    ctx.linker(session, changed)
    _audit(session, ctx, "undone", proposal, undone, rule)
    return _after_linking(session, proposal)


def _undo_merge(
    session: Session, ctx: Context, target: Proposal, detail: dict[str, Any], at: datetime
) -> set[uuid.UUID]:
    absorbed = repository.by_id(session, uuid.UUID(detail["other"]))
    assert absorbed is not None
    if absorbed.status != "merged" or absorbed.merged_into != target.id:
        raise Conflict(N_("The merged proposal has changed since; this merge cannot be undone."))
    repository.delete_pairs(session, LinkJoin, detail.get("joins", []))
    theirs = repository.members(session, absorbed.id)
    absorbed.status, absorbed.merged_into = detail.get("other_status", "new"), None
    _touch(absorbed, at)
    _event(session, ctx, absorbed, "undone", {"action": "merged-into"}, None, at)
    mine = repository.members(session, target.id)
    repository.set_members(session, target, mine - theirs)
    return mine | theirs


def _undo_split(
    session: Session, ctx: Context, proposal: Proposal, detail: dict[str, Any], at: datetime
) -> set[uuid.UUID]:
    repository.delete_pairs(session, LinkSeparation, detail.get("separations", []))
    repository.delete_pairs(session, LinkJoin, detail.get("joins", []))
    insert_rows(
        session,
        LinkJoin,
        [
            {
                "signal_a": uuid.UUID(a),
                "signal_b": uuid.UUID(b),
                "created_at": at,
                "created_by": ctx.caller.client_id,
            }
            for a, b in detail.get("lifted_joins", [])
        ],
    )
    taken = {uuid.UUID(m) for m in detail.get("members", [])}
    part_id = detail.get("part")
    if part_id:
        part = repository.by_id(session, uuid.UUID(part_id))
        assert part is not None
        if part.status not in (*OPEN, "closed"):
            raise Conflict(
                N_("The part split off is {status} now; undo that first or merge it back."),
                params={"status": part.status},
            )
        taken |= repository.members(session, part.id) if part.status != "closed" else set()
        part.status, part.merged_into = "merged", proposal.id
        _touch(part, at)
        _event(session, ctx, part, "merged-into", {"into": str(proposal.id)}, None, at)
    mine = repository.members(session, proposal.id)
    repository.set_members(session, proposal, mine | taken)
    if proposal.status == "closed":  # it held one signal after the split: open it again
        proposal.status, proposal.closed_reason = "new", None
    return mine | taken


def comment(session: Session, ctx: Context, proposal_id: uuid.UUID, *, text: str) -> ProposalEvent:
    """Add a comment (sealed; readable by the analysts of the commenter's agency)."""
    proposal = _find(session, ctx, proposal_id)
    _require(proposal, (*OPEN, "accepted", "rejected"), N_("be commented on"))
    event = _event(session, ctx, proposal, "commented", None, text, now())
    session.flush()
    _audit(session, ctx, "commented", proposal, {"event": event.pk})
    return event


def case_retention(
    session: Session,
    ctx: Context,
    proposal_id: uuid.UUID,
    members: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """An accepted case's retention as the caller may read it (None before acceptance):
    `members` are the members as the caller sees them."""
    proposal = repository.by_id(session, proposal_id)
    if proposal is None or proposal.status != "accepted":
        return None
    return extensions.for_case_file(
        session,
        ctx.keys,
        proposal=proposal,
        agency=ctx.caller.agency_code,
        visible={uuid.UUID(str(m["id"])) for m in members},
        members=members,
        cap_days=ctx.retention_cap_days,
        at=now(),
    )


def exported(session: Session, ctx: Context, proposal_id: uuid.UUID, rendition: str) -> None:
    """Record that the caller took a case file out of the hub."""
    proposal = _find(session, ctx, proposal_id)
    _audit(session, ctx, "exported", proposal, {"rendition": rendition})


def _after_linking(session: Session, proposal: Proposal) -> Proposal:
    session.flush()
    session.refresh(proposal)
    return proposal


def resolve(session: Session, proposal_id: uuid.UUID) -> uuid.UUID:
    """Where a merged-away id lives on now (itself when it was not merged away)."""
    seen = {proposal_id}
    current = proposal_id
    while True:
        into = repository.merged_into(session, current)
        if into is None or into in seen:
            return current
        seen.add(into)
        current = into
