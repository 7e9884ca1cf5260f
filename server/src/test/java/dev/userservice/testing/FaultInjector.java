package dev.userservice.testing;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server interceptor in front of the real service that counts the calls (attempts) of each
 * method and makes chosen ones fail: refused, answered late, their response lost, or their
 * stream cut or stalled after some messages. Faults are planned per method, for the next
 * calls in order, or for every call.
 */
public final class FaultInjector implements ServerInterceptor, AutoCloseable {
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, Queue<Fault>> planned = new ConcurrentHashMap<>();
  private final Map<String, Fault> always = new ConcurrentHashMap<>();
  private final List<Object> lostResponses = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fault-injector");
    t.setDaemon(true);
    return t;
  });

  /** What happens to one call. */
  public sealed interface Fault {
    /** Closed with this status at once; the service never sees the call. */
    static Fault fail(Status status) {
      return new Fail(status, Duration.ZERO);
    }

    /** Closed with this status after a delay; the service never sees the call. */
    static Fault failAfter(Duration delay, Status status) {
      return new Fail(status, delay);
    }

    /** The service handles the call (and commits), but its response is replaced by UNAVAILABLE. */
    static Fault loseResponse() {
      return new LoseResponse();
    }

    /** The service handles the call; what it sends goes out only this long after the call began. */
    static Fault delayResponse(Duration delay) {
      return new DelayResponse(delay);
    }

    /** The first {@code messages} responses go out, then the call is closed with this status. */
    static Fault cutStreamAfter(int messages, Status status) {
      return new CutStream(messages, status);
    }

    /** The first {@code messages} responses go out, then nothing more, until the client gives up. */
    static Fault stallStreamAfter(int messages) {
      return new CutStream(messages, null);
    }
  }

  private record Fail(Status status, Duration delay) implements Fault {}

  private record LoseResponse() implements Fault {}

  private record DelayResponse(Duration delay) implements Fault {}

  private record CutStream(int messages, Status status) implements Fault {}

  /** Plans {@code fault} for the next call of {@code fullMethodName} not yet given one. */
  public FaultInjector next(String fullMethodName, Fault fault) {
    planned.computeIfAbsent(fullMethodName, k -> new ArrayDeque<>()).add(requireNonNull(fault, "fault"));
    return this;
  }

  /** Plans {@code fault} for every call of {@code fullMethodName} after those planned with {@link #next}. */
  public FaultInjector always(String fullMethodName, Fault fault) {
    always.put(fullMethodName, requireNonNull(fault, "fault"));
    return this;
  }

  /** Calls of this method received so far, each attempt counted. */
  public int calls(String fullMethodName) {
    AtomicInteger count = calls.get(fullMethodName);
    return count == null ? 0 : count.get();
  }

  /** Responses that {@link Fault#loseResponse()} kept from the client. */
  public List<Object> lostResponses() {
    return lostResponses;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
    Fault fault = nextFault(method);
    if (fault == null) {
      return next.startCall(call, headers);
    }
    if (fault instanceof Fail f) {
      if (f.delay().isZero()) {
        call.close(f.status(), new Metadata());
      } else {
        scheduler.schedule(() -> call.close(f.status(), new Metadata()), f.delay().toNanos(), TimeUnit.NANOSECONDS);
      }
      return new ServerCall.Listener<>() {};
    }
    if (fault instanceof LoseResponse) {
      return next.startCall(new ResponseLosingCall<>(call), headers);
    }
    if (fault instanceof DelayResponse d) {
      return next.startCall(new DelayingCall<>(call, System.nanoTime() + d.delay().toNanos()), headers);
    }
    CutStream cut = (CutStream) fault;
    return next.startCall(new CuttingCall<>(call, cut.messages(), cut.status()), headers);
  }

  private Fault nextFault(String method) {
    Queue<Fault> queue = planned.get(method);
    if (queue != null) {
      synchronized (queue) {
        Fault fault = queue.poll();
        if (fault != null) {
          return fault;
        }
      }
    }
    return always.get(method);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /** Drops headers and messages, and turns the OK close into UNAVAILABLE: a response lost on the way. */
  private final class ResponseLosingCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    ResponseLosingCall(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      // sent headers would commit the call on the client and rule out a retry
    }

    @Override
    public void sendMessage(RespT message) {
      lostResponses.add(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (status.isOk()) {
        super.close(Status.UNAVAILABLE.withDescription("connection lost (injected)"), new Metadata());
      } else {
        super.close(status, trailers);
      }
    }
  }

  /** Holds everything the service sends and replays it, in order, once the delay has passed. */
  private final class DelayingCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final long sendAtNanos;
    private final List<Runnable> held = new ArrayList<>();

    DelayingCall(ServerCall<ReqT, RespT> delegate, long sendAtNanos) {
      super(delegate);
      this.sendAtNanos = sendAtNanos;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      held.add(() -> delegate().sendHeaders(headers));
    }

    @Override
    public void sendMessage(RespT message) {
      held.add(() -> delegate().sendMessage(message));
    }

    @Override
    public void close(Status status, Metadata trailers) {
      held.add(() -> delegate().close(status, trailers));
      List<Runnable> replay = List.copyOf(held);
      scheduler.schedule(() -> replay.forEach(Runnable::run), sendAtNanos - System.nanoTime(),
          TimeUnit.NANOSECONDS);
    }
  }

  /** Passes the first messages, then closes with a status (or stalls) and swallows the rest. */
  private static final class CuttingCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final int messages;
    private final Status status;
    private int sent;
    private boolean cut;

    CuttingCall(ServerCall<ReqT, RespT> delegate, int messages, Status status) {
      super(delegate);
      this.messages = messages;
      this.status = status;
    }

    @Override
    public void sendMessage(RespT message) {
      if (cut) {
        return;
      }
      super.sendMessage(message);
      if (++sent == messages) {
        cut = true;
        if (status != null) {
          super.close(status, new Metadata());
        }
      }
    }

    @Override
    public boolean isReady() {
      return !cut && super.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!cut) {
        super.close(status, trailers);
      }
    }
  }
}
