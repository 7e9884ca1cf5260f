package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.server.UserServer;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestTokens;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many connections each opening many streams that never read, against the packaged jar with the
 * heap a 512 MiB container gives it: past the default bounds (50 streams per connection, 500 in
 * all) streams are refused with RESOURCE_EXHAUSTED, the admitted ones hold a bounded share of
 * the heap, and the process lives and answers health.
 */
class StreamFloodIT {
  private static final int CONNECTIONS = 14;
  private static final int STREAMS_PER_CONNECTION = 90;
  private static final int MAX_STREAMS = 500;
  /** What 500 streams at page_size 1000 may hold: a quarter of the 384 MiB heap. */
  private static final long MAX_STREAMS_HEAP_BYTES = 96L * 1024 * 1024;
  private static final CallCredentials ADMIN = TestTokens.bearer(TestTokens.admin());

  @TempDir
  Path dataDir;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void closeChannels() throws Exception {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A connection of its own; a small fixed window, so a stream that does not read stalls soon. */
  private ManagedChannel connect(ServiceProcess service) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", service.awaitListening()).usePlaintext()
        .flowControlWindow(64 * 1024).build();
    channels.add(channel);
    return channel;
  }

  /** Receives nothing: asks the server for no message, as a client that stopped reading. */
  private static final class NonReader<Q, R> extends RecordingObserver<R> implements ClientResponseObserver<Q, R> {
    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
      requestStream.disableAutoRequestWithInitial(0);
    }
  }

  private static void seed(ServiceProcess service, int count) throws Exception {
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = UserServiceGrpc.newStub(service.channel()).withCallCredentials(ADMIN)
        .bulkCreateUsers(result);
    for (int i = 0; i < count; i++) {
      requests.onNext(CreateUserRequest.newBuilder().setEmail("flood" + i + "@example.com")
          .setName("Flood user number " + i).build());
    }
    requests.onCompleted();
    await().atMost(Duration.ofSeconds(60)).until(result::ended);
    assertThat(result.values()).singleElement().extracting(BulkCreateResponse::getCreatedCount).isEqualTo(count);
  }

  private static long count(List<? extends RecordingObserver<?>> streams, Status.Code code) {
    return streams.stream().filter(RecordingObserver::ended).filter(s -> statusOf(s).getCode() == code).count();
  }

  private static Status statusOf(RecordingObserver<?> stream) {
    try {
      return stream.awaitEnd();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ServingStatus health(ServiceProcess service, String name) throws Exception {
    return HealthGrpc.newBlockingStub(service.channel()).withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(name).build()).getStatus();
  }

  @Test
  void nonReadingStreams_pastTheBounds_resourceExhaustedAndTheProcessServes() throws Exception {
    try (ServiceProcess service = ServiceProcess.startInContainerHeap(Map.of("JWT_SECRET", TestTokens.SECRET),
        "--data-dir=" + dataDir)) {
      seed(service, 3000);
      long baseline = service.liveHeapBytes();
      List<NonReader<ListUsersRequest, User>> listings = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        UserServiceGrpc.UserServiceStub stub = UserServiceGrpc.newStub(connect(service)).withCallCredentials(ADMIN);
        for (int s = 0; s < STREAMS_PER_CONNECTION; s++) {
          NonReader<ListUsersRequest, User> listing = new NonReader<>();
          stub.listUsers(ListUsersRequest.newBuilder().setPageSize(1000).build(), listing);
          listings.add(listing);
        }
      }
      int refusedListings = CONNECTIONS * STREAMS_PER_CONNECTION - MAX_STREAMS;
      await().atMost(Duration.ofSeconds(60)).until(() -> count(listings, Status.Code.RESOURCE_EXHAUSTED) == refusedListings);
      // a further connection's updates streams find the server's bound reached
      UserServiceGrpc.UserServiceStub late = UserServiceGrpc.newStub(connect(service)).withCallCredentials(ADMIN);
      List<RecordingObserver<User>> updates = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        RecordingObserver<User> answers = new RecordingObserver<>();
        late.userUpdates(answers).onNext(UserUpdateRequest.newBuilder().setUserId("not-an-id").build());
        updates.add(answers);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> updates.stream().allMatch(RecordingObserver::ended));
      long held = service.liveHeapBytes() - baseline;
      System.out.printf("%d non-reading ListUsers streams (page_size 1000) hold %.1f MiB of live heap%n", MAX_STREAMS,
          held / 1048576.0);

      assertThat(service.isAlive()).isTrue();
      assertThat(held).isLessThan(MAX_STREAMS_HEAP_BYTES);
      assertThat(health(service, UserServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.SERVING);
      assertThat(health(service, "")).isEqualTo(ServingStatus.SERVING);
      assertThat(listings.stream().filter(RecordingObserver::ended).count()).as("streams ended")
          .isEqualTo(refusedListings);
      assertThat(listings.stream().filter(RecordingObserver::ended).map(StreamFloodIT::statusOf)
          .map(Status::getDescription).distinct()).allMatch(d -> d.contains("at most"));
      assertThat(updates).allMatch(u -> statusOf(u).getCode() == Status.Code.RESOURCE_EXHAUSTED);

      // once the non-readers go, their streams no longer count
      closeChannels();
      channels.clear();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        RecordingObserver<User> answers = new RecordingObserver<>();
        StreamObserver<UserUpdateRequest> requests = UserServiceGrpc.newStub(service.channel())
            .withCallCredentials(ADMIN).userUpdates(answers);
        requests.onNext(UserUpdateRequest.newBuilder().setUserId("not-an-id").build());
        // a stream the server admits reaches the handler, which refuses the id
        assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      });
      assertThat(service.isAlive()).isTrue();
      // hundreds of streams cancelled by their callers cost no log line each (a cheap log flood)
      assertThat(service.output()).doesNotContain("Stream Error");
    }
  }
}
