#!/usr/bin/env python3
"""Writes the seed corpora (fuzz/corpus/<target>/seed_*) from small, readable inputs: a few good
records of each import format (XLSX and zipped Shapefile made with ogr2ogr), geometries, JSON
bodies, query strings, cookies and tokens. Run from the repository root; the corpora are
committed, so this is only needed to regenerate them. Crashing inputs found by fuzzing are added
beside the seeds as crash_<what> and are never regenerated."""
import json
import os
import pathlib
import shutil
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"
HAZARDS, ACTIVITIES, EO_FINDS, ACCIDENTS, CASUALTIES = 2, 3, 4, 5, 6  # core::all_schemas() order


def put(target, name, data):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed_" + name)).write_bytes(data if isinstance(data, bytes) else data.encode())


def square(lon, lat, d):
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


SQ = square(103.010, 13.500, 0.001)
WKT_SQ = "POLYGON((" + ",".join(f"{x} {y}" for x, y in SQ) + "))"
HAZ = {"id": "KH-HZ-1", "name": "Ou Thum", "hazard_type": "CHA", "contamination": "AP",
       "status": "open", "province_code": "01", "village_code": "01020101",
       "date_recorded": "2019-03-01", "estimated_area_m2": 12000}

# ---- geometry ----
def wkb_point(x, y):
    return struct.pack("<BIdd", 1, 1, x, y)


def wkb_polygon(rings):
    out = struct.pack("<BII", 1, 3, len(rings))
    for r in rings:
        out += struct.pack("<I", len(r)) + b"".join(struct.pack("<dd", x, y) for x, y in r)
    return out


def wkb_multi(polys):
    return struct.pack("<BII", 1, 6, len(polys)) + b"".join(wkb_polygon(p) for p in polys)


hole = [[103.0102, 13.5002], [103.0102, 13.5004], [103.0104, 13.5004], [103.0104, 13.5002],
        [103.0102, 13.5002]]
wkbs = {"point": wkb_point(103.5, 12.5), "polygon": wkb_polygon([SQ]),
        "polygon_hole": wkb_polygon([SQ, hole]),
        "multipolygon": wkb_multi([[SQ], [square(103.02, 13.5, 0.001)]]),
        "big_endian_point": struct.pack(">BIdd", 0, 1, 103.5, 12.5),
        "point_z": struct.pack("<BIddd", 1, 1001, 103.5, 12.5, 7.0),
        "empty_polygon": struct.pack("<BII", 1, 3, 0),
        "collection": struct.pack("<BII", 1, 7, 1) + wkb_point(103.5, 12.5)}
for k, v in wkbs.items():
    put("wkb", k, v)


def gpkg(wkb, env=None, empty=False):
    flags = 0x01 | (0x10 if empty else 0) | ((1 << 1) if env else 0)
    head = b"GP" + bytes([0, flags]) + struct.pack("<i", 4326)
    if env:
        head += struct.pack("<4d", *env)
    return head + wkb


put("gpkg_blob", "point", gpkg(wkbs["point"]))
put("gpkg_blob", "polygon", gpkg(wkbs["polygon"], (103.010, 103.011, 13.5, 13.501)))
put("gpkg_blob", "multipolygon", gpkg(wkbs["multipolygon"], (103.01, 103.021, 13.5, 13.501)))
put("gpkg_blob", "empty", gpkg(struct.pack("<BII", 1, 3, 0), empty=True))

for k, v in {"point": "POINT (103.5 12.5)", "polygon": WKT_SQ,
             "polygon_hole": "POLYGON((" + ",".join(f"{x} {y}" for x, y in SQ) + "),(" +
             ",".join(f"{x} {y}" for x, y in hole) + "))",
             "multipolygon": "MULTIPOLYGON(((103 13,103.001 13,103.001 13.001,103 13)),"
                             "((103.01 13,103.011 13,103.011 13.001,103.01 13)))",
             "point_z": "POINT Z (103.5 12.5 4)", "empty": "POLYGON EMPTY",
             "lower": "point(103.5 12.5)"}.items():
    put("wkt", k, v)

# ---- imports ----
fc = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {k: v for k, v in HAZ.items()},
     "geometry": {"type": "Polygon", "coordinates": [SQ]}}]}
put("import_geojson", "hazard", bytes([HAZARDS]) + json.dumps(fc).encode())
acc = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": "KH-AC-1", "date": "2021-04-02",
                                       "province_code": "01", "village_code": "01020101",
                                       "device_category": "ap_blast", "demining_accident": False},
     "geometry": {"type": "Point", "coordinates": [103.0105, 13.5005]}}]}
