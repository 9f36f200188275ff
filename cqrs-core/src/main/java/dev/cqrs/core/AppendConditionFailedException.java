package dev.cqrs.core;

import java.util.Objects;

/**
 * A conditional append was rejected: an event matching the condition's query was appended after the position the
 * decision read to, so the decision may no longer hold. Nothing of the rejected append was stored.
 *
 * <p>{@link #isTransient()} is {@code true}: reading again and deciding on fresh events may succeed, while repeating
 * the same append with the same condition will not.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class AppendConditionFailedException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /** The condition that failed. */
  private final transient AppendCondition condition;
  /** The first matching event after the condition's position. */
  private final transient Position conflicting;

  /**
   * Creates the exception.
   *
   * @param streamId the stream that was appended to
   * @param condition the condition that failed
   * @param conflicting the position of the first event after the condition's position that matches its query
   */
  public AppendConditionFailedException(String streamId, AppendCondition condition, Position conflicting) {
    super("append to stream '" + streamId + "' refused: the event at " + conflicting + " matches "
        + Objects.requireNonNull(condition, "condition must not be null").failIfEventsMatch()
        + " and was appended after " + condition.after() + ", the position the decision read to");
    this.condition = condition;
    this.conflicting = Objects.requireNonNull(conflicting, "conflicting must not be null");
  }

  /**
   * Returns the condition that failed.
   *
   * @return the condition
   */
  public AppendCondition condition() {
    return condition;
  }

  /**
   * Returns the position of the first event that made the condition fail.
   *
   * @return the position
   */
  public Position conflicting() {
    return conflicting;
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
