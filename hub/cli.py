"""The `hub` command: serve, migrate, manage agencies, clients and keys, seed the demo."""

import json
import os
import sys
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hub.config import Settings, get_settings

app = typer.Typer(
    help="Barrier Hub: signals across the barrier model, shared under covenants.",
    no_args_is_help=True,
    # Tracebacks with local variables would print secrets and identifiers to a terminal log.
    pretty_exceptions_show_locals=False,
)
agencies_app = typer.Typer(help="Partner agencies.", no_args_is_help=True)
clients_app = typer.Typer(help="OAuth clients of partner agencies.", no_args_is_help=True)
keys_app = typer.Typer(help="Signing and encryption keys.", no_args_is_help=True)
users_app = typer.Typer(help="Analysts' accounts for the web UI.", no_args_is_help=True)
covenants_app = typer.Typer(help="Covenant documents.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
linking_app = typer.Typer(help="Linking signals into case proposals.", no_args_is_help=True)
report_app = typer.Typer(help="The nightly trend report.", no_args_is_help=True)
retention_app = typer.Typer(
    help="Retention extensions past the WGS cap (art. 1.8(7)).", no_args_is_help=True
)
subjects_app = typer.Typer(
    help="The contact point: data subjects' requests (AVG art. 15-18).", no_args_is_help=True
)
app.add_typer(agencies_app, name="agencies")
app.add_typer(covenants_app, name="covenants")
app.add_typer(audit_app, name="audit")
app.add_typer(linking_app, name="linking")
app.add_typer(report_app, name="report")
app.add_typer(retention_app, name="retention")
app.add_typer(clients_app, name="clients")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.add_typer(subjects_app, name="subjects")


def _console(*, stderr: bool = False) -> Console:
    """A console that does not cut tables and lines to 80 columns when piped (rich's default
    width off a terminal): cron mail, `| less` and `> file` get whole rows."""
    stream = sys.stderr if stderr else sys.stdout
    wide = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, width=PIPED_WIDTH if wide else None)


# Wide enough for any row the hub prints; tables take only the width their cells need.
PIPED_WIDTH = 1000
err = _console(stderr=True)
out = _console()


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=2)


def _settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic's message names the HUB_ variable and what is wrong
        raise fail(f"invalid settings: {exc}") from None


def _sessions(settings: Settings):  # type: ignore[no-untyped-def]
    # Every model registered before the first query: a command imports only its own services,
    # and a relationship to a model nobody imported fails when the mappers are configured.
    import hub.models  # noqa: F401
    from hub.db import make_engine, make_sessionmaker
    from hub.ldv.collect import attach_for

    sessions = make_sessionmaker(make_engine(settings.sqlalchemy_url))
    # What a command processes is on the processing log too (a purge, a relink, an export).
    attach_for(sessions, settings)
    return sessions


@app.command()
def migrate() -> None:
    """Upgrade the database to the newest schema, saying from which revision to which."""
    from hub.db import migrate as upgrade

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    before, head = _revisions(settings)
    if before == head:
        out.print(f"database already at {head}: nothing to do")
        return
    upgrade(settings.sqlalchemy_url)
    after, _ = _revisions(settings)
    out.print(f"database migrated from {before or 'an empty database'} to {after}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo: Annotated[bool, typer.Option(help="Migrate and seed the demo before serving.")] = False,
    scheduler: Annotated[
        bool, typer.Option(help="Also run the nightly job at HUB_NIGHTLY_AT (one process wins).")
    ] = False,
    link_worker: Annotated[
        bool,
        typer.Option(
            help="Run a `hub link-worker` beside the API processes (off: one runs elsewhere)."
        ),
    ] = True,
) -> None:
    """Serve the hub over HTTP."""
    import uvicorn

    from hub.kit.i18n import CatalogueMissing, check_catalogues
    from hub.logs import uvicorn_log_config

    try:
        # Before anything else: without its Dutch catalogue the hub would speak English.
        check_catalogues()
    except CatalogueMissing as exc:
        raise fail(str(exc)) from None

    if scheduler:
        # The app is built by uvicorn (in each worker): the setting travels in the environment.
        os.environ["HUB_SCHEDULER"] = "true"
    # The API processes only queue; one `hub link-worker` beside them links (hub.linking.process).
    os.environ["HUB_LINK_IN_SERVER"] = "false"
    if "HUB_ISSUER" not in os.environ and host in ("127.0.0.1", "localhost"):
        # Tokens name the address they were issued at; keep it right when only --port changes.
        os.environ["HUB_ISSUER"] = f"http://{host}:{port}"
    if demo:
        # The walkthrough's webhook receiver runs on this machine, over http.
        os.environ["HUB_WEBHOOKS_ALLOW_PRIVATE"] = "true"
    settings = _settings()
    if demo:
        migrate()
        seed_demo(settings, quiet=False)
        out.print(
            "demo: webhooks may go to this machine over http (HUB_WEBHOOKS_ALLOW_PRIVATE=true)",
            soft_wrap=True,
        )
        _print_token_help(settings)
    else:
        _check_schema(settings)
    from hub.linking.process import worker_beside

    with worker_beside() if link_worker else nullcontext():
        uvicorn.run(
            "hub.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            server_header=False,
            # On SIGTERM open connections get this long, then the linking worker is stopped
            # between rounds: the process ends within 10 s and leaves what it did not link queued.
            timeout_graceful_shutdown=5,
            log_level="info",
            # Access lines carry the query string: every token and secret is taken out of them.
            log_config=uvicorn_log_config(),
        )


