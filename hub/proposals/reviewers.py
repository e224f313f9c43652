"""Who decides on a proposal: an agency a covenant rule names as a reviewer of its members.

Seeing two members lets an agency read a proposal and comment on it; deciding on it (accept,
reject, assign, start a review, merge, split, undo) needs a reviewing rule (`reviews: true`)
that covers two of its members for case-proposal. The decision is the policy's
(`policy.reviewing_rule`); this module only gathers the members' facts for it.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.covenants.policy import REVIEW_PURPOSE, Grant, reviewing_rule
from hub.covenants.viewer import Viewer
from hub.errors import Forbidden
from hub.kit.i18n import N_
from hub.linking.models import ProposalMember
from hub.proposals import reads
from hub.signals.models import Signal
from hub.signals.reads import facts_of
from hub.signals.repository import HELD


def rule_for(
    session: Session,
    viewer: Viewer,
    proposal_id: uuid.UUID,
    also: Iterable[uuid.UUID] = (),
) -> Grant | None:
    """The rule that makes the viewer a reviewer of the proposal (its members and `also`: the
    signals an undo brings back); None when no rule does."""
    members = select(ProposalMember.signal_id).where(ProposalMember.proposal_id == proposal_id)
    extra = sorted(set(also))
    where = Signal.id.in_(members) | Signal.id.in_(extra) if extra else Signal.id.in_(members)
    rows = session.execute(select(Signal, HELD).where(where).order_by(Signal.pk)).all()
    signals, held = [s for s, _ in rows], {s.id for s, is_held in rows if is_held}
    facts = facts_of(session, viewer, signals, purpose=REVIEW_PURPOSE, held=held)
    return reviewing_rule(viewer.agency, facts, viewer.covenants, viewer.today)


def require(
    session: Session,
    viewer: Viewer,
    proposal_id: uuid.UUID,
    also: Iterable[uuid.UUID] = (),
) -> Grant:
    """The reviewing rule that allows the viewer's action, or 403 saying what it may do instead.

    Call it after the visibility check: a proposal the viewer may not see stays a 404.
    """
    rule = rule_for(session, viewer, proposal_id, also)
    if rule is None:
        raise Forbidden(
            N_(
                "{agency} may read proposal {id} and comment on it, but not decide on it "
                "(accept, reject, assign, review, merge, split or undo): no covenant in force "
                "names {agency} as a reviewer of two or more of its members (a rule with "
                "`reviews: true` for case-proposal)."
            ),
            params={"agency": viewer.code, "id": proposal_id},
        )
    return rule


def may_review(session: Session, viewer: Viewer, proposal_id: uuid.UUID) -> bool:
    """Whether the viewer's analysts may act on the proposal (the actions would not refuse)."""
    acting = viewer.for_purpose(REVIEW_PURPOSE)
    return (
        reads.may_see(session, acting, proposal_id)
        and rule_for(session, acting, proposal_id) is not None
    )


def audited(rule: Grant) -> dict[str, object]:
    """The reviewing rule as an audit event's detail names it."""
    return {
        "covenant_id": rule.covenant_id,
        "covenant_version": rule.covenant_version,
        "rule_id": rule.rule_id,
    }
