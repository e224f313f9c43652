"""The linking rules as published: what makes the hub put signals together, in Dutch and English
a data subject can read (WGS art. 1.9(3)), under a version and a content hash that every
proposal, link and decision records (art. 1.9(6)). Pure.

The description is built at call time from the constants and functions of `rules`, `persons`
and `clusters`, so it cannot say anything the linker does not do: change a weight there and the
hash changes. A rule is one entry in RULES (id, the constants it `uses`, its parameters, a title
and a reason in both languages); tests/linking/test_ruleset.py fails when those modules gain a
public constant no entry uses.

When to bump RULESET_VERSION (semantic versioning), and add a Release to RELEASES:
- MAJOR: anything that can change which signals link or how groups are cut: a weight, a cap, a
  threshold, a cut parameter, a formula, a rule added or removed. Proposals made under the old
  version may differ from what a relink makes now.
- MINOR: the description gains information that changes no outcome (a new published field).
- PATCH: only the wording of a title or reason changes.
The test holds the hash of the current rules to the last release, so a change cannot ship under
an old version.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from hub.linking import clusters, persons, rules

RULESET_VERSION = "5.0.0"


@dataclass(frozen=True)
class Text:
    """The same sentence in Dutch and English."""

    nl: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Release:
    """A published version of the rule set: its hash, when, and what changed."""

    version: str
    hash: str
    date: str  # YYYY-MM-DD
    changes: Text


RELEASES: tuple[Release, ...] = (
    Release(
        "1.0.0",
        "27263cac3896f6a1ae5697d679071e9a8c76bdb449dc5705ebadb40f0ad1b7d5",
        "2026-12-03",
        Text(
            nl="De eerste gepubliceerde versie: de regels zoals de hub ze sinds de start toepast.",
            en="The first published version: the rules as the hub has applied them from the start.",
        ),
    ),
    Release(
        "2.0.0",
        "226585fada8bd12c000885b95d8f653badbb3ee622f63777acf818f6321d8693",
        "2026-12-03",
        Text(
            nl="Dubbelzinnigheid: onvolledige geboortedata, gewone namen, tegenstrijdig bewijs, "
            "spelling in andere alfabetten en leesfouten in documentnummers.",
            en="Ambiguity: partial dates of birth, common names, contradicting evidence, "
            "spelling across alphabets and scanning slips in document numbers.",
        ),
    ),
    Release(
        "3.0.0",
        "667124ec8c268d52f6c1f26925584890e219a1d183529306f6c955a958ca5aa0",
        "2026-12-03",
        Text(
            nl="Tegenstrijdig bewijs neemt nooit punten af van een gedeeld identiteitsdocument "
            "of BSN.",
            en="Contradicting evidence never takes points from a shared identity document or BSN.",
        ),
    ),
    Release(
        "4.0.0",
        "395e82647aac0ddd47420ada036a1922a4f6f4afb470a5c90c6d588526d2126a",
        "2026-12-03",
        Text(
            nl="Alleen documenten waarvan iemand er per land één heeft (paspoort, "
            "identiteitskaart, verblijfsdocument, rijbewijs, reisdocument) spreken elkaar tegen; "
            "twee visa of twee 'andere' documenten met verschillende nummers niet.",
            en="Only documents a person holds one of per country (passport, identity card, "
            "residence permit, driving licence, travel document) contradict each other; two "
            "visas or two 'other' documents with different numbers do not.",
        ),
    ),
    Release(
        "5.0.0",
        "d79caf5c6834e881cdb56ba583f32a42bacc76f8ce2e4f7f42659ffe70b169f7",
        "2026-12-03",
        Text(
            nl="Hoe vaak een gegeven voorkomt telt in partijen, niet in signalen: signalen die "
            "al met elkaar verbonden zijn tellen samen één keer, zodat een signaal met alleen "
            "het adres van een zaak er weer bij komt. Documentnummers die alleen verschillen "
            "in wat een scanner verwart tellen ook zonder gedeelde geboortedatum. Namen worden "
            "ook in de geschreven volgorde vergeleken, en j en i, ts en c gelden in Slavische "
            "spellingen als gelijk (Julija en Yuliia, Cvetkov en Tsvetkov). Dezelfde naam "
            "zonder geboortedatum telt naast een tweede gegeven, zoals een onvolledige datum.",
            en="How often a detail occurs counts in parties, not signals: signals already "
            "linked to each other count once together, so a signal holding only a case's "
            "address joins it again. Document numbers that differ only in what a scanner "
            "confuses count without a shared date of birth too. Names are also compared in "
            "the order written, and j and i, ts and c count as the same in Slavic spellings "
            "(Julija and Yuliia, Cvetkov and Tsvetkov). The same name without a date of birth "
            "counts beside a second detail, as a partial date does.",
        ),
    ),
)


@dataclass(frozen=True)
class Rule:
    """One rule: the constants it is built from, its parameters, and why, in both languages."""

    id: str
    group: str  # evidence, link, group or proposal: the step of linking it belongs to
    uses: tuple[str, ...]  # "module.CONSTANT" of hub.linking it is built from
    parameters: Callable[[], dict[str, Any]]
    title: Text
    reason: Text


@dataclass(frozen=True)
class RulesetId:
    """What a proposal, a link or a decision records of the rules that made it."""

    version: str
    hash: str

    def as_dict(self) -> dict[str, str]:
        return {"version": self.version, "hash": self.hash}


SUMMARY = Text(
    nl="Partnerorganisaties melden signalen van mogelijke mensenhandel. De hub legt signalen "
    "bij elkaar als ze dezelfde gegevens delen, zoals een telefoonnummer, een rekeningnummer of "
    "een persoon. Elk gedeeld gegeven telt punten: hoe zeldzamer het gegeven, hoe meer punten. "
    "Twee signalen horen bij elkaar als hun punten de drempel halen. Signalen die zo met elkaar "
    "verbonden zijn vormen een groep, en een groep wordt een voorstel als ze signalen van "
    "meerdere organisaties of barrières bevat. Een voorstel is geen conclusie: een analist van "
    "een RIEC bekijkt het, en pas na zijn of haar akkoord wordt het een casus. De hub rekent "
    "met versleutelde sleutels van de gegevens, nooit met de gegevens zelf.",
    en="Partner agencies report signals of possible human trafficking. The hub puts signals "
    "together when they share details, such as a phone number, a bank account or a person. "
    "Each shared detail counts points: the rarer the detail, the more points. Two signals "
    "belong together when their points reach the threshold. Signals connected this way form a "
    "group, and a group becomes a proposal when it holds signals of several agencies or "
    "barriers. A proposal is not a conclusion: an analyst of a RIEC reviews it, and only with "
    "their approval does it become a case. The hub compares encrypted keys of the details, "
    "never the details themselves.",
)

# The steps of linking, in order: each rule belongs to one.
GROUPS: dict[str, Text] = {
    "evidence": Text("Wat telt als bewijs", "What counts as evidence"),
    "link": Text("Wanneer twee signalen verbonden zijn", "When two signals are linked"),
    "group": Text("Hoe groepen ontstaan en worden geknipt", "How groups form and are cut"),
    "proposal": Text("Wanneer een groep een voorstel wordt", "When a group becomes a proposal"),
}

KEY_TYPES: dict[str, Text] = {
    "document": Text(
        "een nummer van een reis- of identiteitsdocument, met soort en land van afgifte",
        "a travel or identity document number, with its kind and issuing country",
    ),
    "bsn": Text("een burgerservicenummer (BSN)", "a citizen service number (BSN)"),
    "iban": Text("een bankrekeningnummer (IBAN)", "a bank account number (IBAN)"),
    "email": Text("een e-mailadres", "an e-mail address"),
    "person": Text(
        "de naam van een persoon samen met de geboortedatum, precies gelijk",
        "a person's name together with the date of birth, exactly the same",
    ),
    "person-partial": Text(
        "de naam van een persoon samen met een onvolledige geboortedatum (1 januari, 1 juli, "
        "alleen een jaar), precies gelijk",
        "a person's name together with a partial date of birth (1 January, 1 July, a year "
        "alone), exactly the same",
    ),
    "phone": Text("een telefoonnummer", "a phone number"),
    "vehicle": Text("een kenteken, met het land", "a vehicle registration, with its country"),
    "kvk": Text("een KvK-nummer", "a Chamber of Commerce (KvK) number"),
    "address": Text(
        "een adres (in Nederland: postcode en huisnummer)",
        "an address (in the Netherlands: postcode and house number)",
    ),
    "website": Text("een website", "a website"),
    "company-name": Text("een bedrijfsnaam", "a company name"),
}


def _example_pair() -> dict[str, Any]:
    """A worked example of counting each type once, computed by the linker's own function."""
    shared = [
        rules.Evidence("address", "a", rules.credit("address", 2)),
        rules.Evidence("address", "b", rules.credit("address", 4)),
        rules.Evidence("phone", "c", rules.credit("phone", 2)),
    ]
    total, counted = rules.pair_weight(shared)
    return {
        "shared": [{"type": e.key_type, "points": round(e.points, 6)} for e in shared],
        "counted": [{"type": e.key_type, "points": round(e.points, 6)} for e in counted],
        "total": total,
    }


