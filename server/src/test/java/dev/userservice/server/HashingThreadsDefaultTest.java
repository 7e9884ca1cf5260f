package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** With no count configured: half the cores, but no more than a quarter of the heap holds, at least one. */
class HashingThreadsDefaultTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void defaultCount_roomyHeap_halfTheCores() {
    assertThat(HashingThreads.defaultCount(2, 6144 * MIB)).isEqualTo(1);
    assertThat(HashingThreads.defaultCount(16, 6144 * MIB)).isEqualTo(8);
  }

  @Test
  void defaultCount_smallHeapOnManyCores_aQuarterOfTheHeapAt19MiBEach() {
    // 384 MiB: a quarter is 96 MiB, five hashes of 19 MiB
    assertThat(HashingThreads.defaultCount(32, 384 * MIB)).isEqualTo(5);
  }

  @Test
  void defaultCount_oneCoreOrATinyHeap_stillOne() {
    assertThat(HashingThreads.defaultCount(1, 6144 * MIB)).isEqualTo(1);
    assertThat(HashingThreads.defaultCount(4, 32 * MIB)).isEqualTo(1);
  }
}
