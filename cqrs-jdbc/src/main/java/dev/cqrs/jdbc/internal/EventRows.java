package dev.cqrs.jdbc.internal;

import dev.cqrs.core.EventType;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.spi.EventCodec;
import dev.cqrs.core.spi.SerializedEvent;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Binds events to statements and maps rows back to recorded events, for every table that stores events. */
public final class EventRows {

  /** The event columns in insert order, after the position columns. */
  public static final String COLUMNS = "stream_id, version, event_id, type_name, type_revision, payload, message_id,"
      + " correlation_id, causation_id, created_at, headers";

  private EventRows() {
  }

  /**
   * An event ready to insert: serialized, with its metadata timestamp cut to the microseconds both databases keep.
   *
   * @param event the event as given
   * @param stored its serialized form
   * @param metadata its metadata as it will be read back
   * @param payload its payload as text
   * @param headers its headers as JSON text
   */
  public record Row(NewEvent event, SerializedEvent stored, Metadata metadata, String payload, String headers) {

    /**
     * Prepares a row.
     *
     * @param event the event
     * @param stored its serialized form
     * @return the row
     */
    public static Row of(NewEvent event, SerializedEvent stored) {
      Metadata given = event.metadata();
      Metadata metadata = new Metadata(given.messageId(), given.timestamp().truncatedTo(ChronoUnit.MICROS),
          given.correlationId(), given.causationId(), given.headers());
      return new Row(event, stored, metadata, stored.text(), HeadersJson.write(metadata.headers()));
    }

    /**
     * Returns the event as recorded at a place.
     *
     * @param streamId the stream
     * @param version its version
     * @param position its position
     * @return the recorded event
     */
    public RecordedEvent recorded(String streamId, long version, Position position) {
      return new RecordedEvent(streamId, version, position, event.eventId(), stored.type(), event.payload(), metadata);
    }
  }

  /**
   * Binds the event columns of {@link #COLUMNS} from a parameter index on.
   *
   * @param statement the statement
   * @param first the index of the first event column
   * @param streamId the stream
   * @param version the version
   * @param row the row
   * @throws SQLException on a database failure
   */
  public static void bind(PreparedStatement statement, int first, String streamId, long version, Row row)
      throws SQLException {
    int i = first;
    statement.setString(i++, streamId);
    statement.setLong(i++, version);
    statement.setObject(i++, row.event().eventId());
    statement.setString(i++, row.stored().type().name());
    statement.setInt(i++, row.stored().type().revision());
    statement.setString(i++, row.payload());
    statement.setObject(i++, row.metadata().messageId());
    statement.setObject(i++, row.metadata().correlationId());
    statement.setObject(i++, row.metadata().causationId());
    statement.setObject(i++, OffsetDateTime.ofInstant(row.metadata().timestamp(), ZoneOffset.UTC));
    statement.setString(i, row.headers());
  }

  /**
   * Maps the current row, which has the columns {@code commit_id, sequence_id} and those of {@link #COLUMNS}, to a
   * recorded event, upcasting and decoding its payload.
   *
   * @param rows the result set
   * @param codec the codec
   * @return the recorded event
   * @throws SQLException on a database failure
   */
  public static RecordedEvent map(ResultSet rows, EventCodec codec) throws SQLException {
    String streamId = rows.getString("stream_id");
    long version = rows.getLong("version");
    Position position = Position.of(rows.getLong("commit_id"), rows.getLong("sequence_id"));
    EventType stored = EventType.of(rows.getString("type_name"), rows.getInt("type_revision"));
    SerializedEvent serialized = new SerializedEvent(stored,
        rows.getString("payload").getBytes(StandardCharsets.UTF_8));
    EventCodec.DecodedEvent decoded = codec.decode(serialized,
        () -> "stream '" + streamId + "' version " + version + " position " + position);
    Instant timestamp = rows.getObject("created_at", OffsetDateTime.class).toInstant();
    Metadata metadata = new Metadata(rows.getObject("message_id", UUID.class), timestamp,
        rows.getObject("correlation_id", UUID.class), rows.getObject("causation_id", UUID.class),
        HeadersJson.read(rows.getString("headers")));
    return new RecordedEvent(streamId, version, position, rows.getObject("event_id", UUID.class), decoded.type(),
        decoded.event(), metadata);
  }
}
