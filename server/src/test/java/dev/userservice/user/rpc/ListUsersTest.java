package dev.userservice.user.rpc;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.db.Database;
import dev.userservice.identity.AuthInterceptor;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.server.DatabaseWorkerThreads;
import dev.userservice.server.ExceptionInterceptor;
import dev.userservice.server.UserServer;
import dev.userservice.testing.CountingUserRepository;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.SlowReader;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.NewUser;
import dev.userservice.user.UserIds;
import dev.userservice.user.jdbc.JdbcUserRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ListUsersTest {
  private final DatabaseWorkerThreads workerThreads = DatabaseWorkerThreads.start(0);

  @AfterEach
  void closeWorkerThreads() {
    workerThreads.close();
  }

  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  private List<String> createUsers(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(service.blocking().createUser(CreateUserRequest.newBuilder()
          .setEmail("user" + i + "@example.com").setName("User " + i).build()).getId());
    }
    return ids;
  }

  private List<String> list(ListUsersRequest request) {
    List<String> ids = new ArrayList<>();
    service.blocking().listUsers(request).forEachRemaining(u -> ids.add(u.getId()));
    return ids;
  }

  @Test
  void listUsers_streamsEveryUserInCreationOrderAcrossBatches() {
    List<String> created = createUsers(23);

    assertThat(list(ListUsersRequest.newBuilder().setPageSize(5).build())).containsExactlyElementsOf(created);
    assertThat(list(ListUsersRequest.getDefaultInstance())).containsExactlyElementsOf(created);
  }

  @Test
  void listUsers_emptyTable_completesWithNothing() {
    assertThat(list(ListUsersRequest.getDefaultInstance())).isEmpty();
  }

  @Test
  void listUsers_pageToken_resumesRightAfterItWithoutDuplicateOrGap() {
    List<String> created = createUsers(12);

    List<String> rest = list(ListUsersRequest.newBuilder().setPageSize(4).setPageToken(created.get(6)).build());

    assertThat(rest).containsExactlyElementsOf(created.subList(7, 12));
  }

  @Test
  void listUsers_pageSizeOutOfRange_invalidArgument() {
    for (int size : new int[] {-1, 1001}) {
      var e = catchStatus(() -> list(ListUsersRequest.newBuilder().setPageSize(size).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("page_size");
    }
  }

  @Test
  void listUsers_pageTokenNotAnId_invalidArgument() {
    var e = catchStatus(() -> list(ListUsersRequest.newBuilder().setPageToken("abc").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("page_token");
  }

  /**
   * Streams that stop reading hold the pages read ahead only until the stall limit: after it, a
   * stream that found every permit taken gets one and reads ahead again.
   */
  @Test
  void listUsers_streamsThatStopReading_giveTheirPagesAheadBackAfterTheStallLimit() throws Exception {
    try (CountedServer served = new CountedServer(20)) {
      CountingUserRepository counting = served.counting;
      UserServiceGrpc.UserServiceStub stub = served.stub();
      ListUsersRequest request = ListUsersRequest.newBuilder().setPageSize(5).build();
      List<SlowReader<ListUsersRequest, User>> stalled = new ArrayList<>();
      for (int i = 0; i < PageReadAhead.MOST_PAGES_AHEAD; i++) {
        SlowReader<ListUsersRequest, User> reader = new SlowReader<>();
        stub.listUsers(request, reader);
        stalled.add(reader);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> stalled.stream().allMatch(r -> r.values().size() == 1));
      Thread.sleep(300);
      assertThat(counting.listCalls()).isEqualTo(2 * PageReadAhead.MOST_PAGES_AHEAD); // each holds a page ahead

      SlowReader<ListUsersRequest, User> late = new SlowReader<>();
      stub.listUsers(request, late);
      await().atMost(Duration.ofSeconds(5)).until(() -> late.values().size() == 1);
      Thread.sleep(300);
      assertThat(counting.listCalls()).isEqualTo(2 * PageReadAhead.MOST_PAGES_AHEAD + 1); // no permit left

      // the stalled streams wrote their first message after taking their page ahead: the first
      // check sees it, the second finds nothing written and drops the page
      Thread.sleep(PageReadAhead.STALL_LIMIT.multipliedBy(2).plusMillis(800).toMillis());
      late.request(5);
      await().atMost(Duration.ofSeconds(5)).until(() -> late.values().size() == 6);
      Thread.sleep(300);
      // page 2 read when it was needed, page 3 ahead on a permit given back
      assertThat(counting.listCalls()).isEqualTo(2 * PageReadAhead.MOST_PAGES_AHEAD + 3);
      stalled.forEach(SlowReader::cancel);
      late.cancel();
    }
  }

  /**
   * A reader that asked for one message makes the server hold at most two pages: the one it
   * writes and the next, read ahead; cancelling stops the reading for good.
   */
  @Test
  void listUsers_slowReader_serverReadsOnePageAheadAndStopsOnCancel() throws Exception {
    try (CountedServer served = new CountedServer(100)) {
      CountingUserRepository counting = served.counting;
      SlowReader<ListUsersRequest, User> reader = new SlowReader<>();
      served.stub().listUsers(ListUsersRequest.newBuilder().setPageSize(5).build(), reader);

      await().atMost(Duration.ofSeconds(5)).until(() -> reader.values().size() == 1);
      Thread.sleep(300); // room for a server that ignores readiness to run ahead
      assertThat(counting.listCalls()).isEqualTo(2); // the page written and the next

      reader.request(10);
      await().atMost(Duration.ofSeconds(5)).until(() -> reader.values().size() == 11);
      Thread.sleep(300);
      assertThat(counting.listCalls()).isEqualTo(4); // 20 users read to send 11: pages 1-3 and the next

      reader.cancel();
      Thread.sleep(300);
      assertThat(counting.listCalls()).isEqualTo(4);
      assertThat(reader.values()).hasSize(11);
    }
  }

  /** An in-process server over {@code users} users on H2 of its own, counting the pages its service reads. */
  private final class CountedServer implements AutoCloseable {
    final CountingUserRepository counting;
    private final Database database;
    private final UserServer server;
    private final ManagedChannel channel;

    CountedServer(int users) throws Exception {
      database = Database.open(TestDatabases.h2());
      var repository = new JdbcUserRepository(database.dataSource(), Clock.systemUTC());
      for (int i = 0; i < users; i++) {
        repository.create(UserIds.next(), new NewUser("counted" + i + "@example.com", "Counted",
            java.util.Optional.empty(), java.util.Optional.empty()));
      }
      counting = new CountingUserRepository(repository);
      String name = InProcessServerBuilder.generateName();
      server = new UserServer(InProcessServerBuilder.forName(name),
          List.of(new UserServiceImpl(counting, new PasswordHasher(1), workerThreads.workers())),
          List.of(new ExceptionInterceptor(), new AuthInterceptor(TestTokens.SERVICE)), () -> true,
          Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)).start();
      channel = InProcessChannelBuilder.forName(name).build();
    }

    /** An admin's stub on the server. */
    UserServiceGrpc.UserServiceStub stub() {
      return UserServiceGrpc.newStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()));
    }

    @Override
    public void close() throws Exception {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
      database.close();
    }
  }
}
