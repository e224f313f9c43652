"""How a proposal's statuses and the actions in its history are named for people: marked for
the catalogue here, shown translated by the UI and the case file."""

from hub.kit.i18n import N_

PROPOSAL_STATUS = {
    "new": N_("New"),
    "in_review": N_("In review"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
    "merged": N_("Merged"),
    "closed": N_("Closed"),
}
ACTIONS = {
    "created": N_("Proposed by the linker"),
    "changed": N_("Re-linked"),
    "closed": N_("Closed by the linker"),
    "assigned": N_("Assigned"),
    "review-started": N_("Review started"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
    "merged": N_("Merged another proposal in"),
    "merged-into": N_("Merged into another proposal"),
    "split": N_("Split"),
    "split-from": N_("Split off from another proposal"),
    "undone": N_("Undone"),
    "commented": N_("Comment"),
}
