"""HTTP routes of covenants: a partner reads the agreements it is party to."""

from typing import Annotated

from fastapi import APIRouter, Security
from sqlalchemy.orm import Session

from hub.agencies.directory import AgencyDirectory
from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.covenants import policy, simulation
from hub.covenants.loader import CovenantsInvalid, load_documents
from hub.covenants.model import Covenant
from hub.covenants.schemas import (
    CovenantList,
    CovenantOut,
    SimulationOut,
    SimulationRequest,
    covenant_out,
)
from hub.deps import AgenciesDep, AnyCaller, CovenantsDep, SessionDep
from hub.errors import InvalidInput, NotFound
from hub.kit import clock

router = APIRouter(tags=["covenants"])
Administrator = Annotated[Caller, Security(authenticate, scopes=["admin"])]


def _party_to(
    session: Session, caller: Caller, covenants: tuple[Covenant, ...], agencies: AgencyDirectory
) -> dict[str, Covenant]:
    # Only today's version of each: one that expired, was withdrawn, or whose newer version no
    # longer names the caller is not shown, just as it no longer grants.
    return policy.party_to(agencies.get(session, caller.agency_id), covenants, clock.today())


@router.get(
    "/covenants",
    summary="List the covenants you are party to",
    response_model=CovenantList,
    operation_id="listCovenants",
)
def list_covenants(
    session: SessionDep, caller: AnyCaller, covenants: CovenantsDep, agencies: AgenciesDep
) -> CovenantList:
    """The covenants in force today that your agency is party to, by id, with their rules.

    They say what you may see of other agencies' signals, for which purposes and for how long,
    and who may see yours.
    """
    return CovenantList(
        items=[covenant_out(c) for c in _party_to(session, caller, covenants, agencies).values()]
    )


@router.get(
    "/covenants/{id}",
    summary="Get a covenant you are party to",
    response_model=CovenantOut,
    operation_id="getCovenant",
)
def get_covenant(
    id: str, session: SessionDep, caller: AnyCaller, covenants: CovenantsDep, agencies: AgenciesDep
) -> CovenantOut:
    """One covenant in force today, with its rules.

    A covenant your agency is not party to does not exist for you: 404, never 403.
    """
    covenant = _party_to(session, caller, covenants, agencies).get(id)
    if covenant is None:
        raise NotFound(f"You are party to no covenant {id!r} in force today.")
    return covenant_out(covenant)


@router.post(
    "/covenants/simulations",
    summary="Simulate a draft of the covenants",
    response_model=SimulationOut,
    operation_id="simulateCovenants",
)
def simulate_covenants(
    body: SimulationRequest,
    session: SessionDep,
    caller: Administrator,
    covenants: CovenantsDep,
) -> SimulationOut:
    """For administrators: how many signals and proposals each agency sees per purpose and
    level under the covenants in force and under the draft, and what would change.

    Counts only, never content or ids; the simulation is audited. Every stored signal is judged
    as if it were shared today, under both sets. A draft with errors is a 400 naming each
    document, line and field.
    """
    index = {d.name: i for i, d in enumerate(body.documents)}
    if len(index) < len(body.documents):
        raise InvalidInput(
            "Two documents of the draft have the same name.",
            errors=[{"pointer": "/documents", "detail": "names must differ"}],
        )
    try:
        draft = load_documents({d.name: d.text for d in body.documents})
    except CovenantsInvalid as exc:
        # Each names its document, line and field: "draft/riec-liec.yaml:12: rules[0].level: …".
        raise InvalidInput(
            f"The draft has {len(exc.errors)} error(s); each names its document, line and field.",
            errors=[
                {"pointer": f"/documents/{index[e.file]}/text", "detail": str(e)}
                for e in exc.errors
            ],
        ) from None
    result = simulation.run(session, caller, current=covenants, draft=draft)
    return SimulationOut.model_validate(result.as_json())
