"""The queries the pages make themselves: the proposals a signal is a member of, and a
proposal's status."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.linking.models import Proposal, ProposalMember


def proposals_holding(session: Session, signal_id: uuid.UUID) -> list[Proposal]:
    """Newest first; merged-away proposals live on in another and are left out."""
    return list(
        session.scalars(
            select(Proposal)
            .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
            .where(ProposalMember.signal_id == signal_id, Proposal.status != "merged")
            .order_by(Proposal.created_at.desc())
        )
    )


def proposal_status(session: Session, proposal_id: uuid.UUID) -> str | None:
    """A proposal's status (None: no such proposal); says nothing of who may see it."""
    return session.scalar(select(Proposal.status).where(Proposal.id == proposal_id))
