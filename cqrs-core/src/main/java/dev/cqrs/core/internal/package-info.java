/**
 * Implementation of the core API (internal): not API, may change in any release, left out of the Javadoc. Reach these
 * classes through the factories and builders of {@code dev.cqrs.core}.
 */
package dev.cqrs.core.internal;