put("import_geojson", "accident", bytes([ACCIDENTS]) + json.dumps(acc).encode())
put("import_geojson", "multipolygon", bytes([HAZARDS]) + json.dumps(
    {"type": "Feature", "properties": HAZ,
     "geometry": {"type": "MultiPolygon", "coordinates": [[SQ], [square(103.02, 13.5, 0.001)]]}}
).encode())

csv_h = ("id,name,hazard_type,contamination,status,province_code,village_code,date_recorded,"
         "estimated_area_m2,wkt\n"
         f'KH-HZ-1,Ou Thum,CHA,AP,open,01,01020101,2019-03-01,,"{WKT_SQ}"\n'
         f"KH-HZ-2,'=HYPERLINK(1),SHA,AT,open,1,1020101,2020-05-11,12000,\"{WKT_SQ}\"\n")
put("import_csv", "hazards", bytes([HAZARDS]) + csv_h.encode())
put("import_csv", "eo_finds_lonlat", bytes([EO_FINDS]) + (
    "id,date,category,count,province_code,village_code,lon,lat\n"
    "F-1,2021-02-02,ap_blast,3,01,01020101,103.0105,13.5005\n").encode())
put("import_csv", "casualties", bytes([CASUALTIES]) + (
    "id,date,province_code,village_code,outcome,sex,age,category,name\n"
    "C-1,2021-04-02,01,01020101,injured,female,34,civilian,ស្រី\n").encode())

kml = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>KH-HZ-1</name>
<ExtendedData><Data name="id"><value>KH-HZ-1</value></Data>
<Data name="hazard_type"><value>CHA</value></Data><Data name="province_code"><value>01</value></Data>
<Data name="village_code"><value>01020101</value></Data>
<Data name="date_recorded"><value>2019-03-01</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>{" ".join(f"{x},{y}" for x, y in SQ)}
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""
put("import_kml", "hazard", bytes([HAZARDS]) + kml.encode())
put("import_kml", "point", bytes([ACCIDENTS]) + kml.replace(
    "<Polygon><outerBoundaryIs><LinearRing><coordinates>",
    "<Point><coordinates>103.0105,13.5005</coordinates></Point><!--").replace(
    "</coordinates></LinearRing></outerBoundaryIs></Polygon>", "-->").encode())

with tempfile.TemporaryDirectory() as t:
    src = os.path.join(t, "hazards.geojson")
    pathlib.Path(src).write_text(json.dumps(fc))
    xlsx = os.path.join(t, "hazards.xlsx")
    subprocess.run(["ogr2ogr", "-f", "XLSX", xlsx, src, "-nln", "hazards",
                    "-dialect", "sqlite", "-sql",
                    "SELECT id, name, hazard_type, contamination, status, province_code, "
                    "village_code, date_recorded, estimated_area_m2, AsText(geometry) AS wkt "
                    "FROM \"hazards\""], check=True, capture_output=True)
    put("import_xlsx", "hazards", bytes([HAZARDS]) + pathlib.Path(xlsx).read_bytes())
    shp = os.path.join(t, "shp")
    os.mkdir(shp)
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", os.path.join(shp, "hazards.shp"), src,
                    "-nln", "hazards"], check=True, capture_output=True)
    z = os.path.join(t, "hazards.zip")
    subprocess.run(["zip", "-j", "-q", z] + sorted(os.path.join(shp, f) for f in os.listdir(shp)),
                   check=True)
    put("import_shpzip", "hazards", bytes([HAZARDS]) + pathlib.Path(z).read_bytes())

# ---- JSON: payloads, records, bodies ----
put("workflow_payload", "hazard", bytes([HAZARDS]) + json.dumps(dict(HAZ, geometry=WKT_SQ)).encode())
put("workflow_payload", "accident_casualties", bytes([ACCIDENTS]) + json.dumps(
    {"accident": {"id": "KH-AC-9", "date": "2021-04-02", "province_code": "01",
                  "village_code": "01020101", "geometry": "POINT(103.0105 13.5005)"},
     "casualties": [{"id": "C-9", "outcome": "killed", "sex": "male", "age": 40,
                     "category": "civilian", "date": "2021-04-02", "province_code": "01",
                     "village_code": "01020101"}]}).encode())
put("workflow_payload", "activity", bytes([ACTIVITIES]) + json.dumps(
    {"activity_id": "AC-1", "hazard_id": "KH-HZ-1", "type": "clearance", "org": "HALO",
     "start_date": "2021-01-04", "end_date": "2021-02-04", "cleared_m2": 100.5,
     "ap_mines": 2, "geometry": None}).encode())
put("record_json", "hazard", bytes([HAZARDS]) + json.dumps(
    dict(HAZ, geometry=WKT_SQ, remaining_m2=12000.0, version=1)).encode())
put("record_json", "casualty", bytes([CASUALTIES]) + json.dumps(
    {"id": "C-1", "outcome": "injured", "age": 34, "name": "ស្រី"}).encode())
