"""Why the hub leaves planted case members out: the recall the synthetic population loses, by cause.

The population of bench/quality.py is generated and linked by the hub the same way (the same
functions, a fresh PostgreSQL schema). Each planted case then falls into pieces, the hub's
clusters cut down to the case (a member in no cluster is a piece of its own); the largest piece
is the case as the hub found it, every other piece is lost. A lost piece is classified by the
best thing it shares with the rest of its case, judged with the linking rules themselves
(`hub.linking.rules`, `hub.linking.persons`) over the values as the hub normalises them:

1. the rules link it (the pair reaches the threshold), yet clustering kept it apart;
2. it shares evidence the hub sees, worth less than the threshold;
3. it shares near evidence the hub never compares (a document number one typing slip off,
   outside a birth-date block);
4. it shares a name only, without a birth date on one side, and nothing beside it: no rule
   can link a bare name without linking strangers of that name (rules.NAME_ONLY counts the
   same name only beside an agreeing address, phone, IBAN or document);
5. it shares nothing: not one value of the case, or only a case person the rest does not name.

Each category has the lost pieces' members, and its share of the lost planted B-cubed recall
(a case's loss is split evenly over its lost pieces). The ceiling rows give the planted recall
(and F1, precision taken as 1) if every piece were joined that shares evidence of that class or
better: what linking could reach on this generator, and what no responsible rule can.

    python bench/recall_misses.py [--size 10000] [--seed 2026] [--examples 3] [--clusters FILE]

`--clusters FILE` keeps the hub's clusters in FILE (JSON) and reads them from there next time,
to re-classify without linking again (delete the file after a rule change).
"""

import argparse
import itertools
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from quality import (
    Outcome,
    console,
    hub_on_population,
    in_child,
    population_arguments,
    score,
    traps_of,
)
from rapidfuzz import fuzz
from rich.table import Table

from hub.demo.population import Population, _CasePlan, _Person, generate
from hub.linking import rules
from hub.linking.persons import (
    NEAR_DOCUMENT,
    PersonKey,
    document_parts,
    fold,
    near_documents,
    on_partial_date,
    similarity,
)
from hub.signals.subjects import Subject, blocking_keys, fact_keys, identifier_keys

_SUBJECT: TypeAdapter[Subject] = TypeAdapter(Subject)
_PERSON_TYPES = ("person", "person-partial")

# The classes of a lost piece, best first (a piece takes the best class of any of its pairs).
LINKED, BELOW, UNSEEN, NAME_ONLY, NOTHING = range(1, 6)
CLASS_NAMES = {
    LINKED: "rules link it; clustering kept it apart",
    BELOW: "shares evidence the hub weighs below the threshold",
    UNSEEN: "shares near evidence the hub does not compare",
    NAME_ONLY: "shares a name without a birth date on one side",
    NOTHING: "shares nothing linkable",
}


@dataclass(frozen=True)
class PersonView:
    name: str  # the hub's name key (case-folded)
    born: date | None
    block: str | None  # the birth-date block token value
    noise: str  # how this file wrote the case person: "clean", "typo + swapped date", ...


@dataclass
class Member:
    ref: str
    case: int
    index: int  # 0: the case's first, clean signal
    keys: set[tuple[str, str]] = field(default_factory=set)  # linking keys (type, value)
    persons: list[PersonView] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # document match values
    holds: tuple[str, ...] = ()  # subject types, in order


@dataclass(frozen=True)
class Relation:
    """What two case members share: the class, the hub's points, and a short reason."""

    rank: int
    points: float
    reason: str


# --- the population as the hub normalises it -----------------------------------------------------


@dataclass
class Read:
    """The population as the hub sees it: the case members, how many signals carry each
    linking key and each name, and who names whom with and without a birth date."""

    members: dict[str, Member] = field(default_factory=dict)
    carriers: Counter[tuple[str, str]] = field(default_factory=Counter)
    # linking key -> the signals carrying it (for the parties they make, rules.parties)
    holders: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    names: Counter[str] = field(default_factory=Counter)
    # name key -> the signals naming it, each with whether it gives a birth date
    named: dict[str, list[tuple[str, bool]]] = field(default_factory=lambda: defaultdict(list))


