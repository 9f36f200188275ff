/**
 * What applications configure about stored events: how an event becomes stored bytes ({@link
 * dev.cqrs.core.serialization.EventSerializer}, {@link dev.cqrs.core.serialization.StateSerializer}), how an old
 * revision is upcast to the current one ({@link dev.cqrs.core.serialization.Upcaster}, {@link
 * dev.cqrs.core.serialization.UpcasterChain}), and the {@link dev.cqrs.core.serialization.EventCodec} that combines
 * both with the type registry. An application using a database-backed store builds one codec here and passes it to
 * the store; the in-memory store needs none. {@code cqrs-jackson} provides a JSON serializer.
 */
package dev.cqrs.core.serialization;
