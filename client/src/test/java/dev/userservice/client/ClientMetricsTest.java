package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client-side gRPC metrics (gRFC A66) a client records through its caller's OpenTelemetry. */
class ClientMetricsTest {
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("grpc.method");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("grpc.status");

  private Server server;

  @BeforeEach
  void startServer() throws Exception {
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(new UserServiceGrpc.UserServiceImplBase() {
          @Override
          public void getUser(GetUserRequest request, StreamObserver<User> response) {
            if (request.getUserId().equals("missing")) {
              response.onError(Status.NOT_FOUND.withDescription("no such user").asRuntimeException());
              return;
            }
            response.onNext(User.newBuilder().setId(request.getUserId()).setName("Ada").build());
            response.onCompleted();
          }
        })
        .build().start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void openTelemetry_calls_recordA66ClientMetricsByMethodAndStatus() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(reader).build();
        UserServiceClient client = UserServiceClient.builder("127.0.0.1:" + server.getPort())
            .openTelemetry(OpenTelemetrySdk.builder().setMeterProvider(meters).build()).build()) {
      client.getUser("u1");
      client.getUser("u2");
      try {
        client.getUser("missing");
      } catch (NotFoundException expected) {
        // counted as NOT_FOUND
      }

      Map<String, MetricData> metrics = reader.collectAllMetrics().stream()
          .collect(Collectors.toMap(MetricData::getName, m -> m));

      assertThat(metrics).containsKeys("grpc.client.attempt.started", "grpc.client.attempt.duration",
          "grpc.client.call.duration", "grpc.client.attempt.sent_total_compressed_message_size",
          "grpc.client.attempt.rcvd_total_compressed_message_size");
      Collection<HistogramPointData> calls = metrics.get("grpc.client.call.duration").getHistogramData().getPoints();
      assertThat(count(calls, "OK")).isEqualTo(2);
      assertThat(count(calls, "NOT_FOUND")).isEqualTo(1);
      assertThat(calls).allSatisfy(point ->
          assertThat(point.getAttributes().get(METHOD)).isEqualTo("user.v1.UserService/GetUser"));
    }
  }

  @Test
  void noOpenTelemetry_clientWorksAndRecordsNothingAnywhere() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider unused = SdkMeterProvider.builder().registerMetricReader(reader).build();
        UserServiceClient client = UserServiceClient.builder("127.0.0.1:" + server.getPort()).build()) {
      assertThat(client.getUser("u1").getName()).isEqualTo("Ada");

      List<MetricData> recorded = List.copyOf(reader.collectAllMetrics());
      assertThat(recorded).isEmpty();
    }
  }

  private static long count(Collection<HistogramPointData> points, String status) {
    return points.stream().filter(p -> status.equals(p.getAttributes().get(STATUS)))
        .mapToLong(HistogramPointData::getCount).sum();
  }
}
