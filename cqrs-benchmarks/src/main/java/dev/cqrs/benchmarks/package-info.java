/**
 * Benchmarks (not API, never published): JMH benchmarks of the in-memory paths and a harness that measures both this
 * library and Axon Framework 4.13 on the same PostgreSQL, printing ratios from one run. Start it with
 * {@code ./mvnw -q -pl cqrs-benchmarks -am package exec:exec -DskipTests} (add {@code -Dbench.mode=full}).
 */
package dev.cqrs.benchmarks;