RULES: tuple[Rule, ...] = (
    Rule(
        id="shared-value",
        group="evidence",
        uses=("rules.BASE_WEIGHT", "rules.FREQUENCY_CAP"),
        parameters=lambda: {
            "formula": "points = base_points - log2(parties / 2), parties at least 2; 0 when "
            "carriers > frequency_cap",
            "key_types": sorted(rules.BASE_WEIGHT),
        },
        title=Text("Een gedeeld gegeven", "A shared detail"),
        reason=Text(
            nl="Twee signalen die hetzelfde gegeven bevatten (zie de tabel van soorten) krijgen "
            "de basispunten van die soort. Hoe meer signalen hetzelfde gegeven bevatten, hoe "
            "minder het zegt: elke verdubbeling van dat aantal kost één punt. Boven het maximum "
            "van de soort telt het gegeven niet meer mee; het is dan bijvoorbeeld het adres van "
            "een hotel of het telefoonnummer van een uitzendbureau.",
            en="Two signals holding the same detail (see the table of types) get that type's "
            "base points. The more signals hold the same detail, the less it says: each "
            "doubling of their number costs one point. Past the type's maximum the detail no "
            "longer counts; it is then, say, a hotel's address or an employment agency's phone "
            "number.",
        ),
    ),
    Rule(
        id="parties-not-signals",
        group="evidence",
        uses=(),
        parameters=lambda: _parties_examples(),
        title=Text("Partijen, geen signalen", "Parties, not signals"),
        reason=Text(
            nl="Hoe vaak een gegeven voorkomt telt in partijen, niet in signalen. Signalen die "
            "op grond van hun andere gedeelde gegevens al met elkaar verbonden zijn, zijn samen "
            "één partij; een signaal dat nergens mee verbonden is, is een partij op zichzelf. "
            "Wat een gedeeld adres bewijst hangt af van hoeveel anderen het delen, en drie "
            "signalen van één zaak op het eigen adres zijn daar één partij: een vierde signaal "
            "met alleen dat adres is dan de tweede partij, en wordt verbonden "
            "(example_case_of_three_and_a_fourth). Drie of meer onbekenden op één adres blijven "
            "drie of meer partijen en worden niet op het adres alleen verbonden "
            "(example_three_strangers). De partijen worden één keer bepaald, uit de verbanden "
            "die de gegevens geteld in signalen geven. Het maximum van een soort telt signalen.",
            en="How often a detail occurs counts in parties, not signals. Signals their other "
            "shared details already link to each other are one party together; a signal linked "
            "to nothing is a party of its own. What a shared address proves depends on how many "
            "others share it, and three signals of one case at its own address are one party "
            "there: a fourth signal holding only that address is then the second party, and is "
            "linked (example_case_of_three_and_a_fourth). Three or more strangers at one "
            "address stay three or more parties and are not linked on the address alone "
            "(example_three_strangers). Parties are found once, from the links the details give "
            "counted in signals. A type's maximum counts signals.",
        ),
    ),
    Rule(
        id="similar-person",
        group="evidence",
        uses=(
            "rules.SIMILAR_PERSON",
            "rules.BLOCK_CAP",
            "persons.NEAR",
            "persons.CLOSE",
            "persons.SAME_DATE",
            "persons.SWAPPED_DATE",
        ),
        parameters=lambda: {
            "evidence_type": rules.SIMILAR_PERSON,
            "block_cap": rules.BLOCK_CAP,
            "name_near": persons.NEAR,
            "name_close": persons.CLOSE,
            "points_same_birth_date": dict(persons.SAME_DATE),
            "points_day_and_month_swapped": dict(persons.SWAPPED_DATE),
        },
        title=Text("Waarschijnlijk dezelfde persoon", "Probably the same person"),
        reason=Text(
            nl="Namen worden verschillend geschreven. Twee personen met dezelfde geboortedatum "
            "(of met dag en maand omgewisseld) worden vergeleken op naam, zonder accenten en "
            "ongeacht de volgorde van de woorden (of in de geschreven volgorde, als dat hoger "
            "scoort: een verschrijving in een eerste letter); een ontbrekende tussennaam telt "
            "als gelijk. "
            "Een bijna gelijke naam (score vanaf name_near van 100) of een gelijkende naam "
            "(vanaf name_close) telt de punten van points_same_birth_date, of van "
            "points_day_and_month_swapped bij omgewisselde dag en maand: minder dan een precies "
            "gelijke naam. "
            "Een geboortedatum die meer dan block_cap signalen delen is te gewoon om zo te "
            "vergelijken. Een andere geboortedatum is nooit dezelfde persoon.",
            en="Names are spelled differently. Two persons with the same date of birth (or with "
            "day and month swapped) are compared by name, without accents and whatever the "
            "order of the words (or in the order written, when that scores higher: a slip in a "
            "first letter); a missing middle name counts as the same. A near-identical "
            "name (a score from name_near out of 100) or a similar one (from name_close) counts "
            "the points of points_same_birth_date, or of points_day_and_month_swapped when day "
            "and month are swapped: fewer than an exactly equal name. A date of birth shared by "
            "more than block_cap signals is too common to compare this way. A different date "
            "of birth is never the same person.",
        ),
    ),
    Rule(
        id="similar-document",
        group="evidence",
        uses=("rules.SIMILAR_DOCUMENT", "persons.NEAR_DOCUMENT", "persons.DOCUMENT_MIN_LENGTH"),
        parameters=lambda: {
            "evidence_type": rules.SIMILAR_DOCUMENT,
            "points": persons.NEAR_DOCUMENT,
            "min_length": persons.DOCUMENT_MIN_LENGTH,
            "edits": 1,
            "scanned_alike_anywhere": sorted(rules.CONFLICTING_DOCUMENT_KINDS),
        },
        title=Text("Een bijna gelijk documentnummer", "A near-identical document number"),
        reason=Text(
            nl="Twee personen met dezelfde geboortedatum wier signalen documentnummers van "
            "dezelfde soort en hetzelfde land bevatten die één tikfout verschillen (een cijfer "
            "anders, twee omgewisseld, één weggevallen) zijn waarschijnlijk dezelfde persoon. "
            "Alleen nummers van minstens min_length tekens tellen: kortere lijken te snel op "
            "elkaar. Nummers die alleen verschillen in wat een scanner verwart (O en 0, I en 1, "
            "B en 8, S en 5) tellen ook zonder gedeelde geboortedatum, in elk signaal, voor "
            "de soorten in scanned_alike_anywhere: een scanner leest letters voor cijfers, "
            "geen ander nummer.",
            en="Two persons with the same date of birth whose signals hold document numbers of "
            "the same kind and country that differ by one slip (a digit wrong, two swapped, one "
            "dropped) are probably the same person. Only numbers of at least min_length "
            "characters count: shorter ones resemble each other too easily. Numbers that differ "
            "only in what a scanner confuses (O and 0, I and 1, B and 8, S and 5) count without "
            "a shared date of birth too, in any signal, for the kinds in "
            "scanned_alike_anywhere: a scanner misreads letters for digits, not another number.",
        ),
    ),
    Rule(
        id="partial-birth-date",
        group="evidence",
        uses=(
            "rules.PLACEHOLDER_DAYS",
            "rules.PARTIAL_DATE_TYPES",
            "rules.CORROBORATING_TYPES",
            "rules.SIMILAR_PERSON_PARTIAL",
            "rules.NAME_ONLY",
            "rules.NAME_ONLY_WEIGHT",
        ),
        parameters=lambda: {
            "placeholder_days": sorted(f"{m:02d}-{d:02d}" for m, d in rules.PLACEHOLDER_DAYS),
            "name_only_type": rules.NAME_ONLY,
            "name_only_points": rules.NAME_ONLY_WEIGHT,
            "name_only_up_to": rules.COMMON_NAME_FROM,
            "evidence_types": sorted(rules.PARTIAL_DATE_TYPES),
            "similar_evidence_type": rules.SIMILAR_PERSON_PARTIAL,
            "needs_one_of": sorted(rules.CORROBORATING_TYPES),
            "partial": {
                born: rules.is_partial_iso(born)
                for born in ("1990-01-01", "1990-07-01", "1990-00-00", "1990", "1990-03-14")
            },
        },
        title=Text("Een onvolledige geboortedatum", "A partial date of birth"),
        reason=Text(
            nl="Als de echte geboortedatum onbekend is, registreren immigratie- en "
            "politiesystemen vaak 1 januari of 1 juli (placeholder_days), of alleen het jaar "
            "(voorbeelden in partial). Duizenden mensen met een gewone naam delen zo'n datum. "
            "Een persoon met zo'n datum is bewijs van een eigen soort (evidence_types; bij een "
            "gelijkende naam similar_evidence_type) dat minder punten telt, en alleen meetelt "
            "als de twee signalen ook een tweede gegeven delen van een soort uit needs_one_of "
            "(een document, telefoon, rekening of adres). Zonder dat staat de overeenkomst met "
            "0 punten in de uitleg. Een persoon zonder geboortedatum heeft de onvolledigste "
            "datum die er is: precies dezelfde naam, als minstens één van beide geen "
            "geboortedatum heeft, is bewijs van de soort name_only_type, name_only_points "
            "punten waard, en alleen voor een naam die hoogstens name_only_up_to signalen "
            "dragen. Ook dat telt alleen naast zo'n tweede gegeven: een naam alleen verbindt "
            "nooit.",
            en="When the real date of birth is unknown, immigration and police systems often "
            "register 1 January or 1 July (placeholder_days), or the year alone (examples in "
            "partial). Thousands of people with a common name share such a date. A person with "
            "such a date is evidence of its own type (evidence_types; for a similar name "
            "similar_evidence_type) that counts fewer points, and counts only when the two "
            "signals also share a second detail of a type in needs_one_of (a document, phone, "
            "account or address). Without that the match stands in the explanation at 0 "
            "points. A person without a date of birth has the most partial date there is: "
            "exactly the same name, where at least one of the two has no date of birth, is "
            "evidence of the type name_only_type, worth name_only_points points, and only for a "
            "name at most name_only_up_to signals carry. It too counts only beside such a "
            "second detail: a name alone never links.",
        ),
    ),
    Rule(
        id="common-name",
        group="evidence",
        uses=("rules.COMMON_NAME_FROM", "rules.NAME_COUNT_CAP", "rules.NAMED_PERSON_TYPES"),
        parameters=lambda: {
            "free_up_to": rules.COMMON_NAME_FROM,
            "counted_up_to": rules.NAME_COUNT_CAP,
            "evidence_types": sorted(rules.NAMED_PERSON_TYPES),
            "penalty_by_name_carriers": [
                {"carriers": n, "points": round(rules.name_penalty(n), 6)}
                for n in (1, 8, 16, 20, 32, 64, 128, 256, 512, 1024)
            ],
            "example_twenty_share_name_and_date": round(rules.person_credit("person", 20, 20), 6),
        },
        title=Text("Hoe gewoon een naam is", "How common a name is"),
        reason=Text(
            nl="Een naam die veel signalen in de hub dragen zegt minder over wie iemand is. De "
            "hub telt (over versleutelde sleutels) hoeveel signalen dezelfde naam dragen. Tot "
            "free_up_to kost dat niets; daarboven kost elke verdubbeling één punt, tot "
            "counted_up_to. Zo haalt een gewone naam met een gewone geboortedatum de drempel "
            "nooit alleen (penalty_by_name_carriers; example_twenty_share_name_and_date: de "
            "punten als twintig signalen naam en datum delen). Dit geldt voor evidence_types.",
            en="A name many signals in the hub carry says less about who someone is. The hub "
            "counts (over encrypted keys) how many signals carry the same name. Up to "
            "free_up_to that costs nothing; beyond it each doubling costs one point, up to "
            "counted_up_to. So a common name with a common date of birth never reaches the "
            "threshold alone (penalty_by_name_carriers; example_twenty_share_name_and_date: the "
            "points when twenty signals share name and date). This applies to evidence_types.",
        ),
    ),
    Rule(
        id="contradicting-evidence",
        group="link",
        uses=(
            "rules.CONFLICT_WEIGHT",
            "rules.PERSON_ONLY_TYPES",
            "rules.ERA_WIDTH",
            "rules.CONFLICT_PROOF_TYPES",
            "rules.CONFLICTING_DOCUMENT_KINDS",
        ),
        parameters=lambda: {
            "points_against": dict(rules.CONFLICT_WEIGHT),
            "vetoes_links_resting_only_on": sorted(rules.PERSON_ONLY_TYPES),
            "birth_year_bucket_width": rules.ERA_WIDTH,
            "birth_years_conflict_when_apart": {
                str(gap): bool(
                    rules.person_conflicts(
                        rules.PersonFacts(eras=frozenset(rules.birth_eras(1990))),
                        rules.PersonFacts(eras=frozenset(rules.birth_eras(1990 + gap))),
                    )
                )
                for gap in range(8)
            },
            "never_taken_from": sorted(rules.CONFLICT_PROOF_TYPES),
            "document_kinds_that_conflict": sorted(rules.CONFLICTING_DOCUMENT_KINDS),
            "example_same_document_other_birth_year": rules.pair_weight(
                [
                    rules.Evidence("document", "d", 12.0),
                    rules.Evidence("person", "p", 9.0),
                    rules.conflict("birth-year-conflict"),
                ]
            )[0],
            "example_documents_conflict": rules.document_conflict(
                {"nl-passport": frozenset({"a"})}, {"nl-passport": frozenset({"b"})}
            ),
        },
        title=Text("Tegenstrijdig bewijs", "Contradicting evidence"),
        reason=Text(
            nl="Sommige gegevens laten zien dat twee personen met dezelfde naam verschillende "
            "mensen zijn: een ander BSN, een ander documentnummer van dezelfde soort en "
            "hetzelfde land (meer dan een leesfout; alleen soorten waarvan iemand er per land "
            "één heeft, document_kinds_that_conflict: niet een visum of een 'ander' document), "
            "geboortejaren die meer dan een tikfout "
            "verschillen, of nationaliteiten die elkaar tegenspreken. Zulke verschillen tellen "
            "punten af (points_against), en een verband dat alleen op de persoon rust vervalt "
            "dan helemaal (vetoes_links_resting_only_on). Geboortejaren worden vergeleken in "
            "vakken van birth_year_bucket_width jaar (birth_years_conflict_when_apart toont "
            "per verschil in jaren of het telt); example_documents_conflict is een voorbeeld "
            "van twee paspoorten. Tegenpunten nemen nooit iets af van een gedeeld "
            "identiteitsdocument of BSN (never_taken_from): hetzelfde paspoort met een "
            "verschrijving in het geboortejaar blijft verbonden "
            "(example_same_document_other_birth_year). De uitleg toont deze tegenpunten naast "
            "de punten vóór.",
            en="Some details show that two persons of the same name are different people: "
            "another BSN, another document number of the same kind and country (more than a "
            "scanner's slip; only kinds a person holds one of per country, "
            "document_kinds_that_conflict: not a visa or an 'other' document), birth years "
            "further apart than a typing slip, or nationalities "
            "that contradict each other. Such differences take points off (points_against), "
            "and a link resting on the person alone is then dropped altogether "
            "(vetoes_links_resting_only_on). Birth years are compared in buckets of "
            "birth_year_bucket_width years (birth_years_conflict_when_apart shows per gap in "
            "years whether it counts); example_documents_conflict is an example of two "
            "passports. Points against never come off a shared identity document or BSN "
            "(never_taken_from): the same passport with a slip in the birth year stays linked "
            "(example_same_document_other_birth_year). The explanation shows these points "
            "against beside the points for.",
        ),
    ),
    Rule(
        id="spelling-and-scanning",
        group="evidence",
        uses=(
            "rules.DIACRITIC_DIGRAPHS",
            "rules.SPELLING_RULES",
            "rules.OCR_CONFUSIONS",
        ),
        parameters=lambda: {
            "letters_written_as_two": dict(rules.DIACRITIC_DIGRAPHS),
            "spellings_made_one": [list(pair) for pair in rules.SPELLING_RULES],
            "scanner_confusions": dict(rules.OCR_CONFUSIONS),
            "examples": {
                name: rules.spelling_key(name)
                for name in (
                    "shevchenko",
                    "schewtschenko",
                    "chevtchenko",
                    "szewczenko",
                    "georgieva",
                    "gueorguieva",
                    "zhukov",
                    "schukow",
                    "tsvetkov",
                    "cvetkov",
                    "yuliia",
                    "julija",
                )
            },
            "example_document": rules.ocr_key("AB0S1234"),
        },
        title=Text(
            "Spelling in andere alfabetten, en leesfouten",
            "Spelling across alphabets, and scanning slips",
        ),
        reason=Text(
            nl="Eén naam in het Cyrillisch wordt in het Engels, Duits, Frans of Pools anders "
            "geschreven (Shevchenko, Schewtschenko, Chevtchenko, Szewczenko, Ševčenko). Om "
            "zulke namen met elkaar te vergelijken schrijft de hub ze eerst om naar één vorm "
            "(letters_written_as_two, dan spellings_made_one; zie examples). Zo'n vorm "
            "bepaalt alleen welke namen met dezelfde "
            "geboortedatum worden vergeleken; de vergelijking zelf volgt de regel "
            "'Waarschijnlijk dezelfde persoon'. Documentnummers worden vergeleken zoals een "
            "scanner ze kan lezen: O en 0, I en 1, B en 8, S en 5 gelden als gelijk "
            "(scanner_confusions; example_document).",
            en="One name in Cyrillic is written differently in English, German, French or "
            "Polish (Shevchenko, Schewtschenko, Chevtchenko, Szewczenko, Ševčenko). To compare "
            "such names the hub first rewrites them to one form (letters_written_as_two, then "
            "spellings_made_one; see examples). That "
            "form only decides which names with the same date of birth are compared; the "
            "comparison itself follows the rule 'Probably the same person'. Document numbers "
            "are compared as a scanner may read them: O and 0, I and 1, B and 8, S and 5 count "
            "as the same (scanner_confusions; example_document).",
        ),
    ),
    Rule(
        id="best-value-per-type",
        group="link",
        uses=(),
        parameters=_example_pair,
        title=Text("Elke soort telt één keer", "Each type counts once"),
        reason=Text(
            nl="Per paar signalen telt van elke soort alleen het sterkste gedeelde gegeven. "
            "Tien gedeelde adressen van één gebouw wegen dus niet op tegen een paspoortnummer. "
            "De punten van de verschillende soorten worden opgeteld (zie het voorbeeld).",
            en="For a pair of signals only the strongest shared detail of each type counts, so "
            "ten shared addresses of one building do not add up to a passport number. The "
            "points of the different types are added up (see the example).",
        ),
    ),
    Rule(
        id="link-threshold",
        group="link",
        uses=("rules.LINK_THRESHOLD",),
        parameters=lambda: {
            "points": rules.LINK_THRESHOLD,
            "links_alone_up_to": _links_alone_up_to(),
        },
        title=Text("De drempel voor een verband", "The threshold for a link"),
        reason=Text(
            nl="Twee signalen zijn verbonden als hun punten samen de drempel halen. "
            "links_alone_up_to zegt per soort tot hoeveel signalen met hetzelfde gegeven dat "
            "gegeven alleen de drempel haalt (0: nooit alleen). Daarboven is er meer nodig, "
            "zoals een tweede gedeeld gegeven van een andere soort.",
            en="Two signals are linked when their points together reach the threshold. "
            "links_alone_up_to says per type up to how many signals sharing a detail that detail "
            "alone reaches the threshold (0: never alone). Beyond that more is needed, such as a "
            "second shared detail of another type.",
        ),
    ),
    Rule(
        id="excluded-values",
        group="link",
        uses=(),
        parameters=dict,
        title=Text("Uitgesloten gegevens", "Excluded details"),
        reason=Text(
            nl="Een beheerder kan een gegeven uitsluiten dat niets bewijst, zoals het adres van "
            "een opvanghuis of van een organisatie zelf. Zo'n gegeven verbindt nooit signalen; "
            "de reden wordt vastgelegd.",
            en="An administrator can exclude a detail that proves nothing, such as the address "
            "of a shelter or of an agency itself. Such a detail never links signals; the "
            "reason is recorded.",
        ),
    ),
    Rule(
        id="connected-group",
        group="group",
        uses=(),
        parameters=dict,
        title=Text("Een groep", "A group"),
        reason=Text(
            nl="Signalen die direct of via andere signalen met elkaar verbonden zijn vormen een "
            "groep.",
            en="Signals linked to each other, directly or through other signals, form a group.",
        ),
    ),
    Rule(
        id="analyst-decisions",
        group="group",
        uses=("clusters.JOINED_WEIGHT",),
        parameters=lambda: {"merge_points": clusters.JOINED_WEIGHT},
        title=Text("Wat een analist besliste", "What an analyst decided"),
        reason=Text(
            nl="Als een analist twee voorstellen samenvoegt, blijven die signalen bij elkaar, "
            "als een sterk verband van merge_points punten. Als een analist signalen "
            "afsplitst, komen ze nooit meer in één groep: de hub knipt de zwakste verbanden "
            "tussen de twee delen door. Beide kunnen ongedaan worden gemaakt.",
            en="When an analyst merges two proposals, their signals stay together, as a strong "
            "link of merge_points points. When an analyst splits signals off, they are never "
            "in one group again: the hub cuts the weakest links between the two parts. Both "
            "can be undone.",
        ),
    ),
    Rule(
        id="cut-large-groups",
        group="group",
        uses=("clusters.SEED",),
        parameters=lambda: {
            "max_signals": clusters.LinkSettings().max_cluster,
            "method": "louvain",
            "seed": clusters.SEED,
        },
        title=Text("Te grote groepen worden geknipt", "Groups too large are cut"),
        reason=Text(
            nl="Een groep van meer dan max_signals signalen is eerder een keten van toevallige "
            "overeenkomsten dan één zaak. Hij wordt geknipt langs zijn zwakste verbanden "
            "(Louvain-methode, met een vaste seed zodat hetzelfde resultaat terugkomt). De "
            "doorgeknipte verbanden worden aan de analist getoond als bruggen.",
            en="A group of more than max_signals signals is more likely a chain of coincidences "
            "than one case. It is cut along its weakest links (the Louvain method, with a fixed "
            "seed so the result is reproducible). The links cut are shown to the analyst as "
            "bridges.",
        ),
    ),
    Rule(
        id="cut-loose-groups",
        group="group",
        uses=("clusters.LOOSE_FROM", "clusters.LOOSE_DEGREE"),
        parameters=lambda: {
            "from_signals": clusters.LOOSE_FROM,
            "min_mean_links": clusters.LOOSE_DEGREE,
        },
        title=Text("Losse ketens worden geknipt", "Loose chains are cut"),
        reason=Text(
            nl="Een groep van from_signals signalen of meer waarin elk signaal gemiddeld minder "
            "dan min_mean_links verbanden heeft, is een keten van losse toevalligheden (A deelt "
            "een telefoon met B, B een adres met C, ...). Ook die wordt langs de zwakste "
            "verbanden geknipt.",
            en="A group of from_signals signals or more in which each signal has fewer than "
            "min_mean_links links on average is a chain of single coincidences (A shares a "
            "phone with B, B an address with C, ...). It too is cut along its weakest links.",
        ),
    ),
    Rule(
        id="proposal-spans",
        group="proposal",
        uses=(),
        parameters=lambda: {
            "min_agencies": clusters.LinkSettings().min_agencies,
            "min_barriers": clusters.LinkSettings().min_barriers,
        },
        title=Text("Wanneer een groep een voorstel wordt", "When a group becomes a proposal"),
        reason=Text(
            nl="Een groep wordt een voorstel als de signalen van minstens min_agencies "
            "organisaties komen of minstens min_barriers barrières van het barrièremodel "
            "beslaan. Een analist van een RIEC beoordeelt elk voorstel; zonder die beoordeling "
            "verlaat geen voorstel de hub.",
            en="A group becomes a proposal when its signals come from at least min_agencies "
            "agencies or span at least min_barriers barriers of the barrier model. An analyst "
            "of a RIEC reviews every proposal; without that review no proposal leaves the hub.",
        ),
    ),
)

