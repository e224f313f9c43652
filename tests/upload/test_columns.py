"""How a spreadsheet row becomes a signal document (pure: no hub needed)."""

import pytest

from hub.upload.columns import RowError, content_ref, map_row, parse_instant


def test_times_without_an_offset_are_dutch_and_a_date_alone_is_noon() -> None:
    assert parse_instant("2026-11-20", "observed_at") == "2026-11-20T12:00:00+01:00"
    assert parse_instant("20-11-2026", "observed_at") == "2026-11-20T12:00:00+01:00"
    assert parse_instant("2026-07-01 09:30", "observed_at") == "2026-07-01T09:30:00+02:00"
    assert parse_instant("2026-07-01T09:30:00Z", "observed_at") == "2026-07-01T09:30:00+00:00"
    with pytest.raises(RowError, match="observed_at: not a date or time"):
        parse_instant("yesterday", "observed_at")


def test_semicolons_make_several_subjects_and_barriers_follow_the_indicators() -> None:
    mapped = map_row(
        {
            "indicators": "employment.excessive-hours; finance.cash-after-payday",
            "person_name": "A B;C D",
            "person_birth_date": "1990-01-02;",
            "iban": "NL91ABNA0417164300",
            "address_postcode": "1012 AB",
            "address_house_number": "12",
        }
    )
    assert mapped.document["barriers"] == ["employment", "finance"]
    assert mapped.document["subjects"] == [
        {"type": "person", "name": "A B", "birth_date": "1990-01-02"},
        {"type": "person", "name": "C D"},
        {"type": "address", "house_number": 12, "postcode": "1012 AB"},
        {"type": "iban", "number": "NL91ABNA0417164300"},
    ]
    # A problem's pointer leads back to the column the value came from.
    assert mapped.column_of("/subjects/0/birth_date") == "person_birth_date"
    assert mapped.column_of("/subjects/3/number") == "iban"
    assert mapped.column_of("/indicators/1") == "indicators"


def test_misaligned_values_and_bad_numbers_are_refused_without_echoing_them() -> None:
    with pytest.raises(RowError) as misaligned:
        map_row({"person_name": "A B;C D", "person_role": "victim"})
    assert "different numbers" in str(misaligned.value) and "A B" not in str(misaligned.value)
    with pytest.raises(RowError, match="address_house_number: not a whole number"):
        map_row({"address_postcode": "1012 AB", "address_house_number": "12a"})


def test_the_derived_reference_follows_the_content_not_the_file() -> None:
    one = map_row({"indicators": "employment.excessive-hours", "observed_at": "2026-11-20"})
    same = map_row({"observed_at": "20-11-2026", "indicators": "employment.excessive-hours"})
    assert content_ref(one.document, 0) == content_ref(same.document, 0)
    assert content_ref(one.document, 0) != content_ref(one.document, 1)
    assert content_ref(one.document, 0).startswith("upload-")
