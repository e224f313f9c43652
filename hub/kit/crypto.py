"""Encryption at rest (AES-256-GCM with key ids) and keyed blind indexes (HMAC-SHA256)."""

import base64
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.kit.keyfiles import key_dir, read_json, write_secret_json

_NONCE_BYTES = 12


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _derive(master: bytes, purpose: bytes) -> bytes:
    """A 256-bit subkey of `master` for one use only (HKDF-SHA256, salted and labelled)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"barrier-hub subkey", info=purpose
    ).derive(master)


@dataclass(frozen=True)
class Sealed:
    """A ciphertext and the id of the key that sealed it (stored side by side)."""

    key_id: str
    blob: bytes


class DataKeys:
    """The data-encryption keys and the blind-index key of one hub."""

    def __init__(
        self, aead: dict[str, bytes], active: str, index_key: bytes, pseudonym_key: bytes
    ) -> None:
        self._aead = {kid: AESGCM(raw) for kid, raw in aead.items()}
        self.active = active
        self._index_key = index_key
        self.pseudonym_key = pseudonym_key
        # Cursors are MAC'd under a key of their own, derived (HKDF) rather than stored: a
        # key that signs cursors never also makes blind indexes or pseudonyms.
        self.cursor_key = _derive(index_key, b"barrier-hub cursor mac v1")
        # The processing log's data-subject ids (hub/ldv/): an HMAC of a blind-index token under
        # this key, so the log never holds a token, and a token alone does not find a record.
        self.ldv_subject_key = _derive(pseudonym_key, b"barrier-hub ldv data subject v1")

    @classmethod
    def load_or_create(cls, data_dir: Path) -> "DataKeys":
        """Load the keys from `data_dir/keys`, generating them on first start."""
        path = key_dir(data_dir) / "data-keys.json"
        if not path.exists():
            kid = secrets.token_hex(4)
            write_secret_json(
                path,
                {
                    "active": kid,
                    "aead": {kid: _b64(AESGCM.generate_key(bit_length=256))},
                    # A separate key: leaking the index key must not decrypt, and vice versa.
                    "blind_index": _b64(secrets.token_bytes(32)),
                    # Pseudonyms must not be computable from blind-index tokens either.
                    "pseudonym": _b64(secrets.token_bytes(32)),
                },
            )
        doc = read_json(path)
        if "pseudonym" not in doc:  # data folders made before pseudonyms existed
            doc["pseudonym"] = _b64(secrets.token_bytes(32))
            write_secret_json(path, doc)
        aead = {kid: base64.b64decode(raw) for kid, raw in doc["aead"].items()}
        return cls(
            aead,
            doc["active"],
            base64.b64decode(doc["blind_index"]),
            base64.b64decode(doc["pseudonym"]),
        )

    @staticmethod
    def rotate(data_dir: Path) -> str:
        """Add a new data key and make it active; old keys stay for decryption."""
        path = key_dir(data_dir) / "data-keys.json"
        DataKeys.load_or_create(data_dir)
        doc = read_json(path)
        kid = secrets.token_hex(4)
        doc["aead"][kid] = _b64(AESGCM.generate_key(bit_length=256))
        doc["active"] = kid
        write_secret_json(path, doc)
        return kid

    def seal(self, plaintext: bytes, *, context: bytes) -> Sealed:
        """Encrypt under the active key; `context` (e.g. the row id) binds the blob to its place."""
        nonce = os.urandom(_NONCE_BYTES)
        blob = nonce + self._aead[self.active].encrypt(nonce, plaintext, context)
        return Sealed(self.active, blob)

    def open(self, sealed: Sealed, *, context: bytes) -> bytes:
        """Decrypt a blob sealed under any known key, checking its context."""
        aead = self._aead[sealed.key_id]
        return aead.decrypt(sealed.blob[:_NONCE_BYTES], sealed.blob[_NONCE_BYTES:], context)

    def blind_index(self, kind: str, normalised: str) -> str:
        """The keyed token under which an identifier is matched without reading it."""
        message = kind.encode() + b"\x1f" + normalised.encode()
        return hmac.digest(self._index_key, message, "sha256").hex()
