package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.Calls;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.Rows;
import dev.userservice.testing.TestTokens;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A request whose string field is not UTF-8 on the wire is refused as a bad argument; nothing is stored. */
class InvalidUtf8Test {
  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  @Test
  void createUser_nameNotUtf8_invalidArgumentAndNothingStored() throws Exception {
    // field 1 (email) "a@b.co", field 2 (name) the bytes FF FE: not UTF-8
    byte[] request = {0x0a, 0x06, 'a', '@', 'b', '.', 'c', 'o', 0x12, 0x02, (byte) 0xFF, (byte) 0xFE};
    MethodDescriptor<byte[], User> raw = UserServiceGrpc.getCreateUserMethod().toBuilder(
        new RawBytes(), ProtoUtils.marshaller(User.getDefaultInstance())).build();

    Status status = Calls.catchStatus(() -> ClientCalls.blockingUnaryCall(service.channel(), raw,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request)).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Rows.countUsers(service.settings())).isZero();
  }

  @Test
  void bulkCreate_malformedMessageAfterABatchWasWritten_invalidArgumentAndTheTransactionRolledBack() throws Exception {
    InProcessService postgres = InProcessService.onPostgres();
    try {
      MethodDescriptor<byte[], BulkCreateResponse> raw = UserServiceGrpc.getBulkCreateUsersMethod().toBuilder(
          new RawBytes(), ProtoUtils.marshaller(BulkCreateResponse.getDefaultInstance())).build();
      RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
      StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(postgres.channel().newCall(raw,
          CallOptions.DEFAULT.withCallCredentials(TestTokens.bearer(TestTokens.admin()))
              .withDeadlineAfter(20, TimeUnit.SECONDS)), result);
      for (int i = 0; i < 600; i++) { // one batch of 500 is written inside the open transaction
        requests.onNext(CreateUserRequest.newBuilder().setEmail("bulk" + i + "@example.com").setName("Bulk")
            .build().toByteArray());
      }
      requests.onNext(new byte[] {0x12, 0x02, (byte) 0xFF, (byte) 0xFE}); // a name that is not UTF-8

      assertThat(result.awaitEnd().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      // rolled back: the email is free again at once, not held by a transaction left open
      User created = postgres.blocking().withDeadlineAfter(5, TimeUnit.SECONDS)
          .createUser(CreateUserRequest.newBuilder().setEmail("bulk0@example.com").setName("Single").build());
      assertThat(created.getName()).isEqualTo("Single");
      assertThat(Rows.countUsers(postgres.settings())).isEqualTo(1);
    } finally {
      postgres.afterEach(null);
    }
  }

  private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
