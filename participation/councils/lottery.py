"""The draw (tirage au sort) as a pure function: the same seed and the same
published candidates always give the same result, here or on anyone's machine.

The algorithm is published, in French, on every draw's page and in its JSON;
this text is that publication:

L'algorithme, tel que publié sur la page de chaque tirage :

1. Chaque volontaire a un identifiant anonymisé (``V-0007``) et les
   caractéristiques sur lesquelles portent les quotas (genre, tranche d'âge,
   commune ou quartier).
2. Les volontaires sont classés selon l'empreinte SHA-256, écrite en
   hexadécimal, du texte ``<graine>:<identifiant>`` (encodé en UTF-8), de la
   plus petite à la plus grande ; deux empreintes égales (ce qui n'arrive pas
   en pratique) sont départagées par l'identifiant.
3. En suivant cet ordre, un volontaire est retenu si, pour chaque quota, le
   nombre de personnes déjà retenues ayant la même valeur reste inférieur au
   nombre demandé pour cette valeur ; une valeur qu'un quota ne nomme pas
   n'est pas retenue. Le tirage s'arrête quand tous les sièges sont pourvus.
4. Les volontaires non retenus, dans le même ordre, forment la réserve :
   quand une personne tirée au sort se désiste, la première personne de la
   réserve qui a les mêmes caractéristiques pour chaque quota est invitée
   (à défaut, la première personne de la réserve).

Chaque quota est un ensemble d'effectifs dont le total est le nombre de
sièges : la parité pour 12 sièges s'écrit ``{"woman": 6, "man": 6}``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The characteristics a quota may be set on, with their names for people.
DIMENSIONS = {"gender": "genre", "age_band": _l("tranche d'âge"), "commune": "commune", "neighbourhood": "quartier"}

ALGORITHM = __doc__.split("L'algorithme, tel que publié sur la page de chaque tirage :", 1)[1].split("Chaque quota est", 1)[0].strip()


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
        failures.append(_("Le vivier compte %(len_candidates)s volontaires pour %(seats)s sièges.", len_candidates=len(candidates), seats=seats))
    for dimension, counts in quotas.items():
        total = sum(counts.values())
        if total != seats:
            failures.append(_("Le quota par %(get)s totalise %(total)s personnes pour %(seats)s sièges.", get=DIMENSIONS.get(dimension, dimension), total=total, seats=seats))
        for value, wanted in counts.items():
            available = sum(1 for c in candidates if c.get(dimension) == value)
            if available < wanted:
                failures.append(
                    _("Quota %(quota_label)s impossible : %(wanted)s demandés, %(available)s volontaires dans le vivier.", quota_label=quota_label(dimension, value, labels), wanted=wanted, available=available)
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
                        _("Quota %(quota_label)s non atteint : %(get)s sur %(wanted)s, faute de volontaires qui répondent aussi aux autres quotas.", quota_label=quota_label(dimension, value, labels), get=taken[dimension].get(value, 0), wanted=wanted)
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
