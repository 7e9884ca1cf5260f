package dev.userservice.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and verifies access tokens with nimbus-jose-jwt. The algorithm is pinned by the
 * configured key (HS256 for a secret, RS256 or ES256 for a public key), so a token signed any
 * other way, or not at all, is refused. Every token must carry {@code sub}, {@code exp},
 * the configured {@code iss} and {@code aud}; {@code exp} and {@code nbf} allow a small skew.
 */
public final class TokenService {
  private static final Logger log = LoggerFactory.getLogger(TokenService.class);
  static final String ROLES_CLAIM = "roles";
  /** Verified tokens kept; a few hundred bytes each. */
  static final int VERIFIED_TOKENS_KEPT = 10_000;

  private final JWSAlgorithm algorithm;
  private final Optional<JWSSigner> signer;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final TokenSettings settings;
  private final Clock clock;
  private final VerifiedTokens verified = new VerifiedTokens(VERIFIED_TOKENS_KEPT);

  private TokenService(JWSAlgorithm algorithm, Optional<JWSSigner> signer, JWKSource<SecurityContext> keys,
      TokenSettings settings, Clock clock) {
    this.algorithm = algorithm;
    this.signer = signer;
    this.settings = settings;
    this.clock = clock;
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithm, keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(settings.audience(),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("sub", "exp")) {
      @Override
      protected Date currentTime() {
        // the same clock the cache of verified tokens and the issued tokens use
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  /**
   * A token service for the settings.
   *
   * @throws IllegalArgumentException when a key file cannot be read or does not fit
   */
  public static TokenService create(TokenSettings settings, Clock clock) {
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    try {
      if (settings.publicKeyFile().isPresent()) {
        return withKeyPair(settings, clock);
      }
      return withSecret(settings, clock);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable token key: " + e.getMessage(), e);
    }
  }

  private static TokenService withSecret(TokenSettings settings, Clock clock) throws JOSEException {
    byte[] secret;
    if (settings.secret().isPresent()) {
      secret = settings.secret().get().getBytes(StandardCharsets.UTF_8);
      if (secret.length < TokenSettings.MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("token secret has " + secret.length + " bytes (expected: at least "
            + TokenSettings.MIN_SECRET_BYTES + ")");
      }
    } else {
      secret = new byte[TokenSettings.MIN_SECRET_BYTES];
      new SecureRandom().nextBytes(secret);
      log.warn("no JWT_SECRET or JWT_PUBLIC_KEY_FILE configured: signing tokens with a random secret;"
          + " tokens will not survive a restart and other replicas will not accept them");
    }
    return new TokenService(JWSAlgorithm.HS256, Optional.of(new MACSigner(secret)), new ImmutableSecret<>(secret),
        settings, clock);
  }

  private static TokenService withKeyPair(TokenSettings settings, Clock clock) throws IOException, JOSEException {
    PublicKey publicKey = PemKeys.publicKey(settings.publicKeyFile().get());
    Optional<PrivateKey> privateKey = settings.privateKeyFile().isPresent()
        ? Optional.of(PemKeys.privateKey(settings.privateKeyFile().get()))
        : Optional.empty();
    if (publicKey instanceof RSAPublicKey rsa) {
      JWKSet keys = new JWKSet(new RSAKey.Builder(rsa).build());
      Optional<JWSSigner> signer = privateKey.map(RSASSASigner::new);
      return new TokenService(JWSAlgorithm.RS256, signer, new ImmutableJWKSet<>(keys), settings, clock);
    }
    if (publicKey instanceof ECPublicKey ec) {
      JWKSet keys = new JWKSet(new ECKey.Builder(Curve.P_256, ec).build());
      Optional<JWSSigner> signer = Optional.empty();
      if (privateKey.isPresent()) {
        if (!(privateKey.get() instanceof ECPrivateKey ecPrivate)) {
          throw new IOException(settings.privateKeyFile().get() + ": expected an EC private key");
        }
        signer = Optional.of(new ECDSASigner(ecPrivate));
      }
      return new TokenService(JWSAlgorithm.ES256, signer, new ImmutableJWKSet<>(keys), settings, clock);
    }
    throw new IOException(settings.publicKeyFile().get() + ": expected an RSA or EC P-256 public key");
  }

  /** The algorithm every token must be signed with. */
  public JWSAlgorithm algorithm() {
    return algorithm;
  }

  /** Whether this service can issue tokens (it holds a secret or a private key). */
  public boolean canIssue() {
    return signer.isPresent();
  }

  /**
   * A signed token for {@code subject} with {@code roles}, valid from now for the configured lifetime.
   *
   * @throws IllegalStateException when only a public key is configured
   */
  public IssuedToken issue(String subject, Set<String> roles) {
    JWSSigner jwsSigner = signer.orElseThrow(() -> new IllegalStateException("no signing key configured"));
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant expires = now.plus(settings.lifetime());
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(subject)
        .issuer(settings.issuer())
        .audience(settings.audience())
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(expires))
        .jwtID(UUID.randomUUID().toString())
        .claim(ROLES_CLAIM, List.copyOf(roles))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(jwsSigner);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return new IssuedToken(jwt.serialize(), expires);
  }

  /**
   * The principal a token names, once its signature, algorithm and claims check out. A token
   * verified before answers from memory while its {@code nbf}..{@code exp} window holds.
   *
   * @throws InvalidTokenException for any token that is not valid now
   */
  public Principal verify(String token) throws InvalidTokenException {
    Instant now = clock.instant();
    Optional<Principal> known = verified.get(token, now);
    if (known.isPresent()) {
      return known.get();
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException | BadJOSEException | JOSEException e) {
      throw new InvalidTokenException(e.getMessage(), e);
    }
    List<String> roles;
    try {
      roles = claims.getStringListClaim(ROLES_CLAIM);
    } catch (ParseException e) {
      throw new InvalidTokenException("roles claim is not a list of strings", e);
    }
    Principal principal = new Principal(claims.getSubject(), roles == null ? Set.of() : Set.copyOf(roles));
    // exp is required, so the window always ends; without nbf it starts at once
    Date notBefore = claims.getNotBeforeTime();
    verified.put(token, principal, notBefore == null ? Instant.MIN : notBefore.toInstant(),
        claims.getExpirationTime().toInstant(), now);
    return principal;
  }

  /** A token and the time it expires. */
  public record IssuedToken(String token, Instant expiresAt) {
    @Override
    public String toString() {
      return "IssuedToken[token=****, expiresAt=" + expiresAt + "]";
    }
  }

}
