"""A registered resource and the outages on it: `rekan resources remove` must answer with a
clear refusal or do it, never fail on the outage's reference to the resource."""

from __future__ import annotations

import pytest

from storage import resources
from storage.errors import DomainError
from storage.outages import lifecycle
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import LATER, A, outage_of, view


def test_removing_a_resource_that_is_down_is_refused(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with pytest.raises(DomainError), tx() as s:
        resources.remove(session=s, name="VPN")
    assert view(tx, 1).resource_name == "VPN"


def test_removing_a_resource_whose_outage_is_over_is_done_or_refused_clearly(
    vpn: int, tx: Tx
) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=LATER)
    try:
        with tx() as s:
            resources.remove(session=s, name="VPN")
    except DomainError:
        return  # kept for the outage's history, with a message saying why
    with tx() as s:
        assert resources.find(s, "VPN") is None
