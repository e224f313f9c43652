"""Every ORM model, imported once so the metadata is complete (Alembic, tests)."""

from hub.agencies.models import Agency
from hub.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from hub.auth.models import OAuthClient, UsedAssertion
from hub.covenants.models import (
    Binding,
    BindingTerm,
    CaseOpening,
    CovenantVersion,
    DisclosureItem,
    DisclosureRequest,
)
from hub.db import Base
from hub.digests.models import Delivery, Digest, Webhook
from hub.linking.models import (
    LinkExclusion,
    LinkingLock,
    LinkJoin,
    LinkSeparation,
    Proposal,
    ProposalEvent,
    ProposalLink,
    ProposalMember,
)
from hub.nightly.models import NightlyLease, NightlyRun
from hub.reports.models import Report
from hub.retention.models import RetentionExtension, RetentionExtensionMember
from hub.signals.models import (
    IdempotencyRecord,
    Identifier,
    Signal,
    SignalBarrier,
    SignalIndicator,
    SignalVersion,
    Subject,
)
from hub.subjects.models import SignalRestriction, SubjectCorrection, SubjectRequest
from hub.ui.models import UISession, UIUser

metadata = Base.metadata

__all__ = [
    "Agency",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "Binding",
    "BindingTerm",
    "CaseOpening",
    "CovenantVersion",
    "Delivery",
    "Digest",
    "DisclosureItem",
    "DisclosureRequest",
    "IdempotencyRecord",
    "Identifier",
    "LinkExclusion",
    "LinkJoin",
    "LinkSeparation",
    "LinkingLock",
    "NightlyLease",
    "NightlyRun",
    "OAuthClient",
    "Proposal",
    "ProposalEvent",
    "ProposalLink",
    "ProposalMember",
    "Report",
    "RetentionExtension",
    "RetentionExtensionMember",
    "Signal",
    "SignalBarrier",
    "SignalIndicator",
    "SignalRestriction",
    "SignalVersion",
    "Subject",
    "SubjectCorrection",
    "SubjectRequest",
    "UISession",
    "UIUser",
    "UsedAssertion",
    "Webhook",
    "metadata",
]
