package dev.userservice.identity;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Context;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.util.Arrays;

/**
 * Argon2id password hashes in PHC string form ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}),
 * computed by Bouncy Castle with the OWASP parameters: 19 MiB of memory, 2 passes, 1 lane.
 *
 * <p>Calls hash on threads of their own ({@link #execute}), an executor the application builds
 * with a bounded queue: work it rejects is refused with {@link HashingBusyException}. Each hash
 * holds 19 MiB while it runs, so at most as many hashes as there are hashing threads run at
 * once, also those computed directly on a caller's thread; the rest wait their turn instead of
 * exhausting memory in a burst. Their memory blocks come from one pool (Bouncy Castle's
 * {@link Argon2BytesGenerator.FixedBlockPool}) that keeps those of as many hashes as may run at
 * once: a hash reuses the blocks an earlier one cleared instead of leaving 19 MiB of garbage.
 */
public final class PasswordHasher {
  static final int MEMORY_KIB = 19 * 1024;
  /** The heap one hash holds while it runs. */
  public static final long BYTES_PER_HASH = MEMORY_KIB * 1024L;
  static final int ITERATIONS = 2;
  static final int PARALLELISM = 1;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Pattern PHC = Pattern.compile(
      "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,3})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

  private final SecureRandom random = new SecureRandom();
  private final Semaphore permits;
  private final Argon2BytesGenerator.BlockPool blocks;
  private final Executor hashingThreads;

  /**
   * A hasher whose {@link #execute} work runs on {@code hashingThreads}, which has
   * {@code threads} threads and rejects work past its queue; at most {@code threads} hashes run
   * at once.
   *
   * @throws IllegalArgumentException when {@code threads} is below 1
   */
  public PasswordHasher(Executor hashingThreads, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    this.hashingThreads = requireNonNull(hashingThreads, "hashingThreads");
    this.permits = new Semaphore(threads, true);
    this.blocks = new Argon2BytesGenerator.FixedBlockPool(
        Math.multiplyExact(threads, Argon2BytesGenerator.getBlockCount(MEMORY_KIB, PARALLELISM)));
  }

  /**
   * A hasher that runs {@link #execute} work on the caller's thread, at most {@code threads}
   * hashes at once: for tools that bring their own threads.
   */
  public PasswordHasher(int threads) {
    this(MoreExecutors.directExecutor(), threads);
  }

  /**
   * Runs {@code work}, which hashes or verifies passwords, on a hashing thread, in the caller's
   * gRPC context.
   *
   * @throws HashingBusyException at once when every hashing thread is busy and the queue is full
   */
  public void execute(Runnable work) {
    try {
      hashingThreads.execute(Context.current().wrap(requireNonNull(work, "work")));
    } catch (RejectedExecutionException e) {
      throw new HashingBusyException();
    }
  }

  /** Hashes {@code password} with a fresh random salt. */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /**
   * Whether {@code password} matches {@code phc}, compared in constant time; a string that is
   * not an Argon2id PHC hash matches nothing.
   */
  public boolean verify(String password, String phc) {
    Matcher m = PHC.matcher(phc);
    if (!m.matches()) {
      return false;
    }
    int memory = Integer.parseInt(m.group(1));
    int iterations = Integer.parseInt(m.group(2));
    int parallelism = Integer.parseInt(m.group(3));
    if (memory > 4 * MEMORY_KIB || iterations > 16 || parallelism > 16 || parallelism < 1) {
      return false; // a stored hash must not make verification arbitrarily expensive
    }
    byte[] salt;
    byte[] expected;
    try {
      salt = B64_DECODER.decode(m.group(4));
      expected = B64_DECODER.decode(m.group(5));
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] actual = derive(password, salt, memory, iterations, parallelism, expected.length);
    return Arrays.constantTimeAreEqual(expected, actual);
  }

  private byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .withBlockPool(blocks)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    byte[] secret = password.getBytes(StandardCharsets.UTF_8);
    permits.acquireUninterruptibly();
    try {
      generator.generateBytes(secret, out);
    } finally {
      permits.release();
      Arrays.fill(secret, (byte) 0);
    }
    return out;
  }
}
