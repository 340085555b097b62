#!/usr/bin/python3
"""Writes the world-scale data set (configs/data/world/*.yaml) from the extracts beside it.

Every country with both a World Bank GDP figure and an IMF DOTS figure of goods exports to
mainland China (the coercer), except the coercer's own territories: GDP is the latest World Bank
WDI figure up to 2022 (NY.GDP.MKTP.CD), exports the DOTS 2020 figure (2019 where 2020 is missing),
reporter side, US$ m / 1000. Taiwan, in neither source, keeps the default data set's row and its
sources. What no source here gives is an ASSUMPTION, labelled as such in the files: democracy is
true only for the default set's countries; salience means are the default set's for its countries
and 0.2 for every other country and issue; the world issues are the five of issues.yaml plus a
copy of each (suffix _2, same priors) to reach ten issues for scale. Run from the project folder:

    /usr/bin/python3 configs/data/world/make_world.py

Inputs: configs/data/sources/world/{world_bank_gdp_all_countries,dots_exports_to_china_2019_2020}.csv
(copies of the project's source extracts; README.md there), configs/data/{countries,salience,issues}.yaml.
"""
import csv
import os
import re

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
SOURCES = os.path.join(DATA, "sources", "world")

# DOTS reporter names that the normalised match below cannot place, or places ambiguously.
DOTS_TO_ISO3 = {
    "Lao People's Dem. Rep.": "LAO", "Micronesia, Federated States of": "FSM",
    "São Tomé and Príncipe, Dem. Rep. of": "STP", "Sint Maarten, Kingdom of the Netherlands": "SXM",
    "Tanzania, United Rep. of": "TZA", "Turkey": "TUR", "Venezuela, Rep. Bolivariana de": "VEN", "Vietnam": "VNM",
    "Comoros, Union of the": "COM", "Côte d'Ivoire": "CIV", "Curaçao, Kingdom of the Netherlands": "CUW",
    "Czech Rep.": "CZE", "United Kingdom": "GBR", "United States": "USA", "Congo, Dem. Rep. of the": "COD",
    "Congo, Rep. of": "COG",
}
# Not countries (DOTS and WDI aggregates), or the coercer's own territory.
EXCLUDED = {"CHN", "HKG", "MAC", "EMU", "EUU", "SSF", "WLD"}