def read_population(population: Population) -> Read:
    """Every signal through the hub's validators and key functions."""
    read = Read()
    carriers, names, members = read.carriers, read.names, read.members
    today = population.now.date()
    plans: dict[int, _CasePlan] = {}
    # Which case and member each position is: the layout the generator keeps to itself.
    case_of, member_of = population._case, population._member
    for position, (_, body) in enumerate(population.signals()):
        case = case_of[position]
        subjects = [_SUBJECT.validate_python(raw) for raw in body["subjects"]]
        keys = {(k.type, k.value) for s in subjects for k in identifier_keys(s)}
        carriers.update(keys)
        for key in keys:
            read.holders[key].append(body["external_ref"])
        named = {
            (k.value, s.birth_date is not None)  # type: ignore[union-attr]
            for s in subjects
            for k in fact_keys(s)
            if k.type == "person-name"
        }
        names.update({name for name, _ in named})
        for name, dated in named:
            read.named[name].append((body["external_ref"], dated))
        if case < 0:
            continue
        if case not in plans:
            plans[case] = _CasePlan.of(
                population.seed,
                case,
                population.size,
                today,
                case in population._transliterated,
            )
        member = Member(body["external_ref"], case, member_of[position], keys)
        member.holds = tuple(s.type for s in subjects)
        for subject in subjects:
            if subject.type == "person":
                name = next(k.value for k in fact_keys(subject) if k.type == "person-name")
                block = next((k.value for k in blocking_keys(subject)), None)
                noise = _noise(subject.name, subject.birth_date, plans[case].people)
                member.persons.append(PersonView(name, subject.birth_date, block, noise))
            elif subject.type == "document":
                member.documents += [k.value for k in identifier_keys(subject)]
        members[member.ref] = member
    return read


def _noise(name: str, born: date | None, people: Iterable[_Person]) -> str:
    """How a file wrote one of the case's people: the slips in its name and birth date."""
    written = fold(name)
    best = (-1.0, "", None)
    for person in people:
        styles = person.spellings or ((person.given,), (person.family,))
        for style, (given, family) in enumerate(zip(*styles, strict=True)):
            for order, form in (("", f"{given} {family}"), ("swapped", f"{family} {given}")):
                score = fuzz.ratio(written, fold(form))
                if score > best[0]:
                    best = (
                        score,
                        " + ".join(p for p in (order, style and "transliterated") if p),
                        person,
                    )
    score, slips, person = best
    parts = [slips] if slips else []
    if score < 100:
        parts.append("typo")
    if person is not None:
        if born is None:
            parts.append("no birth date")
        elif born != person.born:
            parts.append("swapped day/month" if born.month == person.born.day else "other date")
        elif rules.is_partial_date(born.year, born.month, born.day):
            parts.append("placeholder-like date")
    return " + ".join(parts) or "clean"


# --- what two members share ----------------------------------------------------------------------


@dataclass
class _Shared:
    """What two members share, sorted by whether the hub sees it."""

    evidence: list[rules.Evidence] = field(default_factory=list)  # what the hub weighs
    unseen: list[str] = field(default_factory=list)  # near, but never compared
    similar_bare: list[str] = field(default_factory=list)  # similar names, a date missing
    too_far: list[str] = field(default_factory=list)  # names in one block, too different


def relation(a: Member, b: Member, read: Read, party_of: dict[str, int]) -> Relation:
    """The best class of evidence between two members of a case, judged by the rules (a
    value's carriers counted as the parties the hub's clusters make of them)."""
    shared = _Shared(_exact(a, b, read, party_of))
    _persons(a, b, read.names, shared)
    _documents(a, b, shared)
    points, counted = rules.pair_weight(shared.evidence)
    if points >= rules.LINK_THRESHOLD:
        return Relation(LINKED, points, "linked: " + _evidence_text(counted))
    bare = [e.token for e in counted if e.key_type == rules.NAME_ONLY]
    if any(e.points > 0 for e in counted) or (counted and not bare):
        beside = sorted({t.split(" (")[0] for t in shared.unseen + shared.similar_bare})
        return Relation(BELOW, points, " + ".join([_evidence_text(counted), *beside]))
    if bare:  # the same name and nothing beside it that the name could count with
        return Relation(NAME_ONLY, 0.0, bare[0] + ", nothing beside it")
    if shared.unseen:
        return Relation(UNSEEN, 0.0, shared.unseen[0])
    if shared.similar_bare:
        return Relation(NAME_ONLY, 0.0, shared.similar_bare[0])
    return Relation(NOTHING, 0.0, shared.too_far[0] if shared.too_far else "")


