package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What a calling service receives with the client library: its retry policy, and no logging
 * configuration that would take over the caller's own. (The build's banned dependencies keep
 * server libraries out of the same class path.)
 */
class ClientClasspathTest {
  private final ClassLoader loader = UserServiceClient.class.getClassLoader();

  @Test
  void classPath_holdsTheServiceConfig() {
    assertThat(loader.getResource("dev/userservice/client/service-config.json")).isNotNull();
  }

  @Test
  void classPath_holdsNoLogbackConfiguration() {
    assertThat(loader.getResource("logback.xml")).isNull();
    assertThat(loader.getResource("logback-test.xml")).isNull();
  }
}
