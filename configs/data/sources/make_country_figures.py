#!/usr/bin/env python3
"""Derive the GDP and exports figures of configs/data/countries.yaml from the source extracts.

Usage:
    python3 make_country_figures.py SOURCES_DIR [--check COUNTRIES_YAML] > country_figures.csv

SOURCES_DIR holds the extracts described in README.md beside this script:
    world_bank_gdp_all_countries.csv      World Bank WDI NY.GDP.MKTP.CD (US$), every country
    imf_weo_apr2024_ngdpd.csv             IMF WEO April 2024 NGDPD (US$ bn), incl. Taiwan
    dots_exports_to_china_2019_2020.csv   IMF DOTS exports FOB to China, US$ millions
    exports_to_china.csv                  project countries, DOTS plus national/press figures

The CSV (code, gdp_usd_bn, gdp_year, gdp_source, exports_usd_bn, exports_year, exports_source)
goes to standard output. With --check, every gdp and exports value in COUNTRIES_YAML is
compared with the derived figure (needs PyYAML) and the script exits 1 on any mismatch.
The project does not depend on SOURCES_DIR at build time: this script documents and
reproduces the figures, which are written by hand into countries.yaml.
"""
import argparse
import csv
import os
import sys

import pandas as pd

GDP_YEAR = 2022
DOTS_YEAR = 2020
EUR_USD_2022 = 1.053  # ECB euro reference rate, 2022 annual average (1.0530 USD per EUR)

# Order of countries.yaml. Exports rule per country:
#   ("dots", reporter name in the DOTS extract)            IMF DOTS 2020, partner mainland China
#   ("csv_eur", code, year)                                 exports_to_china.csv row in EUR bn -> USD
#   ("csv_usd", code, year)                                 exports_to_china.csv row in USD bn
# GDP rule: "wdi" (World Bank WDI) or "weo" (IMF WEO April 2024; Taiwan, absent from WDI).
COUNTRIES = [
    ("USA", "wdi", ("dots", "United States")),
    ("JPN", "wdi", ("dots", "Japan")),
    ("DEU", "wdi", ("dots", "Germany")),
    ("FRA", "wdi", ("dots", "France")),
    ("GBR", "wdi", ("dots", "United Kingdom")),
    ("ITA", "wdi", ("dots", "Italy")),
    ("CAN", "wdi", ("dots", "Canada")),
    ("AUS", "wdi", ("dots", "Australia")),
    ("KOR", "wdi", ("dots", "Korea, Rep. of")),
    ("TWN", "weo", ("csv_usd", "TWN", "2022")),
    ("NLD", "wdi", ("dots", "Netherlands, The")),
    ("NOR", "wdi", ("dots", "Norway")),
    ("CZE", "wdi", ("dots", "Czech Rep.")),
    ("LTU", "wdi", ("csv_eur", "LTU", "2022")),
    ("PHL", "wdi", ("dots", "Philippines")),
    ("IND", "wdi", ("dots", "India")),
    ("MNG", "wdi", ("dots", "Mongolia")),
    ("NZL", "wdi", ("dots", "New Zealand")),
    ("PLW", "wdi", ("dots", "Palau, Rep. of")),
    ("SWE", "wdi", ("dots", "Sweden")),
    ("DNK", "wdi", ("dots", "Denmark")),
]

GDP_SOURCE = {
    "wdi": f"World Bank WDI NY.GDP.MKTP.CD {GDP_YEAR}",
    "weo": f"IMF WEO April 2024 NGDPD {GDP_YEAR}",
}
DOTS_SOURCE = f"IMF DOTS {DOTS_YEAR}, exports FOB to China P.R.: Mainland"
CSV_SOURCE = {
    "TWN": "Taiwan Ministry of Finance 2022, exports to mainland China and Hong Kong "
           "(as reported by Sinolytics/Table.Media, rounded)",
    "LTU": f"Lithuania State Data Agency 2022 (as reported by LRT), EUR 45.2 m at {EUR_USD_2022} USD/EUR",
}


