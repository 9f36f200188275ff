/**
 * The test kit: given/when/then fixtures ({@code dev.cqrs.test}), the contract suites every backend passes ({@code
 * dev.cqrs.test.contract}), faults to inject into a {@code DataSource} ({@code dev.cqrs.test.faults}), and a real PostgreSQL for an
 * application's own tests ({@code dev.cqrs.test.postgres}). Open, so
 * that JUnit can run the test methods the contract suites declare. JUnit Jupiter and AssertJ come from the
 * application's own test dependencies; see the README for the versions it is tested with.
 */
open module dev.cqrs.test {
  requires transitive dev.cqrs.core;
  requires transitive dev.cqrs.inmemory;
  requires transitive java.sql;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires java.logging;

  exports dev.cqrs.test;
  exports dev.cqrs.test.contract;
  exports dev.cqrs.test.faults;
  exports dev.cqrs.test.postgres;
}
