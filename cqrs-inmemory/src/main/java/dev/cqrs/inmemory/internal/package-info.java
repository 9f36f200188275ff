/** Data structures of the in-memory backend (internal): not API, left out of the Javadoc. */
package dev.cqrs.inmemory.internal;
