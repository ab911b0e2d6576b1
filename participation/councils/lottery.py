"""The draw (tirage au sort) as a pure function: the same seed and the same
published candidates always give the same result, here or on anyone's machine.

The algorithm, as published on every draw's page:

1. Each candidate has an anonymised identifier (``V-0007``) and the
   characteristics the quotas use (gender, age band, commune or
   neighbourhood).
2. Candidates are sorted by the SHA-256 digest, in hexadecimal, of the text
   ``<seed>:<identifier>`` (UTF-8), smallest first; ties (which do not happen
   in practice) are broken by the identifier.
3. Going down that order, a candidate is taken if, for each quota, the number
   already taken with the same value stays below the number asked for that
   value; values a quota does not name are not taken. The draw stops when the
   seats are filled.
4. The candidates not taken, in the same order, are the reserve: when a
   drawn person declines, the first one of the reserve with the same
   characteristics for every quota is invited (or, failing that, the first
   one of the reserve).

Each quota is a set of counts whose total is the number of seats: parity for
12 seats is ``{"woman": 6, "man": 6}``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# The characteristics a quota may be set on, with their names for people.
DIMENSIONS = {"gender": "genre", "age_band": "tranche d'âge", "commune": "commune", "neighbourhood": "quartier"}

ALGORITHM = __doc__.split("The algorithm, as published on every draw's page:", 1)[1].split("Each quota is", 1)[0].strip()


@dataclass
class DrawResult:
    order: list[str]
    selected: list[str]
    reserve: list[str]
    # A sentence per quota that cannot be met, naming it; empty when the draw is complete.
    failures: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failures


def sort_key(seed: str, identifier: str) -> str:
    return hashlib.sha256(f"{seed}:{identifier}".encode()).hexdigest()


def draw_order(seed: str, candidates: list[dict]) -> list[dict]:
    return sorted(candidates, key=lambda c: (sort_key(seed, c["id"]), c["id"]))


def quota_label(dimension: str, value: str, labels: dict | None = None) -> str:
    shown = (labels or {}).get(dimension, {}).get(value, value)
    return f"{DIMENSIONS.get(dimension, dimension)} « {shown} »"


def check_quotas(seats: int, quotas: dict[str, dict[str, int]], candidates: list[dict], labels: dict | None = None) -> list[str]:
    """The quotas that cannot be met, whatever the seed: totals that do not match, too few candidates."""
    failures = []
    if len(candidates) < seats:
        failures.append(f"Le vivier compte {len(candidates)} volontaires pour {seats} sièges.")
    for dimension, counts in quotas.items():
        total = sum(counts.values())
        if total != seats:
            failures.append(f"Le quota par {DIMENSIONS.get(dimension, dimension)} totalise {total} personnes pour {seats} sièges.")
        for value, wanted in counts.items():
            available = sum(1 for c in candidates if c.get(dimension) == value)
            if available < wanted:
                failures.append(
                    f"Quota {quota_label(dimension, value, labels)} impossible : {wanted} demandés, {available} volontaires dans le vivier."
                )
    return failures


def run_draw(seed: str, candidates: list[dict], seats: int, quotas: dict[str, dict[str, int]], labels: dict | None = None) -> DrawResult:
    """Draw ``seats`` candidates; see the module's documentation for the algorithm."""
    ordered = draw_order(seed, candidates)
    failures = check_quotas(seats, quotas, candidates, labels)
    taken: dict[str, dict[str, int]] = {d: {} for d in quotas}
    selected: list[str] = []
    for candidate in ordered:
        if len(selected) == seats:
            break
        if all(taken[d].get(candidate.get(d), 0) < counts.get(candidate.get(d), 0) for d, counts in quotas.items()):
            selected.append(candidate["id"])
            for d in quotas:
                taken[d][candidate.get(d)] = taken[d].get(candidate.get(d), 0) + 1
    if len(selected) < seats and not failures:
        # Enough people of each kind, but not enough of a combination the order reached first.
        for dimension, counts in quotas.items():
            for value, wanted in counts.items():
                if taken[dimension].get(value, 0) < wanted:
                    failures.append(
                        f"Quota {quota_label(dimension, value, labels)} non atteint : {taken[dimension].get(value, 0)} sur {wanted}, "
                        "faute de volontaires qui répondent aussi aux autres quotas."
                    )
    chosen = set(selected)
    return DrawResult(
        order=[c["id"] for c in ordered],
        selected=selected,
        reserve=[c["id"] for c in ordered if c["id"] not in chosen],
        failures=failures,
    )


def next_in_reserve(reserve: list[str], candidates: list[dict], like: dict, used: set[str], quotas: dict) -> str | None:
    """The replacement for a person who declined: the first unused one of the reserve with the same characteristics."""
    by_id = {c["id"]: c for c in candidates}
    available = [i for i in reserve if i not in used]
    for identifier in available:
        if all(by_id[identifier].get(d) == like.get(d) for d in quotas):
            return identifier
    return available[0] if available else None
