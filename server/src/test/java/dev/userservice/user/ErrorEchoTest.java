package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import com.google.rpc.BadRequest;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Errors stay small whatever the request held, over the real transport, where a default client
 * accepts at most 8 KiB of trailers and reports RESOURCE_EXHAUSTED beyond.
 */
class ErrorEchoTest {
  private NettyService service;
  private User user;

  @BeforeEach
  void start() {
    service = NettyService.start();
    user = UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail("echo@example.com").setName("Echo").build());
  }

  @AfterEach
  void close() throws Exception {
    service.close();
  }

  private RecordingObserver<User> update(FieldMask mask) {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = UserServiceGrpc.newStub(service.channel())
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).userUpdates(answers);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).setName("Renamed").setUpdateMask(mask)
        .build());
    requests.onCompleted();
    return answers;
  }

  private static int utf8Bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void userUpdates_maskPathOf4KiB_invalidArgumentEchoingItsStartOnly() throws Exception {
    RecordingObserver<User> answers = update(FieldMask.newBuilder().addPaths("p".repeat(4096)).build());

    Status status = answers.awaitEnd();

    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("'" + "p".repeat(64) + "... (4096 characters)'")
        .doesNotContain("p".repeat(65));
    BadRequest details = StatusProto.fromThrowable(answers.error()).getDetails(0).unpack(BadRequest.class);
    assertThat(details.getFieldViolations(0).getField()).isEqualTo("update_mask");
  }

  @Test
  void userUpdates_maskPathOf4KiBWideCharacters_invalidArgument() throws Exception {
    RecordingObserver<User> answers = update(FieldMask.newBuilder().addPaths("\u8a9e".repeat(4096)).build());

    Status status = answers.awaitEnd();

    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("(4096 characters)");
  }

  @Test
  void userUpdates_thousandsOfMaskPaths_invalidArgumentCountingAllListingTen() throws Exception {
    FieldMask.Builder mask = FieldMask.newBuilder();
    for (int i = 0; i < 5000; i++) {
      mask.addPaths("unknown_" + i + "_" + "\u00e9".repeat(100));
    }
    RecordingObserver<User> answers = update(mask.build());

    Status status = answers.awaitEnd();

    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(utf8Bytes(status.getDescription())).isLessThanOrEqualTo(1024);
    assertThat(status.getDescription()).startsWith("5000 bad fields, the first 10: update_mask: unknown or read-only path 'unknown_0_");
    BadRequest details = StatusProto.fromThrowable(answers.error()).getDetails(0).unpack(BadRequest.class);
    assertThat(details.getFieldViolationsList()).hasSize(ValidationException.MAX_VIOLATIONS);
  }
}
