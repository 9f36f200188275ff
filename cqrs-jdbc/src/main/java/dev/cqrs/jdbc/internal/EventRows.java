package dev.cqrs.jdbc.internal;

import dev.cqrs.core.EventType;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.SerializedEvent;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Binds events to statements and maps rows back to recorded events, for every table that stores events. */
public final class EventRows {

  /** The event columns in insert order, after the position columns. */
  public static final String COLUMNS = "stream_id, version, event_id, type_name, type_revision, payload, message_id,"
      + " correlation_id, causation_id, created_at, headers, tags";

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
      return new RecordedEvent(streamId, version, position, event.eventId(), stored.type(), event.payload(), metadata,
          event.tags());
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
    statement.setString(i++, row.headers());
    statement.setArray(i, tagArray(statement.getConnection(), row.event().tags()));
  }

  /**
   * Makes the array to bind for a tags column.
   *
   * @param connection the connection
   * @param tags the tags
   * @return the array
   * @throws SQLException on a database failure
   */
  public static java.sql.Array tagArray(java.sql.Connection connection, Set<String> tags) throws SQLException {
    return connection.createArrayOf("varchar", tags.toArray());
  }

  /**
   * Writes tags as one PostgreSQL array literal, for a column of literals cast to {@code text[]} row by row.
   *
   * @param tags the tags
   * @return the literal, for example <code>{"a","b"}</code>
   */
  public static String tagLiteral(Set<String> tags) {
    StringBuilder literal = new StringBuilder("{");
    for (String tag : tags) {
      literal.append(literal.length() == 1 ? "" : ",").append('"')
          .append(tag.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return literal.append('}').toString();
  }

  private static Set<String> tagsOf(java.sql.Array array) throws SQLException {
    if (array == null) {
      return Set.of();
    }
    Object[] values = (Object[]) array.getArray();
    Set<String> tags = new java.util.TreeSet<>();
    for (Object value : values) {
      tags.add((String) value);
    }
    return tags;
  }

  /**
   * A stored event as read, not yet decoded: reading rows and decoding them can then happen on different threads.
   *
   * @param position its global position
   * @param streamId its stream
   * @param version its version
   * @param eventId its id
   * @param typeName its stored type name
   * @param typeRevision its stored revision
   * @param payload its payload as JSON text
   * @param messageId its message id
   * @param correlationId its correlation id
   * @param causationId its causation id
   * @param createdAt its timestamp
   * @param headers its headers as JSON text
   * @param tags its tags
   */
  public record Raw(Position position, String streamId, long version, UUID eventId, String typeName, int typeRevision,
                    String payload, UUID messageId, UUID correlationId, UUID causationId, Instant createdAt,
                    String headers, Set<String> tags) {

    /**
     * Decodes the event: upcasts and deserializes the payload, reads the headers.
     *
     * @param codec the codec
     * @return the recorded event
     * @throws dev.cqrs.core.CqrsException if the payload cannot be decoded; the message names the stream, version,
     *     position and type
     */
    public RecordedEvent decode(EventCodec codec) {
      SerializedEvent serialized = new SerializedEvent(EventType.of(typeName, typeRevision),
          payload.getBytes(StandardCharsets.UTF_8));
      EventCodec.DecodedEvent decoded = codec.decode(serialized,
          () -> "stream '" + streamId + "' version " + version + " position " + position);
      Metadata metadata = new Metadata(messageId, createdAt, correlationId, causationId, HeadersJson.read(headers));
      return new RecordedEvent(streamId, version, position, eventId, decoded.type(), decoded.event(), metadata,
          tags);
    }
  }

  /**
   * Decodes rows in order (see {@link Raw#decode}).
   *
   * @param rows the rows
   * @param codec the codec
   * @return the recorded events
   * @throws dev.cqrs.core.CqrsException if a payload cannot be decoded
   */
  public static List<RecordedEvent> decodeAll(List<Raw> rows, EventCodec codec) {
    List<RecordedEvent> events = new ArrayList<>(rows.size());
    for (Raw row : rows) {
      events.add(row.decode(codec));
    }
    return events;
  }

  /**
   * Reads the current row without decoding it. The row holds, from column {@code first} on: {@code commit_id,
   * sequence_id} and then the columns of {@link #COLUMNS} in that order (columns are read by index: looking them up by
   * label costs a hash per column per row).
   *
   * @param rows the result set
   * @param first the index of the {@code commit_id} column
   * @return the row's values
   * @throws SQLException on a database failure
   */
  public static Raw read(ResultSet rows, int first) throws SQLException {
    return new Raw(Position.of(rows.getLong(first), rows.getLong(first + 1)), rows.getString(first + 2),
        rows.getLong(first + 3), rows.getObject(first + 4, UUID.class), rows.getString(first + 5),
        rows.getInt(first + 6), rows.getString(first + 7), rows.getObject(first + 8, UUID.class),
        rows.getObject(first + 9, UUID.class), rows.getObject(first + 10, UUID.class),
        rows.getObject(first + 11, OffsetDateTime.class).toInstant(), rows.getString(first + 12),
        tagsOf(rows.getArray(first + 13)));
  }

  /**
   * Maps the current row to a recorded event, upcasting and decoding its payload (see {@link #read}).
   *
   * @param rows the result set
   * @param first the index of the {@code commit_id} column
   * @param codec the codec
   * @return the recorded event
   * @throws SQLException on a database failure
   */
  public static RecordedEvent map(ResultSet rows, int first, EventCodec codec) throws SQLException {
    return read(rows, first).decode(codec);
  }
}
