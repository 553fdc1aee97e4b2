#!/usr/bin/env bash
# The everyday path of a national database officer: init, import hazards and activities,
# status, export to every format, re-import the export, open the file with GDAL.
source "$(dirname "$0")/lib.sh"
R=${1:?usage: cli_test.sh path/to/reclaim}
DB=$WORK/national.gpkg

run "$R" --db "$DB" init
expect_rc 0 "init creates the database and loads the gazetteer"
expect_eq "$(sqlite3 "$DB" "SELECT COUNT(*) FROM admin_units WHERE level=4")" 14578 "14,578 villages loaded"
expect_eq "$(sqlite3 "$DB" "SELECT COUNT(*) FROM admin_units WHERE level=1")" 25 "25 provinces loaded"

# three hazards in Banteay Meanchey (village 01020101, commune Banteay Neang ~103.02E 13.51N)
S1=$(square 103.010 13.500 0.001); S2=$(square 103.0105 13.500 0.001); S3=$(square 103.030 13.520 0.002)
cat > "$WORK/hazards.csv" <<CSV
id,name,hazard_type,contamination,status,province_code,village_code,date_recorded,estimated_area_m2,wkt
KH-HZ-1,ភូមិអូរធំ minefield,CHA,AP,open,01,01020101,2019-03-01,,"$S1"
KH-HZ-2,Ou Thum east,SHA,AP,open,01,01020101,2020-05-11,12000,"$S2"
KH-HZ-3,Ou Thum north,CHA,AT,open,1,1020101,2021-01-20,,"$S3"
CSV
run "$R" --db "$DB" validate hazards "$WORK/hazards.csv"
expect_rc 0 "validate accepts a good file"
expect_eq "$(count "$DB" hazards)" 0 "validate writes nothing"
run "$R" --db "$DB" import hazards "$WORK/hazards.csv"
expect_rc 0 "import hazards from CSV with a WKT column"
expect_out "imported 3 of 3 hazards" "import reports its count"
expect_eq "$(count "$DB" hazards)" 3 "3 hazards stored"
expect_eq "$(sqlite3 "$DB" "SELECT name FROM hazards WHERE id='KH-HZ-1'")" "ភូមិអូរធំ minefield" "Khmer text stored unchanged"
expect_eq "$(sqlite3 "$DB" "SELECT province_code||'/'||village_code FROM hazards WHERE id='KH-HZ-3'")" "01/01020101" "codes that lost their leading zeros are restored"
AREA=$(sqlite3 "$DB" "SELECT CAST(estimated_area_m2 AS INTEGER) FROM hazards WHERE id='KH-HZ-1'")
python3 -c "import sys; a=int(sys.argv[1]); sys.exit(0 if 11500 < a < 12500 else 1)" "$AREA" \
  && ok "empty estimated area takes the geodesic polygon area ($AREA m²)" \
  || { echo "FAIL - geodesic default area $AREA"; FAILS=$((FAILS+1)); }

# land release: NTS cancels, TS reduces, clearance clears to zero and closes the hazard
cat > "$WORK/activities.csv" <<CSV
activity_id,hazard_id,type,org,start_date,end_date,cancelled_m2,reduced_m2,cleared_m2,ap_mines,at_mines,erw_items
AC-1,KH-HZ-2,non_technical_survey,CMAC,2021-01-04,2021-01-08,2000,,,,,
AC-2,KH-HZ-2,technical_survey,CMAC,2021-02-01,2021-02-20,,4000,,,,
AC-3,KH-HZ-2,clearance,HALO,2022-01-10,2022-03-30,,,6000,14,1,3
AC-4,KH-HZ-3,clearance,MAG,2023-01-10,2023-02-28,,,1000,2,0,0
CSV
run "$R" --db "$DB" import activities "$WORK/activities.csv"
expect_rc 0 "import activities"
expect_out "2 hazards updated" "activities move their hazards"
expect_eq "$(sqlite3 "$DB" "SELECT status||' '||remaining_m2 FROM hazards WHERE id='KH-HZ-2'")" "closed 0.0" "released to zero closes the hazard"
expect_eq "$(sqlite3 "$DB" "SELECT status FROM hazards WHERE id='KH-HZ-3'")" "worked_on" "partly cleared hazard is worked on"
expect_eq "$(sqlite3 "$DB" "SELECT COUNT(*) FROM history WHERE entity='hazards' AND record_id='KH-HZ-2'")" 2 "history keeps the insert and the release"

