package io.streetsense.simulator.internal;

import io.streetsense.simulator.DeviceMessage;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Merges time-ordered message streams into one, by event time; ties go to the stream listed first,
 * so the merge is deterministic. Holds one look-ahead message per stream: a city of streams costs
 * memory per device, not per message.
 */
public final class MergedStream implements Iterator<DeviceMessage> {
  private record Head(DeviceMessage message, int index, Iterator<DeviceMessage> rest)
      implements Comparable<Head> {
    @Override
    public int compareTo(Head o) {
      int c = message.eventTime().compareTo(o.message.eventTime());
      return c != 0 ? c : Integer.compare(index, o.index);
    }
  }

  private final PriorityQueue<Head> heads = new PriorityQueue<>();

  public MergedStream(List<? extends Iterator<DeviceMessage>> streams) {
    for (int i = 0; i < streams.size(); i++) {
      Iterator<DeviceMessage> s = streams.get(i);
      if (s.hasNext()) {
        heads.add(new Head(s.next(), i, s));
      }
    }
  }

  @Override
  public boolean hasNext() {
    return !heads.isEmpty();
  }

  @Override
  public DeviceMessage next() {
    Head head = heads.poll();
    if (head == null) {
      throw new NoSuchElementException();
    }
    if (head.rest().hasNext()) {
      heads.add(new Head(head.rest().next(), head.index(), head.rest()));
    }
    return head.message();
  }
}
