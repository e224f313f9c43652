"""The analysts' pages: the queue, a proposal, a signal, the dashboard and the trend reports.

Every page reads through the same services as the API, with the signed-in analyst as the
caller, so a page can never show more than the API would show that analyst's agency.
"""

from fastapi import APIRouter

from hub.ui.pages import actions, dashboard, proposal, queue, reports, signal

router = APIRouter()
for module in (queue, proposal, actions, signal, dashboard, reports):
    router.include_router(module.router)
