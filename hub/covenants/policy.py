"""The one policy decision point: which level may this viewer see this signal at, for this purpose.

Pure: the covenants, the viewer, the purpose and the facts of the signal go in; a grant naming
the covenant version and rule that allowed it comes out (for the audit trail). The database
layer pushes the same rules into SQL for lists; tests hold the two to the same answers.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from hub.covenants.model import DATA_CATEGORIES, Agency, Covenant, Level, Rule

ALL_CATEGORIES = frozenset(DATA_CATEGORIES)


@dataclass(frozen=True)
class SignalFacts:
    """What the policy needs to know of a signal."""

    source: Agency
    barriers: frozenset[str]
    region: str | None
    # Agencies to which a case they accepted opened this signal: it was among the members
    # they could see when they accepted (acceptance opens nothing they were not shown).
    accepted_by: frozenset[str] = frozenset()
    # Live disclosure grants by the source: (requesting agency code, disclosure request id).
    granted_to: frozenset[tuple[str, str]] = frozenset()
    # The covenant versions in force when the signal was shared (id -> version); None while
    # the signal has not been bound yet, in which case today's versions apply.
    bound: Mapping[str, int] | None = None
    # The contact point restricted its processing (AVG art. 18, UAVG art. 41): only its source
    # sees it until the restriction is lifted.
    restricted: bool = False


@dataclass(frozen=True)
class Grant:
    """A decision, with what allowed it: the source itself, or one covenant version's rule."""

    level: Level
    categories: frozenset[str]
    covenant_id: str | None = None
    covenant_version: int | None = None
    rule_id: str | None = None

    @property
    def own(self) -> bool:
        return self.rule_id == OWN


OWN = "own-signal"
INVESTIGATION = "investigation"
DISCLOSURE = "disclosure-request:"
NOTHING = Grant(Level.NONE, frozenset())
OWNER = Grant(Level.FULL, ALL_CATEGORIES, rule_id=OWN)


def in_force(covenants: Iterable[Covenant], today: date) -> dict[str, Covenant]:
    """The version of each covenant that grants today (the newest one in force)."""
    current: dict[str, Covenant] = {}
    for covenant in covenants:
        if covenant.in_force(today):
            known = current.get(covenant.id)
            if known is None or covenant.version > known.version:
                current[covenant.id] = covenant
    return current


def binding(covenants: Iterable[Covenant], today: date) -> dict[str, int]:
    """The covenant versions a signal shared today is bound to."""
    return {cid: covenant.version for cid, covenant in in_force(covenants, today).items()}


def rule_applies(rule: Rule, viewer: Agency, purpose: str, signal: SignalFacts) -> bool:
    """Whether one rule covers this viewer, purpose and signal.

    A rule covers a signal only when it covers every barrier the signal names: showing a signal
    shows all its barriers, so a rule for `employment` does not reveal an employment-and-finance
    signal.
    """
    if rule.aggregates_only or purpose not in rule.purposes:
        return False
    if not any(p.matches(viewer) for p in rule.viewers):
        return False
    if not any(p.matches(signal.source) for p in rule.sources):
        return False
    if rule.barriers is not None and not signal.barriers <= rule.barriers:
        return False
    if rule.scope == "own-region":
        return viewer.region is not None and signal.region == viewer.region
    if rule.scope == "accepted-cases":
        return viewer.code in signal.accepted_by
    return True


