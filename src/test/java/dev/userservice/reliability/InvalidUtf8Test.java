package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.Calls;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.Rows;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
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
