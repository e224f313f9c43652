"""The analysts' pages: the queue, a proposal, a signal, the dashboard, the trend reports, the
disclosure requests about the agency's own signals and the linking rules; and the contact
point's data subjects' requests.

Every page reads through the same services as the API, with the signed-in analyst as the
caller, so a page can never show more than the API would show that analyst's agency.
"""

from fastapi import APIRouter

from hub.ui.pages import (
    actions,
    dashboard,
    disclosures,
    proposal,
    queue,
    reports,
    rules,
    signal,
    subjects,
)

router = APIRouter()
for module in (queue, proposal, actions, signal, dashboard, reports, disclosures, rules, subjects):
    router.include_router(module.router)
