package dev.userservice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.client.UserServiceClient;
import dev.userservice.client.UserServiceException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes through {@link UserServiceClient} from several threads while the database fails
 * over, as applications would: CreateUser with a request_id (repeated with the same id after
 * UNAVAILABLE until it is answered), a UserUpdates stream changing one user's name (reopened
 * and the update sent again after UNAVAILABLE) and BulkCreateUsers (not repeated: its outcome
 * is checked instead). Every OK answer is recorded, then {@link #verify} checks each against
 * the new primary.
 */
public final class FailoverLoad implements AutoCloseable {
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final int BULK_SIZE = 10;

  private final UserServiceClient client;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final Queue<AckedCreate> creates = new ConcurrentLinkedQueue<>();
  private final Queue<List<String>> ackedBulks = new ConcurrentLinkedQueue<>();
  private final Queue<List<String>> doubtfulBulks = new ConcurrentLinkedQueue<>();
  private final Map<Status.Code, AtomicInteger> surfaced = new ConcurrentHashMap<>();
  private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
  private final AtomicLong markNanos = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong firstOkAfterMark = new AtomicLong();
  private final AtomicInteger okAfterMark = new AtomicInteger();
  private final AtomicInteger retriedCreates = new AtomicInteger();
  private volatile String updatedUserId;
  private volatile int lastAckedUpdate;

  /** A create answered OK, and how many UNAVAILABLEs its request_id saw before. */
  record AckedCreate(CreateUserRequest request, String userId, int unavailableBefore) {}

  private FailoverLoad(UserServiceClient client) {
    this.client = client;
  }

  /** Starts {@code creators} CreateUser threads, one UserUpdates thread and one BulkCreateUsers thread. */
  public static FailoverLoad start(UserServiceClient client, int creators) {
    FailoverLoad load = new FailoverLoad(client);
    load.updatedUserId = client.createUser(CreateUserRequest.newBuilder().setEmail("updated@example.com")
        .setName("u-0").build()).getId();
    for (int i = 0; i < creators; i++) {
      load.spawn("failover-create-" + i, load::createLoop);
    }
    load.spawn("failover-update", load::updateLoop);
    load.spawn("failover-bulk", load::bulkLoop);
    return load;
  }

  private void spawn(String name, Runnable loop) {
    Thread thread = new Thread(loop, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /**
   * The moment of the failure (the kill, System.nanoTime): calls started after it cannot have
   * been committed by the old primary, and their OK answers are counted.
   */
  public void mark(long nanos) {
    markNanos.set(nanos);
  }

  /**
   * When the first write call started after the mark was answered OK (System.nanoTime), or 0
   * while none was.
   */
  public long firstOkAfterMark() {
    return firstOkAfterMark.get();
  }

  /** How many write calls started after the mark were answered OK. */
  public int okAfterMark() {
    return okAfterMark.get();
  }

  private void ok(long callStart) {
    long now = System.nanoTime();
    if (callStart > markNanos.get()) {
      firstOkAfterMark.accumulateAndGet(now, (first, next) -> first == 0 ? next : Math.min(first, next));
      okAfterMark.incrementAndGet();
    }
  }

  private void surfaced(UserServiceException e, String what) {
    Status.Code code = e.status().getCode();
    surfaced.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
    if (code != Status.Code.UNAVAILABLE) {
      unexpected.add(what + ": " + e.status());
    }
  }

  private void createLoop() {
    while (running.get()) {
      int i = sequence.incrementAndGet();
      CreateUserRequest request = CreateUserRequest.newBuilder().setEmail("c" + i + "@example.com").setName("c" + i)
          .setRequestId(UUID.randomUUID().toString()).build();
      int unavailable = 0;
      long giveUp = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < giveUp) {
        long start = System.nanoTime();
        try {
          User user = client.createUser(request);
          ok(start);
          creates.add(new AckedCreate(request, user.getId(), unavailable));
          if (unavailable > 0) {
            retriedCreates.incrementAndGet();
          }
          break;
        } catch (UserServiceException e) {
          surfaced(e, "CreateUser " + request.getEmail());
          if (e.status().getCode() != Status.Code.UNAVAILABLE) {
            break;
          }
          unavailable++;
          pause(100);
        }
      }
    }
  }

  private void updateLoop() {
    int k = 0;
    LinkedBlockingQueue<Object> answers = null;
    StreamObserver<UserUpdateRequest> requests = null;
    while (running.get()) {
      k++;
      long giveUp = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < giveUp) {
        if (requests == null) {
          answers = new LinkedBlockingQueue<>();
          requests = client.userUpdates(queueing(answers), Duration.ofMinutes(5));
        }
        String name = "u-" + k;
        long start = System.nanoTime();
        requests.onNext(UserUpdateRequest.newBuilder().setUserId(updatedUserId).setName(name)
            .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build());
        Object answer = awaitAnswer(answers, name);
        if (answer instanceof User) {
          ok(start);
          lastAckedUpdate = k;
          break;
        }
        requests = null; // the stream ended: open another and send the update again
        if (answer instanceof UserServiceException e) {
          surfaced(e, "UserUpdates " + name);
          if (e.status().getCode() != Status.Code.UNAVAILABLE) {
            return;
          }
        } else {
          unexpected.add("UserUpdates " + name + ": no answer within " + SETTLE);
          return;
        }
        pause(100);
      }
    }
    if (requests != null) {
      requests.onCompleted();
    }
  }

  private static Object awaitAnswer(LinkedBlockingQueue<Object> answers, String name) {
    long giveUp = System.nanoTime() + SETTLE.toNanos();
    try {
      while (System.nanoTime() < giveUp) {
        Object answer = answers.poll(1, TimeUnit.SECONDS);
        // later changes of the same user may come too: the answer is the one with this name
        if (answer instanceof User user && !user.getName().equals(name)) {
          continue;
        }
        if (answer != null) {
          return answer;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  private static StreamObserver<User> queueing(LinkedBlockingQueue<Object> answers) {
    return new StreamObserver<>() {
      @Override
      public void onNext(User value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        answers.add(t);
      }

      @Override
      public void onCompleted() {
        answers.add("completed");
      }
    };
  }

  private void bulkLoop() {
    int b = 0;
    while (running.get()) {
      b++;
      List<CreateUserRequest> requests = new ArrayList<>();
      List<String> emails = new ArrayList<>();
      for (int j = 0; j < BULK_SIZE; j++) {
        String email = "b" + b + "-" + j + "@example.com";
        emails.add(email);
        requests.add(CreateUserRequest.newBuilder().setEmail(email).setName("b" + b).build());
      }
      long start = System.nanoTime();
      try {
        BulkCreateResponse response = client.bulkCreateUsers(requests);
        ok(start);
        if (response.getCreatedCount() != BULK_SIZE) {
          unexpected.add("BulkCreateUsers b" + b + " created " + response.getCreatedCount());
        }
        ackedBulks.add(emails);
      } catch (UserServiceException e) {
        surfaced(e, "BulkCreateUsers b" + b);
        doubtfulBulks.add(emails);
        pause(100);
      }
      pause(50);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops writing; a create still in doubt is settled first (repeated until answered). */
  public void stop() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(SETTLE.toMillis() + 10_000);
      assertThat(thread.isAlive()).as(thread.getName() + " ended").isFalse();
    }
  }

  /**
   * Checks the database the service now writes to: every create answered OK is there once
   * (also those repeated across the failover), the user's name holds the last update answered
   * OK or a later one, every bulk answered OK is there whole and every bulk that failed is
   * there whole or not at all; and callers saw no failure but UNAVAILABLE.
   */
  public String verify(Connection newPrimary) throws SQLException {
    assertThat(unexpected).as("failures other than UNAVAILABLE, or a call that hung").isEmpty();
    assertThat(surfaced.keySet()).isSubsetOf(Status.Code.UNAVAILABLE);
    assertThat(creates).as("creates answered OK").isNotEmpty();
    try (PreparedStatement byId = newPrimary.prepareStatement(
        "select email, (select count(*) from users u where u.request_id = users.request_id) from users where id = ?")) {
      for (AckedCreate create : creates) {
        byId.setObject(1, UUID.fromString(create.userId()));
        try (ResultSet rs = byId.executeQuery()) {
          assertThat(rs.next()).as("acknowledged create of " + create.request().getEmail() + " is on the new primary")
              .isTrue();
          assertThat(rs.getString(1)).isEqualTo(create.request().getEmail());
          assertThat(rs.getInt(2)).as("users made by request_id " + create.request().getRequestId()).isEqualTo(1);
        }
      }
    }
    String name = queryName(newPrimary);
    assertThat(Integer.parseInt(name.substring(2))).as("stored update (" + name + ") vs last acknowledged")
        .isGreaterThanOrEqualTo(lastAckedUpdate);
    for (List<String> bulk : ackedBulks) {
      assertThat(countEmails(newPrimary, bulk)).as("acknowledged bulk " + bulk.get(0)).isEqualTo(bulk.size());
    }
    for (List<String> bulk : doubtfulBulks) {
      assertThat(countEmails(newPrimary, bulk)).as("failed bulk " + bulk.get(0) + " whole or absent")
          .isIn(0, bulk.size());
    }
    return "creates OK " + creates.size() + " (" + retriedCreates.get() + " after UNAVAILABLE), updates OK "
        + lastAckedUpdate + ", bulks OK " + ackedBulks.size() + ", bulks failed " + doubtfulBulks.size()
        + ", UNAVAILABLE surfaced " + surfaced.getOrDefault(Status.Code.UNAVAILABLE, new AtomicInteger()).get();
  }

  private String queryName(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("select name from users where id = ?")) {
      s.setObject(1, UUID.fromString(updatedUserId));
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  private static int countEmails(Connection c, List<String> emails) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("select count(*) from users where email = any (?)")) {
      s.setArray(1, c.createArrayOf("varchar", emails.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(1000);
    }
  }
}