def _exact(a: Member, b: Member, read: Read, party_of: dict[str, int]) -> list[rules.Evidence]:
    """The linking values both carry, with the points the rules give them."""
    found = []
    for kind, value in a.keys & b.keys:
        if kind not in rules.LINKING_TYPES:
            continue
        n = read.carriers[(kind, value)]
        if not rules.over_cap(kind, n):
            n = max(2, min(n, rules.parties(read.holders[(kind, value)], party_of)))
        if kind in _PERSON_TYPES:
            points = rules.person_credit(kind, n, read.names[value.rpartition("|")[0]])
        else:
            points = rules.credit(kind, n)
        found.append(rules.Evidence(kind, f"{kind} carried by {n}", points))
    return found


def _persons(a: Member, b: Member, names: Counter, shared: _Shared) -> None:
    """The two members' persons compared as the hub compares them (or cannot)."""
    for pa, pb in itertools.product(a.persons, b.persons):
        slips = " | ".join(sorted({pa.noise, pb.noise}))
        if pa.born is None or pb.born is None:
            if pa.name == pb.name and names[pa.name] <= rules.COMMON_NAME_FROM:
                what = f"same name, no birth date ({slips})"
                shared.evidence.append(
                    rules.Evidence(rules.NAME_ONLY, what, rules.NAME_ONLY_WEIGHT)
                )
            elif _names_meet(pa.name, pb.name):
                side = "both" if pa.born is None and pb.born is None else "one side"
                shared.similar_bare.append(f"similar name, no birth date on {side} ({slips})")
            continue
        if pa.block != pb.block:
            if _names_meet(pa.name, pb.name):
                shared.unseen.append(f"similar name in another birth-date block ({slips})")
            continue
        ka, kb = PersonKey(pa.name, pa.born.isoformat()), PersonKey(pb.name, pb.born.isoformat())
        points = similarity(ka, kb)
        if points > 0:
            penalty = rules.name_penalty(max(names[pa.name], names[pb.name]))
            kind = rules.SIMILAR_PERSON_PARTIAL if on_partial_date(ka, kb) else rules.SIMILAR_PERSON
            shared.evidence.append(
                rules.Evidence(kind, f"similar person ({slips})", max(0.0, points - penalty))
            )
        elif ka != kb:
            ratio = fuzz.token_sort_ratio(fold(pa.name), fold(pb.name))
            shared.too_far.append(f"same block, names too far apart ({slips}; ratio {ratio:.0f})")


def _documents(a: Member, b: Member, shared: _Shared) -> None:
    """Near document numbers: seen inside a shared birth-date block or through the scanned
    token, unseen otherwise."""
    blocks = {p.block for p in a.persons if p.block} & {p.block for p in b.persons if p.block}
    for da, db in itertools.product(a.documents, b.documents):
        if not near_documents(da, db):
            continue
        if blocks or _scanned_alike(da, db):
            shared.evidence.append(
                rules.Evidence(rules.SIMILAR_DOCUMENT, "near document", NEAR_DOCUMENT)
            )
        else:
            shared.unseen.append("near document (typing slip), no shared birth-date block")


def _scanned_alike(a: str, b: str) -> bool:
    """Document match values the hub meets through their scanned token (graph.SHARED_FACTS)."""
    (scope_a, number_a), (scope_b, number_b) = document_parts(a), document_parts(b)
    kind = scope_a.rpartition("|")[2]
    return (
        scope_a == scope_b
        and kind in rules.CONFLICTING_DOCUMENT_KINDS
        and rules.ocr_key(number_a) == rules.ocr_key(number_b)
    )


def _names_meet(a: str, b: str) -> bool:
    """The names match as `similarity` would judge them on an equal date (or are equal)."""
    day = "1980-05-17"
    return a == b or similarity(PersonKey(a, day), PersonKey(b, day)) > 0


def _evidence_text(counted: list[rules.Evidence]) -> str:
    """The pair's evidence in words, carrier counts bucketed (2, 3, 4-8, more)."""
    parts = []
    for e in counted:
        text = e.token
        if " carried by " in text:
            kind, n = text.split(" carried by ")
            bucket = n if int(n) <= 3 else "4-8" if int(n) <= 8 else ">8"
            text = f"{kind} x{bucket}"
        parts.append(f"{text} {e.points:.1f}")
    return ", ".join(parts)


def _what_it_holds(member: Member) -> str:
    kinds = Counter(member.holds)
    out = []
    for kind, n in sorted(kinds.items()):
        if kind == "person":
            out += [f"person ({p.noise})" for p in member.persons]
        else:
            out.append(kind if n == 1 else f"{n} {kind}")
    return " + ".join(out) or "nothing"


# --- pieces, classes, ceilings -------------------------------------------------------------------


