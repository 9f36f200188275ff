/**
 * Metrics and tracing for cqrs through Micrometer's Observation API: see {@link
 * dev.cqrs.micrometer.CqrsObservability}.
 */
module dev.cqrs.micrometer {
  requires transitive dev.cqrs.core;
  requires transitive micrometer.core;
  requires transitive micrometer.observation;
  requires static dev.cqrs.cache; // optional: bindQueryCache(QueryCache)

  exports dev.cqrs.micrometer;
}
