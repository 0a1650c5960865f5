-- One round trip to take a chain of the access log and read its head (docs/decisions/010-access-log.md).
-- Tries every chain's transaction-scoped advisory lock from `start`, takes the first free one, and waits for
-- chain `start` only when all are busy. The head is read by a second command of this VOLATILE function, so under
-- READ COMMITTED it gets a fresh snapshot taken after the lock: it sees the chain's last committed event.
CREATE OR REPLACE FUNCTION audit_lock_chain(start integer, chains integer, lock_class integer)
RETURNS TABLE (chain integer, seq bigint, "lastChainSeq" bigint, "lastHash" text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  taken integer;
BEGIN
  SELECT c.chain INTO taken
  FROM (SELECT 1 + ((start + n) % chains) AS chain, n FROM generate_series(0, chains - 1) AS n) AS c
  WHERE pg_try_advisory_xact_lock(lock_class, c.chain)
  ORDER BY c.n LIMIT 1;
  IF taken IS NULL THEN
    taken := 1 + (start % chains);
    PERFORM pg_advisory_xact_lock(lock_class, taken);
  END IF;
  RETURN QUERY
    SELECT taken, nextval('accessevent_seq_seq'), head."chainSeq", head.hash
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
      SELECT e."chainSeq", e.hash FROM "AccessEvent" AS e WHERE e.chain = taken ORDER BY e."chainSeq" DESC LIMIT 1
    ) AS head ON true;
END
$$;