# Public constants of the rule modules that are derived from others a rule uses already.
DERIVED = {"rules.LINKING_TYPES": "rules.BASE_WEIGHT"}


def _parties_example(carriers: list[str], party_of: dict[str, str]) -> dict[str, Any]:
    parties = rules.parties(carriers, party_of)
    return {
        "signals": len(carriers),
        "parties": parties,
        "address_points": round(rules.credit("address", max(2, parties)), 6),
        "address_points_counted_in_signals": round(rules.credit("address", len(carriers)), 6),
    }


def _parties_examples() -> dict[str, Any]:
    case = dict.fromkeys(("a", "b", "c"), "a")
    return {
        "example_case_of_three_and_a_fourth": _parties_example(["a", "b", "c", "d"], case),
        "example_three_strangers": _parties_example(["d", "e", "f"], {}),
    }


def _links_alone_up_to() -> dict[str, int]:
    """Per key type, the most carriers at which one shared value reaches the threshold."""
    return {
        key_type: max(
            (
                n
                for n in range(2, rules.FREQUENCY_CAP[key_type] + 1)
                if rules.credit(key_type, n) >= rules.LINK_THRESHOLD
            ),
            default=0,
        )
        for key_type in sorted(rules.BASE_WEIGHT)
    }


def _points_by_carriers(key_type: str) -> list[dict[str, Any]]:
    cap = rules.FREQUENCY_CAP[key_type]
    counts = sorted({n for n in (2, 3, 4, 8, 16, 32) if n < cap} | {cap, cap + 1})
    return [{"carriers": n, "points": round(rules.credit(key_type, n), 6)} for n in counts]


