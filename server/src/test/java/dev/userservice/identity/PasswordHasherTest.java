package dev.userservice.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(2);

  @Test
  void execute_everyThreadBusyAndTheQueueFull_refusedAtOnce() throws Exception {
    ThreadPoolExecutor oneThreadOneQueued = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(1));
    try {
      PasswordHasher busy = new PasswordHasher(oneThreadOneQueued, 1);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch running = new CountDownLatch(1);
      busy.execute(() -> {
        running.countDown();
        awaitQuietly(release);
      });
      running.await();
      busy.execute(() -> { }); // waits in the queue

      long start = System.nanoTime();
      assertThatThrownBy(() -> busy.execute(() -> { })).isInstanceOf(HashingBusyException.class)
          .hasMessage("password hashing is at capacity, try again later");
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
      release.countDown();
    } finally {
      oneThreadOneQueued.shutdownNow();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void hash_isPhcArgon2idWithOwaspParameters() {
    String phc = hasher.hash("correct horse battery");

    assertThat(phc).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
  }

  @Test
  void hash_samePasswordTwice_differentSaltsAndHashes() {
    assertThat(hasher.hash("same password")).isNotEqualTo(hasher.hash("same password"));
  }

  @Test
  void verify_rightAndWrongPassword() {
    String phc = hasher.hash("p\u00e4ssw\u00f6rd \ud83d\udd11");

    assertThat(hasher.verify("p\u00e4ssw\u00f6rd \ud83d\udd11", phc)).isTrue();
    assertThat(hasher.verify("passwoerd", phc)).isFalse();
  }

  @Test
  void verify_notAHash_false() {
    assertThat(hasher.verify("x", "plaintext")).isFalse();
    assertThat(hasher.verify("x", "$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA")).isFalse();
  }

  /** The hash is the standard Argon2id of the password: recomputed here with the salt it names. */
  @Test
  void hash_matchesAnIndependentArgon2idComputation() {
    assertMatchesIndependentComputation(hasher.hash("interop"), "interop");
  }

  /** Blocks an earlier hash filled, then cleared and gave back, give the same result as fresh ones. */
  @Test
  void hash_onTheBlocksOfEarlierHashes_matchesAnIndependentArgon2idComputation() {
    hasher.hash("first");
    assertThat(hasher.verify("second", hasher.hash("second"))).isTrue();

    assertMatchesIndependentComputation(hasher.hash("interop"), "interop");
  }

  @Test
  void hash_afterTheFirst_allocatesFarLessThanItsMemory() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    hasher.hash("fills the pool");
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 3; i++) {
      hasher.hash("reuses the pool " + i);
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;

    // without reuse each hash allocates its 19 MiB of blocks anew
    assertThat(allocated).as("bytes allocated by three hashes").isLessThan(PasswordHasher.BYTES_PER_HASH / 4);
  }

  private static void assertMatchesIndependentComputation(String phc, String password) {
    String[] parts = phc.split("\\$");
    byte[] salt = Base64.getDecoder().decode(parts[4]);
    byte[] expected = Base64.getDecoder().decode(parts[5]);

    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(0x13)
        .withMemoryAsKB(19 * 1024).withIterations(2).withParallelism(1).withSalt(salt).build());
    byte[] actual = new byte[32];
    generator.generateBytes(password.toCharArray(), actual);

    assertThat(actual).isEqualTo(expected);
  }
}
