#!/usr/bin/env bash
# Every class of bad input is rejected with a message naming the record and the field, with
# exit code 3 (validation failure), and the database is left exactly as it was.
source "$(dirname "$0")/lib.sh"
R=${1:?usage: bad_input_test.sh path/to/reclaim}
DB=$WORK/national.gpkg
"$R" --db "$DB" init >/dev/null || { echo "init failed"; exit 1; }

HDR="id,name,hazard_type,contamination,status,province_code,village_code,date_recorded,estimated_area_m2,wkt"
GOOD=$(square 103.010 13.500 0.001)
printf '%s\nKH-HZ-9,base,CHA,AP,open,01,01020101,2019-03-01,,"%s"\n' "$HDR" "$GOOD" > "$WORK/base.csv"
"$R" --db "$DB" import hazards "$WORK/base.csv" >/dev/null || { echo "base import failed"; exit 1; }
snapshot() { sqlite3 "$DB" "SELECT * FROM hazards; SELECT * FROM activities; SELECT * FROM casualties; SELECT seq FROM history" | md5sum; }
BEFORE=$(snapshot)

# reject NAME FIELD_OR_TEXT ENTITY FILE [extra args]: import must fail with exit 3, name the
# record/field, and leave the database unchanged
reject() {
  local what=$1 needle=$2 entity=$3 file=$4; shift 4
  run "$R" --db "$DB" import "$entity" "$file" "$@"
  expect_rc 3 "$what is rejected"
  expect_out "$needle" "$what: message names '$needle'"
  expect_eq "$(snapshot)" "$BEFORE" "$what: database unchanged"
}
hz() { # hz ID ... one hazard row (fields after id) into a file
  local f=$WORK/$1.csv; shift; printf '%s\n%s\n' "$HDR" "$*" > "$f"; echo "$f"
}
# a good row followed by a bad one: the good one must not land either
mixed() { local f=$WORK/$1.csv; printf '%s\nKH-HZ-OK,ok,CHA,AP,open,01,01020101,2019-03-01,,"%s"\n%s\n' "$HDR" "$(square 103.02 13.50 0.001)" "$2" > "$f"; echo "$f"; }

reject "bow-tie polygon" "KH-HZ-B" hazards "$(mixed bowtie 'KH-HZ-B,b,CHA,AP,open,01,01020101,2019-03-01,,"POLYGON((103.01 13.50,103.02 13.51,103.02 13.50,103.01 13.51,103.01 13.50))"')"
run "$R" --db "$DB" import hazards "$WORK/bowtie.csv"; expect_out "vertex" "bow-tie: the message names the vertex"
reject "too few points" "geometry" hazards "$(mixed few 'KH-HZ-F,f,CHA,AP,open,01,01020101,2019-03-01,,"POLYGON((103.01 13.50,103.02 13.51,103.01 13.50))"')"
reject "unclosed ring" "KH-HZ-U" hazards "$(mixed unclosed 'KH-HZ-U,u,CHA,AP,open,01,01020101,2019-03-01,,"POLYGON((103.01 13.50,103.02 13.50,103.02 13.51,103.01 13.51))"')"
reject "spike" "KH-HZ-S" hazards "$(mixed spike 'KH-HZ-S,s,CHA,AP,open,01,01020101,2019-03-01,,"POLYGON((103.01 13.50,103.02 13.50,103.05 13.505,103.02 13.50001,103.02 13.51,103.01 13.51,103.01 13.50))"')"
reject "outside Cambodia" "KH-HZ-O" hazards "$(mixed outside 'KH-HZ-O,o,CHA,AP,open,01,01020101,2019-03-01,,"'"$(square 100.50 13.70 0.001)"'"')"
reject "swapped lat/lon" "swapped" hazards "$(mixed swapped 'KH-HZ-W,w,CHA,AP,open,01,01020101,2019-03-01,,"POLYGON((13.50 103.01,13.50 103.02,13.51 103.02,13.51 103.01,13.50 103.01))"')"
reject "latitude out of range" "KH-HZ-L" hazards "$(mixed range 'KH-HZ-L,l,CHA,AP,open,01,01020101,2019-03-01,,"POLYGON((103.01 95,103.02 95,103.02 95.01,103.01 95,103.01 95))"')"
reject "unknown province" "province_code" hazards "$(mixed prov 'KH-HZ-P,p,CHA,AP,open,99,01020101,2019-03-01,,"'"$GOOD"'"')"
reject "unknown village" "village_code" hazards "$(mixed vill 'KH-HZ-V,v,CHA,AP,open,01,01999999,2019-03-01,,"'"$GOOD"'"')"
reject "polygon in another province" "KH-HZ-X" hazards "$(mixed wrongprov 'KH-HZ-X,x,CHA,CMR,open,16,16010101,2019-03-01,,"'"$GOOD"'"')"
reject "negative area" "estimated_area_m2" hazards "$(mixed neg 'KH-HZ-N,n,CHA,AP,open,01,01020101,2019-03-01,-5,"'"$GOOD"'"')"
reject "non-numeric area" "estimated_area_m2" hazards "$(mixed nan 'KH-HZ-A,a,CHA,AP,open,01,01020101,2019-03-01,ten,"'"$GOOD"'"')"
reject "unparseable date" "date_recorded" hazards "$(mixed date 'KH-HZ-D,d,CHA,AP,open,01,01020101,2019-02-30,,"'"$GOOD"'"')"
reject "future date" "in the future" hazards "$(mixed future 'KH-HZ-T,t,CHA,AP,open,01,01020101,2031-01-01,,"'"$GOOD"'"')"
reject "duplicate id in the file" "duplicate id" hazards "$(mixed dup 'KH-HZ-OK,dup,CHA,AP,open,01,01020101,2019-03-01,,"'"$(square 103.03 13.50 0.001)"'"')"
reject "duplicate id against the database" "already exists" hazards "$(mixed dupdb 'KH-HZ-9,again,CHA,AP,open,01,01020101,2019-03-01,,"'"$(square 103.03 13.50 0.001)"'"')"
reject "unknown enum value" "hazard_type" hazards "$(mixed enum 'KH-HZ-E,e,XHA,AP,open,01,01020101,2019-03-01,,"'"$GOOD"'"')"
reject "missing required field" "date_recorded" hazards "$(mixed req 'KH-HZ-R,r,CHA,AP,open,01,01020101,,,"'"$GOOD"'"')"
printf '%s\nKH-HZ-U8,\xff\xfe bad,CHA,AP,open,01,01020101,2019-03-01,,"%s"\n' "$HDR" "$GOOD" > "$WORK/latin1.csv"
reject "non-UTF-8 text" "UTF-8" hazards "$WORK/latin1.csv"
# a CSV line over the 10,000,000-byte limit (row 3, after a good row 2): refused naming the row
# and the limit, nothing imported
{ printf '%s\nKH-HZ-OK,ok,CHA,AP,open,01,01020101,2019-03-01,,"%s"\nKH-HZ-LONG,' "$HDR" "$(square 103.02 13.50 0.001)"
  head -c 10000001 /dev/zero | tr '\0' 'x'; printf ',CHA,AP,open,01,01020101,2019-03-01,,\n'; } > "$WORK/longline.csv"
