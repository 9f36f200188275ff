package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The tutorial's excerpts are the marked regions of the sources, word for word. */
class TutorialTest {

  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path MAIN = MODULE.resolve("src/main/java/dev/cqrs/example/orders");
  private static final Path TEST = MODULE.resolve("src/test/java/dev/cqrs/example/orders");

  @Test
  void every_marked_region_appears_unchanged_in_the_tutorial() throws IOException {
    String tutorial = Files.readString(MODULE.resolve("../docs/tutorial.md"));
    assertRegion(tutorial, MAIN.resolve("Order.java"), "decider");
    assertRegion(tutorial, MAIN.resolve("Stock.java"), "stock");
    assertRegion(tutorial, MAIN.resolve("OrdersApp.java"), "wiring");
    assertRegion(tutorial, MAIN.resolve("ReadModels.java"), "order details");
    assertRegion(tutorial, MAIN.resolve("ReadModels.java"), "sales report");
    assertRegion(tutorial, MAIN.resolve("Fulfillment.java"), "process manager");
    assertRegion(tutorial, TEST.resolve("OrderRulesTest.java"), "fixture");
    assertRegion(tutorial, MAIN.resolve("Promotions.java"), "promotion rules");
    assertRegion(tutorial, TEST.resolve("PromotionsTest.java"), "promotion tests");
    assertRegion(tutorial, TEST.resolve("PromotionsTest.java"), "promotion meanwhile");
  }

  private static void assertRegion(String tutorial, Path source, String name) throws IOException {
    Matcher region = Pattern.compile("\\n([ \\t]*)// " + name + " begins?\\n(.*?)\\n[ \\t]*// " + name
        + " ends?\\n", Pattern.DOTALL).matcher(Files.readString(source));
    assertThat(region.find()).as("region '%s' in %s", name, source.getFileName()).isTrue();
    String indent = region.group(1);
    String code = region.group(2).lines().map(line -> line.startsWith(indent) ? line.substring(indent.length())
        : line.strip()).reduce((a, b) -> a + "\n" + b).orElse("");
    assertThat(tutorial).as("tutorial excerpt of '%s' from %s", name, source.getFileName()).contains(code.strip());
  }
}
