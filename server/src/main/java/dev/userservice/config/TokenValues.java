package dev.userservice.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The access-token settings as configured: an HS256 secret, or a public key (and, to issue
 * tokens, its private key), with the claims and times every token carries. The start-up wiring
 * turns them into the identity package's own settings.
 */
public record TokenValues(Optional<String> secret, Optional<Path> publicKeyFile, Optional<Path> privateKeyFile,
    String issuer, String audience, Duration lifetime, Duration clockSkew) {
  /** The smallest HS256 secret accepted, in bytes (the identity package enforces the same bound). */
  public static final int MIN_SECRET_BYTES = 32;

  public TokenValues {
    requireNonNull(secret, "secret");
    requireNonNull(publicKeyFile, "publicKeyFile");
    requireNonNull(privateKeyFile, "privateKeyFile");
    requireNonNull(issuer, "issuer");
    requireNonNull(audience, "audience");
    requireNonNull(lifetime, "lifetime");
    requireNonNull(clockSkew, "clockSkew");
  }

  @Override
  public String toString() {
    return "TokenValues[secret=" + (secret.isPresent() ? "****" : "") + ", publicKeyFile=" + publicKeyFile.orElse(null)
        + ", privateKeyFile=" + privateKeyFile.orElse(null) + ", issuer=" + issuer + ", audience=" + audience
        + ", lifetime=" + lifetime + ", clockSkew=" + clockSkew + "]";
  }
}
