#!/usr/bin/env bash
# The CLI slips a user meets at once (issue 8, item 7): the export format follows the output's
# extension and a --format that contradicts it is a usage error; commands that read a database
# refuse a missing one instead of creating it; --as-of before any record says so; counts and
# messages read as English.
source "$(dirname "$0")/lib.sh"
R=${1:?usage: cli_usage_test.sh path/to/reclaim}
DB=$WORK/national.gpkg
"$R" --db "$DB" init >/dev/null || { echo "init failed"; exit 1; }
HDR="id,name,hazard_type,contamination,status,province_code,village_code,date_recorded,estimated_area_m2,wkt"
printf '%s\nKH-HZ-9,one,CHA,AP,open,01,01020101,2019-03-01,12000,"%s"\n' "$HDR" "$(square 103.010 13.500 0.001)" > "$WORK/one.csv"
"$R" --db "$DB" import hazards "$WORK/one.csv" >/dev/null || { echo "import failed"; exit 1; }

# kind FILE: what the bytes of FILE are, decided without GDAL or Reclaim
kind() {
  python3 - "$1" <<'PY'
import json, sys, zipfile, os
p = sys.argv[1]
if os.path.isdir(p): print("directory"); sys.exit()
b = open(p, "rb").read()
if b.startswith(b"SQLite format 3\0"): print("gpkg")
elif b.startswith(b"PK"):
    names = zipfile.ZipFile(p).namelist()
    print("xlsx" if "[Content_Types].xml" in names else
          "shp-zip" if any(n.endswith(".shp") for n in names) else "zip")
elif b"<kml" in b[:400]: print("kml")
elif b.lstrip(b"\xef\xbb\xbf").startswith(b"{"):
    print("geojson" if json.loads(b).get("type") == "FeatureCollection" else "json")
elif b.lstrip(b"\xef\xbb\xbf").startswith(b"id,"): print("csv")
elif len(b) >= 4 and int.from_bytes(b[:4], "big") == 9994: print("shp")
else: print("unknown")
PY
}

