package dev.userservice.client;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Reads the client's gRPC service config (load balancing, retries, retry throttling) from its JSON resource. */
final class ServiceConfigs {
  static final String RESOURCE = "service-config.json";

  private ServiceConfigs() {}

  /** The service config as grpc's {@code defaultServiceConfig} takes it. */
  static Map<String, ?> load() {
    try (InputStream in = ServiceConfigs.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " not found beside " + ServiceConfigs.class.getName());
      }
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        return new Gson().fromJson(reader, new TypeToken<Map<String, Object>>() {}.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
    }
  }
}
