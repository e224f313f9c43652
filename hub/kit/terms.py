"""Codes the hub shows as words (a disclosure level, a subject's type or field, a status, a
score part): each is marked here for the catalogue, as English words; `term` shows a code in
the current language. A code not listed here shows as itself, with spaces for underscores.
"""

from hub.kit.i18n import N_, gettext

TERMS = (
    # disclosure levels
    N_("none"),
    N_("hit"),
    N_("summary"),
    N_("pseudonymised"),
    N_("full"),
    # a proposal's status, in running text
    N_("new"),
    N_("in review"),
    N_("accepted"),
    N_("rejected"),
    N_("merged"),
    N_("closed"),
    # a signal's status
    N_("active"),
    N_("retracted"),
    # subjects and their fields
    N_("person"),
    N_("address"),
    N_("company"),
    N_("iban"),
    N_("phone"),
    N_("email"),
    N_("vehicle"),
    N_("document"),
    N_("website"),
    N_("name"),
    N_("birth date"),
    N_("nationality"),
    N_("bsn"),
    N_("role"),
    N_("victim"),
    N_("suspect"),
    N_("witness"),
    N_("facilitator"),
    N_("other"),
    N_("country"),
    N_("postcode"),
    N_("house number"),
    N_("addition"),
    N_("street"),
    N_("city"),
    N_("kvk number"),
    N_("number"),
    N_("bic"),
    N_("plate"),
    N_("kind"),
    N_("passport"),
    N_("id-card"),
    N_("residence-permit"),
    N_("driving-licence"),
    N_("visa"),
    N_("travel-document"),
    N_("issuing country"),
    N_("url"),
    # match keys (the linking rules' key types beyond the subject types)
    N_("kvk"),
    N_("person-partial"),
    N_("company-name"),
    N_("person-similar"),
    N_("person-similar-partial"),
    N_("document-similar"),
    # a proposal's score parts
    N_("barriers"),
    N_("agencies"),
    N_("indicators"),
    N_("links"),
    N_("grading"),
    N_("recency"),
    # analysts' actions that hold members together
    N_("merge"),
    N_("split"),
    # data subjects' requests: kinds, statuses, outcomes, how a recipient got a signal
    N_("access"),
    N_("rectify"),
    N_("erase"),
    N_("restrict"),
    N_("open"),
    N_("done"),
    N_("refused"),
    N_("pending"),
    N_("granted"),
    N_("lifted"),
    N_("signals"),
    N_("recipients"),
    N_("corrections"),
    N_("proposals changed"),
    N_("signals deleted"),
    N_("signals changed"),
    N_("proposals relinked"),
    N_("links cleaned"),
    N_("digests cleaned"),
    N_("proposals"),
    N_("disclosed"),
    N_("case-opening"),
    N_("disclosure-grant"),
)


def term(code: object) -> str:
    """`code` as a word in the current language ("pseudonymised" → "gepseudonimiseerd")."""
    text = str(code).replace("_", " ")
    return gettext(text)
