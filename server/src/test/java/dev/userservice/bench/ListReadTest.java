package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.client.UserServiceClient;
import dev.userservice.testing.NettyService;
import dev.userservice.bench.NativeClients.Run;
import dev.userservice.testing.TestTokens;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/list-read.c, the native ListUsers reader of the comparison script, built with cc and
 * run against the real Netty server: it counts every user the service streams, across pages and
 * HTTP/2 frames, and a stream that ends in an error is a failure, not a short count.
 */
class ListReadTest {
  private static final Pattern RESULT = Pattern.compile("rows=(\\d+) seconds=([0-9.]+) rate=(\\d+) status=(\\S+)");
  /** More than two pages of the largest size, so the stream spans several queries and many DATA frames. */
  private static final int USERS = 2_345;

  @TempDir
  static Path work;
  private static Path listRead;
  private static NettyService service;

  @BeforeAll
  static void build() throws Exception {
    listRead = NativeClients.build(work, "list-read");
    service = NettyService.start();
    storeUsers();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void listRead_countsEveryUserStreamed_atAnyPageSize() throws Exception {
    for (int pageSize : new int[] {1000, 7}) {
      Run result = listRead("Bearer " + TestTokens.admin(), pageSize);

      assertThat(result.exitCode()).as("list-read printed: %s", result.out()).isZero();
      Matcher line = line(result);
      assertThat(Long.parseLong(line.group(1))).as("page size %d", pageSize).isEqualTo(USERS);
      assertThat(line.group(4)).isEqualTo("0");
      assertThat(Long.parseLong(line.group(3))).isPositive();
    }
  }

  @Test
  void listRead_streamEndingInAnError_failsWithItsStatus() throws Exception {
    Run result = listRead("Bearer not-a-token", 1000);

    assertThat(result.exitCode()).isEqualTo(1);
    Matcher line = line(result);
    assertThat(line.group(1)).isEqualTo("0");
    assertThat(line.group(4)).isEqualTo("16"); // UNAUTHENTICATED
  }

  private static void storeUsers() {
    List<CreateUserRequest> requests = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      requests.add(CreateUserRequest.newBuilder().setEmail("listed-" + i + "@example.com").setName("Listed " + i).build());
    }
    try (UserServiceClient client = UserServiceClient.builder("127.0.0.1:" + service.port())
        .bearerTokens(TestTokens::admin).build()) {
      assertThat(client.bulkCreateUsers(requests).getCreatedCount()).isEqualTo(USERS);
    }
  }

  private static Run listRead(String authorization, int pageSize) throws Exception {
    return NativeClients.run(List.of(listRead.toString(), "127.0.0.1", Integer.toString(service.port()), authorization,
        Integer.toString(pageSize)));
  }

  private static Matcher line(Run result) {
    Matcher line = RESULT.matcher(result.out().strip());
    assertThat(line.matches()).as("list-read printed: %s", result.out()).isTrue();
    return line;
  }
}
