/**
 * The core of cqrs: messages, the command and query buses, the event store contract, deciders, aggregates,
 * state-stored entities, projections and tracking processors ({@code dev.cqrs.core}); serialization and upcasting of
 * stored events ({@code dev.cqrs.core.serialization}); and the contracts backends implement ({@code dev.cqrs.core.spi}).
 *
 * <p>The core finds annotated handler methods by reflection: a modular application opens the packages holding such
 * handlers to this module ({@code opens com.example.orders to dev.cqrs.core;}). Records and lambdas registered
 * explicitly need nothing.
 */
module dev.cqrs.core {
  requires org.slf4j;

  exports dev.cqrs.core;
  exports dev.cqrs.core.serialization;
  exports dev.cqrs.core.spi;
}
