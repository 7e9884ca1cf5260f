package dev.userservice.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.db.Database;
import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.server.DatabaseWorkerThreads;
import dev.userservice.server.ExceptionInterceptor;
import dev.userservice.server.UserServer;
import dev.userservice.testing.CountingUserRepository;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.jdbc.JdbcUserRepository;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every kind of bad token is UNAUTHENTICATED, and the handler never runs for it. */
class AuthInterceptorTest {
  private final DatabaseWorkerThreads workerThreads = DatabaseWorkerThreads.start(0);

  @AfterEach
  void closeWorkerThreads() {
    workerThreads.close();
  }

  private Database database;
  private CountingUserRepository repository;
  private UserServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    database = Database.open(TestDatabases.h2());
    repository = new CountingUserRepository(new JdbcUserRepository(database.dataSource(), Clock.systemUTC()));
    String name = InProcessServerBuilder.generateName();
    server = new UserServer(InProcessServerBuilder.forName(name),
        List.of(new UserServiceImpl(repository, new PasswordHasher(1), workerThreads.workers())),
        List.of(new ExceptionInterceptor(), new AuthInterceptor(TestTokens.SERVICE)), () -> true,
        Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)).start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    database.close();
  }

  private Status getUserWithHeader(String authorization) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(AuthInterceptor.AUTHORIZATION, authorization);
    }
    try {
      UserServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .getUser(GetUserRequest.newBuilder().setUserId(UUID.randomUUID().toString()).build());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private void assertRejected(String authorization) {
    Status status = getUserWithHeader(authorization);
    assertThat(status.getCode()).as("status for %s", authorization).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(repository.calls()).as("repository calls").isZero();
  }

  private static TokenService serviceWith(TokenSettings settings, Instant now) {
    return TokenService.create(settings, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void validToken_reachesTheHandler() {
    Status status = getUserWithHeader("Bearer " + TestTokens.admin());

    assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(repository.calls()).isEqualTo(1);
  }

  @Test
  void missingToken_unauthenticated() {
    assertRejected(null);
  }

  @Test
  void malformedHeaders_unauthenticated() {
    assertRejected("Basic dXNlcjpwYXNz");
    assertRejected("Bearer");
    assertRejected("Bearer ");
    assertRejected("Bearer not.a.jwt");
    assertRejected(TestTokens.admin()); // no scheme
  }

  @Test
  void expiredToken_unauthenticated() {
    TokenService past = serviceWith(TokenSettings.hs256(TestTokens.SECRET), Instant.now().minus(Duration.ofHours(1)));
    assertRejected("Bearer " + past.issue("someone", Set.of("admin")).token());
  }

  @Test
  void notYetValidToken_unauthenticated() {
    TokenService future = serviceWith(TokenSettings.hs256(TestTokens.SECRET), Instant.now().plus(Duration.ofHours(1)));
    assertRejected("Bearer " + future.issue("someone", Set.of("admin")).token());
  }

  @Test
  void wrongIssuerOrAudience_unauthenticated() {
    TokenSettings base = TokenSettings.hs256(TestTokens.SECRET);
    TokenSettings otherIssuer = new TokenSettings(base.secret(), Optional.empty(), Optional.empty(), "someone-else",
        base.audience(), base.lifetime(), base.clockSkew());
    TokenSettings otherAudience = new TokenSettings(base.secret(), Optional.empty(), Optional.empty(), base.issuer(),
        "another-service", base.lifetime(), base.clockSkew());

    assertRejected("Bearer " + serviceWith(otherIssuer, Instant.now()).issue("x", Set.of("admin")).token());
    assertRejected("Bearer " + serviceWith(otherAudience, Instant.now()).issue("x", Set.of("admin")).token());
  }

  @Test
  void wronglySignedToken_unauthenticated() {
    TokenService otherSecret = serviceWith(TokenSettings.hs256("another-secret-of-at-least-32-bytes!!"), Instant.now());
    assertRejected("Bearer " + otherSecret.issue("x", Set.of("admin")).token());

    String valid = TestTokens.admin();
    String tampered = valid.substring(0, valid.lastIndexOf('.') + 1) + "AAAA" + valid.substring(valid.lastIndexOf('.') + 5);
    assertRejected("Bearer " + tampered);
  }

  @Test
  void unsignedAlgNoneToken_unauthenticated() {
    PlainJWT unsigned = new PlainJWT(claims().build());
    assertRejected("Bearer " + unsigned.serialize());
  }

  @Test
  void tokenWithoutExpiry_unauthenticated() throws Exception {
    JWTClaimsSet noExp = claims().expirationTime(null).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), noExp);
    jwt.sign(new MACSigner(TestTokens.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertRejected("Bearer " + jwt.serialize());
  }

  @Test
  void otherAlgorithmThanPinned_unauthenticated() throws Exception {
    // HS512 with the right secret: valid signature, but not the pinned algorithm
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), claims().build());
    jwt.sign(new MACSigner((TestTokens.SECRET + TestTokens.SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertRejected("Bearer " + jwt.serialize());
  }

  @Test
  void accountStateUnreadable_unavailableAndHandlerNotReached() throws Exception {
    AccountStates down = subject -> {
      throw new DatabaseUnavailableException("connection refused", new java.sql.SQLException("refused"));
    };
    String name = InProcessServerBuilder.generateName();
    UserServer downServer = new UserServer(InProcessServerBuilder.forName(name),
        List.of(new UserServiceImpl(repository, new PasswordHasher(1), workerThreads.workers())),
        List.of(new ExceptionInterceptor(), new AuthInterceptor(TestTokens.SERVICE, down)), () -> true,
        Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)).start();
    ManagedChannel downChannel = InProcessChannelBuilder.forName(name).build();
    try {
      StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
          () -> UserServiceGrpc.newBlockingStub(downChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
              .withCallCredentials(TestTokens.bearer(TestTokens.user(UUID.randomUUID().toString())))
              .getUser(GetUserRequest.newBuilder().setUserId(UUID.randomUUID().toString()).build()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).doesNotContain("refused");
      assertThat(repository.calls()).isZero();
    } finally {
      downChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      downServer.close();
    }
  }

  @Test
  void healthAndCreateUser_needNoToken() {
    var health = io.grpc.health.v1.HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance());
    assertThat(health.getStatus()).isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);

    var created = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .createUser(dev.userservice.api.user.v1.CreateUserRequest.newBuilder()
            .setEmail("open@example.com").setName("Open").build());
    assertThat(created.getId()).isNotEmpty();
  }

  private static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().subject("attacker").issuer("user-service").audience("user-service")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600))).claim("roles", List.of("admin"));
  }
}
