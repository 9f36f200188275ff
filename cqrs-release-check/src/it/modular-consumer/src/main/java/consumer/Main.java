package consumer;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcSchema;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;

/** Sends a command through the in-memory and the H2 store, reads the events back, and checks what is exported. */
public final class Main {

  record Open(String id) implements Command {}

  record Opened(String id, String owner) implements Event {}

  public static void main(String[] args) {
    EventTypes types = EventTypes.builder().register(Opened.class, "Opened", 1).build();
    check(InMemoryEventStore.create(types), "in memory");

    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:modular;DB_CLOSE_DELAY=-1");
    JdbcConfig config = JdbcConfig.builder(h2).build();
    JdbcSchema.migrate(config);
    EventCodec codec = EventCodec.of(types, JacksonSerializer.create(), UpcasterChain.empty());
    check(JdbcEventStore.create(config, codec), "on H2");

    Module core = EventStore.class.getModule();
    require(core.isNamed() && core.getName().equals("dev.cqrs.core"), "the core runs as a named module: " + core);
    require(core.isExported("dev.cqrs.core") && core.isExported("dev.cqrs.core.serialization")
        && core.isExported("dev.cqrs.core.spi"), "the core exports its API and SPI");
    require(!core.isExported("dev.cqrs.core.internal"), "the core does not export its internal package");
    Module jdbc = JdbcEventStore.class.getModule();
    require(jdbc.isExported("dev.cqrs.jdbc.spi") && !jdbc.isExported("dev.cqrs.jdbc.internal"),
        "the JDBC module exports its SPI and not its internal package");
    System.out.println("modular consumer: OK");
  }

  private static void check(EventStore store, String where) {
    try (store) {
      CommandBus commands = CommandBus.builder().eventStore(store).build()
          .register(Open.class, (command, context) -> context.append("account-" + command.id(),
              ExpectedVersion.noStream(), List.of(new Opened(command.id(), "ada"))));
      commands.send(new Open("1"));
      commands.close();
      List<RecordedEvent> events = store.readAll(Position.START, 10);
      require(events.size() == 1 && events.get(0).payload().equals(new Opened("1", "ada")),
          "the event reads back " + where + ": " + events);
    }
  }

  private static void require(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError("modular consumer failed: " + what);
    }
  }
}
