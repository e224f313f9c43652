"""A proposal's page: what links its members (graph and table), their timeline, the history,
and the forms to act on it. Read as the API reads it, with the analyst as the caller."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from hub.covenants.model import Agency
from hub.covenants.policy import INVESTIGATION
from hub.deps import SessionDep, VocabularyDep
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.kit.terms import term
from hub.proposals import reads, reviewers, service
from hub.proposals.history import history
from hub.proposals.labels import ACTIONS
from hub.proposals.schemas import ASSESSMENT_CRITERIA
from hub.signals import reads as signal_reads
from hub.ui.pages import pseudonyms
from hub.ui.pages.deps import ReviewDep
from hub.ui.pages.render import page
from hub.ui.pages.repository import proposal_status
from hub.ui.repository import display_names
from hub.ui.sessions import UI_ACTOR

router = APIRouter()

# What a flash after a successful action says (the action's code travels in `done`).
DONE = {
    "review-started": N_("You started the review: other analysts see it is being looked at."),
    "assigned": N_("The assignment is saved."),
    "accepted": N_("Accepted: the proposal is now a case, numbered above."),
    "rejected": N_("Rejected: re-linking will not propose it again unless new signals join."),
    "merged": N_("Merged: the other proposal is part of this one now, and its id leads here."),
    "split": N_("Split: the members you ticked are now a proposal of their own."),
    "split-one": N_("Split: the signal you ticked is on its own now, and kept apart from these."),
    "split-off": N_(
        "Split: these are the members you ticked. What was left is one signal, and one "
        "signal is no proposal."
    ),
    "undone": N_("Undone: the proposal is as it was before that change."),
    "commented": N_("Your comment is in the history."),
}

# The statuses in which each form can do anything (hub.proposals.service checks them again).
FORMS = {
    "review": ("new",),
    "assign": ("new", "in_review", "accepted"),
    "accept": ("new", "in_review", "rejected"),
    "reject": ("new", "in_review"),
    "merge": ("new", "in_review", "accepted"),
    "split": ("new", "in_review"),
    "undo": ("new", "in_review", "accepted"),
    "comment": ("new", "in_review", "accepted", "rejected"),
}
# Forms open to any agency that sees the proposal; the others are for its reviewers only.
OPEN_FORMS = ("comment",)
# The graph's legend: each agency kind has one colour (hub.css, --agency-<kind>) on every page;
# the page translates the names.
KIND_NAMES = {
    "emm": N_("EMM"),
    "riec": N_("RIEC"),
    "liec": N_("LIEC"),
    "kmar": N_("Royal Marechaussee"),
    "ind": N_("Immigration service (IND)"),
    "szw": N_("Labour Inspectorate"),
    "police": N_("Police"),
    "municipality": N_("Municipality"),
    "other": N_("Other agency"),
}


def investigating(ctx: service.Context) -> service.Context:
    """The same analyst reading for the investigation purpose instead of case proposals."""
    return replace(ctx, viewer=replace(ctx.viewer, purpose=INVESTIGATION))


def investigation_open(session: Session, ctx: service.Context, proposal: dict[str, Any]) -> bool:
    """Whether an accepted case has an investigation view for the analyst: a covenant grants
    its agency two of the members for the investigation purpose."""
    if proposal["status"] != "accepted":
        return False
    return reads.may_see(session, investigating(ctx).viewer, proposal["id"])


def view(
    session: Session,
    ctx: service.Context,
    proposal_id: uuid.UUID,
    weights: dict[str, float],
    *,
    investigation: bool = False,
) -> dict[str, Any]:
    """Everything the proposal page shows; 404 when the analyst may see fewer than two members.
    `investigation`: the read-only view of an accepted case for that purpose (`ctx` reads so)."""
    # Members come bare: a summary and subjects are decrypted (and audited) only when the
    # analyst opens a member (`member_detail`), so 200 members cost no 200 decryptions.
    shown = reads.read_one(session, ctx.keys, ctx.viewer, proposal_id, weights=weights, bare=True)
    shown.pop("grants")  # policy internals, never for a page
    members = shown["members"]
    events = history(
        session, ctx.keys, ctx.caller, proposal_id, service.visible_signals(session, ctx)
    )
    undone = {e["detail"].get("event") for e in events if e["action"] == "undone"}
    # The forms follow the service's checks, which refuse a non-reviewer's action anyway (403).
    may_review = not investigation and reviewers.may_review(session, ctx.viewer, proposal_id)
    return {
        "investigation": investigation,
        "investigation_open": investigation or investigation_open(session, ctx, shown),
        "people": _people(session, ctx, events, shown.get("assigned_to")),
        "proposal": shown,
        "members": members,
        "timeline": sorted(
            (m for m in members if m.get("observed_at")), key=lambda m: m["observed_at"]
        ),
        "links": _links_by_member(shown["explanation"]),
        "graph_terms": _graph_terms(shown["graph"]),
        "identifiers": _identifiers(shown["graph"]),
        "history": events,
        "undoable": [
            e for e in events if e["action"] in service.UNDOABLE and e["id"] not in undone
        ],
        "forms": {
            name: not investigation
            and shown["status"] in allowed
            and (may_review or name in OPEN_FORMS)
            for name, allowed in FORMS.items()
        },
        "may_review": may_review,
        "actions": ACTIONS,
        "assessment_criteria": ASSESSMENT_CRITERIA,
        "retention": service.case_retention(session, ctx, proposal_id, members),
    }


def _people(
    session: Session, ctx: service.Context, events: list[dict[str, Any]], assignee: str | None
) -> dict[str, str]:
    """The names the page shows for the analysts of the viewer's own agency, by their actor
    (`ui:` + username): in the history, its assignments and as the proposal's assignee. An
    API client (a system) has no entry and shows as its client id; another agency's analyst
    is named by agency only, as the history reads."""
    usernames = {e["actor"][len(UI_ACTOR) :] for e in events if e["actor"].startswith(UI_ACTOR)}
    usernames |= {e["detail"]["assignee"] for e in events if e["detail"].get("assignee")}
    if assignee:
        usernames.add(assignee)
    names = display_names(session, usernames, agency_id=ctx.viewer.caller.agency_id)
    return {f"{UI_ACTOR}{username}": name for username, name in names.items()}


def agency_kinds(agencies: Iterable[Agency], members: list[dict[str, Any]]) -> dict[str, Any]:
    """The kind of each member's agency (its colour in the graph), and the legend by kind."""
    kind_of = {a.code: a.kind for a in agencies}
    kinds = {m["agency"]: kind_of.get(m["agency"], "other") for m in members}
    legend: dict[str, list[str]] = defaultdict(list)
    for code, kind in sorted(kinds.items()):
        legend[kind].append(code)
    ordered = [(k, legend[k]) for k in KIND_NAMES if k in legend]
    return {"kinds": kinds, "legend": ordered, "kind_names": KIND_NAMES}


