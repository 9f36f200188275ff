/**
 * Contracts for backends and serializers (SPI): how events become stored bytes ({@link
 * dev.cqrs.core.spi.EventSerializer}), how old revisions are upcast ({@link dev.cqrs.core.spi.Upcaster}), and the
 * {@link dev.cqrs.core.spi.EventCodec} that backends use to combine both with the type registry. Applications rarely
 * call these types directly; the contract suite in {@code cqrs-test} checks backends against them.
 */
package dev.cqrs.core.spi;