@app.command("link-worker")
def link_worker(
    stop_with_parent: Annotated[
        bool, typer.Option(hidden=True, help="Stop when standard input closes (hub serve).")
    ] = False,
) -> None:
    """Link queued signals as they arrive, until SIGTERM (hub serve runs one itself)."""
    import logging.config

    from hub.barriers.vocabulary import load_vocabulary
    from hub.kit.crypto import DataKeys
    from hub.kit.heap import settled_heap
    from hub.linking.process import run_until_stopped, worker_for
    from hub.logs import uvicorn_log_config

    settings = _settings()
    _check_schema(settings)
    logging.config.dictConfig(uvicorn_log_config())
    worker = worker_for(
        settings,
        _sessions(settings),
        weights=load_vocabulary(settings.barriers_dir).indicator_weights(),
        keys=DataKeys.load_or_create(settings.data_dir),
        own_process=True,
    )
    # Collected as the API processes collect (hub.kit.heap).
    with settled_heap():
        run_until_stopped(worker, stop_with_parent=stop_with_parent)


def _revisions(settings: Settings) -> tuple[str | None, str | None]:
    """The database's revision (None: no schema) and the newest one."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from hub.db import alembic_config, make_engine

    engine = make_engine(settings.sqlalchemy_url)
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(settings.sqlalchemy_url)).get_current_head()
    return current, head


def _check_schema(settings: Settings) -> None:
    current, head = _revisions(settings)
    if current != head:
        raise fail(f"the database is at {current or 'no schema'}, not {head}: run `hub migrate`")


@agencies_app.command("add")
def agencies_add(
    code: str,
    name: Annotated[str, typer.Option(help="Full name.")],
    kind: Annotated[
        str, typer.Option(help="emm, riec, liec, kmar, ind, szw, police, municipality, other.")
    ],
    region: Annotated[
        str | None, typer.Option(help="RIEC region, e.g. amsterdam-amstelland.")
    ] = None,
) -> None:
    """Register a partner agency."""
    from pydantic import ValidationError

    from hub.agencies.schemas import AgencyCreate
    from hub.agencies.service import AgencyExists, add_agency
    from hub.db import transaction
    from hub.demo.synthetic import DEMO_AGENCIES

    try:
        data = AgencyCreate(code=code, name=name, kind=kind, region=region)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(problems) from None
    try:
        with transaction(_sessions(_settings())) as session:
            add_agency(session, data)
    except AgencyExists as exc:
        seeded = any(spec["code"] == code for spec in DEMO_AGENCIES)
        where = " (the demo seeds it: `hub demo` made it)" if seeded else ""
        raise fail(
            f"{exc}{where}; pick a code not yet in use (`hub agencies list` shows them), "
            f"e.g. {code}-2"
        ) from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    out.print(f"added agency {code}")


@agencies_app.command("list")
def agencies_list() -> None:
    """List the registered agencies."""
    from rich.table import Table

    from hub.agencies.repository import all_agencies
    from hub.db import transaction

    table = Table("code", "name", "kind", "region")
    with transaction(_sessions(_settings())) as session:
        for a in all_agencies(session):
            table.add_row(a.code, a.name, a.kind, a.region or "")
    out.print(table)


@clients_app.command("create")
def clients_create(
    agency: Annotated[str, typer.Option(help="Code of the agency the client belongs to.")],
    scopes: Annotated[
        str, typer.Option(help="Space-separated scopes.")
    ] = "signals:write signals:read",
    name: Annotated[str, typer.Option(help="A name for the client.")] = "api client",
    jwk: Annotated[
        Path | None, typer.Option(help="Public JWK set file: private_key_jwt only.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create an OAuth client; its secret is shown once and stored only hashed."""
    from hub.agencies.repository import by_code
    from hub.auth.clients import create_client
    from hub.auth.scopes import parse_scopes
    from hub.db import transaction

    try:
        wanted = parse_scopes(scopes)
        public_jwks = json.loads(jwk.read_text()) if jwk else None
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    with transaction(_sessions(_settings())) as session:
        owner = by_code(session, agency)
        if owner is None:
            raise fail(f"no agency {agency!r}; add it with `hub agencies add`")
        try:
            client, secret = create_client(
                session,
                agency=owner,
                scopes=wanted,
                name=name,
                public_jwks=public_jwks,
                with_secret=public_jwks is None,
            )
        except ValueError as exc:
            raise fail(str(exc)) from None
        result = {
            "client_id": client.client_id,
            "client_secret": secret,
            "agency": agency,
            "scopes": " ".join(sorted(wanted)),
        }
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(result)


@clients_app.command("keygen")
def clients_keygen(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the two files to.")],
    name: Annotated[str, typer.Option(help="File name prefix, e.g. the agency code.")] = "client",
    kind: Annotated[str, typer.Option(help="rsa (RS256) or ec (P-256, ES256).")] = "rsa",
) -> None:
    """Make a key pair for private_key_jwt: NAME-private.jwk.json (keep it, mode 600) and
    NAME-public.jwks.json (for `clients create --jwk`)."""
    from hub.auth.keypair import make_key_pair
    from hub.kit.keyfiles import write_secret_json

    if kind not in ("rsa", "ec"):
        raise fail(f"--kind {kind!r}: expected rsa or ec")
    private_file = out_dir / f"{name.lower()}-private.jwk.json"
    public_file = out_dir / f"{name.lower()}-public.jwks.json"
    if private_file.exists():
        raise fail(f"{private_file} exists; a new key would replace it (remove it first)")
    private, public = make_key_pair(kind)  # type: ignore[arg-type]
    out_dir.mkdir(parents=True, exist_ok=True)
    write_secret_json(private_file, private)
    public_file.write_text(json.dumps(public, indent=2) + "\n")
    out.print(
        f"private key (kid {private['kid']}, {private['alg']}): {private_file}\n"
        f"public key set: {public_file}  (`hub clients create --agency CODE --jwk {public_file}`)",
        soft_wrap=True,
    )