put("record_json", "user", bytes([11]) + json.dumps({"id": "dara", "disabled": 0}).encode())

bodies = [(0, {"user": "admin", "password": "mekong-river-2025"}),
          (1, {"id": "dara", "role": "operator_data_officer", "org": "CMAC",
               "password": "mekong-river-2025", "display_name": "Dara"}),
          (2, {"password": "a-new-long-password"}), (3, {}),
          (4, {"entity": "hazards", "date_of_information": "2024-01-02",
               "payload": dict(HAZ, geometry=WKT_SQ)}),
          (5, {"comment": "duplicate of KH-HZ-2", "expected_version": 2}),
          (6, {"comment": "ok", "duplicates_reviewed": True, "expected_version": 3})]
for i, (which, b) in enumerate(bodies):
    put("http_body", f"route{which}", bytes([which, 0]) + json.dumps(b).encode())
put("http_body", "bad_utf8", bytes([0, 0]) + b'{"user": "\xff\xfe", "password": 1}')

# http_request: principal byte, then "METHOD TARGET\nCONTENT-TYPE\nIF-MATCH\nBODY"
reqs = [(1, "GET /api/hazards?province=01&status=open&limit=2&sort=-date_recorded\n\n\n"),
        (0, "GET /api/status?as_of=2022-01-01\n\n\n"),
        (1, "GET /ogc/collections/hazards/items?bbox=102,10,108,15&limit=3&datetime=2019-01-01/..\n\n\n"),
        (2, "POST /api/submissions\napplication/json\n\n" + json.dumps(
            {"entity": "hazards", "date_of_information": "2024-01-02",
             "payload": dict(HAZ, id="KH-HZ-F1", geometry=WKT_SQ)})),
        (3, "POST /api/submissions/1/verify\napplication/json\n1\n{}"),
        (3, "POST /api/submissions/1/approve\napplication/json\n\"2\"\n{\"duplicates_reviewed\":true}"),
        (3, "POST /api/submissions/1/reject\napplication/json\n\n{\"comment\":\"no\"}"),
        (2, "GET /api/inbox\n\n\n"), (4, "GET /api/submissions?status=submitted\n\n\n"),
        (0, "GET /tiles/hazards/8/201/121.mvt\n\n\n"), (0, "GET /api/hazards/KH-HZ-000001/history\n\n\n"),
        (1, "HEAD /ogc/collections/accidents/items?f=json&offset=2\n\n\n"),
        (0, "GET /api/%ff%fe?x=%zz\n\n\n"), (4, "DELETE /api/hazards\n\n\n")]
for i, (who, r) in enumerate(reqs):
    put("http_request", f"{i:02d}", bytes([who]) + r.encode())

queries = [(0, "as_of=2022-01-01"), (1, "province=01&status=open&limit=5&sort=-date_recorded"),
           (1, "limit=2&cursor=KH-HZ-000002"), (11, "bbox=102.5,10.5,107,14.5&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
           (11, "datetime=2019-01-01T00:00:00Z/2020-12-31&limit=10&offset=1"),
           (12, "datetime=../2021-01-01&f=json"), (11, "bbox=1,2,3,4,5,6"), (2, "from=2020-01-01&to=2019-01-01"),
           (3, "entity=accidents&province=1"), (8, ""), (17, "status=approved")]
for i, (path, q) in enumerate(queries):
    put("http_query", f"{i:02d}", bytes([1, path]) + q.encode())

put("credentials", "session", "reclaim_session=eyJ2MXxkYXJhfG9wZXJhdG9yfENNQUN8MXwyfG4.c2ln\n\nabc")
put("credentials", "bearer", "\nBearer dara.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")
put("credentials", "cookies", "lang=km; reclaim_session=a.b; other=\"x\"\nBasic Zm9vOmJhcg==\n")
put("credentials", "high_bytes", b"reclaim_session=\xc3\xa9\xff.\x80\x81\nBearer d.\xf0\x9f\x92\xa3\n")

texts = [(0, "2021-02-28"), (0, "29/02/2020"), (0, "2021-02-30T10:00:00Z"), (1, "192.0.2.7"),
         (1 | 0x80, "[2001:db8::1]:5050"), (1, "10.0.0.0/8, fd00::/8"), (2, "https://example.org/reclaim/"),
         (3, "caf\xe9 \u1780"), (4, "=HYPERLINK(\"x\")"), (4, "'-12"), (5, "\u1780\u17b6")]
for i, (which, t) in enumerate(texts):
    put("text", f"{i:02d}", bytes([which]) + t.encode())
put("text", "bad_utf8", bytes([3]) + b"\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80")
print("seeds written under", ROOT)
