package dev.userservice.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Reads RSA or EC keys from PEM files with the JDK's own key factories. */
final class PemKeys {
  private static final String[] ALGORITHMS = {"RSA", "EC"};

  private PemKeys() {}

  /** A {@code -----BEGIN PUBLIC KEY-----} (X.509 SubjectPublicKeyInfo) file. */
  static PublicKey publicKey(Path file) throws IOException {
    X509EncodedKeySpec spec = new X509EncodedKeySpec(der(file, "PUBLIC KEY"));
    for (String algorithm : ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(spec);
      } catch (GeneralSecurityException tryNext) {
        // not this algorithm
      }
    }
    throw new IOException(file + ": not an RSA or EC public key");
  }

  /** A {@code -----BEGIN PRIVATE KEY-----} (PKCS#8) file. */
  static PrivateKey privateKey(Path file) throws IOException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der(file, "PRIVATE KEY"));
    for (String algorithm : ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException tryNext) {
        // not this algorithm
      }
    }
    throw new IOException(file + ": not a PKCS#8 RSA or EC private key");
  }

  private static byte[] der(Path file, String label) throws IOException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IOException(file + ": expected a PEM block " + begin);
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": the PEM block is not valid base64", e);
    }
  }
}
