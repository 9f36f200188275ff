package dev.cqrs.example.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The web service over real HTTP on a random port, on an H2 file: the order flow through the process manager with
 * read-your-writes, the JSON errors and their status codes, health and the Prometheus scrape, and a restart that keeps
 * the data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrdersWebTest {

  private static final Path DATA;

  static {
    try {
      DATA = Files.createTempDirectory("orders-web");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + DATA.resolve("web") + ";WRITE_DELAY=0");
  }

  @AfterAll
  static void clean() throws IOException {
    try (var files = Files.walk(DATA)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Reply(int status, String body, String location) {
    String field(String name) {
      Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
      return matcher.find() ? matcher.group(1) : null;
    }
  }

  static Reply call(HttpClient http, int port, String method, String path, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(30));
    if (json == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body(), response.headers().firstValue("Location").orElse(null));
  }

  private Reply call(String method, String path, String json) throws Exception {
    return call(http, port, method, path, json);
  }

  @Test
  void an_order_goes_through_the_process_manager_and_the_client_reads_its_own_writes() throws Exception {
    assertThat(call("POST", "/stock/book", "{\"quantity\": 10}").status()).isEqualTo(200);
    Reply placed = call("POST", "/orders", "{\"customer\": \"alice\"}");
    assertThat(placed.status()).isEqualTo(201);
    String id = placed.field("orderId");
    assertThat(placed.location()).isEqualTo("/orders/" + id);
    assertThat(placed.field("position")).matches("\\d+/\\d+");

    Reply added = call("POST", "/orders/" + id + "/items", "{\"sku\": \"book\", \"quantity\": 2}");
    assertThat(added.status()).isEqualTo(200);
    Reply seen = call("GET", "/orders/" + id + "?after=" + added.field("position"), null);
    assertThat(seen.status()).isEqualTo(200);
    assertThat(seen.body()).as("the read model holds the client's write").contains("\"quantity\":2")
        .contains("\"status\":\"OPEN\"");

    Reply confirmed = call("POST", "/orders/" + id + "/confirm", null);
    assertThat(confirmed.status()).isEqualTo(200);
    // fulfillment (a process manager) reserves the stock and marks the order ready to ship, after the confirmation
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Reply order;
    do {
      order = call("GET", "/orders/" + id + "?after=" + confirmed.field("position"), null);
    } while (!order.body().contains("READY_TO_SHIP") && System.nanoTime() < deadline);
    assertThat(order.body()).contains("READY_TO_SHIP");
    Reply stock = call("GET", "/stock", null);
    assertThat(stock.body()).contains("\"sku\":\"book\"").contains("\"reserved\":2");

    Reply shipped = call("POST", "/orders/" + id + "/ship", null);
    assertThat(shipped.status()).isEqualTo(200);
    assertThat(call("GET", "/orders/" + id + "?after=" + shipped.field("position"), null).body())
        .contains("SHIPPED");
    assertThat(call("GET", "/customers/alice/orders?after=" + shipped.field("position"), null).body()).contains(id);
    Reply again = call("POST", "/orders/" + id + "/ship", null);
    assertThat(again.status()).as("a rule refuses: shipping twice").isEqualTo(409);
    assertThat(again.body()).contains("\"title\":\"refused\"");
  }

  @Test
  void bad_input_unknown_orders_and_refusals_get_json_problems_with_their_status() throws Exception {
    Reply malformed = call("POST", "/orders", "{not json");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body()).contains("\"status\":400").contains("not the JSON");
    assertThat(call("POST", "/orders", "{}").body()).contains("the body needs 'customer'");
    assertThat(call("POST", "/orders", "{\"customer\": \"eve\\nmallory\"}").status()).isEqualTo(400);
    assertThat(call("GET", "/orders?after=yesterday", null).status()).isEqualTo(400);
    assertThat(call("GET", "/orders/" + "x".repeat(41), null).status()).isEqualTo(400);
    Reply unknown = call("GET", "/orders/NOPE", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).contains("order NOPE does not exist");
    assertThat(call("POST", "/orders/NOPE/confirm", null).status()).isEqualTo(404);
    String id = call("POST", "/orders", "{\"customer\": \"bob\"}").field("orderId");
    assertThat(call("POST", "/orders/" + id + "/items", "{\"sku\": \"piano\", \"quantity\": 1}").status())
        .isEqualTo(409);
    assertThat(call("POST", "/orders/" + id + "/items", "{\"sku\": \"book\", \"quantity\": 20000}").body())
        .contains("at most 10000");
    Reply tooFar = call("GET", "/orders?after=999999999/1", null);
    assertThat(tooFar.status()).as("a position the read models cannot reach").isEqualTo(503);
  }

  @Test
  void health_the_cqrs_endpoint_and_the_prometheus_scrape_are_on() throws Exception {
    call("POST", "/orders", "{\"customer\": \"carol\"}");
    Reply health = call("GET", "/actuator/health", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").contains("cqrs").contains("order-details");
    Reply cqrs = call("GET", "/actuator/cqrs", null);
    assertThat(cqrs.body()).contains("fulfillment").contains("checkpoint");
    assertThat(call("POST", "/actuator/cqrs/fulfillment", "{\"action\": \"replay\"}").status())
        .as("write operations are off by default").isIn(404, 405);
    Reply scrape = call("GET", "/actuator/prometheus", null);
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.body()).contains("cqrs_command_seconds_count").contains("cqrs_processor_lag_events");
  }

  @Test
  void a_restart_keeps_the_orders() throws Exception {
    Path data = Files.createTempDirectory("orders-restart");
    String[] args = {"--server.port=0", "--spring.datasource.url=jdbc:h2:file:" + data.resolve("web")
        + ";WRITE_DELAY=0", "--spring.main.banner-mode=off"};
    String id;
    String position;
    try (ConfigurableApplicationContext first = SpringApplication.run(OrdersWebApplication.class, args)) {
      int firstPort = first.getEnvironment().getProperty("local.server.port", Integer.class);
      Reply placed = call(http, firstPort, "POST", "/orders", "{\"customer\": \"dave\"}");
      id = placed.field("orderId");
      position = call(http, firstPort, "POST", "/orders/" + id + "/items", "{\"sku\": \"mug\", \"quantity\": 3}")
          .field("position");
    }
    String[] withWrites = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--management.endpoint.cqrs.access=unrestricted")).toArray(String[]::new);
    try (ConfigurableApplicationContext second = SpringApplication.run(OrdersWebApplication.class, withWrites)) {
      int secondPort = second.getEnvironment().getProperty("local.server.port", Integer.class);
      Reply order = call(http, secondPort, "GET", "/orders/" + id + "?after=" + position, null);
      assertThat(order.status()).isEqualTo(200);
      assertThat(order.body()).contains("dave").contains("\"sku\":\"mug\"").contains("\"quantity\":3");
      // with write access on, the endpoint replays a read model from the first event
      Reply replay = call(http, secondPort, "POST", "/actuator/cqrs/order-details", "{\"action\": \"replay\"}");
      assertThat(replay.status()).as(replay.body()).isEqualTo(200);
      assertThat(replay.body()).contains("replaying");
      Reply after = call(http, secondPort, "GET", "/orders/" + id + "?after=" + position, null);
      assertThat(after.body()).contains("dave").contains("\"quantity\":3");
    }
  }
}
