-- A test-only third version, as a later release would ship it: a new index, then the version row moves.
CREATE INDEX IF NOT EXISTS ${schema}.${prefix}events_type_name ON ${schema}.${prefix}events (type_name);
UPDATE ${schema}.${prefix}schema_version SET version = 3 WHERE id = 1 AND version = 2;
