/**
 * JSON payloads for the database-backed stores, with Jackson. Jackson reads and writes the application's event
 * records by reflection: a modular application opens the packages holding its events and states to {@code
 * com.fasterxml.jackson.databind}.
 */
module dev.cqrs.jackson {
  requires transitive dev.cqrs.core;
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.fasterxml.jackson.datatype.jdk8;

  exports dev.cqrs.jackson;
}
