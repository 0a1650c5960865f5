-- Stored canonical bytes and commitment recipe v2 (docs/decisions/017-stored-canonical-bytes.md).
--
-- Every record keeps the exact RFC 8785 bytes of its resource; verification hashes them and the pages show them.
-- Rows created before this migration (recipe v1) get their bytes from the backfill job (lib/jobs/backfill-canonical.ts,
-- run by the worker at start and by `npm run backfill-canonical`), which then proves every backfilled row with the
-- full verification; SQL cannot compute RFC 8785, so the bytes are not written here. Until then such a row verifies
-- as `unavailable`, never as `verified`.

ALTER TABLE "Patient" ADD COLUMN "identityVersion" INTEGER NOT NULL DEFAULT 1;

ALTER TABLE "MedicalRecord"
  ADD COLUMN "canonical" BYTEA,
  ADD COLUMN "recipeVersion" INTEGER NOT NULL DEFAULT 1,
  ADD COLUMN "identityVersion" INTEGER;

-- The JSONB `resource` stays as a query copy (research cohorts) and is never shown or exported. Whether it still
-- equals the bytes is computed by PostgreSQL on every write of either column, so a render reads the answer with the
-- row for free; a row whose bytes are not valid UTF-8 JSON reads false. IMMUTABLE holds: the result depends on the
-- two values only (the database encoding is fixed at creation).
CREATE FUNCTION medical_record_copy_intact(resource jsonb, canonical bytea) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF canonical IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN resource IS NOT DISTINCT FROM convert_from(canonical, 'UTF8')::jsonb;
EXCEPTION WHEN others THEN
  RETURN false;
END
$$;

ALTER TABLE "MedicalRecord"
  ADD COLUMN "resourceCopyIntact" BOOLEAN GENERATED ALWAYS AS (medical_record_copy_intact("resource", "canonical")) STORED;