run "$R" --db "$DB" status --json
expect_rc 0 "status --json"
echo "$OUT" > "$WORK/status.json"
python3 - "$WORK/status.json" <<'PY' && ok "status figures computed from the records" || { echo "FAIL - status figures"; FAILS=$((FAILS+1)); }
import json, sys
s = json.load(open(sys.argv[1]))["national"]
ap = s["remaining_by_contamination"]["AP"]
assert ap["hazards"] == 1, ap                      # KH-HZ-2 is closed
assert s["released_by_year"]["2021"]["cancelled_m2"] == 2000
assert s["released_by_year"]["2021"]["reduced_m2"] == 4000
assert s["released_by_year"]["2022"]["cleared_m2"] == 6000
assert s["eo_destroyed_by_year"]["2022"]["ap_mines"] == 14
assert s["hazards"]["SHA"]["closed"] == 1
PY
run "$R" --db "$DB" status --as-of 2021-12-31 --json
python3 -c "import json,sys; s=json.loads(sys.argv[1])['national']; assert s['hazards']['SHA']['worked_on']==1; assert '2022' not in s['released_by_year']" "$OUT" \
  && ok "status --as-of replays only what was known then" || bad "status --as-of"

# export to every format and re-import into a fresh database: same records
for fmt in gpkg geojson csv xlsx shp kml; do
  ext=$fmt; [ "$fmt" = shp ] && ext=zip
  run "$R" --db "$DB" export hazards --format "$fmt" -o "$WORK/out.$ext"
  expect_rc 0 "export hazards as $fmt"
  DB2=$WORK/copy_$fmt.gpkg
  "$R" --db "$DB2" init >/dev/null 2>&1
  run "$R" --db "$DB2" import hazards "$WORK/out.$ext"
  expect_rc 0 "re-import the $fmt export"
  expect_eq "$(count "$DB2" hazards)" 3 "$fmt round trip keeps 3 hazards"
  expect_eq "$(sqlite3 "$DB2" "SELECT name FROM hazards WHERE id='KH-HZ-1'")" "ភូមិអូរធំ minefield" "$fmt round trip keeps Khmer text"
  A1=$(sqlite3 "$DB" "SELECT ROUND(estimated_area_m2,3) FROM hazards WHERE id='KH-HZ-3'")
  A2=$(sqlite3 "$DB2" "SELECT ROUND(estimated_area_m2,3) FROM hazards WHERE id='KH-HZ-3'")
  expect_eq "$A2" "$A1" "$fmt round trip keeps the area"
done

# GDAL (and so QGIS) reads the national database directly
run ogrinfo -ro -q "$DB"
expect_out "hazards (Multi Polygon)" "ogrinfo lists the hazards layer"
expect_out "casualties" "ogrinfo lists the attribute tables"
run ogrinfo -ro -al -so "$DB" hazards
expect_out "Feature Count: 3" "ogrinfo reads the hazard features"

# --map renames columns of other systems' exports (IMSMA-style names)
sed -e '1s/.*/Hazard_ID,Name,HazType,Contam,Status,Prov,Vill,Date,Area,wkt/' "$WORK/hazards.csv" | sed 's/KH-HZ-/KH-HZ-M/' > "$WORK/imsma.csv"
run "$R" --db "$DB" import hazards "$WORK/imsma.csv" --map Hazard_ID=id --map Name=name --map HazType=hazard_type \
  --map Contam=contamination --map Status=status --map Prov=province_code --map Vill=village_code \
  --map Date=date_recorded --map Area=estimated_area_m2
expect_rc 0 "import with --map renames"
expect_eq "$(count "$DB" hazards)" 6 "mapped records imported"

# accounts with an organisation or a province (the roles of organisation boundaries)
export RECLAIM_PASSWORD='a long enough passphrase'
cat > "$WORK/orgs.csv" <<CSV
id,name,type
CMAC,Cambodian Mine Action Centre,operator
JPN,Government of Japan,donor
CSV
run "$R" --db "$DB" import organisations "$WORK/orgs.csv"
expect_rc 0 "import organisations"
USERS0=$(count "$DB" users)
run "$R" --db "$DB" user add mapu01 --role provincial_planner --province 01
expect_rc 0 "user add a provincial planner with --province"
expect_eq "$(sqlite3 "$DB" "SELECT role||'/'||province_code FROM users WHERE id='mapu01'")" "provincial_planner/01" "the planner's province is stored"
run "$R" --db "$DB" user add dara --role operator_data_officer --organisation CMAC
expect_rc 0 "user add an officer with --organisation"
run "$R" --db "$DB" user add jica --role donor --organisation JPN
expect_rc 0 "user add a donor with --organisation"
expect_eq "$(sqlite3 "$DB" "SELECT org FROM users WHERE id='jica'")" "JPN" "the donor's organisation is stored"
run "$R" --db "$DB" user list
expect_out "prov 01" "user list shows the planner's province"
run "$R" --db "$DB" user add mapu99 --role provincial_planner --province 99
expect_rc 4 "an unknown province is refused"
expect_out "unknown province '99'" "… naming the province"
run "$R" --db "$DB" user add mapu00 --role provincial_planner
expect_rc 3 "a planner without a province is refused"
expect_out "needs --province" "… saying what is missing"
run "$R" --db "$DB" user add nodonor --role donor
expect_rc 3 "a donor without an organisation is refused"
run "$R" --db "$DB" user add ana --role analyst --province 01
expect_rc 3 "a province for another role is refused"
expect_eq "$(count "$DB" users)" $((USERS0 + 3)) "refused accounts write nothing"
unset RECLAIM_PASSWORD
finish
