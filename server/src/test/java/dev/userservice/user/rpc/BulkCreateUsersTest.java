package dev.userservice.user.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.rpc.Code;
import dev.userservice.api.user.v1.BulkCreateFailure;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.Rows;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BulkCreateUsersTest {
  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  private static CreateUserRequest user(String email) {
    return CreateUserRequest.newBuilder().setEmail(email).setName("Bulk " + email).build();
  }

  @Test
  void bulkCreate_mixedItems_skipsBadOnesByIndexAndCommitsTheRest() throws Exception {
    service.blocking().createUser(user("existing@example.com"));
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service.async().bulkCreateUsers(result);

    requests.onNext(user("one@example.com"));                     // 0 ok
    requests.onNext(user("not an email"));                        // 1 invalid
    requests.onNext(user("existing@example.com"));                // 2 exists already
    requests.onNext(user("two@example.com"));                     // 3 ok
    requests.onNext(user("ONE@example.com"));                     // 4 repeats 0
    requests.onNext(CreateUserRequest.newBuilder().setEmail("x@example.com").setPassword("short").build()); // 5 invalid
    requests.onCompleted();

    assertThat(result.awaitEnd().isOk()).isTrue();
    BulkCreateResponse response = result.values().get(0);
    assertThat(response.getCreatedCount()).isEqualTo(2);
    assertThat(response.getUserIdsList()).hasSize(2);
    assertThat(response.getFailuresList()).extracting(BulkCreateFailure::getIndex).containsExactly(1, 2, 4, 5);
    assertThat(response.getFailureCount()).isEqualTo(4);
    assertThat(response.getFailuresList()).filteredOn(f -> f.getIndex() == 1)
        .extracting(BulkCreateFailure::getCode).containsExactly(Code.INVALID_ARGUMENT_VALUE);
    assertThat(response.getFailuresList()).filteredOn(f -> f.getIndex() == 2 || f.getIndex() == 4)
        .extracting(BulkCreateFailure::getCode).containsOnly(Code.ALREADY_EXISTS_VALUE);
    assertThat(response.getFailuresList()).filteredOn(f -> f.getIndex() == 5).first()
        .extracting(BulkCreateFailure::getMessage).asString().contains("name").contains("password");
    assertThat(service.blocking().getUser(GetUserRequest.newBuilder().setUserId(response.getUserIds(1)).build())
        .getEmail()).isEqualTo("two@example.com");
    assertThat(Rows.countUsers(service.settings())).isEqualTo(3);
  }

  @Test
  void bulkCreate_moreFailuresThanListed_firstThousandByIndexAndCountOfAll() throws Exception {
    service.blocking().createUser(user("existing@example.com"));
    int count = 3 * BulkCreateFailures.MAX_LISTED;
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service.async().bulkCreateUsers(result);
    // invalid items are reported as they arrive, taken emails by the writer later: out of index order
    for (int i = 0; i < count; i++) {
      requests.onNext(user(i % 2 == 0 ? "not an email " + i : "existing@example.com"));
    }
    requests.onCompleted();

    assertThat(result.awaitEnd().isOk()).isTrue();
    BulkCreateResponse response = result.values().get(0);
    assertThat(response.getFailureCount()).isEqualTo(count);
    assertThat(response.getFailuresList()).extracting(BulkCreateFailure::getIndex)
        .containsExactlyElementsOf(IntStream.range(0, BulkCreateFailures.MAX_LISTED).boxed().toList());
    assertThat(response.getFailures(1).getCode()).isEqualTo(Code.ALREADY_EXISTS_VALUE);
    assertThat(response.getCreatedCount()).isZero();
  }

  @Test
  void bulkCreate_manyBatches_createsAllInMessageOrder() throws Exception {
    int count = BulkCreateCall.BATCH_SIZE * 3 + 7;
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service.async().bulkCreateUsers(result);
    for (int i = 0; i < count; i++) {
      requests.onNext(user("many" + i + "@example.com"));
    }
    requests.onCompleted();

    assertThat(result.awaitEnd().isOk()).isTrue();
    BulkCreateResponse response = result.values().get(0);
    assertThat(response.getCreatedCount()).isEqualTo(count);
    assertThat(response.getFailuresList()).isEmpty();
    assertThat(response.getUserIdsList()).isSorted().doesNotHaveDuplicates();
    assertThat(Rows.countUsers(service.settings())).isEqualTo(count);
  }

  @Test
  void bulkCreate_emptyStream_okWithNothingCreated() throws Exception {
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    service.async().bulkCreateUsers(result).onCompleted();

    assertThat(result.awaitEnd().isOk()).isTrue();
    assertThat(result.values()).containsExactly(BulkCreateResponse.getDefaultInstance());
  }

  @Test
  void bulkCreate_cancelledAfterBatchesWereWritten_leavesNoRow() throws Exception {
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    CancellableRequests requests = new CancellableRequests(result);
    StreamObserver<CreateUserRequest> stream = service.async().bulkCreateUsers(requests);
    int count = BulkCreateCall.BATCH_SIZE * 2 + 1;
    for (int i = 0; i < count; i++) {
      stream.onNext(user("cancel" + i + "@example.com"));
    }
    // the server pulls the next message only after handling this one: once the transport is
    // ready again, the batches have been written inside the open transaction
    await().atMost(Duration.ofSeconds(10)).until(requests::isReady);
    Thread.sleep(200);

    requests.cancel();

    assertThat(result.awaitEnd().getCode()).isEqualTo(Status.Code.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Rows.countUsers(service.settings())).isZero());
    Thread.sleep(300);
    assertThat(Rows.countUsers(service.settings())).isZero();
  }

  @Test
  void bulkCreate_deadlinePassesBeforeHalfClose_leavesNoRow() throws Exception {
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> stream = service.async().withDeadlineAfter(1, TimeUnit.SECONDS)
        .bulkCreateUsers(result);
    for (int i = 0; i < BulkCreateCall.BATCH_SIZE + 1; i++) {
      stream.onNext(user("late" + i + "@example.com"));
    }

    assertThat(result.awaitEnd().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    stream.onCompleted(); // too late: the call is over
    Thread.sleep(300);
    assertThat(Rows.countUsers(service.settings())).isZero();
  }

  /** Gives the test the client side of the call, to cancel it. */
  private static final class CancellableRequests implements ClientResponseObserver<CreateUserRequest, BulkCreateResponse> {
    private final StreamObserver<BulkCreateResponse> delegate;
    private ClientCallStreamObserver<CreateUserRequest> call;

    CancellableRequests(StreamObserver<BulkCreateResponse> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<CreateUserRequest> requestStream) {
      call = requestStream;
    }

    boolean isReady() {
      return call.isReady();
    }

    void cancel() {
      call.cancel("client gave up", null);
    }

    @Override
    public void onNext(BulkCreateResponse value) {
      delegate.onNext(value);
    }

    @Override
    public void onError(Throwable t) {
      delegate.onError(t);
    }

    @Override
    public void onCompleted() {
      delegate.onCompleted();
    }
  }
}
