/** SQL, row mapping and connection handling of the JDBC backend (internal): not API, left out of the Javadoc. */
package dev.cqrs.jdbc.internal;
