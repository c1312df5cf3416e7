"""A deterministic generator of realistic synthetic record sets, with a known share of
deliberate errors, for benchmarks and for the fast-versus-reference tests.

    python benchmarks/synthetic.py --projects 1000 --out /tmp/records-1k

Each project has participations, budgets, countries, places, results with targets,
milestones and sources, like the curated records; one project in ``error_every`` carries
one deliberate error, cycling through :data:`ERRORS` (each caught by a different check).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

COUNTRIES = ["MA", "SN", "ML", "CI", "TN", "EG", "SD", "NE", "GM", "BF", "GN", "MR"]
ROLES = ["funding", "accountable", "implementing", "partner", "extending", "beneficiary"]
STATUSES = ["pipeline", "implementation", "finalisation", "closed"]
THEMES = ["diaspora", "integration", "reintegration", "protection", "legal-migration",
          "governance", "capacity-building"]
ERRORS = [
    # (what is injected, the finding code it must produce)
    ("amount-as-text", "type-error"),
    ("unknown-status", "unknown-code"),
    ("unknown-country", "unknown-country"),
    ("missing-reference", "missing-reference"),
    ("impossible-date", "invalid-date"),
    ("end-before-start", "shacl-end-not-before-start"),
    ("negative-budget", "shacl-budget-not-negative"),
    ("future-actual-date", "shacl-actual-date-not-in-future"),
    ("programme-not-programme", "shacl-programme-member-of-programme"),
    ("missing-title", "missing-field"),
    ("mojibake", "mojibake"),
    ("unknown-currency", "unknown-currency"),
    ("bad-language", "unknown-language"),
    ("unknown-field", "unknown-field"),
]


def organisations(count: int) -> dict[str, dict[str, object]]:
    return {f"org-{n:05d}": {
        "id": f"org-{n:05d}",
        "name": {"fr": f"Organisation numéro {n}", "en": f"Organisation number {n}"},
        "acronym": {"fr": f"ORG{n}"},
        "type": ["government", "other-public-sector", "international-ngo", "multilateral"][n % 4],
        "country": COUNTRIES[n % len(COUNTRIES)],
        "sources": ["synthetic-source"],
    } for n in range(count)}


def project(n: int, rng: random.Random, orgs: list[str],
            programmes: list[str]) -> dict[str, object]:
    start = rng.randint(2005, 2022)
    end = start + rng.randint(1, 6)
    precision = rng.choice(["year", "month", "day"])
    def when(year: int) -> str:
        if precision == "year":
            return f"{year}"
        if precision == "month":
            return f"{year}-{rng.randint(1, 12):02d}"
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    record: dict[str, object] = {
        "id": f"project-{n:06d}",
        "type": "project",
        "title": {"fr": f"Projet de coopération numéro {n} sur les migrations",
                  "en": f"Cooperation project number {n} on migration"},
        "acronym": {"fr": f"P{n}"},
        "description": {"fr": "Un projet pour renforcer la gouvernance des migrations et "
                              "l’intégration des migrants au niveau local."},
        "objectives": [{"fr": "Renforcer les capacités des collectivités territoriales."}],
        "status": rng.choice(STATUSES),
        "planned_start": when(start),
        "planned_end": when(end),
        "budgets": [{"amount": rng.randint(1, 500) * 10000, "currency": "EUR",
                     "funder": rng.choice(orgs)}],
        "participations": [{"organisation": org, "role": role}
                           for org, role in zip(rng.sample(orgs, 3), rng.sample(ROLES, 3),
                                                strict=True)],
        "countries": rng.sample(COUNTRIES, rng.randint(1, 3)),
        "places": [{"name": f"Commune {n}", "type": "commune", "country": "MA"}],
        "sectors": ["15190"],
        "themes": rng.sample(THEMES, 2),
        "results": [{"type": "expected",
                     "title": {"fr": "Les migrants de retour sont accompagnés."},
                     "targets": [{"value": rng.randint(5, 500),
                                  "unit": {"fr": "migrants de retour"}}]}],
        "milestones": [{"date": when(start), "title": {"fr": "Lancement officiel"}}],
        "sources": ["synthetic-source"],
    }
    if programmes and n % 10 == 0:
        record["programme"] = rng.choice(programmes)
    return record


def inject(record: dict[str, object], kind: str, orgs: list[str]) -> None:
    budgets = record["budgets"]
    assert isinstance(budgets, list)
    if kind == "amount-as-text":
        budgets[0]["amount"] = "4,1 M"
    elif kind == "unknown-status":
        record["status"] = "ongoing"
    elif kind == "unknown-country":
        record["countries"] = ["MOR"]
    elif kind == "missing-reference":
        budgets[0]["funder"] = "no-such-organisation"
    elif kind == "impossible-date":
        record["planned_start"] = "2019-02-30"
    elif kind == "end-before-start":
        record["planned_start"], record["planned_end"] = "2020", "2015"
    elif kind == "negative-budget":
        budgets[0]["amount"] = -5000
    elif kind == "future-actual-date":
        record["actual_start"] = "2999-01"
    elif kind == "programme-not-programme":
        record["programme"] = "project-000001"
    elif kind == "missing-title":
        del record["title"]
    elif kind == "mojibake":
        record["description"] = {"fr": "RĂ©sultat attendu"}
    elif kind == "unknown-currency":
        budgets[0]["currency"] = "EURO"
    elif kind == "bad-language":
        record["acronym"] = {"xx": "P"}  # no ISO 639-1 code (de, es… are valid)
    elif kind == "unknown-field":
        record["budjet"] = 1


def generate(projects: int, out: Path, *, seed: int = 1, error_every: int = 100,
             errors: bool = True) -> dict[str, str]:
    """Write a record set; return ``{project id: injected error kind}``."""
    rng = random.Random(seed)
    orgs = organisations(max(10, projects // 20))
    for folder in ("sources", "organisations", "projects"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    (out / "sources" / "synthetic-source.yaml").write_text(
        "id: synthetic-source\ntitle: {en: Synthetic records}\nlanguage: en\n", encoding="utf-8")
    for org_id, org in orgs.items():
        (out / "organisations" / f"{org_id}.yaml").write_text(
            yaml.safe_dump(org, allow_unicode=True, sort_keys=False), encoding="utf-8")
    programmes = [f"project-{n:06d}" for n in range(0, projects, 1000)][:5] if projects > 1 \
        else []
    injected: dict[str, str] = {}
    org_ids = list(orgs)
    for n in range(projects):
        record = project(n, rng, org_ids, [p for p in programmes if p != f"project-{n:06d}"])
        if f"project-{n:06d}" in programmes:
            record["type"] = "programme"
            record.pop("programme", None)
        elif errors and n % error_every == error_every - 1:
            kind = ERRORS[(n // error_every) % len(ERRORS)][0]
            inject(record, kind, org_ids)
            injected[str(record["id"])] = kind
        (out / "projects" / f"{record['id']}.yaml").write_text(
            yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return injected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-errors", action="store_true")
    args = parser.parse_args()
    injected = generate(args.projects, args.out, seed=args.seed, errors=not args.no_errors)
    print(f"wrote {args.projects} projects to {args.out} ({len(injected)} with an error)")


if __name__ == "__main__":
    main()
