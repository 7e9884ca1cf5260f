package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RequestFrameTest {
  @Test
  void of_bodyIsTheUncompressedFlagTheLengthAndTheMessage() throws Exception {
    GetUserRequest request = GetUserRequest.newBuilder().setUserId("01a21545-84c7-7015-b3ae-af8891307b89").build();
    User answer = User.newBuilder().setId(request.getUserId()).setEmail("a@example.com").setName("A").build();

    RequestFrame frame = RequestFrame.of("/user.v1.UserService/GetUser", request, answer);

    byte[] body = frame.body();
    assertThat(body[0]).isZero();
    assertThat(ByteBuffer.wrap(body, 1, 4).getInt()).isEqualTo(body.length - 5);
    assertThat(GetUserRequest.parseFrom(Arrays.copyOfRange(body, 5, body.length))).isEqualTo(request);
    assertThat(frame.responseBytes()).isEqualTo(5 + answer.toByteArray().length);
    assertThat(frame.path()).isEqualTo("/user.v1.UserService/GetUser");
  }

  @Test
  void framed_emptyMessage_isThePrefixAlone() {
    assertThat(RequestFrame.framed(GetUserRequest.getDefaultInstance())).containsExactly(0, 0, 0, 0, 0);
  }
}
