package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.TestTokens;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
  private static final Path ROOT = Path.of(System.getProperty("project.root", "."));
  private static final Pattern RESULT = Pattern.compile("rows=(\\d+) seconds=([0-9.]+) rate=(\\d+) status=(\\S+)");
  /** More than two pages of the largest size, so the stream spans several queries and many DATA frames. */
  private static final int USERS = 2_345;

  @TempDir
  static Path work;
  private static Path listRead;
  private static NettyService service;

  @BeforeAll
  static void build() throws Exception {
    listRead = work.resolve("list-read");
    Result built = run(List.of("cc", "-O2", "-o", listRead.toString(), ROOT.resolve("scripts/list-read.c").toString(),
        "-lnghttp2"));
    assertThat(built.exitCode()).as("cc printed: %s", built.out()).isZero();
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
      Result result = listRead("Bearer " + TestTokens.admin(), pageSize);

      assertThat(result.exitCode()).as("list-read printed: %s", result.out()).isZero();
      Matcher line = line(result);
      assertThat(Long.parseLong(line.group(1))).as("page size %d", pageSize).isEqualTo(USERS);
      assertThat(line.group(4)).isEqualTo("0");
      assertThat(Long.parseLong(line.group(3))).isPositive();
    }
  }

  @Test
  void listRead_streamEndingInAnError_failsWithItsStatus() throws Exception {
    Result result = listRead("Bearer not-a-token", 1000);

    assertThat(result.exitCode()).isEqualTo(1);
    Matcher line = line(result);
    assertThat(line.group(1)).isEqualTo("0");
    assertThat(line.group(4)).isEqualTo("16"); // UNAUTHENTICATED
  }

  private static void storeUsers() throws Exception {
    CompletableFuture<BulkCreateResponse> done = new CompletableFuture<>();
    StreamObserver<CreateUserRequest> requests = UserServiceGrpc.newStub(service.channel())
        .withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .bulkCreateUsers(new StreamObserver<>() {
          @Override
          public void onNext(BulkCreateResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    for (int i = 0; i < USERS; i++) {
      requests.onNext(CreateUserRequest.newBuilder().setEmail("listed-" + i + "@example.com").setName("Listed " + i).build());
    }
    requests.onCompleted();
    assertThat(done.get(60, TimeUnit.SECONDS).getCreatedCount()).isEqualTo(USERS);
  }

  private static Result listRead(String authorization, int pageSize) throws Exception {
    return run(List.of(listRead.toString(), "127.0.0.1", Integer.toString(service.port()), authorization,
        Integer.toString(pageSize)));
  }

  private static Matcher line(Result result) {
    Matcher line = RESULT.matcher(result.out().strip());
    assertThat(line.matches()).as("list-read printed: %s", result.out()).isTrue();
    return line;
  }

  private record Result(int exitCode, String out) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out);
  }
}
