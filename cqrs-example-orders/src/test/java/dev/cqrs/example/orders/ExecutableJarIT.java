package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged example runs with plain {@code java -jar}, without Maven, as the tutorial says. */
class ExecutableJarIT {

  record Result(int code, String out) {
  }

  private static Result javaJar(String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("orders.jar"));
    assertThat(jar).isRegularFile();
    assertThat(jar.resolveSibling("lib")).as("the libraries beside the jar").isDirectory();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out);
  }

  @Test
  void the_jar_places_and_lists_orders_on_its_h2_file(@TempDir Path data) throws Exception {
    Result placed = javaJar("--data", data.toString(), "place", "ann");
    assertThat(placed.code()).as(placed.out()).isZero();
    String order = placed.out().strip();
    Result listed = javaJar("--data", data.toString(), "list");
    assertThat(listed.code()).as(listed.out()).isZero();
    assertThat(listed.out()).contains(order).contains("ann");
    assertThat(Files.exists(data.resolve("orders.mv.db"))).isTrue();
  }

  @Test
  void the_jar_tells_the_story_in_memory() throws Exception {
    Result demo = javaJar("--in-memory");
    assertThat(demo.code()).as(demo.out()).isZero();
    assertThat(demo.out()).contains("identical to the report before the replay");
  }
}
