package dev.cqrs.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Position;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL insert lists an append's rows as VALUES without sorting them, and relies on PostgreSQL inserting them
 * in that order; every append checks that the positions it got follow the versions. The ordering tests of the
 * PostgreSQL suites cover the order itself; this covers the check, whose failure no server produces on purpose.
 */
class PostgresEventSqlTest {

  private static EventSql.Placed at(long sequence, long version) {
    return new EventSql.Placed(Position.of(900, sequence), version);
  }

  @Test
  void positions_that_follow_the_versions_pass() {
    assertThatCode(() -> PostgresEventSql.requireVersionOrder(List.of(at(10, 1), at(12, 2), at(13, 3))))
        .doesNotThrowAnyException();
    assertThatCode(() -> PostgresEventSql.requireVersionOrder(List.of(at(10, 7)))).doesNotThrowAnyException();
  }

  @Test
  void a_later_version_at_an_earlier_position_is_refused_naming_both() {
    assertThatThrownBy(() -> PostgresEventSql.requireVersionOrder(List.of(at(10, 1), at(14, 2), at(12, 3))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("out of version order")
        .hasMessageContaining("version 3 at position " + Position.of(900, 12))
        .hasMessageContaining("version 2 at " + Position.of(900, 14));
  }
}
