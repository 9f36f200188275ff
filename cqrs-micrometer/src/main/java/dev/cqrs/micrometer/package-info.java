/**
 * Metrics and tracing for the command and query buses, the event store and the tracking processors, with Micrometer's
 * Observation API (API): {@link dev.cqrs.micrometer.CqrsObservability} hands out the interceptors, store and
 * projection wrappers and processor listener that do the instrumenting, through the library's own extension points.
 * The meters are listed in {@link dev.cqrs.micrometer.CqrsObservability}'s documentation and in the README.
 */
package dev.cqrs.micrometer;
