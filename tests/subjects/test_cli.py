"""`hub subjects find`: the contact point's find from the command line, identifiers on stdin."""

import json
import uuid

from sqlalchemy import select
from typer.testing import CliRunner

from hub.cli import app
from hub.subjects.models import SubjectRequest
from tests.conftest import World
from tests.linking.test_proposals import _entry, _post
from tests.subjects.helpers import Person

runner = CliRunner()


def test_find_opens_a_request_from_identifiers_on_stdin(
    api, world: World, settings, sessions, monkeypatch
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    person = Person.new()
    held = _post(api, world.headers["IND"], _entry(person.by_bsn()))

    result = runner.invoke(
        app, ["subjects", "find", "--kind", "erase"], input=json.dumps([person.by_bsn()])
    )
    assert result.exit_code == 0, result.output
    assert f"signal {held} of IND (subjects 0)" in result.output
    assert "1 signal(s), 0 proposal(s)" in result.output
    request_id = result.output.split()[3]
    with sessions() as session:
        stored = session.scalars(
            select(SubjectRequest).where(SubjectRequest.id == uuid.UUID(request_id))
        ).one()
    assert stored.kind == "erase" and stored.found["signals"] == [held]
    assert person.bsn not in json.dumps(stored.tokens)

    # Bad input: a clear error that does not echo the identifiers, and no traceback.
    for stdin, message in (
        ("not json", "not JSON"),
        (json.dumps([{"type": "person", "name": person.name}]), "birth_date, or by bsn"),
        (json.dumps([{"type": "person", "name": "A B", "bsn": "123456780"}]), "valid BSN"),
    ):
        failed = runner.invoke(app, ["subjects", "find"], input=stdin)
        assert failed.exit_code == 2, failed.output
        assert message in failed.output and "Traceback" not in failed.output
        assert person.name not in failed.output and "123456780" not in failed.output
