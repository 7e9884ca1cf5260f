package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.Sets;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.observability.ServiceTracing;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The application as it serves on Netty: a ListUsers stream sends its messages on the event loop
 * that read the call, its pages read on the database workers.
 */
class ListUsersOnTheEventLoopTest {
  /** The thread of every message a ListUsers call sent. */
  private final List<String> senders = new CopyOnWriteArrayList<>();

  @Test
  void listUsers_sendsEveryMessageOnTheEventLoop() {
    Config config = Config.load(new String[] {"--metrics-port=0", "--drain-delay-ms=0", "--shutdown-grace-ms=1000"},
        Map.of("JWT_SECRET", TestTokens.SECRET));
    ServerThreads threads = ServerThreads.create(2, 1, Duration.ofMillis(1));
    NettyServerBuilder builder = threads.applyTo(NettyServerBuilder.forPort(0, InsecureServerCredentials.create()),
        Sets.union(UserServiceImpl.NON_BLOCKING_METHODS, UserServer.NON_BLOCKING_METHODS));
    builder.intercept(recordingListUsersSenders());
    UserServiceApp app = UserServiceApp.start(TestDatabases.h2(), builder, config, ServiceTracing.off(), threads,
        threads.callLoops());
    ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + app.port(), InsecureChannelCredentials.create())
        .build();
    try {
      var stub = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      for (int i = 0; i < 5; i++) {
        stub.createUser(CreateUserRequest.newBuilder().setEmail("loop" + i + "@example.com").setName("Loop").build());
      }
      int received = 0;
      for (var users = stub.listUsers(ListUsersRequest.newBuilder().setPageSize(2).build()); users.hasNext(); ) {
        users.next();
        received++;
      }

      assertThat(received).isEqualTo(5);
      assertThat(senders).hasSize(5).allMatch(thread -> thread.startsWith("grpc-io-"));
    } finally {
      channel.shutdownNow();
      app.close();
    }
  }

  private ServerInterceptor recordingListUsersSenders() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
          ServerCallHandler<ReqT, RespT> next) {
        if (!call.getMethodDescriptor().getFullMethodName()
            .equals(UserServiceGrpc.getListUsersMethod().getFullMethodName())) {
          return next.startCall(call, headers);
        }
        return next.startCall(new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(RespT message) {
            senders.add(Thread.currentThread().getName());
            super.sendMessage(message);
          }
        }, headers);
      }
    };
  }
}
