"""HTTP routes of the barrier vocabulary."""

from fastapi import APIRouter

from hub.barriers.schemas import BarrierList, BarrierOut, barrier_out
from hub.deps import AnyCaller, VocabularyDep
from hub.errors import NotFound

router = APIRouter(tags=["barriers"])


@router.get(
    "/barriers",
    summary="List the barriers and their indicators",
    response_model=BarrierList,
    operation_id="listBarriers",
)
def list_barriers(vocabulary: VocabularyDep, _caller: AnyCaller) -> BarrierList:
    """The five barriers of the barrier model in the order a trafficker meets them."""
    return BarrierList(
        version=vocabulary.version, items=[barrier_out(b) for b in vocabulary.barriers]
    )


@router.get(
    "/barriers/{code}",
    summary="Get one barrier with its indicators",
    response_model=BarrierOut,
    operation_id="getBarrier",
)
def get_barrier(code: str, vocabulary: VocabularyDep, _caller: AnyCaller) -> BarrierOut:
    """One barrier: its description, the agencies that typically see it, and its indicators."""
    try:
        return barrier_out(vocabulary.barrier(code))
    except KeyError:
        raise NotFound(f"There is no barrier {code!r}.") from None
