package dev.cqrs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectedVersionAndPositionTest {

  @Test
  void each_expectation_holds_for_exactly_the_right_versions() {
    assertThat(ExpectedVersion.any().isSatisfiedBy(0)).isTrue();
    assertThat(ExpectedVersion.any().isSatisfiedBy(5)).isTrue();
    assertThat(ExpectedVersion.noStream().isSatisfiedBy(0)).isTrue();
    assertThat(ExpectedVersion.noStream().isSatisfiedBy(1)).isFalse();
    assertThat(ExpectedVersion.streamExists().isSatisfiedBy(0)).isFalse();
    assertThat(ExpectedVersion.streamExists().isSatisfiedBy(1)).isTrue();
    assertThat(ExpectedVersion.exactly(3).isSatisfiedBy(3)).isTrue();
    assertThat(ExpectedVersion.exactly(3).isSatisfiedBy(2)).isFalse();
    assertThat(ExpectedVersion.exactly(3).isSatisfiedBy(4)).isFalse();
  }

  @Test
  void expectations_read_well_and_compare_by_value() {
    assertThat(ExpectedVersion.any()).hasToString("any");
    assertThat(ExpectedVersion.noStream()).hasToString("noStream");
    assertThat(ExpectedVersion.streamExists()).hasToString("streamExists");
    assertThat(ExpectedVersion.exactly(7)).hasToString("exactly(7)").isEqualTo(ExpectedVersion.exactly(7));
    assertThat(ExpectedVersion.exactly(7).version()).hasValue(7);
    assertThat(ExpectedVersion.noStream().version()).hasValue(0);
    assertThat(ExpectedVersion.any().version()).isEmpty();
    assertThat(ExpectedVersion.exactly(7).hashCode()).isEqualTo(ExpectedVersion.exactly(7).hashCode());
  }

  @Test
  void positions_order_by_commit_then_sequence() {
    List<Position> positions = new ArrayList<>(List.of(Position.of(2, 1), Position.of(1, 9), Position.of(1, 3),
        Position.START));
    positions.sort(null);
    assertThat(positions).containsExactly(Position.START, Position.of(1, 3), Position.of(1, 9), Position.of(2, 1));
    assertThat(Position.of(1, 9).isAfter(Position.of(1, 3))).isTrue();
    assertThat(Position.of(1, 3).isAfter(Position.of(1, 3))).isFalse();
    assertThat(Position.of(4, 2)).hasToString("4/2");
  }

  @Test
  void positions_reject_negative_parts() {
    assertThatThrownBy(() -> Position.of(-1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commit=-1");
    assertThatThrownBy(() -> Position.of(0, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequence=-1");
  }

  @Test
  void exception_roots_say_whether_retrying_helps() {
    assertThat(new CqrsException("x").isTransient()).isFalse();
    assertThat(new TransientException("database unreachable").isTransient()).isTrue();
    ConcurrencyConflictException conflict = new ConcurrencyConflictException("s", ExpectedVersion.exactly(2), 3);
    assertThat(conflict).isInstanceOf(CqrsException.class)
        .hasMessage("append to stream 's' expected version exactly(2), but the stream's version was 3");
    assertThat(new ConcurrencyConflictException("s", ExpectedVersion.streamExists(), 0))
        .hasMessageContaining("0 (no stream)");
    assertThat(new NoHandlerException("command", String.class)).isInstanceOf(CqrsException.class);
    assertThat(new DuplicateHandlerException("query", String.class).isTransient()).isFalse();
  }

  @Test
  void a_position_reads_back_from_its_text_and_bad_text_is_refused_with_the_text_quoted() {
    for (Position position : List.of(Position.START, Position.of(0, 42), Position.of(9_000_000_123L, 7),
        Position.of(Long.MAX_VALUE, Long.MAX_VALUE))) {
      assertThat(Position.parse(position.toString())).isEqualTo(position);
    }
    for (String bad : List.of("", "/", "1/", "/2", "1/2/3", "-1/2", "1/-2", "a/b", " 1/2", "1/2 ", "+1/2",
        "1\u00002", "99999999999999999999/1", "\ud800/1")) {
      assertThatThrownBy(() -> Position.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("commit/sequence").hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> Position.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
