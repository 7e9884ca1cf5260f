package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import dev.userservice.config.TransportLimits;
import io.grpc.Attributes;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the streaming calls open at once, per connection and on the whole server, so that no
 * set of callers can hold more memory than the bounds allow: a stream past either bound ends at
 * once with RESOURCE_EXHAUSTED. Every admitted stream also gets the configured on-ready
 * threshold, which bounds the bytes it queues for a client that does not read. Unary calls are
 * not counted; they end by themselves.
 *
 * <p>Connections are told apart by a counter its {@link #transportFilter()} puts in each
 * connection's attributes; without the filter (in-process servers) only the total bound holds.
 */
final class StreamLimiter implements ServerInterceptor {
  private static final Attributes.Key<AtomicInteger> CONNECTION_STREAMS =
      Attributes.Key.create("streaming calls open on the connection");

  private final int maxPerConnection;
  private final int maxTotal;
  private final int bufferBytes;
  private final AtomicInteger open = new AtomicInteger();

  StreamLimiter(int maxPerConnection, int maxTotal, int bufferBytes) {
    if (maxPerConnection < 1 || maxTotal < 1 || bufferBytes < 1) {
      throw new IllegalArgumentException("maxPerConnection: " + maxPerConnection + ", maxTotal: " + maxTotal
          + ", bufferBytes: " + bufferBytes + " (expected: >= 1 each)");
    }
    this.maxPerConnection = maxPerConnection;
    this.maxTotal = maxTotal;
    this.bufferBytes = bufferBytes;
  }

  static StreamLimiter from(TransportLimits limits) {
    requireNonNull(limits, "limits");
    return new StreamLimiter(limits.maxStreamsPerConnection(), limits.maxStreams(), limits.streamBufferBytes());
  }

  /** The filter that gives each connection its own stream counter; add it to the server builder. */
  ServerTransportFilter transportFilter() {
    return new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder().set(CONNECTION_STREAMS, new AtomicInteger()).build();
      }
    };
  }

  /** How many streaming calls are open on the server. */
  int open() {
    return open.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (call.getMethodDescriptor().getType() == MethodType.UNARY) {
      return next.startCall(call, headers);
    }
    AtomicInteger connection = call.getAttributes().get(CONNECTION_STREAMS);
    String refusal = admit(connection);
    if (refusal != null) {
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(refusal), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Runnable release = releaseOnce(connection);
    call.setOnReadyThreshold(bufferBytes);
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }
    };
  }

  /** Counts the stream in; the refusal message when a bound is reached, else null. */
  private String admit(AtomicInteger connection) {
    if (connection != null && connection.incrementAndGet() > maxPerConnection) {
      connection.decrementAndGet();
      return "streaming calls open on this connection: " + maxPerConnection + " (expected: at most "
          + maxPerConnection + "); end one before opening another";
    }
    if (open.incrementAndGet() > maxTotal) {
      release(connection);
      return "streaming calls open on this server: " + maxTotal + " (expected: at most " + maxTotal
          + "); try again later";
    }
    return null;
  }

  private Runnable releaseOnce(AtomicInteger connection) {
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (!released.getAndSet(true)) {
        release(connection);
      }
    };
  }

  /** Counts one stream out, of the server and of its connection. */
  private void release(AtomicInteger connection) {
    open.decrementAndGet();
    if (connection != null) {
      connection.decrementAndGet();
    }
  }
}
