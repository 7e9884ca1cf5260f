package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** With no count configured, one hashing thread per core, but no more than a quarter of the heap holds. */
class HashingThreadsDefaultTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void defaultCount_roomyHeap_onePerCore() {
    assertThat(HashingThreads.defaultCount(2, 6144 * MIB)).isEqualTo(2);
    assertThat(HashingThreads.defaultCount(16, 6144 * MIB)).isEqualTo(16);
  }

  @Test
  void defaultCount_smallHeapOnManyCores_aQuarterOfTheHeapAt19MiBEach() {
    // 384 MiB: a quarter is 96 MiB, five hashes of 19 MiB
    assertThat(HashingThreads.defaultCount(32, 384 * MIB)).isEqualTo(5);
  }

  @Test
  void defaultCount_tinyHeap_stillOne() {
    assertThat(HashingThreads.defaultCount(4, 32 * MIB)).isEqualTo(1);
  }
}