def fmt_gdp(v):
    """1 decimal from USD 1 bn up; 3 significant figures below."""
    return f"{v:.1f}" if v >= 1 else f"{v:.3g}"


def fmt_exports(v):
    """USD bn to the USD million (3 decimals); 3 significant figures below USD 0.1 bn."""
    if v == 0:
        return "0.0"
    return f"{v:.3f}" if v >= 0.1 else f"{v:.3g}"


def dots_number(s):
    s = str(s).strip().replace(",", "")
    if s.endswith("e"):
        raise ValueError(f"DOTS value '{s}' is an IMF estimate; not used")
    return float(s)


def derive(src):
    wb = pd.read_csv(os.path.join(src, "world_bank_gdp_all_countries.csv"))
    wb = wb[wb["Year"] == GDP_YEAR].set_index("Country Code")["Value"]
    weo = pd.read_csv(os.path.join(src, "imf_weo_apr2024_ngdpd.csv")).set_index("iso3c")[str(GDP_YEAR)]
    dots = pd.read_csv(os.path.join(src, "dots_exports_to_china_2019_2020.csv"), dtype=str)
    dots = dots[dots["partner"] == "China, P.R.: Mainland"].drop_duplicates(["reporter", "partner"])
    dots = dots.set_index("reporter")[f"y{DOTS_YEAR}"]
    ext = pd.read_csv(os.path.join(src, "exports_to_china.csv"), dtype=str)

    rows = []
    for code, gdp_rule, exp_rule in COUNTRIES:
        gdp = wb[code] / 1e9 if gdp_rule == "wdi" else float(weo[code])
        kind = exp_rule[0]
        if kind == "dots":
            exports, year, source = dots_number(dots[exp_rule[1]]) / 1e3, DOTS_YEAR, DOTS_SOURCE
        else:
            r = ext[(ext["code"] == exp_rule[1]) & (ext["year"] == exp_rule[2])]
            unit = "EUR bn" if kind == "csv_eur" else "USD bn"
            r = r[r["unit"] == unit]
            if len(r) != 1:
                raise SystemExit(f"{code}: expected one {unit} row for {exp_rule[2]} in exports_to_china.csv")
            value = r["value"].iloc[0]
            # EUR figures are converted; USD figures keep the digits they were published with.
            exports = float(value) * EUR_USD_2022 if kind == "csv_eur" else value
            year, source = int(exp_rule[2]), CSV_SOURCE[code]
        rows.append({
            "code": code,
            "gdp_usd_bn": fmt_gdp(gdp),
            "gdp_year": GDP_YEAR,
            "gdp_source": GDP_SOURCE[gdp_rule],
            "exports_usd_bn": exports if isinstance(exports, str) else fmt_exports(exports),
            "exports_year": year,
            "exports_source": source,
        })
    return rows


def check(rows, path):
    import yaml
    with open(path) as f:
        countries = yaml.safe_load(f)["countries"]
    bad = []
    if [c["code"] for c in countries] != [r["code"] for r in rows]:
        bad.append("country codes or order differ")
    by_code = {c["code"]: c for c in countries}
    for r in rows:
        c = by_code.get(r["code"])
        if c is None:
            continue
        for key, col in (("gdp", "gdp_usd_bn"), ("exports", "exports_usd_bn")):
            if abs(float(c[key]) - float(r[col])) > 1e-9:
                bad.append(f"{r['code']} {key}: countries.yaml {c[key]} vs derived {r[col]}")
        if int(c["year"]) != r["gdp_year"]:
            bad.append(f"{r['code']} year: {c['year']} vs {r['gdp_year']}")
    for b in bad:
        print("MISMATCH", b, file=sys.stderr)
    print(f"checked {len(rows)} countries against {path}: {'OK' if not bad else f'{len(bad)} mismatches'}",
          file=sys.stderr)
    return not bad


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", help="directory holding the source extracts (*.csv)")
    p.add_argument("--check", metavar="COUNTRIES_YAML", help="compare with countries.yaml")
    a = p.parse_args()
    rows = derive(a.sources)
    w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    if a.check and not check(rows, a.check):
        sys.exit(1)


if __name__ == "__main__":
    main()