def normalise(name: str) -> str:
    n = name.lower()
    n = re.sub(r", kingdom of the netherlands$", "", n)
    n = re.sub(r",? (islamic |dem\. |democratic |federal |republic |rep\. |people's |kingdom |the |of )*"
               r"(rep\.|republic|kingdom|state|states|the)( of( the)?)?$", "", n)
    return re.sub(r"[^a-z ]", "", n).strip()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write the world-scale data set")
    parser.add_argument("--out", default=HERE, help="folder for the YAML files (default: beside this script)")
    out = parser.parse_args().out
    gdp, names = {}, {}
    with open(os.path.join(SOURCES, "world_bank_gdp_all_countries.csv")) as f:
        for row in csv.DictReader(f):
            code, year = row["Country Code"], int(row["Year"])
            names[code] = row["Country Name"]
            if year <= 2022 and row["Value"] and (code not in gdp or year > gdp[code][1]):
                gdp[code] = (float(row["Value"]) / 1e9, year)
    by_name = {}
    for code, name in names.items():
        by_name.setdefault(normalise(name), []).append(code)
    exports = {}
    with open(os.path.join(SOURCES, "dots_exports_to_china_2019_2020.csv")) as f:
        for row in csv.DictReader(f):
            if row["partner"] != "China, P.R.: Mainland":
                continue
            code = DOTS_TO_ISO3.get(row["reporter"])
            if code is None:
                matches = by_name.get(normalise(row["reporter"]), [])
                if len(matches) > 1:
                    raise SystemExit(f"ambiguous DOTS reporter {row['reporter']!r}: {matches}; add it to DOTS_TO_ISO3")
                code = matches[0] if matches else None
            if code is None or code in EXCLUDED or code not in gdp:
                continue  # an aggregate, the coercer's territory, or no WDI GDP
            for year in ("y2020", "y2019"):
                value = (row[year] or "").replace(",", "")  # thousands separators in the extract
                estimated = value.endswith(" e")  # DOTS flag "e": an IMF estimate (from partner data)
                value = value.removesuffix(" e").strip()
                if value not in ("", "..."):
                    exports[code] = (float(value) / 1000.0, int(year[1:]), row["reporter"] +
                                     ("' (DOTS flags the figure 'e', an IMF estimate)" if estimated else "'"))
                    break
    with open(os.path.join(DATA, "countries.yaml")) as f:
        default = {c["code"]: c for c in yaml.safe_load(f)["countries"]}
    with open(os.path.join(DATA, "salience.yaml")) as f:
        salience = yaml.safe_load(f)
    with open(os.path.join(DATA, "issues.yaml")) as f:
        issues = yaml.safe_load(f)["issues"]

    rows = []
    for code in sorted(set(exports) | {"TWN"}):
        if code == "TWN":
            c = default["TWN"]
            rows.append({"code": "TWN", "name": c["name"], "gdp": c["gdp"], "exports": c["exports"], "democracy": True,
                         "year": c["year"], "source": c["source"], "note": "as in configs/data/countries.yaml"})
            continue
        (y, gdp_year), (x, x_year, reporter) = gdp[code], exports[code]
        rows.append({"code": code, "name": names[code], "gdp": float(f"{y:.4g}"), "exports": float(f"{x:.4g}"),
                     "democracy": code in default, "year": gdp_year,
                     "source": f"GDP: World Bank WDI NY.GDP.MKTP.CD {gdp_year}; exports: IMF DOTS {x_year}, "
                               f"'{reporter} exports FOB to China P.R.: Mainland",
                     "note": "democracy is an ASSUMPTION: true only for the default data set's countries"})
    header = ("# Every country with World Bank GDP and IMF DOTS exports to mainland China (generated by\n"
              "# make_world.py beside this file: do not edit by hand). Money in USD bn per year. democracy:\n"
              "# ASSUMPTION (true for the default set's countries only; no democracy index among the sources).\n")
    with open(os.path.join(out, "countries.yaml"), "w") as f:
        f.write(header)
        yaml.safe_dump({"description": f"World scale: {len(rows)} countries, GDP (WDI) and exports to the coercer "
                                       "(DOTS); democracy flags are assumptions",
                        "countries": rows}, f, sort_keys=False, allow_unicode=True, width=200)

    world_issues = {}
    for name, issue in issues.items():
        world_issues[name] = issue
        copy = dict(issue)
        copy["rationale"] = f"SYNTHETIC copy of {name} (same priors), for scale only"
        world_issues[f"{name}_2"] = copy
    with open(os.path.join(out, "issues.yaml"), "w") as f:
        f.write("# Ten issues for scale: the five of configs/data/issues.yaml and a SYNTHETIC copy of each\n"
                "# (suffix _2, same priors). Generated by make_world.py.\n")
        yaml.safe_dump({"description": "World scale: five issues and a synthetic copy of each",
                        "issues": world_issues}, f, sort_keys=False, allow_unicode=True, width=200)

    means = {}
    for row in rows:
        base = salience["mean"].get(row["code"])
        means[row["code"]] = {}
        for name in world_issues:
            original = name[:-2] if name.endswith("_2") else name
            means[row["code"]][name] = base[original] if base else 0.2
    with open(os.path.join(out, "salience.yaml"), "w") as f:
        f.write("# Salience means: the default set's for its countries (configs/data/salience.yaml), and an\n"
                "# ASSUMPTION of 0.2 for every other country and issue. Generated by make_world.py.\n")
        yaml.safe_dump({"description": "World scale salience (assumptions)",
                        "concentration": salience["concentration"], "like_mindedness": salience["like_mindedness"],
                        "mean": means}, f, sort_keys=False, allow_unicode=True, width=200)
    print(f"wrote {len(rows)} countries and {len(world_issues)} issues to {out}")


if __name__ == "__main__":
    main()
