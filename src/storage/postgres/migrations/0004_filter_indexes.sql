-- Step 4: b-tree indexes on the columns the API filters and sorts on (admin codes, status,
-- contamination, hazard type, type, organisation, the main date). Databases at version 3
-- get them when they are next opened.
-- Text is indexed COLLATE "C": the adapter compares and sorts text bytewise (as SQLite
-- does), and starts_with() (admin-code prefixes) uses a C-collation b-tree.
CREATE INDEX IF NOT EXISTS "hazards_province_code" ON "hazards" ("province_code" COLLATE "C");
CREATE INDEX IF NOT EXISTS "hazards_village_code" ON "hazards" ("village_code" COLLATE "C");
CREATE INDEX IF NOT EXISTS "hazards_status" ON "hazards" ("status" COLLATE "C");
CREATE INDEX IF NOT EXISTS "hazards_contamination" ON "hazards" ("contamination" COLLATE "C");
CREATE INDEX IF NOT EXISTS "hazards_hazard_type" ON "hazards" ("hazard_type" COLLATE "C");
CREATE INDEX IF NOT EXISTS "hazards_date_recorded" ON "hazards" ("date_recorded" COLLATE "C");
CREATE INDEX IF NOT EXISTS "hazards_recording_org" ON "hazards" ("recording_org" COLLATE "C");
CREATE INDEX IF NOT EXISTS "activities_hazard_id" ON "activities" ("hazard_id" COLLATE "C");
CREATE INDEX IF NOT EXISTS "activities_type" ON "activities" ("type" COLLATE "C");
CREATE INDEX IF NOT EXISTS "activities_org" ON "activities" ("org" COLLATE "C");
CREATE INDEX IF NOT EXISTS "activities_end_date" ON "activities" ("end_date" COLLATE "C");
CREATE INDEX IF NOT EXISTS "eo_finds_date" ON "eo_finds" ("date" COLLATE "C");
CREATE INDEX IF NOT EXISTS "eo_finds_province_code" ON "eo_finds" ("province_code" COLLATE "C");
CREATE INDEX IF NOT EXISTS "eo_finds_village_code" ON "eo_finds" ("village_code" COLLATE "C");
CREATE INDEX IF NOT EXISTS "accidents_date" ON "accidents" ("date" COLLATE "C");
CREATE INDEX IF NOT EXISTS "accidents_province_code" ON "accidents" ("province_code" COLLATE "C");
CREATE INDEX IF NOT EXISTS "accidents_village_code" ON "accidents" ("village_code" COLLATE "C");
CREATE INDEX IF NOT EXISTS "casualties_date" ON "casualties" ("date" COLLATE "C");
CREATE INDEX IF NOT EXISTS "casualties_province_code" ON "casualties" ("province_code" COLLATE "C");