def content() -> dict[str, Any]:
    """The rules as published, without version or hash: what the hash is taken over."""
    return {
        "summary": SUMMARY.as_dict(),
        "unit": Text(
            "punten (log2 van de kansverhouding, zoals Fellegi-Sunter)",
            "points (log2 of the odds, as in Fellegi-Sunter)",
        ).as_dict(),
        "groups": [{"id": key, "title": text.as_dict()} for key, text in GROUPS.items()],
        "key_types": [
            {
                "type": key_type,
                "base_points": rules.BASE_WEIGHT[key_type],
                "frequency_cap": rules.FREQUENCY_CAP[key_type],
                "points_by_carriers": _points_by_carriers(key_type),
                "label": KEY_TYPES[key_type].as_dict(),
            }
            for key_type in sorted(rules.BASE_WEIGHT, key=lambda t: (-rules.BASE_WEIGHT[t], t))
        ],
        "rules": [
            {
                "id": rule.id,
                "group": rule.group,
                "parameters": rule.parameters(),
                "title": rule.title.as_dict(),
                "reason": rule.reason.as_dict(),
            }
            for rule in RULES
        ],
    }


def content_hash(described: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of `content()`: sorted keys, no spaces, UTF-8."""
    canonical = json.dumps(described, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def describe() -> dict[str, Any]:
    """The published rule set: version, hash, the rules, and the releases so far."""
    described = content()
    return {
        "version": RULESET_VERSION,
        "hash": content_hash(described),
        **described,
        "releases": [
            {"version": r.version, "hash": r.hash, "date": r.date, "changes": r.changes.as_dict()}
            for r in RELEASES
        ],
    }


@cache
def current() -> RulesetId:
    """The version and hash of the rules this process links with (computed once)."""
    return RulesetId(RULESET_VERSION, content_hash(content()))
