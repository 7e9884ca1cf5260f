package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import dev.userservice.config.TransportLimits;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.concurrent.TimeUnit;

/** Builds the Netty server builder for a port with the configured {@link TransportLimits} applied. */
final class NettyServers {
  private NettyServers() {}

  static NettyServerBuilder forPort(int port, ServerCredentials credentials, TransportLimits limits) {
    requireNonNull(credentials, "credentials");
    requireNonNull(limits, "limits");
    NettyServerBuilder builder = NettyServerBuilder.forPort(port, credentials)
        .maxInboundMessageSize(limits.maxInboundMessageBytes())
        .maxInboundMetadataSize(limits.maxInboundMetadataBytes())
        .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
        .permitKeepAliveTime(limits.keepAlivePermitTime().toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(limits.keepAlivePermitWithoutCalls());
    // zero means no age limit: the builder's default already is "never"
    if (!limits.maxConnectionAge().isZero()) {
      builder.maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
          .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS);
    }
    // grpc-java's guard against rapid reset (CVE-2023-44487): past the budget, GOAWAY and close
    if (limits.maxRstFramesPerWindow() > 0) {
      builder.maxRstFramesPerWindow(limits.maxRstFramesPerWindow(), (int) limits.rstFramesWindow().toSeconds());
    }
    return builder;
  }
}