reject "over-long CSV line" "row 3: the line is longer than the limit of 10000000 bytes" hazards "$WORK/longline.csv"
rm -f "$WORK/longline.csv"
printf 'id,nmae\nX,1\n' > "$WORK/typo.csv"
reject "unknown column" "nmae" hazards "$WORK/typo.csv"

# activities
AHDR="activity_id,hazard_id,type,org,start_date,end_date,cancelled_m2,reduced_m2,cleared_m2"
printf '%s\nAC-1,KH-HZ-404,clearance,CMAC,2021-01-01,2021-02-01,,,100\n' "$AHDR" > "$WORK/act_unknown.csv"
reject "activity for an unknown hazard" "KH-HZ-404" activities "$WORK/act_unknown.csv"
printf '%s\nAC-2,KH-HZ-9,clearance,CMAC,2021-01-01,2021-02-01,,,8000\nAC-3,KH-HZ-9,clearance,CMAC,2021-03-01,2021-04-01,,,8000\n' "$AHDR" > "$WORK/act_over.csv"
reject "release below zero" "AC-3" activities "$WORK/act_over.csv"
run "$R" --db "$DB" import activities "$WORK/act_over.csv"; expect_out "remaining" "over-release: message gives what remains"
printf '%s\nAC-4,KH-HZ-9,non_technical_survey,CMAC,2021-01-01,2021-02-01,,,100\n' "$AHDR" > "$WORK/act_nts.csv"
reject "an NTS that clears" "cleared_m2" activities "$WORK/act_nts.csv"

# casualties
CHDR="id,date,province_code,village_code,outcome,sex,age,category,device"
for age in -1 130 abc; do
  printf '%s\nCAS-1,2020-01-01,01,01020101,injured,male,%s,civilian,PMN-2\n' "$CHDR" "$age" > "$WORK/age.csv"
  reject "casualty age $age" "age" casualties "$WORK/age.csv"
done

# files that are not what they say, or are cut short
echo "this is not a geopackage" > "$WORK/fake.gpkg"
reject "a text file named .gpkg" "fake.gpkg" hazards "$WORK/fake.gpkg"
printf 'id,name\n1,2\n' > "$WORK/fake.geojson"
reject "a CSV named .geojson" "fake.geojson" hazards "$WORK/fake.geojson"
"$R" --db "$DB" export hazards --format geojson -o "$WORK/full.geojson" >/dev/null
head -c 300 "$WORK/full.geojson" > "$WORK/cut.geojson"
reject "a truncated GeoJSON" "cut.geojson" hazards "$WORK/cut.geojson"
"$R" --db "$DB" export hazards --format gpkg -o "$WORK/full.gpkg" >/dev/null
head -c 2000 "$WORK/full.gpkg" > "$WORK/cut.gpkg"
run "$R" --db "$DB" import hazards "$WORK/cut.gpkg"
if [ "$RC" != 0 ] && [ "$RC" -lt 70 ]; then ok "a truncated GeoPackage is rejected (exit $RC)"; else bad "truncated gpkg"; fi
expect_eq "$(snapshot)" "$BEFORE" "truncated GeoPackage: database unchanged"
run "$R" --db "$DB" import hazards "$WORK/does-not-exist.csv"
expect_rc 4 "a missing file is not found"

# --skip-invalid keeps the good records and lists the bad ones
run "$R" --db "$DB" import hazards "$WORK/neg.csv" --skip-invalid --errors-json "$WORK/errors.json"
expect_rc 0 "--skip-invalid imports the valid records"
expect_out "1 rejected" "--skip-invalid reports the rejected count"
python3 -c "import json,sys; e=json.load(open(sys.argv[1])); assert e[0]['field']=='estimated_area_m2' and 'KH-HZ-N' in e[0]['record']" "$WORK/errors.json" \
  && ok "--errors-json names the record and the field" || bad "--errors-json"
run "$R" --db "$DB" import
expect_rc 2 "usage error"
finish
