package consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Command;
import dev.cqrs.core.Decider;
import dev.cqrs.core.Event;
import dev.cqrs.test.DeciderFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A consumer's tests: the JUnit version it runs on, and a given/when/then fixture. */
class ConsumerTest {

  record Open(String id) implements Command {}
  record Opened(String id) implements Event {}

  static final Decider<Open, Boolean, Opened> ACCOUNT = Decider.of(false,
      (command, open) -> open ? List.of() : List.of(new Opened(command.id())), (open, event) -> true);

  @Test
  void runs_on_the_junit_version_the_build_declared() {
    String expected = System.getProperty("expected.junit");
    assertThat(Test.class.getPackage().getImplementationVersion()).isEqualTo(expected);
    assertThat(org.junit.platform.engine.TestEngine.class.getPackage().getImplementationVersion())
        .isEqualTo(expected.startsWith("5.") ? "1." + expected.substring(2) : expected);
  }

  @Test
  void the_fixture_works() {
    DeciderFixture.of(ACCOUNT).given().when(new Open("a")).then(new Opened("a"));
    DeciderFixture.of(ACCOUNT).given(new Opened("a")).when(new Open("a")).thenNothing();
  }
}
