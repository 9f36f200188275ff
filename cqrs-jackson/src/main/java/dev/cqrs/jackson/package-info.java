/**
 * JSON serialization on Jackson (API): {@link dev.cqrs.jackson.JacksonSerializer} for events and snapshot states, and
 * {@link dev.cqrs.jackson.JsonUpcaster} for upcasters that edit the JSON tree of an old revision.
 */
package dev.cqrs.jackson;
