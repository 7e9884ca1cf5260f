package dev.userservice.user;

import java.util.Arrays;
import java.util.UUID;

/** A growable list of UUIDs kept as two longs each: 16 bytes an id instead of an object. */
public final class IdList {
  private long[] bits = new long[64];
  private int size;

  public void add(UUID id) {
    if (2 * size + 2 > bits.length) {
      bits = Arrays.copyOf(bits, bits.length * 2);
    }
    bits[2 * size] = id.getMostSignificantBits();
    bits[2 * size + 1] = id.getLeastSignificantBits();
    size++;
  }

  public int size() {
    return size;
  }

  public UUID get(int index) {
    checkIndex(index);
    return new UUID(bits[2 * index], bits[2 * index + 1]);
  }

  /** The id at {@code index} in its canonical text form, as 36 ASCII bytes. */
  public byte[] asciiAt(int index) {
    checkIndex(index);
    byte[] text = new byte[36];
    hex(bits[2 * index] >>> 32, text, 0, 8);
    text[8] = '-';
    hex(bits[2 * index] >>> 16, text, 9, 4);
    text[13] = '-';
    hex(bits[2 * index], text, 14, 4);
    text[18] = '-';
    hex(bits[2 * index + 1] >>> 48, text, 19, 4);
    text[23] = '-';
    hex(bits[2 * index + 1], text, 24, 12);
    return text;
  }

  /** Writes the low {@code digits} hex digits of {@code value} into {@code text} at {@code offset}. */
  private static void hex(long value, byte[] text, int offset, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      text[offset + i] = (byte) "0123456789abcdef".charAt((int) (value & 0xF));
      value >>>= 4;
    }
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " (size " + size + ")");
    }
  }
}
