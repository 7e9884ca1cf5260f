package dev.userservice.user;

import java.util.Arrays;
import java.util.UUID;
import java.util.function.Consumer;

/** A growable list of UUIDs kept as two longs each: 16 bytes an id instead of an object. */
final class IdList {
  private long[] bits = new long[64];
  private int size;

  void add(UUID id) {
    if (2 * size + 2 > bits.length) {
      bits = Arrays.copyOf(bits, bits.length * 2);
    }
    bits[2 * size] = id.getMostSignificantBits();
    bits[2 * size + 1] = id.getLeastSignificantBits();
    size++;
  }

  int size() {
    return size;
  }

  void forEach(Consumer<UUID> action) {
    for (int i = 0; i < size; i++) {
      action.accept(new UUID(bits[2 * i], bits[2 * i + 1]));
    }
  }
}
