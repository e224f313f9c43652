"""Splink's model for bench/quality.py: settings, training steps and the clustering threshold.

Kept apart from the benchmark so that what Splink is given can be read (and argued with) in one
place. Both models are unsupervised: u from random sampling, m by expectation maximisation on
the training blocks below, never from the ground truth. The comparisons follow Splink's own
FEBRL and synthetic-person examples: names by Jaro-Winkler bands, dates of birth by exact,
one-edit and year distance, identifiers exact with term-frequency adjustment (so a value many
records carry, such as an agency's address, counts for less), SSN-like numbers by
Damerau-Levenshtein bands.
"""

from typing import Any

import splink.comparison_library as cl
from splink import SettingsCreator, block_on

# Pairs at or above this match probability are linked; components of linked pairs are clusters.
THRESHOLD = 0.9
# Pairs sampled for the u estimates (Splink suggests 1e7 or more for accuracy; this is enough
# for 10,000 records and keeps the run short).
U_PAIRS = 5e6

FEBRL_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "suburb",
    "postcode",
    "date_of_birth",
    "soc_sec_id",
)


def febrl() -> tuple[SettingsCreator, list[Any]]:
    """Settings for FEBRL4 (the union of A and B deduplicated, as the hub sees it), and the
    blocking rules EM trains on."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.DamerauLevenshteinAtThresholds("address_1", [1, 2]),
            cl.ExactMatch("suburb"),
            cl.ExactMatch("postcode"),
        ],
    )
    return settings, [block_on("date_of_birth"), block_on("soc_sec_id")]


# The synthetic signals flattened to one row each: the first value of each identifier type,
# normalised by the hub's own validators (so both engines see the same values).
POPULATION_COLUMNS = (
    "name",
    "birth_date",
    "phone",
    "iban",
    "address",
    "kvk",
    "plate",
    "document",
    "email",
)
_IDENTIFIERS = ("phone", "iban", "address", "kvk", "plate", "document", "email")


def population() -> tuple[SettingsCreator, list[Any]]:
    """Settings for the synthetic population, and the blocking rules EM trains on."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            block_on("name"),
            *(block_on(column) for column in _IDENTIFIERS),
        ],
        comparisons=[
            cl.NameComparison("name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            *(
                cl.ExactMatch(column).configure(term_frequency_adjustments=True)
                for column in _IDENTIFIERS
            ),
        ],
    )
    return settings, [block_on("birth_date"), block_on("name"), block_on("phone")]
