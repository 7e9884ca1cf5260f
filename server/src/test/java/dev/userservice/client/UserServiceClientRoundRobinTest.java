package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.FaultInjectingService;
import dev.userservice.testing.TestTokens;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Round-robin over every address of a {@code dns:///} name. The name resolves to 127.0.0.1
 * and 127.0.0.2 through the JDK's own name service, which this test's JVM reads from
 * {@code src/test/resources/dns-hosts} ({@code -Djdk.net.hosts.file}, set for the
 * {@code hosts-file} tag in pom.xml); grpc's DNS resolver asks that name service as usual.
 */
@Tag("hosts-file")
class UserServiceClientRoundRobinTest {
  private static final String NAME = "users.service.test";
  private static final String GET_USER = UserServiceGrpc.getGetUserMethod().getFullMethodName();
  private static final String UNKNOWN_ID = "0190a5d0-7e1c-7abc-8def-0123456789ab";

  @RegisterExtension
  final FaultInjectingService second = FaultInjectingService.on("127.0.0.2", 0);

  @Test
  void getUser_dnsNameWithTwoAddresses_callsAlternateBetweenServers() throws Exception {
    assertThat(InetAddress.getAllByName(NAME)).extracting(InetAddress::getHostAddress)
        .as("the name service of this JVM").containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
    int port = second.port();
    FaultInjectingService first = second.closeAfter(FaultInjectingService.on("127.0.0.1", port));
    first.port();
    UserServiceClient client = second.closeAfter(UserServiceClient.builder("dns:///" + NAME + ":" + port)
        .bearerTokens(TestTokens::admin)
        .build());

    // round_robin sends calls only to connected servers; wait until both are
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThatThrownBy(() -> client.getUser(UNKNOWN_ID)).isInstanceOf(NotFoundException.class);
      assertThat(first.faults().calls(GET_USER)).isPositive();
      assertThat(second.faults().calls(GET_USER)).isPositive();
    });
    int firstBefore = first.faults().calls(GET_USER);
    int secondBefore = second.faults().calls(GET_USER);
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> client.getUser(UNKNOWN_ID)).isInstanceOf(NotFoundException.class);
    }

    assertThat(first.faults().calls(GET_USER) - firstBefore).isEqualTo(5);
    assertThat(second.faults().calls(GET_USER) - secondBefore).isEqualTo(5);
  }
}
