package dev.userservice.identity;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How access tokens are signed and checked: HS256 with a shared secret, or RS256/ES256 with a
 * public key (and, to issue tokens, its private key).
 *
 * @param secret HS256 secret of at least 32 bytes; a random one is made when no key is given
 * @param publicKeyFile PEM public key (RSA or EC P-256) that verifies tokens
 * @param privateKeyFile PKCS#8 PEM private key matching the public key, to issue tokens
 * @param issuer the {@code iss} every token must carry
 * @param audience the {@code aud} every token must carry
 * @param lifetime how long issued tokens last
 * @param clockSkew tolerance for {@code exp} and {@code nbf}
 */
public record TokenSettings(Optional<String> secret, Optional<Path> publicKeyFile, Optional<Path> privateKeyFile,
    String issuer, String audience, Duration lifetime, Duration clockSkew) {
  /** The smallest HS256 secret accepted, in bytes. */
  public static final int MIN_SECRET_BYTES = 32;

  public TokenSettings {
    requireNonNull(secret, "secret");
    requireNonNull(publicKeyFile, "publicKeyFile");
    requireNonNull(privateKeyFile, "privateKeyFile");
    requireNonNull(issuer, "issuer");
    requireNonNull(audience, "audience");
    requireNonNull(lifetime, "lifetime");
    requireNonNull(clockSkew, "clockSkew");
  }

  /** HS256 settings with this secret and the default issuer, audience and times. */
  public static TokenSettings hs256(String secret) {
    return new TokenSettings(Optional.of(secret), Optional.empty(), Optional.empty(), "user-service", "user-service",
        Duration.ofMinutes(15), Duration.ofSeconds(30));
  }

  @Override
  public String toString() {
    return "TokenSettings[secret=" + (secret.isPresent() ? "****" : "") + ", publicKeyFile=" + publicKeyFile.orElse(null)
        + ", privateKeyFile=" + privateKeyFile.orElse(null) + ", issuer=" + issuer + ", audience=" + audience
        + ", lifetime=" + lifetime + ", clockSkew=" + clockSkew + "]";
  }
}