def decide(
    viewer: Agency,
    purpose: str,
    signal: SignalFacts,
    covenants: Iterable[Covenant],
    today: date,
    *,
    needs: frozenset[str] = frozenset(),
) -> Grant:
    """The highest level some covenant in force grants; the source always sees its own in full.

    A signal is judged by the covenant versions it was shared under, but only while that
    covenant is still in force: an expired or withdrawn covenant stops granting at once.
    `needs` are data categories the request relies on (a filter on indicators needs
    `indicators`): only rules that show them count, so a filter never reveals more.
    """
    if viewer.code == signal.source.code:
        return OWNER
    if signal.restricted:
        return NOTHING
    versions: dict[tuple[str, int], Covenant] = {(c.id, c.version): c for c in covenants}
    best = NOTHING
    request = _granted(viewer, purpose, signal)
    carrier: Covenant | None = None
    for cid, current in sorted(in_force(versions.values(), today).items()):
        version = current.version if signal.bound is None else signal.bound.get(cid)
        covenant = versions.get((cid, version)) if version is not None else None
        if covenant is None or purpose not in covenant.purposes:
            continue
        if not (covenant.is_party(viewer) and covenant.is_party(signal.source)):
            continue
        if request is not None and carrier is None:
            carrier = covenant
        for rule in covenant.rules:
            if not needs <= rule.categories or not rule_applies(rule, viewer, purpose, signal):
                continue
            # Highest level wins; at equal level the rule showing more categories. Ties keep
            # the first (covenants by id, rules in document order), so decisions are stable.
            if (rule.level, len(rule.categories)) > (best.level, len(best.categories)):
                best = Grant(rule.level, rule.categories, covenant.id, covenant.version, rule.id)
    # The source's consent (WGS art. 1.7(3)) is an exception to the covenant rules, not a
    # channel of its own. The stricter reading: it counts only while a covenant in force binds
    # both parties and serves investigation (the loop above found one: `carrier`), so an
    # expired covenant ends the grant as it ends the rules. It names the request that allowed
    # it; a covenant rule that already shows as much is preferred.
    if (
        carrier is not None
        and request is not None
        and (Level.FULL, len(ALL_CATEGORIES))
        > (
            best.level,
            len(best.categories),
        )
    ):
        best = Grant(Level.FULL, ALL_CATEGORIES, carrier.id, carrier.version, DISCLOSURE + request)
    return best


def _granted(viewer: Agency, purpose: str, signal: SignalFacts) -> str | None:
    """The disclosure request by which the source granted this viewer the signal, if any
    (the first by id, so the decision is stable); grants serve investigation only."""
    if purpose != INVESTIGATION:
        return None
    requests = sorted(rid for agency, rid in signal.granted_to if agency == viewer.code)
    return requests[0] if requests else None


def aggregates_allowed(viewer: Agency, covenants: Iterable[Covenant], today: date) -> bool:
    """Whether some covenant in force lets the viewer see counts for trend reports."""
    return any(
        rule.aggregates_only and any(p.matches(viewer) for p in rule.viewers)
        for covenant in in_force(covenants, today).values()
        if "trend-report" in covenant.purposes and covenant.is_party(viewer)
        for rule in covenant.rules
    )


def party_to(agency: Agency, covenants: Iterable[Covenant], today: date) -> dict[str, Covenant]:
    """The covenants in force today (their current version) that `agency` is party to, by id."""
    current = in_force(covenants, today)
    return {cid: c for cid, c in sorted(current.items()) if c.is_party(agency)}


# Reviewing rules name who decides on case proposals; proposals exist for this purpose only.
REVIEW_PURPOSE = "case-proposal"


def reviewing_rule(
    viewer: Agency, members: Iterable[SignalFacts], covenants: Iterable[Covenant], today: date
) -> Grant | None:
    """The rule that lets the viewer decide on a proposal with these members; None: it may not.

    A rule with `reviews: true`, of a covenant in force today that the viewer is party to, must
    cover at least two of the members for case-proposal: a RIEC's own-region rule two members
    in its region, the EMM's rule two of the enforcement partners' signals. Who decides is
    today's agreement, so today's version of each covenant counts, not the members' bound ones.
    """
    facts = list(members)
    for covenant in party_to(viewer, covenants, today).values():
        if REVIEW_PURPOSE not in covenant.purposes:
            continue
        for rule in covenant.rules:
            if not rule.reviews:
                continue
            covered = sum(
                1
                for member in facts
                if covenant.is_party(member.source)
                and rule_applies(rule, viewer, REVIEW_PURPOSE, member)
            )
            if covered >= 2:
                return Grant(rule.level, rule.categories, covenant.id, covenant.version, rule.id)
    return None
