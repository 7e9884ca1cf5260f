package dev.userservice.reliability;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failed logins with emails and passwords up to the 4 MiB message limit, against the packaged
 * jar with a container's heap: nothing of them is kept, so the service stays up and answers.
 */
class HugeLoginsIT {
  /** Just under the 4 MiB message limit, leaving room for the field tags and the other field. */
  private static final int HUGE = 4 * 1024 * 1024 - 64;
  private static final int LOGINS = 160;

  private String schema;
  private ServiceProcess service;

  @BeforeEach
  void start() throws Exception {
    schema = TestDatabases.createPostgresSchema();
    service = ServiceProcess.startInContainerHeap(ServiceProcess.postgresEnvironment(schema));
  }

  @AfterEach
  void stop() throws Exception {
    service.close();
    TestDatabases.dropSchema(schema);
  }

  private static AuthServiceGrpc.AuthServiceBlockingStub auth(ManagedChannel channel) {
    return AuthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Test
  void login_manyHugeDistinctEmailsAndPasswords_invalidArgumentAndTheServiceStaysUp() throws Exception {
    ManagedChannel channel = service.channel();
    String filler = "a".repeat(HUGE - 20);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    List<Status.Code> codes = new ArrayList<>();
    try {
      List<Future<Status.Code>> answers = new ArrayList<>();
      for (int i = 0; i < LOGINS; i++) {
        // a distinct email each time, as an attacker filling a per-email table would send
        LoginRequest request = i % 8 == 7
            ? LoginRequest.newBuilder().setEmail("victim" + i + "@example.com").setPassword(filler).build()
            : LoginRequest.newBuilder().setEmail(i + filler + "@example.com").setPassword("guess").build();
        answers.add(callers.submit(() -> catchStatus(() -> auth(channel).login(request)).getStatus().getCode()));
      }
      for (Future<Status.Code> answer : answers) {
        codes.add(answer.get());
      }
    } finally {
      callers.shutdownNow();
    }

    assertThat(codes).hasSize(LOGINS).containsOnly(Status.Code.INVALID_ARGUMENT);
    assertThat(service.isAlive()).isTrue();
    UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).createUser(CreateUserRequest
        .newBuilder().setEmail("after@example.com").setName("After").setPassword("correct horse battery").build());
    assertThat(auth(channel).login(LoginRequest.newBuilder().setEmail("after@example.com")
        .setPassword("correct horse battery").build()).getAccessToken()).isNotEmpty();
  }
}
