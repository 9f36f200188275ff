/**
 * The orders example as a Spring Boot web service: the plain example's domain (decider, state-stored stock, process
 * manager, read models) wired by {@code cqrs-spring-boot-starter}, behind REST endpoints.
 */
package dev.cqrs.example.web;
