-- cqrs schema, version 1, for PostgreSQL 15 and later.
-- ${schema} and ${prefix} are placeholders (Flyway syntax): JdbcSchema.migrate() fills them in from JdbcConfig;
-- teams that run their own migrations replace them, for example with "public" and "cqrs_".
-- Every statement is idempotent, so running the file twice changes nothing.
-- Frozen since release 0.1.0: a later change is a new file (V2__name.sql, ...), never an edit of this one.

CREATE SCHEMA IF NOT EXISTS ${schema};

-- The events. Payloads and headers are json, not jsonb: events are written once and read whole, json keeps the text
-- exactly as written and costs nothing to read back (jsonb is rebuilt into text on every read); cast to jsonb in
-- ad-hoc queries, or index an expression such as ((payload->>'orderId')).
-- The global order is (transaction_id, position): readers only read rows whose transaction_id is below
-- the oldest transaction still running, so a transaction that commits late can never land behind their checkpoint.
-- transaction_id is the writing transaction's id (pg_current_xact_id(), a 64-bit xid8 kept as bigint so that reads need
-- no conversion), or larger (see streams.last_transaction_id), never smaller.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}events (
  position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  bigint NOT NULL,
  stream_id       text NOT NULL,
  version         bigint NOT NULL,
  event_id        uuid NOT NULL,
  type_name       text NOT NULL,
  type_revision   integer NOT NULL,
  payload         json NOT NULL,
  message_id      uuid NOT NULL,
  correlation_id  uuid NOT NULL,
  causation_id    uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  headers         json NOT NULL,
  CONSTRAINT ${prefix}events_stream_version UNIQUE (stream_id, version),
  CONSTRAINT ${prefix}events_event_id UNIQUE (event_id)
);
CREATE INDEX IF NOT EXISTS ${prefix}events_global_order ON ${schema}.${prefix}events (transaction_id, position);

-- One row per stream, locked by each append to check the expected version. last_transaction_id is the order key of
-- the stream's last append: an append that waited for this row's lock may have an older transaction id than the
-- append it waited for, so its events take the larger of the two, keeping a stream's events in version order within
-- the global order. The key is never below the real transaction id, so readers' visibility check stays sound.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}streams (
  stream_id            text PRIMARY KEY,
  version              bigint NOT NULL,
  last_transaction_id  bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS ${schema}.${prefix}checkpoints (
  processor    text PRIMARY KEY,
  commit_id    bigint NOT NULL,
  sequence_id  bigint NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${schema}.${prefix}snapshots (
  stream_id       text PRIMARY KEY,
  version         bigint NOT NULL,
  state_revision  integer NOT NULL,
  state           jsonb NOT NULL,
  taken_at        timestamptz NOT NULL DEFAULT now()
);

-- Dead letters keep their event as the events table does (json: any payload the events table took, NUL escapes
-- included, which jsonb refuses).
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}dead_letters (
  id              uuid PRIMARY KEY,
  processor       text NOT NULL,
  commit_id       bigint NOT NULL,
  sequence_id     bigint NOT NULL,
  stream_id       text NOT NULL,
  version         bigint NOT NULL,
  event_id        uuid NOT NULL,
  type_name       text NOT NULL,
  type_revision   integer NOT NULL,
  payload         json NOT NULL,
  message_id      uuid NOT NULL,
  correlation_id  uuid NOT NULL,
  causation_id    uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  headers         json NOT NULL,
  error           text NOT NULL,
  attempts        integer NOT NULL,
  parked_at       timestamptz NOT NULL,
  last_failed_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${prefix}dead_letters_processor
  ON ${schema}.${prefix}dead_letters (processor, commit_id, sequence_id);

-- Current states of state-stored entities; their events go to the events table in the same transaction.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}states (
  id          text PRIMARY KEY,
  version     bigint NOT NULL,
  state       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One lease per tracked processor: only the owner processes; fence grows with every change of owner, and each batch
-- checks it under the row's lock, so a stale owner can no longer commit a batch or move the checkpoint.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}leases (
  processor   text PRIMARY KEY,
  owner       text NOT NULL,
  fence       bigint NOT NULL,
  expires_at  timestamptz NOT NULL
);

-- The schema's version, one row. This file is frozen: every later change is a new file (V2__name.sql, ...) that ends
-- by moving this row to its own version. Stores refuse to start on a version they do not support.
CREATE TABLE IF NOT EXISTS ${schema}.${prefix}schema_version (
  id       integer PRIMARY KEY CHECK (id = 1),
  version  integer NOT NULL
);
INSERT INTO ${schema}.${prefix}schema_version (id, version)
  SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM ${schema}.${prefix}schema_version);
