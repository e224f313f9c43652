"""API models of the barrier vocabulary."""

from typing import Literal

from pydantic import BaseModel, Field

from hub.barriers.vocabulary import Barrier

BarrierCode = Literal["entry", "accommodation", "identity", "employment", "finance"]


class IndicatorOut(BaseModel):
    code: str = Field(examples=["employment.wages-below-minimum"])
    label: str
    description: str
    weight: float = Field(gt=0, le=1)


class BarrierSummary(BaseModel):
    code: BarrierCode
    name: str
    order: int
    version: str
    description: str
    agency_kinds: list[str]


class BarrierOut(BarrierSummary):
    indicators: list[IndicatorOut]


class BarrierList(BaseModel):
    version: str = Field(description="The vocabulary version: every barrier file's version.")
    items: list[BarrierOut]


def barrier_out(barrier: Barrier) -> BarrierOut:
    return BarrierOut(
        code=barrier.code,  # type: ignore[arg-type]
        name=barrier.name,
        order=barrier.order,
        version=barrier.version,
        description=barrier.description,
        agency_kinds=list(barrier.agency_kinds),
        indicators=[
            IndicatorOut(code=i.code, label=i.label, description=i.description, weight=i.weight)
            for i in barrier.indicators
        ],
    )
