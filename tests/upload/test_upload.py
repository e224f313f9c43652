"""`hub upload`: spreadsheets and NDJSON to signals over the API, resumable, refusals explained."""

import csv
import json
import time
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from hub.upload.columns import COLUMNS, EXAMPLES, template
from tests.factories import signal_body, stored_count
from tests.upload.conftest import TEMPLATES

ROW = {
    "indicators": "employment.wages-below-minimum;finance.many-workers-one-account",
    "observed_at": "2026-11-20",
    "municipality": "GM0363",
    "summary": "Workers paid below the minimum wage into one account.",
    "person_name": "Ion Popescu",
    "person_birth_date": "1994-03-02",
    "person_role": "victim",
    "address_postcode": "1012 AB",
    "address_house_number": "12",
    "iban": "NL91 ABNA 0417 1643 00",
}


def write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_errors(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_ten_thousand_rows_are_stored_once_however_often_the_file_is_uploaded(
    uploader, kmar, sessions, tmp_path: Path
) -> None:
    rows = [
        ROW
        | {
            "person_name": f"Worker {n}",
            "address_house_number": str(n % 9999 + 1),
            "phone": f"0612{n:06d}",
        }
        for n in range(10_000)
    ]
    file = write_csv(tmp_path / "signals.csv", rows)

    started = time.monotonic()
    first = uploader.run(file, kmar)
    elapsed = time.monotonic() - started
    print(f"\n10,000 rows uploaded in {elapsed:.1f} s")
    assert first.code == 0, first.output
    assert "10000 rows; stored 10000, already there 0, refused 0" in first.stdout
    assert stored_count(sessions, kmar.agency_id) == 10_000
    assert not (tmp_path / "signals.errors.csv").exists()

    started = time.monotonic()
    second = uploader.run(file, kmar)
    print(f"the second run took {time.monotonic() - started:.1f} s")
    assert second.code == 0, second.output
    assert "stored 0, already there 10000, refused 0" in second.stdout
    assert stored_count(sessions, kmar.agency_id) == 10_000


def test_refused_rows_go_to_the_errors_file_with_their_reasons(
    uploader, kmar, sessions, tmp_path: Path
) -> None:
    rows = [
        ROW,
        ROW | {"iban": "NL00 BAD 1234"},  # refused by the hub
        ROW | {"observed_at": "20th of November"},  # refused before sending
        ROW | {"indicators": "employment.no-such-thing"},
        ROW | {"person_name": "Ion Popescu;Maria Ionescu"},  # two names, one birth date
        ROW | {"summary": "Another inspection, all in order this time."},
    ]
    file = write_csv(tmp_path / "inspections.csv", rows, delimiter=";")  # as Dutch Excel saves

    result = uploader.run(file, kmar)
    assert result.code == 1, result.output
    assert "6 rows; stored 2, already there 0, refused 4" in result.stdout
    assert stored_count(sessions, kmar.agency_id) == 2
    errors = tmp_path / "inspections.errors.csv"
    assert f"refused rows and their reasons: {errors}" in result.stdout.replace("\n", "")
    refused = read_errors(errors)
    assert [r["row"] for r in refused] == ["3", "4", "5", "6"]
    reasons = [r["reason"] for r in refused]
    assert reasons[0].startswith("iban: ") and "IBAN" in reasons[0]
    assert reasons[1].startswith("observed_at: not a date or time")
    assert reasons[2].startswith("indicators: ") and "unknown indicator" in reasons[2]
    assert "person_birth_date, person_name" in reasons[3] and "different numbers" in reasons[3]
    assert refused[0]["iban"] == "NL00 BAD 1234"  # the row as it was, to correct in place
    assert oct(errors.stat().st_mode & 0o777) == "0o600"
    # Neither the rows' people nor their numbers appear on the terminal (which may be logged).
    assert "Popescu" not in result.output and "NL00" not in result.output
    assert "Traceback" not in result.output

    # The partner corrects the errors file and uploads it as it is; the rest stays stored once.
    fixed = [
        r | {"iban": ROW["iban"], "observed_at": "2026-11-21", "indicators": ROW["indicators"]}
        for r in refused
    ]
    fixed[3] |= {"person_birth_date": "1994-03-02;1990-07-15", "person_role": "victim;victim"}
    with errors.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(refused[0]))
        writer.writeheader()
        writer.writerows(fixed)
    again = uploader.run(errors, kmar)
    assert again.code == 0, again.output
    assert "stored 4, already there 0, refused 0" in again.stdout
    assert uploader.run(file, kmar).stdout.count("stored 0, already there 2, refused 4") == 1
    assert stored_count(sessions, kmar.agency_id) == 6


def test_a_row_with_an_unknown_municipality_is_refused_naming_the_field(
    uploader, kmar, sessions, tmp_path: Path
) -> None:
    rows = [ROW, ROW | {"municipality": "GM9999", "summary": "Somewhere that is no municipality."}]
    result = uploader.run(write_csv(tmp_path / "places.csv", rows), kmar)
    assert result.code == 1, result.output
    assert "2 rows; stored 1, already there 0, refused 1" in result.stdout
    [refused] = read_errors(tmp_path / "places.errors.csv")
    assert refused["row"] == "3"
    assert refused["reason"].startswith("municipality: unknown municipality code 'GM9999'")
    assert stored_count(sessions, kmar.agency_id) == 1


