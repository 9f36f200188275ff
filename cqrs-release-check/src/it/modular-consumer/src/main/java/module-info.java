/** A modular application using cqrs. Jackson reads and writes its events, so it opens their package to Jackson. */
module consumer {
  requires dev.cqrs.inmemory;
  requires dev.cqrs.jdbc;
  requires dev.cqrs.jackson;
  requires com.h2database;
  requires java.naming; // H2's JdbcDataSource is a JNDI Referenceable

  opens consumer to com.fasterxml.jackson.databind;
}
