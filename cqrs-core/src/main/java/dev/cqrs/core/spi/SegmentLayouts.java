package dev.cqrs.core.spi;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Segment;
import dev.cqrs.core.internal.SegmentedTrackingProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a processor keeps its progress, for backends that read it elsewhere than the processor runs (a read replica):
 * the checkpoint of an unsegmented processor, or one per segment of a split one, as its recorded layout says. Stateless
 * and thread-safe.
 */
public final class SegmentLayouts {

  private SegmentLayouts() {
  }

  /**
   * Returns the names of the checkpoints that must all have passed a position for the processor to have processed
   * it.
   *
   * @param checkpoints the store that holds the processor's checkpoints and layout
   * @param processor the processor's name
   * @return the processor's own name, or its segments' names ({@code name[i/n]})
   */
  public static List<String> checkpointNames(CheckpointStore checkpoints, String processor) {
    Objects.requireNonNull(checkpoints, "checkpoints must not be null");
    Objects.requireNonNull(processor, "processor must not be null");
    int count = checkpoints.load(SegmentedTrackingProcessor.layoutName(processor))
        .map(SegmentedTrackingProcessor::count).orElse(1);
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(new Segment(i, count).processorName(processor));
    }
    return names;
  }
}
