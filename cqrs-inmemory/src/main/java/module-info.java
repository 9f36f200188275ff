/**
 * The in-memory backend: a thread-safe event store and the checkpoint, snapshot, dead-letter and state stores, for
 * tests and for applications that keep nothing across restarts.
 */
module dev.cqrs.inmemory {
  requires transitive dev.cqrs.core;
  requires org.slf4j;

  exports dev.cqrs.inmemory;
}
