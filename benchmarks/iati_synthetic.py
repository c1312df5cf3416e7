"""A deterministic generator of realistic synthetic IATI 2.03 activity files, for the
import benchmark and the importer's tests.

    python benchmarks/iati_synthetic.py --activities 100000 --out /tmp/iati-100k.xml

Each activity has a title and description in two or three languages, a reporting and
four participating organisations, dates, one or two recipient countries with their
shares, two sectors, two locations with points, two budgets, about ten transactions,
a document link, a policy marker and a result with two indicators (baseline and two
periods). The file is written as it is generated: memory does not grow with it.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

PUBLISHERS = [("DE-1", "10", "Bundesministerium für wirtschaftliche Zusammenarbeit"),
              ("XM-DAC-41114", "40", "United Nations Development Programme"),
              ("BE-BCE_KBO-0264814354", "10", "Enabel"), ("GB-GOV-1", "10", "FCDO"),
              ("XI-IATI-EC_INTPA", "15", "European Commission - International Partnerships"),
              ("FR-6", "10", "Agence Française de Développement")]
PARTNERS = [(f"XM-OCHA-{n:05d}", ["21", "22", "23", "24", "80"][n % 5], f"Partner {n}")
            for n in range(200)]
COUNTRIES = ["MA", "SN", "ML", "CI", "TN", "EG", "SD", "NE", "GM", "BF", "GN", "MR"]
SECTORS = ["15190", "15110", "15150", "16010", "12220", "11330", "25030", "72010"]
LANGUAGES = [("en", "fr"), ("fr", "en", "ar"), ("en", "es", "fr"), ("fr", "en")]
WORDS = ["migration", "governance", "diaspora", "return", "reintegration", "protection",
         "mobility", "labour", "skills", "youth", "border", "health", "education",
         "livelihood", "community", "local", "partnership"]
TRANSACTION_TYPES = ["1", "2", "3", "3", "4", "4"]


def _e(text: str) -> str:
    return _escape(text)


def _narratives(rng: random.Random, langs: tuple[str, ...], words: int, prefix: str) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    first, *others = langs
    parts = [f"<narrative>{_e(prefix + body)}</narrative>"]
    parts += [f'<narrative xml:lang="{lang}">{_e(f"[{lang}] {prefix}{body}")}</narrative>'
              for lang in others]
    return "".join(parts)


def _org(tag: str, ref: str, kind: str, name: str, extra: str = "") -> str:
    return (f"<{tag} ref={quoteattr(ref)} type=\"{kind}\"{extra}><narrative>{_e(name)}"
            f"</narrative></{tag}>")


def activity(n: int, rng: random.Random) -> str:
    """The XML text of the ``n``-th synthetic activity."""
    ref, org_type, org_name = PUBLISHERS[n % len(PUBLISHERS)]
    langs = LANGUAGES[n % len(LANGUAGES)]
    identifier = f"{ref}-SYN-{n:07d}"
    start = rng.randint(2008, 2022)
    currency = rng.choice(["EUR", "USD", "GBP"])
    countries = rng.sample(COUNTRIES, rng.choice([1, 2]))
    out = [f'<iati-activity xml:lang="{langs[0]}" default-currency="{currency}" '
           f'humanitarian="{n % 7 == 0:d}" last-updated-datetime="2024-01-01T00:00:00Z">',
           f"<iati-identifier>{_e(identifier)}</iati-identifier>",
           _org("reporting-org", ref, org_type, org_name),
           f"<title>{_narratives(rng, langs, 6, f'Activity {n}: ')}</title>",
           f'<description type="1">{_narratives(rng, langs, 40, "")}</description>',
           f'<description type="2">{_narratives(rng, langs, 15, "")}</description>']
    partners = rng.sample(PARTNERS, 3)
    out.append(_org("participating-org", ref, org_type, org_name, ' role="1"'))
    for role, (pref, ptype, pname) in zip(("2", "3", "4"), partners, strict=True):
        out.append(_org("participating-org", pref, ptype, pname, f' role="{role}"'))
    out.append(f'<activity-status code="{rng.choice("1234")}"/>')
    out.append(f'<activity-date type="1" iso-date="{start}-01-01"/>')
    out.append(f'<activity-date type="2" iso-date="{start}-0{rng.randint(1, 9)}-15"/>')
    out.append(f'<activity-date type="3" iso-date="{start + 4}-12-31"/>')
    share = 100 // len(countries)
    for code in countries:
        out.append(f'<recipient-country code="{code}" percentage="{share}"/>')
    for i in range(2):
        lat, lon = rng.uniform(-10, 35), rng.uniform(-17, 35)
        out.append(f'<location ref="{identifier}-L{i}"><location-reach code="1"/>'
                   f'<name><narrative>Site {i} of activity {n}</narrative></name>'
                   f'<administrative vocabulary="G1" level="1" code="{rng.randint(1, 99999)}"/>'
                   f'<point srsName="http://www.opengis.net/def/crs/EPSG/0/4326">'
                   f"<pos>{lat:.5f} {lon:.5f}</pos></point>"
                   f'<exactness code="{rng.choice("12")}"/></location>')
    sectors = rng.sample(SECTORS, 2)
    out.append(f'<sector vocabulary="1" code="{sectors[0]}" percentage="60"/>')
    out.append(f'<sector vocabulary="1" code="{sectors[1]}" percentage="40"/>')
    out.append('<policy-marker vocabulary="1" code="1" significance="1"/>')
    out.append('<collaboration-type code="1"/><default-flow-type code="10"/>'
               '<default-finance-type code="110"/><default-aid-type code="C01"/>'
               '<default-tied-status code="5"/>')
    for year in (start, start + 1):
        out.append(f'<budget type="1" status="{rng.choice("12")}">'
                   f'<period-start iso-date="{year}-01-01"/><period-end iso-date="{year}-12-31"/>'
                   f'<value currency="{currency}" value-date="{year}-01-01">'
                   f"{rng.randint(10, 5000) * 1000}</value></budget>")
    for t in range(rng.randint(8, 12)):
        kind = TRANSACTION_TYPES[t % len(TRANSACTION_TYPES)]
        pref, ptype, pname = partners[t % 3]
        out.append(f'<transaction ref="{identifier}-T{t}"><transaction-type code="{kind}"/>'
                   f'<transaction-date iso-date="{start + t // 4}-{t % 12 + 1:02d}-10"/>'
                   f'<value currency="{currency}" value-date="{start + t // 4}-01-01">'
                   f"{rng.randint(1, 900_000)}.{rng.randint(0, 99):02d}</value>"
                   f"<description><narrative>Payment {t}</narrative></description>"
                   f'<provider-org ref="{ref}"><narrative>{_e(org_name)}</narrative>'
                   f"</provider-org>"
                   f'<receiver-org ref={quoteattr(pref)} receiver-activity-id="{pref}-A{n}">'
                   f"<narrative>{_e(pname)}</narrative></receiver-org></transaction>")
    out.append(f'<document-link format="text/html" url="https://example.org/a/{n}">'
               f"<title>{_narratives(rng, langs, 4, 'Report: ')}</title>"
               f'<category code="A01"/><language code="{langs[0]}"/>'
               f'<document-date iso-date="{start}-06-30"/></document-link>')
    out.append(f'<result type="{rng.choice("12")}" aggregation-status="1">'
               f"<title>{_narratives(rng, langs, 5, '')}</title>")
    for i in range(2):
        base = rng.randint(0, 500)
        out.append(f'<indicator measure="1" ascending="1"><title>'
                   f"{_narratives(rng, langs, 4, f'Indicator {i}: ')}</title>"
                   f'<baseline year="{start}" iso-date="{start}-01-01" value="{base}">'
                   f"<comment><narrative>Survey</narrative></comment></baseline>")
        for year in (start + 1, start + 2):
            out.append(f'<period><period-start iso-date="{year}-01-01"/>'
                       f'<period-end iso-date="{year}-12-31"/>'
                       f'<target value="{base + 100}"/>'
                       f'<actual value="{base + rng.randint(0, 150)}"/>'
                       f"</period>")
        out.append("</indicator>")
    out.append("</result></iati-activity>")
    return "".join(out)


def activities(count: int, seed: int = 0) -> Iterator[str]:
    rng = random.Random(seed)
    for n in range(count):
        yield activity(n, rng)


def write(path: Path | str, count: int, *, seed: int = 0) -> Path:
    """Write a file of ``count`` synthetic activities to ``path``."""
    target = Path(path)
    with target.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" '
                     'generated-datetime="2024-01-01T00:00:00Z">\n')
        for text in activities(count, seed):
            handle.write(text)
            handle.write("\n")
        handle.write("</iati-activities>\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write(args.out, args.activities, seed=args.seed)


if __name__ == "__main__":
    main()
