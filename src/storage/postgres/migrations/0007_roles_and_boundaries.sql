-- Step 7: organisation boundaries and the provincial planner and donor roles.
--   users.province_code      the province a provincial planner reads (MAPU/PMAC)
--   hazards.assigned_org     the operator tasked with a hazard: its data officers verify reports
--                            on it (recording_org when empty)
--   submissions.verify_by    who verifies a report: an organisation code or 'national'
-- Reports submitted before this step were verified by their own organisation.
ALTER TABLE "users" ADD COLUMN "province_code" text;
ALTER TABLE "hazards" ADD COLUMN "assigned_org" text;
ALTER TABLE "submissions" ADD COLUMN "verify_by" text;
UPDATE "submissions" SET "verify_by" = "org";
CREATE INDEX IF NOT EXISTS "hazards_assigned_org" ON "hazards" ("assigned_org" COLLATE "C");
