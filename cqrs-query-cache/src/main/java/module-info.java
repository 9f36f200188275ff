/** A Caffeine cache in front of query handlers: see {@link dev.cqrs.cache.QueryCache}. */
module dev.cqrs.cache {
  requires transitive dev.cqrs.core;
  requires dev.cqrs.inmemory;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports dev.cqrs.cache;
}
