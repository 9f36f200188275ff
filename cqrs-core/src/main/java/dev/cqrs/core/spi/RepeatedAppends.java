package dev.cqrs.core.spi;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.DuplicateEventIdException;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.RecordedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The idempotency rule every event store applies when an append carries event ids that are stored already: an exact
 * repeat (all ids stored, in the same stream, in the same order, at consecutive versions) returns the earlier result;
 * anything else is a {@link DuplicateEventIdException}. Stateless and thread-safe.
 */
public final class RepeatedAppends {

  private RepeatedAppends() {
  }

  /**
   * Decides what an append whose ids may be stored already means.
   *
   * @param streamId the stream of the append
   * @param events the append's events
   * @param stored the stored events among the append's ids, by event id
   * @return the earlier result for an exact repeat, or empty when none of the ids is stored
   * @throws DuplicateEventIdException when some ids are stored but the append is not an exact repeat
   */
  public static Optional<AppendResult> earlierResult(String streamId, List<NewEvent> events,
                                                     Map<UUID, RecordedEvent> stored) {
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    if (stored.size() < events.size()) {
      UUID id = events.stream().map(NewEvent::eventId).filter(stored::containsKey).findFirst().orElseThrow();
      throw new DuplicateEventIdException(id, streamId, stored.size() + " of the " + events.size()
          + " events are stored already; a repeated append must repeat all of them");
    }
    List<RecordedEvent> earlier = new ArrayList<>(events.size());
    long firstVersion = stored.get(events.get(0).eventId()).version();
    for (int i = 0; i < events.size(); i++) {
      RecordedEvent existing = stored.get(events.get(i).eventId());
      if (!existing.streamId().equals(streamId) || existing.version() != firstVersion + i) {
        throw new DuplicateEventIdException(existing.eventId(), streamId, "it is stored as stream '"
            + existing.streamId() + "' version " + existing.version() + ", not as a repeat of this append");
      }
      earlier.add(existing);
    }
    return Optional.of(new AppendResult(streamId, earlier, true));
  }
}
