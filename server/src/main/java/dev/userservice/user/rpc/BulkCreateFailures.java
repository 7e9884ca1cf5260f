package dev.userservice.user.rpc;

import static java.util.Objects.requireNonNull;

import dev.userservice.api.user.v1.BulkCreateFailure;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The skipped items of one BulkCreateUsers stream: the first ones by index, up to a bound, and a
 * count of all, so that a stream of any number of bad items is answered in a message of bounded
 * size. Failures may arrive out of index order (the writer reports duplicates after later items
 * were validated). Not thread-safe.
 */
final class BulkCreateFailures {
  /** Failures a response lists at most. */
  static final int MAX_LISTED = 1000;

  /** The highest index on top: the one to drop when a lower one arrives. */
  private final PriorityQueue<BulkCreateFailure> listed =
      new PriorityQueue<>(Comparator.comparingInt(BulkCreateFailure::getIndex).reversed());
  private int count;

  void add(BulkCreateFailure failure) {
    requireNonNull(failure, "failure");
    count++;
    if (listed.size() < MAX_LISTED) {
      listed.add(failure);
    } else if (failure.getIndex() < listed.peek().getIndex()) {
      listed.poll();
      listed.add(failure);
    }
  }

  /** How many failures were added in all. */
  int count() {
    return count;
  }

  /** The failures kept, ordered by index. */
  List<BulkCreateFailure> listed() {
    List<BulkCreateFailure> ordered = new ArrayList<>(listed);
    ordered.sort(Comparator.comparingInt(BulkCreateFailure::getIndex));
    return ordered;
  }
}