def _links_by_member(explanation: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per member: the members it links to, and by what (as the explanation shows it)."""
    links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in explanation:
        if link["kind"] == "analyst":
            for member in link["signals"]:
                links[str(member)].append(
                    {"event": link["event"], "action": link["action"], "shared": []}
                )
            continue
        a, b = (str(s) for s in link["signals"])
        for this, other in ((a, b), (b, a)):
            links[this].append({"other": other, "points": link["points"], "shared": link["shared"]})
    return links


def _graph_terms(graph: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """The graph's identifier and link types in the page's language (graph.js labels by them)."""
    types = {n["type"] for n in graph["nodes"] if n.get("type")}
    types |= {t for e in graph["edges"] for t in e.get("types") or ()}
    return {t: term(t) for t in sorted(types)}


def _identifiers(graph: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The identifier nodes (pseudonyms the analyst may see) and the members carrying each."""
    carriers: dict[str, list[str]] = defaultdict(list)
    for edge in graph["edges"]:
        if edge["kind"] == "carries":
            carriers[edge["target"]].append(edge["source"])
    return [
        {"id": n["id"], "type": n["type"], "members": carriers[n["id"]]}
        for n in graph["nodes"]
        if n["kind"] == "identifier"
    ]


def render(
    request: Request,
    session: Session,
    ctx: service.Context,
    proposal_id: uuid.UUID,
    weights: dict[str, float],
    *,
    notice: str | None = None,
    error: str | None = None,
    part: uuid.UUID | None = None,
    status_code: int = 200,
) -> Response:
    """The proposal page, with a flash `notice` (after an action) or an `error` (it failed)."""
    context = view(session, ctx, proposal_id, weights)
    context |= agency_kinds(request.app.state.agencies.all(session).values(), context["members"])
    context |= {"notice": notice, "error": error, "part": part}
    return page(request, "proposal.html", context, status_code=status_code)


@router.get("/proposals/{proposal_id:uuid}")
def proposal_page(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    done: str | None = None,
    part: uuid.UUID | None = None,
    moved: uuid.UUID | None = None,
) -> Response:
    """One proposal; a merged-away id leads to the proposal it lives on in."""
    target = service.resolve(session, proposal_id)
    if target != proposal_id:
        if len(service.visible_members(session, ctx, target)) < 2:
            service.not_found(proposal_id)
        return RedirectResponse(f"/ui/proposals/{target}?moved={proposal_id}", status_code=303)
    notice = _(DONE.get(done or "", ""))
    if moved is not None:
        notice = _("Proposal {moved} was merged into this one; this is where it lives on.").format(
            moved=moved
        )
    weights = vocabulary.indicator_weights()
    split_part = part if done == "split" else None
    return render(request, session, ctx, proposal_id, weights, notice=notice, part=split_part)


@router.get("/proposals/{proposal_id:uuid}/investigation")
def investigation_page(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
) -> Response:
    """An accepted case read for the investigation purpose, where a covenant grants it; 404
    for a proposal not accepted or not seen so, as for one that does not exist."""
    reading = _investigation(session, ctx, proposal_id)
    context = view(
        session, reading, proposal_id, vocabulary.indicator_weights(), investigation=True
    )
    context |= agency_kinds(request.app.state.agencies.all(session).values(), context["members"])
    context |= {"notice": None, "error": None, "part": None}
    return page(request, "proposal.html", context)


def _investigation(
    session: Session, ctx: service.Context, proposal_id: uuid.UUID
) -> service.Context:
    """The investigation reading of an accepted case the analyst may see so, or 404."""
    reading = investigating(ctx)
    accepted = proposal_status(session, proposal_id) == "accepted"
    if not accepted or not reads.may_see(session, reading.viewer, proposal_id):
        service.not_found(proposal_id)
    return reading


def _graph(
    session: Session, ctx: service.Context, proposal_id: uuid.UUID, weights: dict[str, float]
) -> dict[str, Any]:
    """The proposal as its page reads it (so a part loaded later shows what the page would
    have): members, the links of each, and the shared identifiers."""
    shown = reads.read_one(session, ctx.keys, ctx.viewer, proposal_id, weights=weights, bare=True)
    return {
        "members": shown["members"],
        "links": _links_by_member(shown["explanation"]),
        "identifiers": _identifiers(shown["graph"]),
    }


@router.get("/proposals/{proposal_id:uuid}/graph-table")
def graph_table(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
) -> Response:
    """The proposal graph as a table, each member and shared identifier and what it links to
    (htmx fragment, when the analyst opens it)."""
    graph = _graph(session, ctx, proposal_id, vocabulary.indicator_weights())
    graph |= agency_kinds(request.app.state.agencies.all(session).values(), graph["members"])
    return page(request, "_graph_table.html", graph)


@router.get("/proposals/{proposal_id:uuid}/investigation/graph-table")
def investigation_graph_table(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
) -> Response:
    """The graph's table of an accepted case as read for the investigation purpose."""
    reading = _investigation(session, ctx, proposal_id)
    return graph_table(request, proposal_id, reading, session, vocabulary)


@router.get("/proposals/{proposal_id:uuid}/cards/{node}")
def node_card(
    request: Request,
    proposal_id: uuid.UUID,
    node: Annotated[str, Path(max_length=100)],
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
) -> Response:
    """One node's card in the graph's side panel (htmx fragment, when the node is selected);
    404 for a node the analyst does not see in the proposal."""
    graph = _graph(session, ctx, proposal_id, vocabulary.indicator_weights())
    member = next((m for m in graph["members"] if str(m["id"]) == node), None)
    identifier = next((i for i in graph["identifiers"] if i["id"] == node), None)
    if member is None and identifier is None:
        service.not_found(proposal_id)
    context = {
        "m": member,
        "i": identifier,
        "links": graph["links"].get(node, []) if member else [],
        "proposal_id": proposal_id,
        "view_path": "/investigation" if ctx.viewer.purpose == INVESTIGATION else "",
    }
    return page(request, "_node_card.html", context)


@router.get("/proposals/{proposal_id:uuid}/investigation/cards/{node}")
def investigation_card(
    request: Request,
    proposal_id: uuid.UUID,
    node: Annotated[str, Path(max_length=100)],
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
) -> Response:
    """A node's card of an accepted case as read for the investigation purpose."""
    reading = _investigation(session, ctx, proposal_id)
    return node_card(request, proposal_id, node, reading, session, vocabulary)


@router.get("/proposals/{proposal_id:uuid}/investigation/members/{signal_id:uuid}")
def investigation_member(
    request: Request,
    proposal_id: uuid.UUID,
    signal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
) -> Response:
    """A member of an accepted case as read for the investigation purpose (htmx fragment)."""
    reading = _investigation(session, ctx, proposal_id)
    return member_detail(request, proposal_id, signal_id, reading, session)


@router.get("/proposals/{proposal_id:uuid}/members/{signal_id:uuid}")
def member_detail(
    request: Request,
    proposal_id: uuid.UUID,
    signal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
) -> Response:
    """A member's summary and subjects, as the analyst may see them (htmx fragment); 404 when
    the analyst may not see the proposal or the signal is not one of its members."""
    if signal_id not in service.visible_members(session, ctx, proposal_id) or not reads.may_see(
        session, ctx.viewer, proposal_id
    ):
        service.not_found(proposal_id)
    signal, _ = signal_reads.read_one(session, ctx.keys, ctx.viewer, signal_id)
    pseudonyms.annotate(session, ctx.keys, ctx.viewer, signal)
    return page(request, "_member_detail.html", {"m": signal})