@dataclass
class Lost:
    case: int
    refs: list[str]
    rank: int
    reason: str
    loss: float  # planted B-cubed recall lost, in members (a whole member is 1)


def classify(
    population: Population, clusters: list[list[str]], read: Read
) -> tuple[list[Lost], dict[int, list[tuple[list[str], list[str], int]]]]:
    """Every lost piece with its class and reason; and per case the pairs of pieces with the
    class that joins them (for the ceilings)."""
    members = read.members
    home = {ref: i for i, cluster in enumerate(clusters) for ref in cluster}
    lost: list[Lost] = []
    joins: dict[int, list[tuple[list[str], list[str], int]]] = {}
    for case, refs in enumerate(population.cases):
        by_cluster: dict[Any, list[str]] = defaultdict(list)
        for ref in sorted(refs, key=lambda r: members[r].index):
            by_cluster[home.get(ref, ref)].append(ref)
        pieces = sorted(by_cluster.values(), key=lambda p: (-len(p), members[p[0]].index))
        if len(pieces) == 1:
            continue
        size = len(refs)
        loss = sum(len(p) * (1 - len(p) / size) for p in pieces)
        table = {}
        for i, j in itertools.combinations(range(len(pieces)), 2):
            best = min(
                (
                    relation(members[a], members[b], read, home)
                    for a in pieces[i]
                    for b in pieces[j]
                ),
                key=lambda r: (r.rank, -r.points),
            )
            table[(i, j)] = table[(j, i)] = best
        joins[case] = [(pieces[i], pieces[j], table[(i, j)].rank) for i, j in table if i < j]
        for i, piece in enumerate(pieces[1:], start=1):
            best = min(
                (table[(i, j)] for j in range(len(pieces)) if j != i),
                key=lambda r: (r.rank, -r.points),
            )
            reason = best.reason or f"holds {_what_it_holds(members[piece[0]])}"
            lost.append(Lost(case, piece, best.rank, reason, loss / (len(pieces) - 1)))
    return lost, joins


def ceiling(population: Population, clusters: list[list[str]], joins: dict, rank: int) -> float:
    """Planted B-cubed recall if the pieces joined by evidence of `rank` or better were one."""
    home = {ref: i for i, cluster in enumerate(clusters) for ref in cluster}
    total = 0.0
    count = 0
    for case, refs in enumerate(population.cases):
        parent = {ref: home.get(ref, ref) for ref in refs}
        groups: dict[Any, set[str]] = defaultdict(set)
        for ref in refs:
            groups[parent[ref]].add(ref)
        merged = {key: {key} for key in groups}
        for a, b, r in joins.get(case, ()):
            if r <= rank:
                ka, kb = _find(merged, parent[a[0]]), _find(merged, parent[b[0]])
                if ka != kb:
                    merged[ka] |= merged.pop(kb)
        for keys in merged.values():
            n = sum(len(groups[k]) for k in keys)
            total += n * n / len(refs)
        count += len(refs)
    return total / count


def _find(merged: dict[Any, set[Any]], key: Any) -> Any:
    return next(k for k, keys in merged.items() if key in keys)


def report(
    lost: list[Lost],
    population: Population,
    clusters: list[list[str]],
    joins: dict,
    examples: int,
    members: dict[str, Member],
) -> None:
    planted = sum(map(len, population.cases))
    total_loss = sum(item.loss for item in lost)
    rows: dict[tuple[int, str], list[Lost]] = defaultdict(list)
    for item in lost:
        rows[(item.rank, item.reason)].append(item)
    table = Table(title="lost planted members by cause", title_justify="left")
    for name in (
        "class",
        "what the lost piece shares with its case (or holds)",
        "pieces",
        "members",
        "share of lost recall",
        "recall",
    ):
        table.add_column(name, justify="left" if name.startswith(("class", "what")) else "right")
    by_class: dict[int, float] = defaultdict(float)
    for (rank, reason), items in sorted(
        rows.items(), key=lambda kv: (kv[0][0], -sum(i.loss for i in kv[1]))
    ):
        loss = sum(i.loss for i in items)
        by_class[rank] += loss
        table.add_row(
            str(rank),
            reason,
            str(len(items)),
            str(sum(len(i.refs) for i in items)),
            f"{loss / total_loss:.1%}",
            f"{loss / planted:.4f}",
        )
    console.print(table)
    summary = Table(
        title="by class, and the ceiling (pieces of that class or better joined)",
        title_justify="left",
    )
    for name in (
        "class",
        "share of lost recall",
        "recall",
        "planted recall reachable",
        "planted F1 (P = 1)",
    ):
        summary.add_column(name, justify="left" if name == "class" else "right")
    now = ceiling(population, clusters, joins, 0)
    summary.add_row("0 now", "", "", f"{now:.4f}", f"{2 * now / (1 + now):.4f}")
    for rank, name in CLASS_NAMES.items():
        reach = ceiling(population, clusters, joins, rank)
        summary.add_row(
            f"{rank} {name}",
            f"{by_class[rank] / total_loss:.1%}",
            f"{by_class[rank] / planted:.4f}",
            f"{reach:.4f}",
            f"{2 * reach / (1 + reach):.4f}",
        )
    console.print(summary)
    if examples:
        for (rank, reason), items in sorted(rows.items()):
            console.print(f"[bold]{rank} {reason}[/]")
            for item in items[:examples]:
                case = sorted(population.cases[item.case], key=lambda r: members[r].index)
                console.print(f"  case {item.case}: lost {item.refs}")
                for ref in case:
                    m = members[ref]
                    mark = "*" if ref in item.refs else " "
                    persons = [(p.name, p.born) for p in m.persons]
                    console.print(
                        f"   {mark} {m.index} {_what_it_holds(m)} {sorted(m.keys)} {persons}"
                    )


