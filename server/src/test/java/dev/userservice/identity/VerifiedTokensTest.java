package dev.userservice.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Principal ALICE = new Principal("alice", Set.of("admin"));

  @Test
  void knownToken_answersInsideItsWindowOnly() {
    VerifiedTokens tokens = new VerifiedTokens(10);
    tokens.put("t", ALICE, NOW, NOW.plusSeconds(60), NOW);

    assertThat(tokens.get("t", NOW.plusSeconds(59))).contains(ALICE);
    assertThat(tokens.get("t", NOW.minusSeconds(1))).isEmpty();
    assertThat(tokens.get("t", NOW.plusSeconds(60))).isEmpty();
    assertThat(tokens.get("other", NOW)).isEmpty();
  }

  @Test
  void tokenOutsideItsWindow_notKept() {
    VerifiedTokens tokens = new VerifiedTokens(10);
    tokens.put("expired", ALICE, NOW.minusSeconds(120), NOW.minusSeconds(60), NOW);

    assertThat(tokens.size()).isZero();
  }

  @Test
  void full_dropsExpiredEntriesFirst_thenEverything() {
    VerifiedTokens tokens = new VerifiedTokens(2);
    tokens.put("short", ALICE, NOW, NOW.plusSeconds(1), NOW);
    tokens.put("long", ALICE, NOW, NOW.plusSeconds(600), NOW);

    tokens.put("third", ALICE, NOW, NOW.plusSeconds(600), NOW.plusSeconds(2));
    assertThat(tokens.get("long", NOW.plusSeconds(2))).contains(ALICE);
    assertThat(tokens.get("third", NOW.plusSeconds(2))).contains(ALICE);

    tokens.put("fourth", ALICE, NOW, NOW.plusSeconds(600), NOW.plusSeconds(2));
    assertThat(tokens.size()).isEqualTo(1);
    assertThat(tokens.get("fourth", NOW.plusSeconds(2))).contains(ALICE);
  }

  @Test
  void tokenService_refusesAVerifiedTokenOnceItExpires() throws Exception {
    ManualClock clock = new ManualClock(NOW);
    TokenService service = TokenService.create(TokenSettings.hs256("a-secret-of-at-least-thirty-two-bytes"), clock);
    String token = service.issue("alice", Set.of("admin")).token();

    assertThat(service.verify(token).subject()).isEqualTo("alice");
    assertThat(service.verify(token).subject()).isEqualTo("alice");

    // the default lifetime is 15 minutes and the skew 30 seconds
    clock.advance(Duration.ofMinutes(15).plusSeconds(31));
    assertThatThrownBy(() -> service.verify(token)).isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void tokenService_refusesAnAlteredCopyOfAVerifiedToken() throws Exception {
    TokenService service = TokenService.create(TokenSettings.hs256("a-secret-of-at-least-thirty-two-bytes"),
        new ManualClock(NOW));
    String token = service.issue("alice", Set.of("admin")).token();
    service.verify(token);

    String altered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
    assertThatThrownBy(() -> service.verify(altered)).isInstanceOf(InvalidTokenException.class);
  }
}
