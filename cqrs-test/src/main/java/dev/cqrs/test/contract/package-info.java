/**
 * The backend contract suite (TCK, published API for backend authors): abstract JUnit test classes that every
 * {@link dev.cqrs.core.EventStore} backend must pass. A backend adds one small subclass per suite that supplies a fresh
 * store:
 *
 * <pre>{@code
 * class InMemoryAppendAndReadTest extends AppendAndReadContract {
 *   @Override
 *   protected EventStore newStore(EventTypes types) {
 *     return InMemoryEventStore.create(types);
 *   }
 * }
 * }</pre>
 *
 * <p>Suites keep tests apart by unique stream ids and by reading after the head they saw at the start, so a backend may
 * hand every test the same database.
 */
package dev.cqrs.test.contract;
