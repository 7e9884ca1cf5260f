package dev.userservice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the Prometheus text a service's metrics port serves. */
public final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? \\S+");

  private Scrape() {}

  /** The body of {@code /metrics} on this port of 127.0.0.1, after asserting a 200. */
  public static String metrics(int port) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the first series of this name whose labels include every one given. */
  public static double value(String body, String name, String... labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)").matcher(body);
    while (m.find()) {
      String found = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= found.contains(label);
      }
      if (all) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no series " + name + " with " + String.join(", ", labels) + " in:\n" + body);
  }

  /** The name of every sample in the body (histograms as their _bucket, _count and _sum series). */
  public static Set<String> sampleNames(String body) {
    Set<String> names = new TreeSet<>();
    Matcher m = SAMPLE.matcher(body);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
