"""docs/examples/webhook_receiver.py (the receiver docs/onboarding.md shows), run as written
against a real delivery from the hub: it verifies the signature and prints the digest."""

import base64
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from hub.digests.delivery import deliver_due
from hub.digests.models import Delivery, Webhook
from tests.conftest import free_port
from tests.digests.conftest import Scene, build, register_webhook
from tests.factories import Partner

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/webhook_receiver.py"


def _receive_one(scene: Scene, partner: Partner, secret: str | None) -> tuple[int, str]:
    """Register a webhook on a free port, start the example there (with `secret`, or the one
    the hub gave), build and deliver the digests; the receiver's exit code and output."""
    port = free_port()
    registered = register_webhook(scene, partner, f"http://127.0.0.1:{port}/digest")
    env = {**os.environ, "WEBHOOK_SECRET": secret or registered}
    receiver = subprocess.Popen(
        [sys.executable, str(EXAMPLE), str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,  # its access log
        text=True,
    )
    try:
        assert receiver.stdout is not None
        assert receiver.stdout.readline().startswith("waiting for a delivery")
        build(scene)
        deliver_due(scene.server.app.state.sessions)
        out, log = receiver.communicate(timeout=30)
    finally:
        receiver.kill()
    return receiver.returncode, out + log


def _status(scene: Scene, partner: Partner) -> tuple[str, int | None]:
    with scene.server.app.state.sessions() as session:
        hook = session.scalars(select(Webhook).where(Webhook.agency_id == partner.agency_id)).one()
        delivery = session.scalars(select(Delivery).where(Delivery.webhook_id == hook.id)).one()
        return delivery.status, delivery.last_status_code


def test_the_example_receiver_verifies_a_real_delivery(hub_env: Scene, partner: Partner) -> None:
    code, out = _receive_one(hub_env, partner, None)
    assert code == 0, out
    kind, agency, day, *_ = out.splitlines()[0].split()
    assert (kind, agency, day) == ("digest.published", partner.code, hub_env.day.isoformat())
    assert _status(hub_env, partner) == ("delivered", 204)


def test_the_example_receiver_refuses_a_delivery_it_cannot_verify(
    hub_env: Scene, partner: Partner
) -> None:
    wrong = "whsec_" + base64.b64encode(b"some other agency's secret").decode()
    code, out = _receive_one(hub_env, partner, wrong)
    assert code == 1 and "digest.published" not in out
    assert _status(hub_env, partner) == ("pending", 400)  # the hub tries again later