def bare_names(read: Read, population: Population, up_to: int) -> tuple[int, int, int]:
    """What a rule linking a bare name (no birth date on one side or both) would join, on names
    carried by at most `up_to` signals: pairs within a case, pairs of strangers, and unrelated
    signals it would put in a pair. Exact names only, so a lower bound on the strangers."""
    case_of = {ref: i for i, refs in enumerate(population.cases) for ref in refs}
    within = strangers = 0
    pulled_in: set[str] = set()
    for carriers in read.named.values():
        dated: dict[str, bool] = {}
        for ref, has_date in carriers:
            dated[ref] = dated.get(ref, True) and has_date
        if not 2 <= len(dated) <= up_to:
            continue
        for a, b in itertools.combinations(sorted(dated), 2):
            if dated[a] and dated[b]:
                continue  # names with dates on both sides: the person rules judge those
            if a in case_of and case_of[a] == case_of.get(b):
                within += 1
            else:
                strangers += 1
                pulled_in |= {ref for ref in (a, b) if ref not in case_of}
    return within, strangers, len(pulled_in)


def report_bare_names(read: Read, population: Population) -> None:
    table = Table(
        title="what linking a bare name alone would cost (no birth date on one side; exact names)",
        title_justify="left",
    )
    for name in (
        "names carried by at most",
        "pairs within a case",
        "pairs of strangers",
        "unrelated signals put in a pair",
    ):
        table.add_column(name, justify="right")
    unrelated = population.size - sum(map(len, population.cases))
    for up_to in (2, rules.COMMON_NAME_FROM, rules.NAME_COUNT_CAP):
        within, strangers, pulled = bare_names(read, population, up_to)
        table.add_row(str(up_to), str(within), str(strangers), f"{pulled} of {unrelated:,}")
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    population_arguments(parser)
    parser.add_argument("--examples", type=int, default=0, help="cases shown per cause")
    parser.add_argument("--clusters", type=Path, help="JSON file to keep the hub's clusters in")
    args = parser.parse_args(argv)
    traps = traps_of(args)
    population = generate(args.size, seed=args.seed, traps=traps)
    if args.clusters is not None and args.clusters.exists():
        clusters = json.loads(args.clusters.read_text())
    else:
        console.print("hub: storing and relinking (PostgreSQL) ...")
        clusters = in_child(hub_on_population, args.size, args.seed, traps, args.pg_url).clusters
        if args.clusters is not None:
            args.clusters.write_text(json.dumps(clusters))
    items = [population.external_ref(i) for i in range(args.size)]
    scored = score(Outcome("hub", clusters), [set(c) for c in population.cases], items)
    console.print(
        f"hub: planted B-cubed P/R/F1 {scored.planted.precision:.4f} / "
        f"{scored.planted.recall:.4f} / {scored.planted.f1:.4f}; all-signal B-cubed F1 "
        f"{scored.bcubed.f1:.4f}; unrelated in proposals {scored.unrelated.count:,} of "
        f"{scored.unrelated.total:,} ({scored.unrelated.rate:.2%}); "
        f"{scored.merged} clusters mix cases"
    )
    read = read_population(population)
    lost, joins = classify(population, clusters, read)
    report(lost, population, clusters, joins, args.examples, read.members)
    report_bare_names(read, population)
    return 0


if __name__ == "__main__":
    sys.exit(main())
