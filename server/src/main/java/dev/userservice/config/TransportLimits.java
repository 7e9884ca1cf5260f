package dev.userservice.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits the gRPC transport enforces on every connection, so one client cannot take more than
 * its share and load balancers get to rebalance long-lived connections.
 *
 * @param maxInboundMessageBytes largest request message; a larger one fails with RESOURCE_EXHAUSTED
 * @param maxInboundMetadataBytes largest header block a client may send
 * @param maxConcurrentCallsPerConnection most calls open at once on one connection
 * @param keepAlivePermitTime shortest interval between client keepalive pings
 * @param keepAlivePermitWithoutCalls whether clients may ping while they have no call open
 * @param maxConnectionAge age after which a connection is asked to go away; zero means never
 * @param maxConnectionAgeGrace time calls in flight get after that, then the connection is closed
 * @param maxStreamsPerConnection most streaming calls open at once on one connection; more are
 *     refused with RESOURCE_EXHAUSTED
 * @param maxStreams most streaming calls open at once on the whole server; more are refused with
 *     RESOURCE_EXHAUSTED
 * @param streamBufferBytes bytes a stream may queue for a client that does not read before the
 *     handler is told to wait (grpc-java's on-ready threshold)
 * @param maxRstFramesPerWindow RST_STREAM frames a client may send in one window before the
 *     connection is ended with GOAWAY (the rapid reset guard); zero turns the guard off
 * @param rstFramesWindow the window of {@code maxRstFramesPerWindow}
 */
public record TransportLimits(
    int maxInboundMessageBytes,
    int maxInboundMetadataBytes,
    int maxConcurrentCallsPerConnection,
    Duration keepAlivePermitTime,
    boolean keepAlivePermitWithoutCalls,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    int maxStreamsPerConnection,
    int maxStreams,
    int streamBufferBytes,
    int maxRstFramesPerWindow,
    Duration rstFramesWindow) {

  public TransportLimits {
    requireNonNull(keepAlivePermitTime, "keepAlivePermitTime");
    requireNonNull(maxConnectionAge, "maxConnectionAge");
    requireNonNull(maxConnectionAgeGrace, "maxConnectionAgeGrace");
    requireNonNull(rstFramesWindow, "rstFramesWindow");
  }
}
