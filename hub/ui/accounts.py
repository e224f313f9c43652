"""Analysts' accounts: local ones with a password and lock-out, and single-sign-on ones."""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from hub.agencies import repository as agencies
from hub.kit.i18n import gettext as _
from hub.ui import repository
from hub.ui.models import UIUser
from hub.ui.roles import ROLES

MIN_PASSWORD = 12
# Far above any passphrase; bounds the work one sign-in request can ask of the hasher.
MAX_PASSWORD = 1024
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")

# Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile); old hashes are
# upgraded when their owner next signs in.
_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account operation refused, with a message fit for the operator or the analyst."""


@dataclass(frozen=True)
class SignInPolicy:
    attempts: int
    lockout: timedelta


@dataclass(frozen=True)
class SignInResult:
    """The account signed in, or None and why not (for the log; never shown)."""

    user: UIUser | None
    reason: str | None = None


@cache
def dummy_hash() -> str:
    # Verified for unknown names, so a failure takes as long whether the name exists or not.
    return _hasher.hash("not a password of anyone, only here to spend time")


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def log_ref(key: bytes, username: str) -> str:
    """A keyed hash of an account name, so logs tie attempts together without naming anyone."""
    name = normalise_username(username).encode()
    return hmac.new(key, name, hashlib.sha256).hexdigest()[:16]


def check_password(password: str, *, username: str) -> None:
    """Refuse a password too short, too long, or equal to the account name."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password may have at most {MAX_PASSWORD} characters")
    if password.strip().lower() == username:
        raise AccountError("the password may not be the username")


def _known_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


MAX_DISPLAY_NAME = 100


def display_name(raw: str | None) -> str | None:
    """A person's name as colleagues read it: trimmed, one line, None when empty."""
    if raw is None:
        return None
    name = " ".join(raw.split())
    if len(name) > MAX_DISPLAY_NAME or not name.isprintable():
        raise AccountError(f"a display name is one line of at most {MAX_DISPLAY_NAME} characters")
    return name or None


def create_user(
    session: Session,
    username: str,
    *,
    agency_code: str,
    role: str,
    password: str,
    shown: str | None = None,
) -> UIUser:
    """Add a local account; the password is stored as an Argon2id hash only. `shown` is the
    display name colleagues read in a proposal's history."""
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise AccountError(
            "a username is 2-64 characters: letters, digits and . _ @ -, starting with a "
            "letter or digit"
        )
    agency = agencies.by_code(session, agency_code)
    if agency is None:
        raise AccountError(f"no agency {agency_code!r}; add it with `hub agencies add`")
    _known_role(role)
    check_password(password, username=name)
    if repository.user_by_username(session, name) is not None:
        raise AccountError(f"username {name!r} is already taken")
    user = UIUser(
        username=name,
        display_name=display_name(shown),
        agency_id=agency.id,
        role=role,
        password_hash=_hasher.hash(password),
    )
    session.add(user)
    session.flush()
    return user


def sign_in(
    session: Session, username: str, password: str, *, now: datetime, policy: SignInPolicy
) -> SignInResult:
    """Check a local sign-in; a wrong password counts toward the lock-out, a right one resets it.

    Every failure costs one hash verification, so its timing tells nothing about the account.
    """
    decoy = dummy_hash()  # made at the first attempt, known name or not, so neither stands out
    name = normalise_username(username)
    user = repository.user_by_username(session, name, lock=True) if len(name) <= 64 else None
    if len(password) > MAX_PASSWORD:
        password = ""  # never hashed at length; a failure below like any other
    if user is None or user.password_hash is None:
        _verify(decoy, password)
        return SignInResult(None, "unknown" if user is None else "external")
    right = _verify(user.password_hash, password)
    if user.disabled:
        return SignInResult(None, "disabled")
    if user.locked_until is not None and user.locked_until > now:
        return SignInResult(None, "locked")
    if not right:
        user.failed_attempts += 1
        if user.failed_attempts >= policy.attempts:
            user.failed_attempts = 0
            user.locked_until = now + policy.lockout
            return SignInResult(None, "password; now locked")
        return SignInResult(None, "password")
    user.failed_attempts = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return SignInResult(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in_external(
    session: Session,
    *,
    external_id: str,
    username: str,
    agency_code: str,
    role: str,
    shown: str | None = None,
) -> UIUser:
    """The account of a person the OpenID provider vouched for, made or brought up to date.

    The provider is the source of truth for agency, role and display name: they follow its
    claims each time.
    """
    agency = agencies.by_code(session, agency_code)
    if agency is None:
        raise AccountError(
            _(
                "your organisation's sign-in names agency {agency}, which this hub does not "
                "know; ask your administrator to register it or correct your account"
            ).format(agency=repr(agency_code))
        )
    if role not in ROLES:
        raise AccountError(
            _("your organisation's sign-in names role {role}; the hub knows {roles} only").format(
                role=repr(role), roles=", ".join(ROLES)
            )
        )
    user = repository.user_by_external_id(session, external_id)
    if user is None:
        name = normalise_username(username)
        if repository.user_by_username(session, name) is not None:
            raise AccountError(
                _(
                    "the account name {name} already belongs to another hub account; ask your "
                    "administrator"
                ).format(name=repr(name))
            )
        user = UIUser(username=name, agency_id=agency.id, role=role, external_id=external_id)
        session.add(user)
    elif user.disabled:
        raise AccountError(_("this account is disabled; ask your administrator"))
    user.agency_id, user.role = agency.id, role
    user.display_name = display_name(shown)
    session.flush()
    return user


def set_disabled(session: Session, username: str, *, disabled: bool) -> UIUser:
    """Disable (ending every session at once) or re-enable an account."""
    user = _existing(session, username)
    user.disabled = disabled
    if disabled:
        repository.delete_sessions_of(session, user.id)
    return user


def unlock(session: Session, username: str) -> UIUser:
    """Lift a lock-out and forget the failed attempts."""
    user = _existing(session, username)
    user.locked_until = None
    user.failed_attempts = 0
    return user


def _existing(session: Session, username: str) -> UIUser:
    user = repository.user_by_username(session, normalise_username(username), lock=True)
    if user is None:
        raise AccountError(f"no user {normalise_username(username)!r}")
    return user
