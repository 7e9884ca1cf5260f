package dev.userservice.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.userservice.testing.Pem;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RS256 and ES256 tokens from PEM key files, with the algorithm pinned to the key. */
class TokenServiceKeyPairTest {
  @TempDir
  Path dir;

  private TokenSettings settings(KeyPair pair, boolean withPrivateKey) throws Exception {
    Path publicKey = Pem.write(dir.resolve("public.pem"), "PUBLIC KEY", pair.getPublic().getEncoded());
    Optional<Path> privateKey = withPrivateKey
        ? Optional.of(Pem.write(dir.resolve("private.pem"), "PRIVATE KEY", pair.getPrivate().getEncoded()))
        : Optional.empty();
    return new TokenSettings(Optional.empty(), Optional.of(publicKey), privateKey, "user-service", "user-service",
        Duration.ofMinutes(5), Duration.ofSeconds(30));
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  @Test
  void rsaKeyPair_issuesAndVerifiesRs256() throws Exception {
    TokenService tokens = TokenService.create(settings(rsa(), true), Clock.systemUTC());

    String token = tokens.issue("user-1", Set.of("admin")).token();

    assertThat(tokens.algorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(SignedJWT.parse(token).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(tokens.verify(token)).isEqualTo(new Principal("user-1", Set.of("admin")));
  }

  @Test
  void ecKeyPair_issuesAndVerifiesEs256() throws Exception {
    TokenService tokens = TokenService.create(settings(ec(), true), Clock.systemUTC());

    String token = tokens.issue("user-2", Set.of()).token();

    assertThat(tokens.algorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(tokens.verify(token).subject()).isEqualTo("user-2");
  }

  @Test
  void publicKeyOnly_verifiesTokensFromTheIssuerButCannotIssue() throws Exception {
    KeyPair pair = rsa();
    TokenService issuer = TokenService.create(settings(pair, true), Clock.systemUTC());
    TokenService verifier = TokenService.create(settings(pair, false), Clock.systemUTC());

    assertThat(verifier.canIssue()).isFalse();
    assertThat(verifier.verify(issuer.issue("external", Set.of()).token()).subject()).isEqualTo("external");
    assertThatThrownBy(() -> verifier.issue("x", Set.of())).isInstanceOf(IllegalStateException.class);
  }

  /** The classic confusion: an HS256 token keyed with the RSA public key must not pass. */
  @Test
  void hs256TokenSignedWithThePublicKey_rejectedByRs256Service() throws Exception {
    KeyPair pair = rsa();
    TokenService tokens = TokenService.create(settings(pair, false), Clock.systemUTC());
    Instant now = Instant.now();
    SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("attacker")
        .issuer("user-service").audience("user-service").expirationTime(Date.from(now.plusSeconds(300))).build());
    forged.sign(new MACSigner(pair.getPublic().getEncoded()));

    assertThatThrownBy(() -> tokens.verify(forged.serialize())).isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void tokenFromAnotherKeyPair_rejected() throws Exception {
    TokenService tokens = TokenService.create(settings(rsa(), true), Clock.systemUTC());
    Path otherDir = dir.resolve("other");
    java.nio.file.Files.createDirectories(otherDir);
    KeyPair other = rsa();
    TokenService stranger = TokenService.create(new TokenSettings(Optional.empty(),
        Optional.of(Pem.write(otherDir.resolve("public.pem"), "PUBLIC KEY", other.getPublic().getEncoded())),
        Optional.of(Pem.write(otherDir.resolve("private.pem"), "PRIVATE KEY", other.getPrivate().getEncoded())),
        "user-service", "user-service", Duration.ofMinutes(5), Duration.ofSeconds(30)), Clock.systemUTC());

    assertThatThrownBy(() -> tokens.verify(stranger.issue("x", Set.of()).token()))
        .isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void secretShorterThan32Bytes_refused() {
    assertThatThrownBy(() -> TokenService.create(TokenSettings.hs256("too short"), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32");
  }
}
