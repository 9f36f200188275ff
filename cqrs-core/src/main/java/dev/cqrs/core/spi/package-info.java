/**
 * What backends implement and the core calls (SPI): the arguments every store checks the same way ({@link
 * dev.cqrs.core.spi.EventStoreArguments}), repeated-append detection ({@link dev.cqrs.core.spi.RepeatedAppends}),
 * and the {@link dev.cqrs.core.spi.ProcessingCoordinator} through which a backend gives tracking processors
 * transactional checkpoints, leases and dead letters. Applications do not use this package; a new backend does, and
 * the contract suites in {@code cqrs-test} check it against these types.
 */
package dev.cqrs.core.spi;
