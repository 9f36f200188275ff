-- cqrs schema, version 2, for PostgreSQL 15 and later: tags on events, for queries and append conditions across
-- streams (dynamic consistency boundaries), and the events table without its index on position. Adding a column with
-- a constant default rewrites nothing, so this runs in an instant on a large events table; building the GIN index
-- reads the table once. The index leaves out events without tags (GIN would index their empty array too, at a cost on
-- every append); queries by tag say tags <> '{}'. fastupdate is off: with it, new entries wait in a pending list that
-- every read by tag scans whole, and decisions read by tag all the time (measured: 0.6 ms per read under 8 writers
-- with it, a tenth of that without).
-- Every statement is idempotent. Frozen once released: a later change is a new file.

ALTER TABLE ${schema}.${prefix}events ADD COLUMN IF NOT EXISTS tags text[] NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS ${prefix}events_tags ON ${schema}.${prefix}events USING gin (tags) WITH (fastupdate = off)
  WHERE tags <> '{}';

-- No primary key on position (version 1 had one). Positions are unique by their identity sequence (GENERATED
-- ALWAYS), and nothing looks an event up by its position alone: reads follow the global order's index
-- (transaction_id, position), a stream its (stream_id, version) key, repeated appends the event ids. The index on
-- position cost every append one more insertion into the last page of an index, where concurrent appends queue for
-- the page: 7 to 13% of append throughput with 8 writers (docs/benchmarks.md). Dropping it rewrites nothing.
-- (stream_id, version) is the replica identity instead, for logical replication and tools that need a unique key.
DO $$
DECLARE
  pk text;
BEGIN
  SELECT conname INTO pk FROM pg_constraint WHERE conrelid = '${schema}.${prefix}events'::regclass AND contype = 'p';
  IF pk IS NOT NULL THEN
    EXECUTE format('ALTER TABLE ${schema}.${prefix}events DROP CONSTRAINT %I', pk);
  END IF;
END $$;
ALTER TABLE ${schema}.${prefix}events REPLICA IDENTITY USING INDEX ${prefix}events_stream_version;

-- A dead letter keeps its event whole, tags included.
ALTER TABLE ${schema}.${prefix}dead_letters ADD COLUMN IF NOT EXISTS tags text[] NOT NULL DEFAULT '{}';

UPDATE ${schema}.${prefix}schema_version SET version = 2 WHERE id = 1 AND version = 1;
