package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cqrs.example.orders.EndToEndTest.Run;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line under bad input, each case one that once went wrong: it answers with one line (exit 1 for a
 * refusal or failure, 2 for malformed arguments), never a stack trace, and leaves the stored orders unchanged.
 */
class CommandLineTest {

  private static Run run(String... args) {
    return EndToEndTest.run(args);
  }

  private static void assertError(Run run, int code, String... parts) {
    assertThat(run.code()).as(run.err()).isEqualTo(code);
    assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
    String first = run.err().lines().findFirst().orElse("");
    assertThat(first).startsWith("error: ");
    for (String part : parts) {
      assertThat(first).contains(part);
    }
    if (code == 1) {
      assertThat(run.err().lines().count()).as("one line").isEqualTo(1);
    }
  }

  @Test
  void the_demo_passes_twenty_runs_in_a_row_and_tells_the_truth_about_collisions() {
    for (int i = 0; i < 20; i++) {
      Run run = run("--in-memory");
      assertThat(run.code()).as("run %d: %s", i, run.err()).isZero();
      assertThat(run.err()).isEmpty();
      assertThat(run.out()).contains("identical to the report before the replay")
          .contains("each add went through once").contains("position in the global order")
          .doesNotContain("cannot ship");
      boolean collided = run.out().contains("conflict on order-");
      assertThat(run.out().contains("did not collide")).as("run %d says what happened", i).isEqualTo(!collided);
    }
  }

  @Test
  void quantities_that_would_overflow_are_refused_and_the_order_is_unchanged(@TempDir Path data) {
    String dir = data.toString();
    String order = run("--data", dir, "place", "gus").out().strip();
    assertError(run("--data", dir, "add", order, "book", "2147483647"), 1,
        "would hold 2147483647 of 'book'", "at most 10000");
    assertThat(run("--data", dir, "add", order, "book", "10000").code()).isZero();
    assertError(run("--data", dir, "add", order, "book", "10"), 1, "would hold 10010 of 'book'");
    assertThat(run("--data", dir, "show", order).out()).contains("10000 x book").contains("total 150000.00");
    assertError(run("--data", dir, "add", order, "book", "99999999999"), 2,
        "quantity must be a whole number from 1 to 10000, but was '99999999999'");
    assertError(run("--data", dir, "restock", "book", "2147483647"), 1, "quantity must be from 1 to 10000");
  }

  @Test
  void extra_arguments_and_malformed_order_ids_are_refused_without_internal_names(@TempDir Path data) {
    String dir = data.toString();
    assertError(run("--data", dir, "place", "hal", "ida"), 2, "place takes 1 argument, but got 2: unexpected 'ida'");
    assertError(run("--data", dir, "list", "all"), 2, "list takes no arguments");
    assertError(run("--data", dir, "add", "A", "book", "1", "2"), 2, "add takes 3 arguments, but got 4");
    Run longId = run("--data", dir, "show", "A".repeat(300));
    assertError(longId, 2, "an order id is 1 to 40 letters, digits or '-'");
    assertThat(longId.err()).doesNotContain("order-").doesNotContain("stream");
    assertError(run("--data", dir, "confirm", "x;y"), 2, "but was 'x;y'");
    assertThat(run("--data", dir, "list").out()).contains("(none)");
  }

  @Test
  void customer_names_that_would_forge_rows_or_steer_the_terminal_are_refused(@TempDir Path data) {
    String dir = data.toString();
    assertError(run("--data", dir, "place", "eve\nX123-4567  mallory  SHIPPED"), 1,
        "customer must be printable text, but had U+000A at index 3");
    assertError(run("--data", dir, "place", "\u001b[31mred"), 1, "U+001B at index 0");
    assertError(run("--data", dir, "place", "bidi\u202eevil"), 1, "U+202E");
    assertError(run("--data", dir, "place", "x".repeat(101)), 1, "at most 100 characters");
    assertThat(run("--data", dir, "place", "Zoë \uD83D\uDE00").code()).as("printable text is fine").isZero();
    Run list = run("--data", dir, "list");
    assertThat(list.out()).contains("Zoë \uD83D\uDE00").doesNotContain("\u001b").doesNotContain("mallory");
    assertThat(Table.printable("a\nb\u001b[31m\ud800")).isEqualTo("a\\u000Ab\\u001B[31m\\uD800");
  }

  @Test
  void a_data_directory_that_cannot_hold_a_database_gets_one_line_saying_why(@TempDir Path data) throws IOException {
    Path file = Files.writeString(data.resolve("a-file"), "not a directory");
    assertError(run("--data", file.toString(), "list"), 1, "is a file; it must name a directory");
    assertError(run("--data", file.resolve("below").toString(), "list"), 1, "cannot be created");
    assertThat(Files.readString(file)).isEqualTo("not a directory");
  }

  @Test
  void a_data_path_cannot_smuggle_h2_settings_into_the_url(@TempDir Path data) throws IOException {
    Path target = data.resolve("x");
    Run run = run("--data", target + ";INIT=CREATE TABLE PWNED(ID INT)", "list");
    assertError(run, 2, "--data must not contain ';'");
    try (var files = Files.list(data)) {
      assertThat(files.toList()).as("nothing was created").isEmpty();
    }
  }

  @Test
  void a_postgresql_server_that_never_answers_ends_in_an_error_not_a_hang() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (!silent.isClosed()) {
            accepted.add(silent.accept()); // accepts, reads nothing, answers nothing
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      Run run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("--db",
          "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/orders", "list"));
      assertError(run, 1, "cannot open PostgreSQL at jdbc:postgresql://127.0.0.1:" + silent.getLocalPort());
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void the_password_comes_from_the_environment_and_one_on_the_command_line_gets_a_warning() {
    Main.Options fromEnvironment = Main.Options.parse(new String[] {"--db", "jdbc:postgresql://h/db", "list"},
        "s3cret");
    assertThat(fromEnvironment.password()).isEqualTo("s3cret");
    assertThat(fromEnvironment.passwordOnCommandLine()).isFalse();
    Main.Options onCommandLine = Main.Options.parse(new String[] {"--db", "jdbc:postgresql://h/db",
        "--password", "visible", "list"}, "s3cret");
    assertThat(onCommandLine.password()).isEqualTo("visible");
    assertThat(onCommandLine.passwordOnCommandLine()).isTrue();
    Run warned = run("--in-memory", "--password", "visible", "list");
    assertThat(warned.code()).isZero();
    assertThat(warned.err()).startsWith("warning: --password is visible").contains(Main.PASSWORD_VARIABLE);
  }
}
