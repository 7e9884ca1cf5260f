package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.user.CallLoops;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread runs a call's handler: the Netty event loop that read it for the methods named
 * non-blocking, a call thread for every other, over a real Netty server; and which event loop a
 * handler finds as its call's loop, where batched calls are answered.
 */
class ServerThreadsTest {
  private final ServerThreads threads = ServerThreads.create(2, 1, Duration.ofMillis(1));
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    threads.close();
  }

  @Test
  void nonBlockingMethod_runsOnTheEventLoop_othersOnCallThreads() throws IOException {
    var stub = serve(Set.of(UserServiceGrpc.getCreateUserMethod().getFullMethodName()));

    assertThat(stub.createUser(CreateUserRequest.getDefaultInstance()).getName()).startsWith("grpc-io-");
    assertThat(stub.getUser(GetUserRequest.getDefaultInstance()).getName()).startsWith("grpc-call-");
  }

  @Test
  void serviceMethodsNamedNonBlocking_runOnTheEventLoop() throws IOException {
    var stub = serve(UserServiceImpl.NON_BLOCKING_METHODS);

    assertThat(stub.createUser(CreateUserRequest.getDefaultInstance()).getName()).startsWith("grpc-io-");
    assertThat(stub.getUser(GetUserRequest.getDefaultInstance()).getName()).startsWith("grpc-io-");
    assertThat(stub.listUsers(ListUsersRequest.getDefaultInstance()).next().getName()).startsWith("grpc-io-");
  }

  @Test
  void callLoops_areTheEventLoopThatReadTheCall_noneOnOtherThreads() throws Exception {
    var stub = serve(Set.of(UserServiceGrpc.getCreateUserMethod().getFullMethodName()), this::answerOnCallLoop);

    // answered by a task run on the executor found: the event loop itself
    assertThat(stub.createUser(CreateUserRequest.getDefaultInstance()).getName()).startsWith("grpc-io-");
    assertThat(stub.getUser(GetUserRequest.getDefaultInstance()).getName()).isEqualTo("no loop");
    assertThat(threads.callLoops().current()).isEmpty();
  }

  private void answerOnCallLoop(StreamObserver<User> response) {
    threads.callLoops().current().ifPresentOrElse(loop -> loop.execute(() -> answerWithThreadName(response)), () -> {
      response.onNext(User.newBuilder().setName("no loop").build());
      response.onCompleted();
    });
  }

  @Test
  void eventLoop_pollsWhileAnAnswerIsAwaited_andSleepsOnceItHasArrived() throws Exception {
    // polls up to a second since its last event: the call's 300 ms wait is polled through
    ServerThreads polling = ServerThreads.create(2, 1, Duration.ofSeconds(1));
    AtomicReference<Thread> loopThread = new AtomicReference<>();
    AtomicReference<Executor> loop = new AtomicReference<>();
    CallLoops loops = polling.callLoops();
    try {
      var stub = serve(polling, Set.of(UserServiceGrpc.getGetUserMethod().getFullMethodName()), response -> {
            loopThread.set(Thread.currentThread());
            loop.set(loops.current().orElseThrow());
            answerWithThreadName(response);
          });
      stub.getUser(GetUserRequest.getDefaultInstance());
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      long thread = loopThread.get().getId();
      Thread.sleep(100);

      long idleStart = cpu.getThreadCpuTime(thread);
      Thread.sleep(300);
      long idle = cpu.getThreadCpuTime(thread) - idleStart;
      // the answer comes from another thread 300 ms later, as a database worker's would
      long awaitingStart = cpu.getThreadCpuTime(thread);
      CompletableFuture<User> answered = new CompletableFuture<>();
      loop.get().execute(() -> {
        loops.answerAwaited();
        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> loop.get().execute(() -> {
          loops.answersArrived(1);
          answered.complete(User.newBuilder().setName("arrived").build());
        }));
      });
      assertThat(answered.get(5, TimeUnit.SECONDS).getName()).isEqualTo("arrived");
      long awaiting = cpu.getThreadCpuTime(thread) - awaitingStart;
      long afterStart = cpu.getThreadCpuTime(thread);
      Thread.sleep(300);
      long after = cpu.getThreadCpuTime(thread) - afterStart;

      assertThat(awaiting).as("loop CPU while the answer was awaited (ns)").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(100));
      assertThat(idle).as("loop CPU with nothing awaited (ns)").isLessThan(TimeUnit.MILLISECONDS.toNanos(30));
      assertThat(after).as("loop CPU once the answer arrived (ns)").isLessThan(TimeUnit.MILLISECONDS.toNanos(30));
      CompletableFuture<Integer> awaited = new CompletableFuture<>();
      loop.get().execute(() -> awaited.complete(polling.currentPolling().orElseThrow().awaited()));
      assertThat(awaited.get(5, TimeUnit.SECONDS)).isZero();
    } finally {
      stop();
      polling.close();
    }
  }

  @Test
  void nettyLeakDetector_offUnlessItsLevelIsAsked() {
    // the test runs without the property, as the service does by default
    assertThat(System.getProperty(ServerThreads.LEAK_DETECTION_LEVEL)).isNull();

    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
  }

  /** A server whose three methods answer with the name of the thread their handler ran on. */
  private UserServiceGrpc.UserServiceBlockingStub serve(Set<String> nonBlocking) throws IOException {
    return serve(nonBlocking, ServerThreadsTest::answerWithThreadName);
  }

  /** A server whose three methods all answer through {@code answer}. */
  private UserServiceGrpc.UserServiceBlockingStub serve(Set<String> nonBlocking, Consumer<StreamObserver<User>> answer)
      throws IOException {
    return serve(threads, nonBlocking, answer);
  }

  /** A server on {@code threads} whose three methods all answer through {@code answer}. */
  private UserServiceGrpc.UserServiceBlockingStub serve(ServerThreads threads, Set<String> nonBlocking,
      Consumer<StreamObserver<User>> answer) throws IOException {
    UserServiceGrpc.AsyncService service = new UserServiceGrpc.AsyncService() {
      @Override
      public void createUser(CreateUserRequest request, StreamObserver<User> response) {
        answer.accept(response);
      }

      @Override
      public void getUser(GetUserRequest request, StreamObserver<User> response) {
        answer.accept(response);
      }

      @Override
      public void listUsers(ListUsersRequest request, StreamObserver<User> response) {
        answer.accept(response);
      }
    };
    server = threads.applyTo(NettyServerBuilder.forPort(0, InsecureServerCredentials.create()), nonBlocking)
        .addService(UserServiceGrpc.bindService(service)).build().start();
    channel = Grpc.newChannelBuilder("localhost:" + server.getPort(), InsecureChannelCredentials.create()).build();
    return UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static void answerWithThreadName(StreamObserver<User> response) {
    response.onNext(User.newBuilder().setName(Thread.currentThread().getName()).build());
    response.onCompleted();
  }
}
