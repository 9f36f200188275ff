-- cqrs schema, version 2, for H2 2.x: tags on events, for queries and append conditions across streams (dynamic
-- consistency boundaries). Every statement is idempotent. Frozen once released: a later change is a new file.

ALTER TABLE ${schema}.${prefix}events ADD COLUMN IF NOT EXISTS tags CHARACTER VARYING ARRAY DEFAULT ARRAY[] NOT NULL;

-- A dead letter keeps its event whole, tags included.
ALTER TABLE ${schema}.${prefix}dead_letters ADD COLUMN IF NOT EXISTS tags CHARACTER VARYING ARRAY DEFAULT ARRAY[]
  NOT NULL;

UPDATE ${schema}.${prefix}schema_version SET version = 2 WHERE id = 1 AND version = 1;