@clients_app.command("list")
def clients_list(
    agency: Annotated[str | None, typer.Option(help="Only this agency's clients.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the OAuth clients: agency, scopes, how they authenticate, whether disabled."""
    from rich.table import Table

    from hub.auth.management import list_clients
    from hub.db import transaction

    with transaction(_sessions(_settings())) as session:
        clients = list_clients(session, agency=agency)
    if as_json:
        for c in clients:
            row = {
                "client_id": c.client_id,
                "agency": c.agency,
                "name": c.name,
                "scopes": c.scopes,
                "auth_method": c.auth_method,
                "created_at": c.created_at.isoformat(),
                "disabled_at": c.disabled_at.isoformat() if c.disabled_at else None,
            }
            sys.stdout.write(json.dumps(row) + "\n")
        return
    table = Table("client id", "agency", "status", "auth", "scopes")
    table.columns[0].no_wrap = True
    for c in clients:
        status = "active" if c.disabled_at is None else f"disabled {c.disabled_at:%Y-%m-%d %H:%M}"
        table.add_row(c.client_id, c.agency, status, c.auth_method, c.scopes)
    out.print(table)


def _change_client(client_id: str, change: str) -> None:
    from hub.auth import management
    from hub.db import transaction

    try:
        with transaction(_sessions(_settings())) as session:
            if change == "delete":
                management.delete_client(session, client_id, by=management.CLI_CALLER)
            else:
                management.set_disabled(
                    session, client_id, disabled=change == "disable", by=management.CLI_CALLER
                )
    except management.ClientError as exc:
        raise fail(str(exc)) from None
    done = {"disable": "disabled", "enable": "enabled", "delete": "deleted"}[change]
    out.print(f"{done} client {client_id}")


@clients_app.command("disable")
def clients_disable(client_id: str) -> None:
    """Refuse a client's tokens (within 5 seconds on every API process) and give it no more."""
    _change_client(client_id, "disable")


@clients_app.command("enable")
def clients_enable(client_id: str) -> None:
    """Let a disabled client get new tokens (those issued before the disable stay refused)."""
    _change_client(client_id, "enable")


@clients_app.command("delete")
def clients_delete(client_id: str) -> None:
    """Remove a client for good; its tokens are refused within 5 seconds."""
    _change_client(client_id, "delete")


@users_app.command("create")
def users_create(
    username: str,
    agency: Annotated[str, typer.Option(help="Code of the user's agency, e.g. RIEC-AA.")],
    role: Annotated[
        str, typer.Option(help="analyst, admin or dpo (the contact point).")
    ] = "analyst",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option(help="The person's name, as colleagues read it in a proposal's history."),
    ] = None,
) -> None:
    """Create a local UI account; the password is asked twice (never an argument: ps shows it)."""
    from hub.db import transaction
    from hub.ui.accounts import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(_sessions(_settings())) as session:
            user = create_user(
                session, username, agency_code=agency, role=role, password=password, shown=name
            )
            created = user.username
    except AccountError as exc:
        raise fail(str(exc)) from None
    out.print(f"created {role} {created} of {agency}")


@users_app.command("list")
def users_list() -> None:
    """List the UI accounts: agency, role, and whether each can sign in now."""
    from rich.table import Table

    from hub.db import now, transaction
    from hub.ui.repository import users_with_agency

    table = Table("username", "name", "agency", "role", "sign-in", "status", "created (UTC)")
    moment = now()
    with transaction(_sessions(_settings())) as session:
        for user, agency in users_with_agency(session):
            if user.disabled:
                status = "disabled"
            elif user.locked_until is not None and user.locked_until > moment:
                status = f"locked until {user.locked_until:%Y-%m-%d %H:%M}"
            else:
                status = "active"
            table.add_row(
                user.username,
                user.display_name or "",
                agency.code,
                user.role,
                "single sign-on" if user.external else "password",
                status,
                f"{user.created_at:%Y-%m-%d %H:%M}",
            )
    out.print(table)


_DONE = {"disable": "disabled", "enable": "enabled", "unlock": "unlocked"}


def _change_user(username: str, change: str) -> None:
    from hub.db import transaction
    from hub.ui import accounts

    try:
        with transaction(_sessions(_settings())) as session:
            if change == "unlock":
                user = accounts.unlock(session, username)
            else:
                user = accounts.set_disabled(session, username, disabled=change == "disable")
            name = user.username
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    out.print(f"{_DONE[change]} {name}")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Stop an account from signing in; its open sessions end at once."""
    _change_user(username, "disable")


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Let a disabled account sign in again."""
    _change_user(username, "enable")


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """Lift a lock-out after failed sign-ins."""
    _change_user(username, "unlock")


@subjects_app.command("find")
def subjects_find(
    kind: Annotated[str, typer.Option(help="access, rectify, erase or restrict.")] = "access",
) -> None:
    """Open a data subject's request and find every signal, proposal and case holding them.

    The identifiers come on standard input as JSON (never as arguments: ps shows those): a
    list of persons (name with birth_date, or bsn) and documents, as in a signal. Only their
    blind-index tokens are kept. Carry the request out through the API or the UI."""
    from pydantic import ValidationError

    from hub.auth.management import CLI_CALLER
    from hub.db import transaction
    from hub.kit.crypto import DataKeys
    from hub.subjects import service
    from hub.subjects.schemas import SubjectRequestCreate

    settings = _settings()
    try:
        identifiers = json.loads(sys.stdin.read())
    except ValueError:
        raise fail("standard input is not JSON: give a list of identifiers") from None
    if isinstance(identifiers, dict):
        identifiers = [identifiers]
    try:
        data = SubjectRequestCreate.model_validate({"kind": kind, "identifiers": identifiers})
    except ValidationError as exc:
        # Field names and messages only: the identifiers are not echoed to a terminal log.
        problems = "; ".join(
            f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)
        )
        raise fail(f"not a valid request: {problems}") from None
    desk = service.Desk(
        caller=CLI_CALLER, keys=DataKeys.load_or_create(settings.data_dir), linker=None
    )
    with transaction(_sessions(settings)) as session:
        request = service.open_request(session, desk, data)
        shown = service.view(session, desk.keys, request)
    out.print(f"opened {kind} request {shown['id']}")
    for signal in shown["signals"]:
        positions = ",".join(map(str, signal["subject_positions"]))
        out.print(f"signal {signal['id']} of {signal['agency']} (subjects {positions})")
    for proposal in shown["proposals"]:
        case = f" case {proposal['case_number']}" if proposal["case_number"] else ""
        out.print(f"proposal {proposal['id']} {proposal['status']}{case}")
    out.print(f"{len(shown['signals'])} signal(s), {len(shown['proposals'])} proposal(s)")


@keys_app.command("rotate")
def keys_rotate(
    data: Annotated[bool, typer.Option(help="Also add a new data-encryption key.")] = False,
) -> None:
    """Add a new token-signing key; the old public key stays published until its tokens expire."""
    from hub.audit import service as audit
    from hub.auth.keys import SigningKeys
    from hub.auth.management import CLI_CALLER
    from hub.db import transaction
    from hub.kit.crypto import DataKeys

    settings = _settings()
    # Rotated inside the transaction that records it: a rotation that fails is not recorded.
    with transaction(_sessions(settings)) as session:
        kid = SigningKeys.rotate(settings.data_dir, settings=settings)
        rotated = [("signing-key", kid)]
        if data:
            rotated.append(("data-key", DataKeys.rotate(settings.data_dir)))
        for kind, key_id in rotated:
            audit.record(
                session, CLI_CALLER, "key.rotated", object_type=kind, objects=[(key_id, None)]
            )
    out.print(f"new signing key {kid} is active")
    if data:
        out.print(f"new data key {rotated[1][1]} is active")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the sealed hash chain and its signed checkpoints, report the unsealed tail; when all
    is sound, sign a checkpoint of the head with the hub's key."""
    from hub.audit.service import checkpoint, tail_reason, verify_trail
    from hub.auth.keys import SigningKeys
    from hub.db import transaction

    settings = _settings()
    keys = SigningKeys.load_or_create(settings.data_dir, settings=settings)
    with transaction(_sessions(settings)) as session:
        report = verify_trail(session, keys.keyset(), tail_bound=settings.audit_tail_seconds)
        verdict = report.verdict
        if not verdict.ok:
            raise fail(
                f"the audit trail is broken at entry {verdict.first_bad_seq}: "
                f"{verdict.reason} ({verdict.checked} entries sound before it)"
            )
        if not report.tail_ok:
            raise fail(f"the audit trail is behind: {tail_reason(report)}")
        seq, head_hash = checkpoint(session, keys.active())
    out.print(
        f"audit trail sound: {verdict.checked} entries, {report.checkpoints_checked} "
        f"checkpoint(s) verified; head {seq} ({head_hash[:16]}…) signed; "
        f"{report.tail_count} unsealed (oldest {report.tail_age:.1f} s)",
        soft_wrap=True,
    )


@audit_app.command("seal")
def audit_seal() -> None:
    """Seal every committed audit event into the chain now and sign a checkpoint (what the
    server's sequencer does in the background)."""
    from hub.audit.sequencer import Sequencer
    from hub.auth.keys import SigningKeys

    settings = _settings()
    keys = SigningKeys.load_or_create(settings.data_dir, settings=settings)
    sequencer = Sequencer(_sessions(settings), keys, checkpoint_seconds=0)
    # Waits for a server's sequencer in the middle of a round, rather than skipping.
    sealed = sequencer.run_once(wait=True)
    out.print(f"sealed {sealed} audit event(s)")


@covenants_app.command("check")
def covenants_check(directory: Path) -> None:
    """Validate a folder of covenant documents; every error with its file, line and field."""
    from hub.covenants.loader import check_covenants, load_covenants

    if not directory.is_dir():
        raise fail(f"{directory} is not a folder")
    errors = check_covenants(directory)
    for error in errors:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
    if errors:
        raise fail(f"{len(errors)} error(s) in {directory}")
    found = load_covenants(directory)
    out.print(
        f"{len(found)} covenant(s) valid: " + ", ".join(f"{c.id} v{c.version}" for c in found)
    )
    # Who decides on case proposals is easy to lose in a long rule list: say it.
    reviewing = [f"{c.id} v{c.version} {r.id}" for c in found for r in c.rules if r.reviews]
    out.print(
        "Reviewers of case proposals (reviews: true): " + ", ".join(reviewing)
        if reviewing
        else "No rule names reviewers (reviews: true): nobody may decide on case proposals.",
        soft_wrap=True,
    )


@covenants_app.command("simulate")
def covenants_simulate(
    draft: Annotated[
        Path, typer.Option("--draft", help="A folder with the draft's covenant documents.")
    ],
    against: Annotated[
        Path | None,
        typer.Option(help="The covenants to compare with (default: the hub's, HUB_COVENANTS_DIR)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Count what each agency would see, per purpose and level, under a draft: counts only."""
    from hub.auth.management import CLI_CALLER
    from hub.covenants import simulation
    from hub.covenants.loader import CovenantsInvalid, load_covenants
    from hub.db import transaction

    settings = _settings()
    folders = {"--draft": draft, "--against": against or settings.covenants_dir}
    loaded = {}
    for option, folder in folders.items():
        if not folder.is_dir():
            raise fail(f"{option} {folder} is not a folder")
        try:
            loaded[option] = load_covenants(folder)
        except CovenantsInvalid as exc:
            for error in exc.errors:
                err.print(str(error), markup=False, highlight=False, soft_wrap=True)
            raise fail(f"{len(exc.errors)} error(s) in {option} {folder}") from None
    _check_schema(settings)
    with transaction(_sessions(settings)) as session:
        result = simulation.run(
            session, CLI_CALLER, current=loaded["--against"], draft=loaded["--draft"]
        )
    if as_json:
        out.print_json(data=result.as_json())
        return
    _print_simulation(result)


def _print_simulation(result) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from hub.covenants.simulation import LEVELS

    out.print(
        f"{result.signals} signal(s), {result.proposals} proposal(s), each judged as if shared "
        f"on {result.on.isoformat()}; in force: {', '.join(result.against) or 'none'}; "
        f"draft: {', '.join(result.draft) or 'none'}",
        soft_wrap=True,
    )
    labels = [level.label for level in LEVELS]
    for what in ("signals", "proposals"):
        table = Table(title=f"{what.capitalize()} seen, now → draft (change)")
        for heading in ("agency", "purpose", *labels, "raised", "lowered"):
            table.add_column(
                heading, justify="left" if heading in ("agency", "purpose") else "right"
            )
        for row in result.rows:
            compared = getattr(row, what)
            cells = [
                f"{n} → {d}" + (f" ({d - n:+d})" if d != n else "")
                for n, d in zip(compared.now, compared.draft, strict=True)
            ]
            style = "bold" if compared.changed else None
            table.add_row(
                row.agency,
                row.purpose,
                *cells,
                str(compared.raised),
                str(compared.lowered),
                style=style,
            )
        out.print(table)
    out.print(f"{result.changed} agency and purpose row(s) change under the draft")


@app.command()
def purge(
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Only list what is past retention, by rule (ids and counts); change nothing.",
    ),
) -> None:
    """Delete signals past their retention (the shortest of their covenants, the hub's default,
    the WGS cap of five years from first processing, or an extension that ended)."""
    from hub.barriers.vocabulary import load_vocabulary
    from hub.db import now, transaction
    from hub.kit.crypto import DataKeys
    from hub.linking.service import Linker
    from hub.retention.rules import RULES
    from hub.retention.service import purge_expired

    settings = _settings()
    linker = Linker(
        load_vocabulary(settings.barriers_dir).indicator_weights(),
        DataKeys.load_or_create(settings.data_dir),
    )
    with transaction(_sessions(settings)) as session:
        result = purge_expired(
            session,
            now=now(),
            default_days=settings.default_retention_days,
            cap_days=settings.retention_cap_days,
            dry_run=dry_run,
            linker=linker,
        )
    # Ids and counts only: content is never printed (a purge's ids are in its audit event).
    if dry_run:
        out.print(f"{result.counted} signal(s) past retention would be purged (dry run)")
        for rule in RULES:
            ids = result.by_rule.get(rule, [])
            out.print(f"{rule}: {len(ids)}", soft_wrap=True)
            for signal_id in ids:
                out.print(f"  {signal_id}", soft_wrap=True)
    else:
        out.print(f"purged {result.counted} signal(s) past retention")


def _until(text: str) -> datetime:
    """An ISO date (the start of that day, UTC) or date and time with an offset."""
    from datetime import UTC

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise fail("--until is a date (2031-06-30) or a date and time with an offset") from None
    if value.tzinfo is None:
        if len(text) > 10:
            raise fail("--until with a time needs an offset (Z or +01:00)")
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@retention_app.command("extend")
def retention_extend(
    case: Annotated[str, typer.Argument(help="The accepted case: case number or proposal id.")],
    until: Annotated[str, typer.Option(help="When it ends: 2031-06-30 or an ISO date-time.")],
    reason: Annotated[str, typer.Option(help="Why the data is needed longer (required).")],
    by: Annotated[
        str, typer.Option(help="Who decided (a name or role; recorded with the decision).")
    ],
    signal: Annotated[
        str | None, typer.Option(help="One member only (its id); default: every member.")
    ] = None,
) -> None:
    """Record the decision to keep a case's members past the WGS cap of five years from their
    first processing, at most 1825 days longer. Audited."""
    import uuid

    from pydantic import TypeAdapter, ValidationError

    from hub.auth.management import CLI_CALLER
    from hub.db import now, transaction
    from hub.errors import HubError
    from hub.kit.crypto import DataKeys
    from hub.kit.text import Prose
    from hub.retention import extensions

    settings = _settings()
    try:
        text = TypeAdapter(Prose).validate_python(reason.strip())
        member = uuid.UUID(signal) if signal else None
    except (ValidationError, ValueError):
        raise fail(
            "--reason must be text without control characters; --signal a signal id"
        ) from None
    if len(text) < 3 or not by.strip():
        raise fail("a reason (3 characters at least) and --by (who decided) are required")
    keys = DataKeys.load_or_create(settings.data_dir)
    try:
        with transaction(_sessions(settings)) as session:
            made = extensions.extend(
                session,
                keys,
                CLI_CALLER,
                case=case,
                signal=member,
                until=_until(until),
                reason=text,
                decided_by=by.strip()[:64],
                at=now(),
                cap_days=settings.retention_cap_days,
            )
    except HubError as exc:
        raise fail(exc.detail) from None
    out.print(
        f"extension {made.row.id}: {len(made.signal_ids)} signal(s) of case "
        f"{made.case_number} kept until {made.row.until:%Y-%m-%d %H:%M} UTC",
        soft_wrap=True,
    )


@retention_app.command("list")
def retention_list(
    case: Annotated[str | None, typer.Option(help="Only this case's.")] = None,
) -> None:
    """Every extension, newest first: case, until, who, in force or not (reasons: the API)."""
    from hub.db import now, transaction
    from hub.errors import HubError
    from hub.retention import extensions

    settings = _settings()
    at = now()
    try:
        with transaction(_sessions(settings)) as session:
            proposal = extensions.find_case(session, case).id if case else None
            found = extensions.listed(session, proposal_id=proposal)
    except HubError as exc:
        raise fail(exc.detail) from None
    if not found:
        out.print("no retention extensions")
    for f in found:
        state = (
            "revoked"
            if f.row.revoked_at
            else ("in force" if extensions.in_force(f.row, at) else "ended")
        )
        out.print(
            f"{f.row.id}  case {f.case_number}  {len(f.signal_ids)} signal(s)  until "
            f"{f.row.until:%Y-%m-%d}  by {f.row.decided_by} ({f.row.agency})  {state}",
            soft_wrap=True,
        )


@retention_app.command("revoke")
def retention_revoke(
    extension: Annotated[str, typer.Argument(help="The extension's id.")],
    by: Annotated[str, typer.Option(help="Who decided to revoke it.")],
) -> None:
    """End an extension now: its signals fall due under the other rules at the next purge."""
    import uuid

    from hub.auth.management import CLI_CALLER
    from hub.db import now, transaction
    from hub.errors import HubError
    from hub.retention import extensions

    settings = _settings()
    try:
        extension_id = uuid.UUID(extension)
    except ValueError:
        raise fail("not an extension id") from None
    try:
        with transaction(_sessions(settings)) as session:
            extensions.revoke(
                session, CLI_CALLER, extension_id, revoked_by=by.strip()[:64], at=now()
            )
    except HubError as exc:
        raise fail(exc.detail) from None
    out.print(f"extension {extension_id} revoked")


@app.command()
def relink() -> None:
    """Rebuild every case proposal from the signals (ids stay stable; safe to repeat).

    Subjects stored before a match key type existed are given it first."""
    from rich.progress import Progress

    from hub.barriers.vocabulary import load_vocabulary
    from hub.db import transaction
    from hub.kit.crypto import DataKeys
    from hub.kit.heap import settled_heap
    from hub.linking.service import relink as rebuild
    from hub.signals.service import rekey

    settings = _settings()
    weights = load_vocabulary(settings.barriers_dir).indicator_weights()
    keys = DataKeys.load_or_create(settings.data_dir)
    with (
        # Collected as the server collects (hub.kit.heap): with CPython's default, collections
        # were a quarter of a relink's CPU (bench/README.md, queue_step.py's section).
        settled_heap(),
        transaction(_sessions(settings)) as session,
        Progress(console=err, transient=True, disable=not err.is_terminal) as progress,
    ):
        # Signals stored before a key type existed get it first (once; then a quick no-op).
        rekeyed = rekey(session, keys)
        if rekeyed:
            out.print(f"gave {rekeyed} subject(s) the match keys added since they were stored")
        task = progress.add_task("re-linking signals", total=None)
        result = rebuild(
            session,
            weights=weights,
            keys=keys,
            progress=lambda done: progress.update(task, completed=done),
        )
    out.print(
        f"relinked {result.considered} signal(s) ({result.nodes} linking): {result.created} new, "
        f"{result.changed} changed, {result.closed} closed proposal(s)"
    )


@linking_app.command("exclude")
def linking_exclude(
    subject: Annotated[
        str,
        typer.Argument(
            help='The value as a signal subject, e.g. \'{"type": "phone", '
            '"number": "020 555 0100"}\'.'
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why it must not link (kept with it).")],
) -> None:
    """Stop a value from linking (a shelter's address, an agency's own office) at once."""
    from pydantic import TypeAdapter, ValidationError

    from hub.barriers.vocabulary import load_vocabulary
    from hub.db import transaction
    from hub.kit.crypto import DataKeys
    from hub.linking.exclusions import exclude
    from hub.linking.service import Linker
    from hub.signals.subjects import Subject

    settings = _settings()
    try:
        parsed = TypeAdapter(Subject).validate_json(subject)
    except ValidationError as exc:
        # Field names and messages only: the value itself is not echoed to a terminal log.
        problems = "; ".join(
            f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)
        )
        raise fail(f"not a valid subject: {problems}") from None
    keys = DataKeys.load_or_create(settings.data_dir)
    linker = Linker(load_vocabulary(settings.barriers_dir).indicator_weights(), keys)
    with transaction(_sessions(settings)) as session:
        added, result = exclude(
            session,
            keys,
            linker,
            parsed,
            reason=reason,
            by=os.environ.get("USER", "cli"),
        )
    out.print(
        f"excluded {added} new value(s); re-linked: {result.changed} changed, "
        f"{result.closed} closed proposal(s)"
    )


@linking_app.command("separate")
def linking_separate(
    first: Annotated[str, typer.Argument(help="A signal id.")],
    second: Annotated[str, typer.Argument(help="Another signal id.")],
    reason: Annotated[str, typer.Option(help="Why they do not belong together.")],
) -> None:
    """Keep two signals apart: no proposal will ever hold both (an analyst's "not the same")."""
    import uuid

    from sqlalchemy import select

    from hub.barriers.vocabulary import load_vocabulary
    from hub.db import transaction
    from hub.kit.crypto import DataKeys
    from hub.linking.service import Linker, separate
    from hub.signals.models import Signal

    settings = _settings()
    try:
        a, b = uuid.UUID(first), uuid.UUID(second)
    except ValueError:
        raise fail("signal ids are UUIDs") from None
    if a == b:
        raise fail("give two different signals")
    linker = Linker(
        load_vocabulary(settings.barriers_dir).indicator_weights(),
        DataKeys.load_or_create(settings.data_dir),
    )
    with transaction(_sessions(settings)) as session:
        known = set(session.scalars(select(Signal.id).where(Signal.id.in_([a, b]))))
        if known != {a, b}:
            raise fail("no such signal: " + ", ".join(str(i) for i in {a, b} - known))
        result = separate(session, linker, a, b, reason=reason, by=os.environ.get("USER", "cli"))
    out.print(
        f"kept apart; re-linked: {result.changed} changed, {result.closed} closed proposal(s)"
    )


@report_app.command("nightly")
def report_nightly(
    day: Annotated[
        str | None,
        typer.Option("--date", help="Report date, YYYY-MM-DD (default: yesterday in Amsterdam)."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of the HTML page: nl or en (default: HUB_LANGUAGE)."),
    ] = None,
) -> None:
    """Build and store the trend report for one date; a second run replaces it."""
    from datetime import date

    from hub.barriers.vocabulary import load_vocabulary
    from hub.db import transaction
    from hub.kit.i18n import LANGUAGES
    from hub.reports.service import build_and_store, yesterday

    if day is None:
        report_date = yesterday()
    else:
        try:
            report_date = date.fromisoformat(day)
        except ValueError:
            raise fail(f"--date {day!r} is not a date as YYYY-MM-DD") from None
    if lang is not None and lang not in LANGUAGES:
        raise fail(f"--lang {lang!r} is not one of {', '.join(LANGUAGES)}")
    settings = _settings()
    vocabulary = load_vocabulary(settings.barriers_dir)
    # One transaction: an interrupted build leaves the report stored before it in place.
    with transaction(_sessions(settings)) as session:
        built = build_and_store(
            session, report_date, vocabulary, language=lang or settings.language
        )
    what = "replaced" if built.replaced else "stored"
    out.print(
        f"trend report {report_date.isoformat()} {what} in {built.seconds:.1f} s "
        f"({built.hidden_cells} cell(s) suppressed); served at "
        f"{settings.issuer}/api/v1/reports/{report_date.isoformat()} (.html, .csv)",
        soft_wrap=True,
    )


@app.command()
def nightly(
    day: Annotated[
        str | None,
        typer.Option("--date", help="Report date, YYYY-MM-DD (default: yesterday in Amsterdam)."),
    ] = None,
    show_log: Annotated[
        bool, typer.Option("--log", help="Show the run log of the last runs and exit.")
    ] = False,
    runs: Annotated[int, typer.Option(help="How many runs --log shows.", min=1)] = 5,
) -> None:
    """Re-link, purge, build the trend report and the digests for one date (safe to repeat).

    Exit 0 when every step succeeded, 1 when a step failed, 3 when another run holds the lock.
    """
    from datetime import date

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from hub.db import make_engine, make_sessionmaker
    from hub.kit.heap import settled_heap
    from hub.ldv.collect import attach_for
    from hub.nightly.lock import NightlyLock
    from hub.nightly.progress import BarReporter, LineReporter
    from hub.nightly.service import default_day, run_nightly

    settings = _settings()
    if show_log:
        _print_run_log(settings, runs)
        return
    try:
        report_date = default_day() if day is None else date.fromisoformat(day)
    except ValueError:
        raise fail(f"--date {day!r} is not a date as YYYY-MM-DD") from None
    engine = make_engine(settings.sqlalchemy_url)
    lock = NightlyLock(engine, lease_seconds=settings.nightly_lease_seconds)
    try:
        reason = lock.acquire()
        if reason is not None:
            err.print(f"[bold red]error:[/] not started: {reason}", soft_wrap=True)
            raise typer.Exit(code=3)
        sessions = make_sessionmaker(engine)
        attach_for(sessions, settings)
        # Its relink collects as `hub relink` does (and as the server's scheduled run does).
        with settled_heap():
            if err.is_terminal:
                columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
                with Progress(*columns, console=err) as progress:
                    outcome = run_nightly(
                        settings, sessions, lock, day=report_date, reporter=BarReporter(progress)
                    )
            else:
                # Plain lines, flushed one by one, for cron mail, container logs and pipes.
                def emit(line: str) -> None:
                    sys.stdout.write(line + "\n")
                    sys.stdout.flush()

                reporter = LineReporter(emit, report_date)
                outcome = run_nightly(settings, sessions, lock, day=report_date, reporter=reporter)
    finally:
        lock.release()
        engine.dispose()
    failed = outcome.failed_step
    if failed is not None:
        err.print(
            f"[bold red]error:[/] nightly run for {report_date.isoformat()} stopped: step "
            f"{failed.step} {failed.status} ({failed.error}); the steps before it are kept, "
            "fix it and run again (`hub nightly --log` shows the run log)",
            soft_wrap=True,
        )
        raise typer.Exit(code=1)
    out.print(
        f"nightly run for {report_date.isoformat()} succeeded in {outcome.seconds:.1f} s",
        soft_wrap=True,
    )


def _print_run_log(settings: Settings, runs: int) -> None:
    from rich.table import Table

    from hub.db import transaction
    from hub.nightly.repository import recent
    from hub.nightly.service import describe, stamp

    table = Table("date", "step", "status", "trigger", "started (UTC)", "seconds", "counts")
    for column in table.columns[:6]:
        column.no_wrap = True
    with transaction(_sessions(settings)) as session:
        rows = recent(session, runs=runs)
    for i, row in enumerate(rows):
        table.add_row(
            row.report_date.isoformat(),
            row.step,
            row.status,
            row.trigger,
            stamp(row.started_at),
            "" if row.seconds is None else f"{row.seconds:.1f}",
            (row.error or "") if row.counts is None else describe(row.counts),
            end_section=i + 1 == len(rows) or rows[i + 1].run_id != row.run_id,
        )
    out.print(table if rows else "no nightly run recorded yet")


@app.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the spec.")] = Path(
        "openapi/openapi.json"
    ),
) -> None:
    """Write the published OpenAPI spec (what /api/v1/openapi.json serves)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_openapi(_settings()))
    out.print(f"wrote {output}")


def render_openapi(settings: Settings) -> str:
    from hub.app import build_api

    return json.dumps(build_api(settings).openapi(), indent=2, ensure_ascii=False) + "\n"


@app.command()
def demo() -> None:
    """Seed demo agencies, a client per agency and synthetic signals (safe to repeat)."""
    migrate()
    settings = _settings()
    seed_demo(settings, quiet=False)
    _print_token_help(settings)
    if "HUB_ISSUER" not in os.environ:
        out.print(
            f"(These URLs assume the hub serves at {settings.issuer}; elsewhere set HUB_ISSUER.)",
            soft_wrap=True,
        )


@app.command("demo-credentials")
def demo_credentials(agency: str) -> None:
    """Print `client_id:client_secret` of an agency's demo client (for curl -u), or the
    password of a demo analyst of the web UI (e.g. riec-aa.analyst)."""
    from hub.demo.seed import demo_analysts
    from hub.demo.seed import demo_credentials as read

    data_dir = _settings().data_dir
    password = demo_analysts(data_dir).get(agency)
    if password is not None:
        sys.stdout.write(f"{password}\n")
        return
    creds = read(data_dir).get(agency)
    if creds is None:
        raise fail(f"no demo client or analyst {agency!r}; run `hub demo` first")
    sys.stdout.write(f"{creds['client_id']}:{creds['client_secret']}\n")


@app.command()
def upload(
    file: Annotated[
        Path | None, typer.Argument(help="A .csv, .xlsx or .ndjson file of signals.")
    ] = None,
    agency: Annotated[
        str | None, typer.Option(help="Your agency's code (the credentials must be its own).")
    ] = None,
    url: Annotated[
        str, typer.Option(envvar="HUB_ISSUER", help="The hub's address.")
    ] = "http://127.0.0.1:8000",
    client_id: Annotated[
        str | None, typer.Option(envvar="HUB_CLIENT_ID", help="Your OAuth client id.")
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            envvar="HUB_CLIENT_SECRET",
            help="Your client secret (better in the environment than on the command line).",
        ),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(
            envvar="HUB_CLIENT_KEY", help="Your private key (JWK or PEM), instead of a secret."
        ),
    ] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Where refused rows go (default: FILE.errors.csv).")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(help="Print the CSV template of a barrier (e.g. employment) and stop."),
    ] = None,
) -> None:
    """Upload signals from a spreadsheet or NDJSON file over the API, with your own client.

    Safe to run again: rows already stored are not stored twice. Refused rows go to the errors
    file with their reasons; the exit code is 1 when any row was refused."""
    from hub.upload import columns

    if template is not None:
        if template not in columns.EXAMPLES:
            raise fail(f"no template {template!r}; choose from {', '.join(columns.EXAMPLES)}")
        sys.stdout.write(columns.template(template))
        return
    if file is None or agency is None:
        raise fail("name the FILE to upload and your --agency (or ask for a --template)")
    if client_id is None or (client_secret is None) == (key is None):
        raise fail(
            "give your --client-id and either --client-secret or --key "
            "(or HUB_CLIENT_ID with HUB_CLIENT_SECRET or HUB_CLIENT_KEY)"
        )
    code = _upload(file, agency, url, client_id, client_secret, key, errors)
    raise typer.Exit(code=code)


def _upload(
    file: Path,
    agency: str,
    url: str,
    client_id: str,
    secret: str | None,
    key: Path | None,
    errors: Path | None,
) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from hub.upload.client import Credentials, Hub, UploadError
    from hub.upload.rows import FileError
    from hub.upload.run import Summary, load, prepare, send, write_errors

    errors = errors or file.with_suffix(".errors.csv")
    summary = Summary()
    hub = Hub(url, Credentials(client_id, secret, key), agency)
    failure = None
    try:
        try:
            header, rows = load(file)
            summary.rows = len(rows)
            items = prepare(rows, summary)
            hub.authenticate()
        except (FileError, UploadError) as exc:
            raise fail(str(exc)) from None
        columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
        # A bar only on a terminal: in a pipe or a log it would be noise.
        bar = Progress(
            *columns,
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with bar:
            task = bar.add_task("uploading", total=len(items))
            try:
                send(hub, items, summary, lambda n: bar.advance(task, n))
            except UploadError as exc:
                failure = str(exc)  # what was sent so far is summed up, and resumes next time
            except KeyboardInterrupt:
                failure = "interrupted; run the same command again to resume"
            summary.not_sent = len(items) - summary.sent
    finally:
        hub.close()
    out.print(
        f"{file.name}: {summary.rows} rows; stored {summary.stored}, "
        f"already there {summary.already}, refused {len(summary.refused)}"
        + (f", not sent {summary.not_sent}" if summary.not_sent else ""),
        soft_wrap=True,
    )
    if summary.refused:
        write_errors(errors, header, summary.refused)
        out.print(f"refused rows and their reasons: {errors}", soft_wrap=True)
    elif errors.exists():
        errors.unlink()  # a previous run's refusals, all stored now
    if failure:
        err.print(f"[bold red]error:[/] {failure}", soft_wrap=True)
        return 2
    return 0 if summary.complete else 1


def seed_demo(settings: Settings, *, quiet: bool) -> None:
    from hub.demo.seed import build_yesterday, seed

    seed(settings, console=None if quiet else out)
    build_yesterday(settings, console=None if quiet else out)


def _print_token_help(settings: Settings) -> None:
    # Show the command as it was invoked (e.g. .venv/bin/hub), so the line works when pasted.
    hub = sys.argv[0] if "/" in sys.argv[0] else "hub"
    out.print(
        "\n[bold]Get a token[/] (the demo client of KMAR; any demo agency code works):\n"
        f'  curl -s -u "$({hub} demo-credentials KMAR)" -d grant_type=client_credentials '
        f"{settings.issuer}/oauth/token\n"
        f"Demo client credentials are in {settings.data_dir / 'demo-clients.json'}\n"
        f"\n[bold]Analysts' web UI[/]: {settings.issuer}/ui/ - sign in as riec-aa.analyst "
        f"(or emm.analyst, riec-rr.analyst) with the password\n"
        f"  {hub} demo-credentials riec-aa.analyst\n",
        soft_wrap=True,
    )


def main() -> None:
    app()
