/**
 * The in-memory backend (API): {@link dev.cqrs.inmemory.InMemoryEventStore}, a thread-safe event store with the same
 * semantics as the database backends, for tests and small services.
 */
package dev.cqrs.inmemory;
