"""Fixtures of the contact point's tests."""

import pytest

from tests.factories import Partner, PartnerFactory


@pytest.fixture
def dpo(partners: PartnerFactory) -> Partner:
    """A contact point's client: scope dpo and nothing else."""
    return partners.new(kind="riec", scopes="dpo")