# ---- export: the format follows the extension; --format decides; a contradiction is refused ----
for pair in csv:csv geojson:geojson gpkg:gpkg kml:kml xlsx:xlsx shp:shp zip:shp-zip; do
  ext=${pair%%:*}; want=${pair#*:}
  run "$R" --db "$DB" export hazards -o "$WORK/by_ext.$ext"
  expect_rc 0 "export -o by_ext.$ext without --format"
  expect_eq "$(kind "$WORK/by_ext.$ext")" "$want" "export -o by_ext.$ext writes $want"
done
run "$R" --db "$DB" export hazards -o "$WORK/upper.CSV"
expect_eq "$(kind "$WORK/upper.CSV")" csv "the extension is read in any case (.CSV)"

run "$R" --db "$DB" export hazards --format csv -o "$WORK/x.xlsx"
expect_rc 2 "--format csv -o x.xlsx is a usage error"
expect_out "--format csv" "… naming the flag"
expect_out ".xlsx" "… and the extension"
[ ! -e "$WORK/x.xlsx" ] && ok "… and writes nothing" || bad "--format csv -o x.xlsx wrote $(kind "$WORK/x.xlsx")"
run "$R" --db "$DB" export hazards --format gpkg -o "$WORK/hazards.csv"
expect_rc 2 "--format gpkg -o hazards.csv is a usage error"
run "$R" --db "$DB" export hazards --format shp -o "$WORK/flag.zip"
expect_rc 0 "--format shp -o flag.zip agrees (.zip is a zipped Shapefile)"
expect_eq "$(kind "$WORK/flag.zip")" shp-zip "… and writes a zipped Shapefile"
run "$R" --db "$DB" export hazards --format csv -o "$WORK/flag.txt"
expect_rc 0 "--format csv decides for an extension of no format (.txt)"
expect_eq "$(kind "$WORK/flag.txt")" csv "--format csv -o flag.txt writes a CSV file, not a folder"
run "$R" --db "$DB" export hazards -o "$WORK/hazards.txt"
expect_rc 2 "no --format and an unknown extension is a usage error"
expect_out ".gpkg, .geojson" "… listing the accepted extensions"
[ ! -e "$WORK/hazards.txt" ] && ok "… and writes nothing" || bad "hazards.txt was written"
run "$R" --db "$DB" export hazards --format pdf -o "$WORK/x.pdf"
expect_rc 2 "an unknown --format is a usage error"
expect_out "pdf" "… naming it"

# ---- a missing database is refused by every command that does not create one ----
MISSING=$WORK/typo.gpkg
absent() { # absent DESCRIPTION: neither typo.gpkg nor a file beside it was created
  local left; left=$(ls "$WORK" | grep -c '^typo')
  expect_eq "$left" 0 "$1: no typo.gpkg (nor -wal, -shm, .key) created"
}
refused() { # refused DESCRIPTION: exit 4, the message names the path, nothing created
  expect_rc 4 "$1 refuses a missing database"
  expect_out "no database at $MISSING" "$1: the message names the path"
  absent "$1"
}
run "$R" --db "$MISSING" status;                                   refused "status"
run "$R" --db "$MISSING" status --json;                            refused "status --json"
run "$R" --db "$MISSING" export hazards -o "$WORK/e.gpkg";         refused "export"
[ ! -e "$WORK/e.gpkg" ] && ok "export from a missing database writes no file" || bad "e.gpkg written"
run "$R" --db "$MISSING" import hazards "$WORK/one.csv";           refused "import"
run "$R" --db "$MISSING" validate hazards "$WORK/one.csv";         refused "validate"
run "$R" --db "$MISSING" edits;                                    refused "edits"
run "$R" --db "$MISSING" user list;                                refused "user list"
run env RECLAIM_PASSWORD='a long enough passphrase' "$R" --db "$MISSING" user add ana --role analyst
refused "user add"
run "$R" --db "$MISSING" backup --to "$WORK/b.bak";                refused "backup"
run "$R" --db "$MISSING" key rotate;                               refused "key rotate"
run timeout 20 "$R" --db "$MISSING" serve --listen 127.0.0.1:0;    refused "serve"
run "$R" --db "$DB" --db-read "$MISSING" status;                   refused "a missing --db-read"
run "$R" migrate --from "$MISSING" --to "$WORK/m.gpkg"
expect_rc 4 "migrate --from a missing database is refused"
absent "migrate --from"
# the commands that create one still do
run "$R" --db "$WORK/fresh.gpkg" init
expect_rc 0 "init creates a new database"
run "$R" migrate --from "$DB" --to "$WORK/copy.gpkg"
expect_rc 0 "migrate --to creates a new database"
expect_eq "$(count "$WORK/copy.gpkg" hazards)" 1 "… holding the copied hazard"
expect_out "1 hazard)" "migrate counts in English"
"$R" --db "$DB" backup --to "$WORK/national.bak" >/dev/null
run "$R" --db "$WORK/restored.gpkg" restore --from "$WORK/national.bak"
expect_rc 0 "restore creates a new database"
expect_eq "$(count "$WORK/restored.gpkg" hazards)" 1 "… holding the restored hazard"

# ---- --as-of before any record ----
run "$R" --db "$DB" status --as-of 1990-01-01
expect_rc 0 "status --as-of 1990-01-01"
expect_out "no records on or before 1990-01-01" "… says nothing was recorded by then"
run "$R" --db "$DB" status --as-of 1990-01-01 --json
expect_rc 0 "status --as-of 1990-01-01 --json"
python3 -c "import json,sys; s=json.loads(sys.argv[1]); assert s['as_of']=='1990-01-01'; assert s['national']['released_by_year']=={}; assert s['provinces']==[]" "$OUT" \
  && ok "… is valid JSON with empty figures" || bad "status --as-of 1990 --json"
run "$R" --db "$DB" status --as-of 2019-12-31
expect_out "no land released on or before 2019-12-31" "a hazard but no release yet: says no land released"

# ---- messages read as English ----
run "$R" --db "$DB" export hazards -o "$WORK/count.gpkg"
expect_out "exported 1 hazard to" "one hazard exported is '1 hazard'"
run "$R" --db "$DB" import hazards "$WORK/one.csv"
expect_rc 3 "a hazard already in the database is refused"
expect_out "id KH-HZ-9 already exists in the database" "… naming the record, not 'id id'"
if grep -qF "id id" <<<"$OUT"; then bad "the message says 'id id'"; else ok "… and never says 'id id'"; fi
AHDR="activity_id,hazard_id,type,org,start_date,end_date,cancelled_m2,reduced_m2,cleared_m2"
printf '%s\nAC-1,KH-HZ-9,non_technical_survey,CMAC,2021-01-01,2021-02-01,999999,,\n' "$AHDR" > "$WORK/over.csv"
run "$R" --db "$DB" import activities "$WORK/over.csv" --errors-json "$WORK/over.json"
expect_rc 3 "an over-large cancellation is refused"
expect_out "AC-1 (row 2): cancelled_m2" "… reported under cancelled_m2"
expect_out "1 of 1 activity rejected" "… counting '1 of 1 activity'"
python3 -c "import json,sys; e=json.load(open(sys.argv[1])); assert [x['field'] for x in e]==['cancelled_m2'], e" "$WORK/over.json" \
  && ok "--errors-json names cancelled_m2, not cleared_m2" || bad "errors json field"
printf '%s\nAC-2,KH-HZ-9,technical_survey,CMAC,2021-01-01,2021-02-01,,999999,\n' "$AHDR" > "$WORK/over_r.csv"
run "$R" --db "$DB" import activities "$WORK/over_r.csv"
expect_out "AC-2 (row 2): reduced_m2" "an over-large reduction is reported under reduced_m2"
printf '%s\nAC-3,KH-HZ-9,non_technical_survey,CMAC,2021-01-01,2021-02-01,2000,,\n' "$AHDR" > "$WORK/one_act.csv"
run "$R" --db "$DB" import activities "$WORK/one_act.csv"
expect_out "imported 1 of 1 activity" "one activity imported reads '1 of 1 activity'"
expect_out "; 1 hazard updated" "… and '1 hazard updated'"
finish
