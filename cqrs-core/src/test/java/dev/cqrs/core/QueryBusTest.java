package dev.cqrs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueryBusTest {

  record FindName(String id) implements Query<Optional<String>> {
  }

  record CountNames() implements Query<Integer> {
  }

  private final Map<String, String> names = Map.of("1", "Ada", "2", "Grace");
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "query-executor"));

  @AfterEach
  void stopExecutor() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private QueryBus bus() {
    return QueryBus.builder().executor(executor).build()
        .register(FindName.class, query -> Optional.ofNullable(names.get(query.id())))
        .register(CountNames.class, query -> names.size());
  }

  @Test
  void async_queries_run_on_threads_the_bus_owns_until_it_is_closed() throws Exception {
    AtomicReference<String> thread = new AtomicReference<>();
    QueryBus bus = QueryBus.builder().build().register(CountNames.class, query -> {
      thread.set(Thread.currentThread().getName());
      return 1;
    });

    assertThat(bus.askAsync(new CountNames()).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(thread.get()).startsWith("cqrs-query-");

    bus.close();
    assertThatThrownBy(() -> bus.askAsync(new CountNames()).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("closed");
    assertThat(bus.ask(new CountNames())).isEqualTo(1);
  }

  @Test
  void answers_with_the_type_the_query_names() {
    QueryBus bus = bus();
    Optional<String> name = bus.ask(new FindName("1"));
    int count = bus.ask(new CountNames());

    assertThat(name).contains("Ada");
    assertThat(bus.ask(new FindName("9"))).isEmpty();
    assertThat(count).isEqualTo(2);
  }

  @Test
  void answers_async_queries_on_the_executor() throws Exception {
    AtomicReference<String> thread = new AtomicReference<>();
    QueryBus bus = QueryBus.builder().executor(executor).build().register(CountNames.class, query -> {
      thread.set(Thread.currentThread().getName());
      return 7;
    });

    Integer answer = bus.askAsync(new CountNames()).get(10, TimeUnit.SECONDS);

    assertThat(answer).isEqualTo(7);
    assertThat(thread.get()).isEqualTo("query-executor");
  }

  @Test
  void rejects_a_query_without_handler_naming_its_type() {
    assertThatThrownBy(() -> QueryBus.builder().build().ask(new CountNames()))
        .isInstanceOf(NoHandlerException.class)
        .hasMessageContaining("query type " + CountNames.class.getName());
    assertThatThrownBy(() -> QueryBus.builder().executor(executor).build().askAsync(new CountNames())
        .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(NoHandlerException.class);
  }

  @Test
  void rejects_a_second_handler_for_a_type() {
    QueryBus bus = bus();
    assertThatThrownBy(() -> bus.register(CountNames.class, query -> 0))
        .isInstanceOf(DuplicateHandlerException.class)
        .hasMessageContaining("query type " + CountNames.class.getName());
    assertThat(bus.ask(new CountNames())).isEqualTo(2);
  }

  @Test
  void rejects_a_null_query_at_once() {
    assertThatThrownBy(() -> bus().ask(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("query must not be null");
    assertThatThrownBy(() -> bus().askAsync(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("query must not be null");
  }

  @Test
  void passes_handler_exceptions_unwrapped_or_as_the_future_cause() {
    IllegalStateException failure = new IllegalStateException("read model unavailable");
    QueryBus bus = QueryBus.builder().executor(executor).build().register(CountNames.class, query -> {
      throw failure;
    });

    assertThatThrownBy(() -> bus.ask(new CountNames())).isSameAs(failure);
    assertThatThrownBy(() -> bus.askAsync(new CountNames()).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isSameAs(failure);
  }

  @Test
  void runs_dispatch_and_handler_interceptors() {
    List<String> trace = new ArrayList<>();
    AtomicReference<Metadata> seen = new AtomicReference<>();
    QueryBus bus = QueryBus.builder()
        .dispatchInterceptor(m -> {
          trace.add("dispatch " + m.payload().getClass().getSimpleName());
          return m.withMetadata(m.metadata().withHeader("tenant", "acme"));
        })
        .handlerInterceptor((m, chain) -> {
          seen.set(m.metadata());
          trace.add("before");
          Object answer = chain.proceed(m);
          trace.add("after " + answer);
          return answer;
        })
        .build()
        .register(CountNames.class, query -> {
          trace.add("handler");
          return 2;
        });

    assertThat(bus.ask(new CountNames())).isEqualTo(2);
    assertThat(trace).containsExactly("dispatch CountNames", "before", "handler", "after 2");
    assertThat(seen.get().header("tenant")).contains("acme");
  }

  @Test
  void a_rejecting_dispatch_interceptor_fails_async_queries_without_running_them() {
    List<String> trace = new ArrayList<>();
    QueryBus bus = QueryBus.builder().executor(executor)
        .dispatchInterceptor(m -> {
          throw new IllegalArgumentException("not allowed");
        })
        .build()
        .register(CountNames.class, query -> {
          trace.add("handler");
          return 1;
        });

    assertThatThrownBy(() -> bus.askAsync(new CountNames()).join()).cause().hasMessage("not allowed");
    assertThatThrownBy(() -> bus.ask(new CountNames())).hasMessage("not allowed");
    assertThat(trace).isEmpty();
  }

  @Test
  void passes_the_given_metadata_to_interceptors() {
    AtomicReference<Metadata> seen = new AtomicReference<>();
    QueryBus bus = QueryBus.builder()
        .handlerInterceptor((m, chain) -> {
          seen.set(m.metadata());
          return chain.proceed(m);
        })
        .build()
        .register(CountNames.class, query -> 3);
    Metadata metadata = Metadata.create().withHeader("user", "bob");

    assertThat(bus.ask(new CountNames(), metadata)).isEqualTo(3);
    assertThat(seen.get()).isEqualTo(metadata);
  }
}
