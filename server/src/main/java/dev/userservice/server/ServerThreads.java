package dev.userservice.server;

import dev.userservice.user.CallLoops;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The server's threads, sized instead of grpc-java's defaults (an unbounded cached pool for
 * calls, two Netty event loops per core): a fixed pool that runs calls, about as large as the
 * database pool their work waits on, and a set number of event loops. On two cores, 8 call
 * threads and 1 event loop served GetUser about 29 % faster than the defaults (three runs
 * each of {@code bench --rpc=get}). Closed after the server has stopped.
 */
final class ServerThreads implements AutoCloseable {
  /** Netty's own system property for its leak detector's level, as grpc-netty-shaded names it. */
  static final String LEAK_DETECTION_LEVEL = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  static {
    // the detector records a stack trace for a sample of all buffers, about 2 % of the service's
    // CPU under load: off unless the level is asked for, e.g. to look for a leak
    if (System.getProperty(LEAK_DETECTION_LEVEL) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  private final ExecutorService calls;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Class<? extends ServerChannel> channelType;
  private final List<EventExecutor> loops = new ArrayList<>();
  private final List<AnswerPolling> pollings = new CopyOnWriteArrayList<>();

  private ServerThreads(int callThreads, int eventLoops, Duration answerPoll) {
    this.calls = Executors.newFixedThreadPool(callThreads, ThreadPools.daemon("grpc-call-"));
    boolean epoll = Epoll.isAvailable();
    this.boss = epoll ? new EpollEventLoopGroup(1, new DefaultThreadFactory("grpc-boss", true))
        : new NioEventLoopGroup(1, new DefaultThreadFactory("grpc-boss", true));
    DefaultThreadFactory io = new DefaultThreadFactory("grpc-io", true);
    if (!epoll) {
      this.workers = new NioEventLoopGroup(eventLoops, io);
    } else if (!answerPoll.isZero()) {
      this.workers = new EpollEventLoopGroup(eventLoops, io, () -> {
        AnswerPolling polling = new AnswerPolling(answerPoll);
        pollings.add(polling);
        return polling;
      });
    } else {
      this.workers = new EpollEventLoopGroup(eventLoops, io);
    }
    this.channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    workers.forEach(loops::add);
  }

  /**
   * Threads for a server.
   *
   * @param callThreads threads that run calls
   * @param eventLoops Netty I/O threads
   * @param answerPoll how long an event loop awaiting database answers polls for them since its
   *     last event before it sleeps ({@link AnswerPolling}); zero: it sleeps at once
   */
  static ServerThreads create(int callThreads, int eventLoops, Duration answerPoll) {
    if (callThreads < 1 || eventLoops < 1 || answerPoll.isNegative()) {
      throw new IllegalArgumentException("callThreads: " + callThreads + ", eventLoops: " + eventLoops
          + ", answerPoll: " + answerPoll + " (expected: >= 1, >= 1, >= 0)");
    }
    return new ServerThreads(callThreads, eventLoops, answerPoll);
  }

  /**
   * Makes the builder use these threads. The messages of calls of {@code nonBlockingMethods}
   * (full method names) are handled on the event loop that read them, saving a hand-off to a
   * call thread: their handlers never block. Every other call is handed to the call threads
   * once its method is known; the lookup itself runs on the event loop, so a call of a
   * non-blocking method never waits for a call thread, even when all of them are busy.
   */
  NettyServerBuilder applyTo(NettyServerBuilder builder, Set<String> nonBlockingMethods) {
    Set<String> direct = Set.copyOf(nonBlockingMethods);
    // the server's executor runs the method lookup; the supplier then picks the call's executor
    return builder.directExecutor()
        .callExecutor(new ServerCallExecutorSupplier() {
          @Override
          public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
            // null: stay on the server's (direct) executor
            return direct.contains(call.getMethodDescriptor().getFullMethodName()) ? null : calls;
          }
        })
        .bossEventLoopGroup(boss).workerEventLoopGroup(workers).channelType(channelType);
  }

  /** The event loops that read calls, where batched calls read on them are answered. */
  CallLoops callLoops() {
    return new CallLoops() {
      @Override
      public Optional<Executor> current() {
        for (int i = 0; i < loops.size(); i++) {
          if (loops.get(i).inEventLoop()) {
            return Optional.of(loops.get(i));
          }
        }
        return Optional.empty();
      }

      @Override
      public void answerAwaited() {
        currentPolling().ifPresent(AnswerPolling::answerAwaited);
      }

      @Override
      public void answersArrived(int count) {
        currentPolling().ifPresent(polling -> polling.answersArrived(count));
      }
    };
  }

  /** The answer polling of the event loop the calling thread is, when the loops poll. */
  Optional<AnswerPolling> currentPolling() {
    for (AnswerPolling polling : pollings) {
      if (polling.isCurrent()) {
        return Optional.of(polling);
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    calls.shutdown();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    try {
      calls.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
