-- cqrs schema, version 1, for H2 2.x.
-- ${schema} and ${prefix} are placeholders (Flyway syntax): JdbcSchema.migrate() fills them in from JdbcConfig;
-- teams that run their own migrations replace them, for example with "PUBLIC" and "cqrs_".
-- Every statement is idempotent, so running the file twice changes nothing.
-- Frozen since release 0.1.0: a later change is a new file (V2__name.sql, ...), never an edit of this one.

CREATE SCHEMA IF NOT EXISTS ${schema};

-- The events. Appends take the counter row's lock until they commit, so positions commit in order.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}events (
  position        BIGINT PRIMARY KEY,
  stream_id       VARCHAR(255) NOT NULL,
  version         BIGINT NOT NULL,
  event_id        UUID NOT NULL,
  type_name       VARCHAR(200) NOT NULL,
  type_revision   INTEGER NOT NULL,
  payload         CHARACTER LARGE OBJECT NOT NULL,
  message_id      UUID NOT NULL,
  correlation_id  UUID NOT NULL,
  causation_id    UUID NOT NULL,
  created_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  headers         CHARACTER LARGE OBJECT NOT NULL,
  CONSTRAINT ${prefix}events_stream_version UNIQUE (stream_id, version),
  CONSTRAINT ${prefix}events_event_id UNIQUE (event_id)
);

CREATE TABLE IF NOT EXISTS ${schema}.${prefix}event_counter (
  id             INTEGER PRIMARY KEY,
  last_position  BIGINT NOT NULL
);
INSERT INTO ${schema}.${prefix}event_counter (id, last_position)
  SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM ${schema}.${prefix}event_counter WHERE id = 1);

CREATE TABLE IF NOT EXISTS ${schema}.${prefix}streams (
  stream_id  VARCHAR(255) PRIMARY KEY,
  version    BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ${schema}.${prefix}checkpoints (
  processor    VARCHAR(200) PRIMARY KEY,
  commit_id    BIGINT NOT NULL,
  sequence_id  BIGINT NOT NULL,
  updated_at   TIMESTAMP(6) WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS ${schema}.${prefix}snapshots (
  stream_id       VARCHAR(255) PRIMARY KEY,
  version         BIGINT NOT NULL,
  state_revision  INTEGER NOT NULL,
  state           CHARACTER LARGE OBJECT NOT NULL,
  taken_at        TIMESTAMP(6) WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS ${schema}.${prefix}dead_letters (
  id              UUID PRIMARY KEY,
  processor       VARCHAR(200) NOT NULL,
  commit_id       BIGINT NOT NULL,
  sequence_id     BIGINT NOT NULL,
  stream_id       VARCHAR(255) NOT NULL,
  version         BIGINT NOT NULL,
  event_id        UUID NOT NULL,
  type_name       VARCHAR(200) NOT NULL,
  type_revision   INTEGER NOT NULL,
  payload         CHARACTER LARGE OBJECT NOT NULL,
  message_id      UUID NOT NULL,
  correlation_id  UUID NOT NULL,
  causation_id    UUID NOT NULL,
  created_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  headers         CHARACTER LARGE OBJECT NOT NULL,
  error           CHARACTER LARGE OBJECT NOT NULL,
  attempts        INTEGER NOT NULL,
  parked_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  last_failed_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE INDEX IF NOT EXISTS ${prefix}dead_letters_processor
  ON ${schema}.${prefix}dead_letters (processor, commit_id, sequence_id);

-- Current states of state-stored entities; their events go to the events table in the same transaction.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}states (
  id          VARCHAR(255) PRIMARY KEY,
  version     BIGINT NOT NULL,
  state       CHARACTER LARGE OBJECT NOT NULL,
  updated_at  TIMESTAMP(6) WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

-- One lease per tracked processor: only the owner processes; fence grows with every change of owner, and each batch
-- checks it under the row's lock, so a stale owner can no longer commit a batch or move the checkpoint.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}leases (
  processor   VARCHAR(200) PRIMARY KEY,
  owner       VARCHAR(200) NOT NULL,
  fence       BIGINT NOT NULL,
  expires_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL
);

-- The schema's version, one row. This file is frozen: every later change is a new file (V2__name.sql, ...) that ends
-- by moving this row to its own version. Stores refuse to start on a version they do not support.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}schema_version (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  INTEGER NOT NULL
);
INSERT INTO ${schema}.${prefix}schema_version (id, version)
  SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM ${schema}.${prefix}schema_version);
