-- A tier's role is never the owner or a superuser (docs/decisions/016-database-refuses-to-rewrite-history.md):
-- revoking a tier's grants from the owner would lock it out of its own tables, and a superuser ignores grants.
-- `npm start` records roles given in APP_DATABASE_URL / WORKER_DATABASE_URL through this function.
CREATE OR REPLACE FUNCTION chartproof_set_roles(web_role text, worker_role text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF web_role = worker_role THEN
    RAISE EXCEPTION 'the web tier and the worker need two different roles';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname IN (web_role, worker_role) AND rolsuper)
     OR EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'MedicalRecord' AND tableowner IN (web_role, worker_role)) THEN
    RAISE EXCEPTION 'a tier''s role must be neither the owner nor a superuser';
  END IF;
  INSERT INTO "_chartproof_roles" (tier, role) VALUES ('web', web_role), ('worker', worker_role)
    ON CONFLICT (tier) DO UPDATE SET role = EXCLUDED.role;
  PERFORM chartproof_apply_grants();
END
$$;
REVOKE ALL ON FUNCTION chartproof_set_roles(text, text) FROM PUBLIC;