def test_xlsx_and_ndjson_files_upload_and_the_same_rows_in_another_format_add_nothing(
    uploader, kmar, sessions, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(list(ROW))
    # A spreadsheet's own types: a date cell, a number cell.
    sheet.append(
        [
            datetime(2026, 11, 20) if k == "observed_at" else int(v) if v.isdigit() else v
            for k, v in ROW.items()
        ]
    )
    sheet.append([*list(ROW.values())[:3], "An inspection of the same day, elsewhere."])
    sheet.append([None] * len(ROW))  # blank rows, as spreadsheets have, are no rows
    xlsx = tmp_path / "signals.xlsx"
    book.save(xlsx)

    result = uploader.run(xlsx, kmar)
    assert result.code == 0, result.output
    assert "2 rows; stored 2, already there 0, refused 0" in result.stdout
    # The same row in a CSV file: the signal's content, not the file, says which row it is.
    same = uploader.run(write_csv(tmp_path / "one.csv", [ROW]), kmar)
    assert "1 rows; stored 0, already there 1, refused 0" in same.stdout, same.output

    lines = [
        json.dumps(ROW | {"summary": "A flat row, as in the spreadsheet."}),
        json.dumps(signal_body()),  # a signal as the API takes it
        "{not json",
    ]
    ndjson = tmp_path / "signals.ndjson"
    ndjson.write_text("\n".join(lines) + "\n")
    result = uploader.run(ndjson, kmar)
    assert result.code == 1, result.output
    assert "3 rows; stored 2, already there 0, refused 1" in result.stdout
    refused = read_errors(tmp_path / "signals.errors.csv")
    assert [(r["row"], r["reason"]) for r in refused] == [("3", "not valid JSON")]
    assert stored_count(sessions, kmar.agency_id) == 4


def test_a_file_with_an_unknown_column_is_refused_whole(uploader, kmar, sessions, tmp_path) -> None:
    file = tmp_path / "typo.csv"
    file.write_text("indicators,observed_at,person_nmae\nemployment.excessive-hours,2026-11-20,X\n")
    result = uploader.run(file, kmar)
    assert result.code == 2
    assert "unknown column(s) person_nmae" in result.stderr.replace("\n", "")
    assert stored_count(sessions, kmar.agency_id) == 0


def test_credentials_that_do_not_work_say_why(uploader, partners, kmar, tmp_path) -> None:
    file = write_csv(tmp_path / "one.csv", [ROW])
    wrong = uploader.run(file, kmar, secret="not-the-secret")
    assert wrong.code == 2
    assert "refused the client credentials" in wrong.stderr
    none = uploader.run(file, None, "--agency", kmar.code)
    assert none.code == 2 and "--client-id" in none.stderr
    other = partners.new(kind="szw")
    mixed = uploader.run(file, other, "--agency", kmar.code)
    assert mixed.code == 2
    assert f"belong to agency {other.code}, not {kmar.code}" in mixed.stderr.replace("\n", " ")
    reader = partners.new(kind="szw", scopes="signals:read")
    scoped = uploader.run(file, reader)
    assert scoped.code == 2 and "signals:write" in scoped.stderr
    unreachable = uploader.run(file, kmar, "--url", "http://127.0.0.1:9")
    assert unreachable.code == 2 and "cannot reach the hub" in unreachable.stderr
    for result in (wrong, none, mixed, scoped, unreachable):
        assert "Traceback" not in result.output


def test_a_client_with_a_private_key_uploads(uploader, sessions, tmp_path: Path) -> None:
    from joserfc.jwk import RSAKey

    from hub.agencies.schemas import AgencyCreate
    from hub.agencies.service import add_agency
    from hub.auth.clients import create_client

    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    with sessions() as session, session.begin():
        agency = add_agency(
            session, AgencyCreate(code="GM0518", name="Den Haag", kind="municipality")
        )
        client, _ = create_client(
            session,
            agency=agency,
            scopes=frozenset({"signals:write"}),
            name="upload",
            public_jwks={"keys": [dict(key.as_dict(private=False))]},
            with_secret=False,
        )
        client_id, agency_id = client.client_id, agency.id
    key_file = tmp_path / "private.jwk.json"
    key_file.write_text(json.dumps(key.as_dict(private=True)))
    file = write_csv(tmp_path / "one.csv", [ROW])
    result = uploader.run(
        file, None, "--agency", "GM0518", "--client-id", client_id, "--key", str(key_file)
    )
    assert result.code == 0, result.output
    assert "stored 1" in result.stdout
    assert stored_count(sessions, agency_id) == 1


@pytest.mark.parametrize("barrier", sorted(EXAMPLES))
def test_each_barrier_has_a_template_that_uploads(
    uploader, kmar, sessions, tmp_path: Path, barrier: str
) -> None:
    shipped = TEMPLATES / f"{barrier}.csv"
    assert shipped.read_text() == template(barrier), "regenerate with hub upload --template"
    printed = uploader.run(Path(), None, "--template", barrier)
    assert printed.code == 0 and printed.stdout == template(barrier)
    result = uploader.run(shipped, kmar)
    assert result.code == 0, result.output
    assert "1 rows; stored 1" in result.stdout
    assert stored_count(sessions, kmar.agency_id) == 1
