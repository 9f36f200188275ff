/**
 * Spring Boot auto-configuration for cqrs (API): declare {@link dev.cqrs.spring.boot.EventTypesCustomizer}, {@link
 * dev.cqrs.spring.boot.CommandBusCustomizer}, {@link dev.cqrs.spring.boot.QueryBusCustomizer} and {@link
 * dev.cqrs.spring.boot.ProcessorDefinition} beans, and the starter provides the event store on the application's
 * {@code DataSource} (joining Spring-managed transactions through {@link dev.cqrs.spring.boot.SpringTransactions}),
 * the buses, the processors with Spring's lifecycle, the schema, health, metrics and the {@code cqrs} actuator
 * endpoint. Properties are under {@code cqrs.*} ({@link dev.cqrs.spring.boot.CqrsProperties}).
 */
package dev.cqrs.spring.boot;
