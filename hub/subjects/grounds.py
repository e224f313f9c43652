"""The grounds the contact point records: for restricting processing (AVG art. 18(1)) and for
restricting or refusing a data subject's rights (UAVG art. 41(1), AVG art. 12(5)). Pure; the
labels are marked for the catalogue, and the contact point's pages show them translated."""

from hub.kit.i18n import N_

RESTRICTION_GROUNDS: dict[str, str] = {
    "avg-18-1-a": N_("AVG art. 18(1)(a): the data subject contests the accuracy of the data"),
    "avg-18-1-b": N_("AVG art. 18(1)(b): the processing is unlawful and erasure is opposed"),
    "avg-18-1-c": N_("AVG art. 18(1)(c): needed by the data subject for a legal claim"),
    "avg-18-1-d": N_("AVG art. 18(1)(d): an objection is being weighed"),
}
REFUSAL_GROUNDS: dict[str, str] = {
    "uavg-41-1-a": N_("UAVG art. 41(1)(a): national security"),
    "uavg-41-1-b": N_("UAVG art. 41(1)(b): defence"),
    "uavg-41-1-c": N_("UAVG art. 41(1)(c): public security"),
    "uavg-41-1-d": N_(
        "UAVG art. 41(1)(d): preventing, investigating, detecting or prosecuting criminal offences"
    ),
    "uavg-41-1-e": N_("UAVG art. 41(1)(e): other important objectives of general public interest"),
    "uavg-41-1-f": N_("UAVG art. 41(1)(f): the independence of the judiciary and proceedings"),
    "uavg-41-1-g": N_("UAVG art. 41(1)(g): breaches of ethics in regulated professions"),
    "uavg-41-1-h": N_("UAVG art. 41(1)(h): a supervisory, inspection or regulatory task"),
    "uavg-41-1-i": N_("UAVG art. 41(1)(i): protecting the data subject or the rights of others"),
    "uavg-41-1-j": N_("UAVG art. 41(1)(j): enforcing civil-law claims"),
    "avg-12-5": N_("AVG art. 12(5): the request is manifestly unfounded or excessive"),
}
# A restriction may rest on a ground of either list: UAVG art. 41 lets the hub restrict a right
# (say, hold data back from access) where AVG art. 18 gives the data subject the restriction.
ALL_GROUNDS: dict[str, str] = RESTRICTION_GROUNDS | REFUSAL_GROUNDS
