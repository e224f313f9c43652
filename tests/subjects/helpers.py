"""Helpers of the contact point's tests: a person of one's own, and requests over the API."""

import random
import string
import uuid
from dataclasses import dataclass
from typing import Any

import httpx


def bsn() -> str:
    """A random BSN that passes the 11-test."""
    while True:
        digits = [random.randrange(10) for _ in range(8)]
        check = sum(d * (9 - i) for i, d in enumerate(digits)) % 11
        if check < 10 and any(digits):
            return "".join(map(str, digits)) + str(check)


def _word() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=9)).capitalize()


@dataclass(frozen=True)
class Person:
    """Someone no other test names: a fresh name, birth date, BSN and passport number."""

    name: str
    birth_date: str
    bsn: str
    passport: str

    @classmethod
    def new(cls) -> "Person":
        born = f"19{random.randrange(50, 99)}-0{random.randrange(1, 9)}-1{random.randrange(9)}"
        return cls(f"{_word()} {_word()}", born, bsn(), "XR" + uuid.uuid4().hex[:8].upper())

    def by_name(self, **extra: Any) -> dict[str, Any]:
        return {"type": "person", "name": self.name, "birth_date": self.birth_date} | extra

    def by_bsn(self) -> dict[str, Any]:
        return {"type": "person", "name": self.name, "bsn": self.bsn}

    def passport_subject(self, kind: str = "passport") -> dict[str, Any]:
        return {"type": "document", "kind": kind, "number": self.passport, "issuing_country": "RO"}


def open_request(
    api: httpx.Client, headers: dict[str, str], kind: str, *identifiers: dict[str, Any]
) -> dict[str, Any]:
    response = api.post(
        "/api/v1/subject-requests",
        json={"kind": kind, "identifiers": list(identifiers), "notes": "Asked at the desk."},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith(response.json()["id"])
    return response.json()


def complete(
    api: httpx.Client, headers: dict[str, str], request_id: str, **body: Any
) -> dict[str, Any]:
    response = api.post(
        f"/api/v1/subject-requests/{request_id}/completions", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()
