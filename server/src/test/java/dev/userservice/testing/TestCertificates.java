package dev.userservice.testing;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA, a server certificate for localhost and 127.0.0.1, and a client certificate,
 * written as PEM files for TLS tests.
 */
public final class TestCertificates {
  public final Path caCert;
  public final Path serverCert;
  public final Path serverKey;
  public final Path clientCert;
  public final Path clientKey;

  private TestCertificates(Path dir) throws Exception {
    KeyPair ca = keyPair();
    X500Name caName = new X500Name("CN=user-service test CA");
    X509CertificateHolder caHolder = sign(caName, ca, caName, ca.getPublic(), true, null);
    caCert = Pem.write(dir.resolve("ca.pem"), "CERTIFICATE", caHolder.getEncoded());

    KeyPair server = keyPair();
    GeneralNames serverNames = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")});
    serverCert = Pem.write(dir.resolve("server.pem"), "CERTIFICATE",
        sign(caName, ca, new X500Name("CN=localhost"), server.getPublic(), false, serverNames).getEncoded());
    serverKey = Pem.write(dir.resolve("server.key"), "PRIVATE KEY", server.getPrivate().getEncoded());

    KeyPair client = keyPair();
    clientCert = Pem.write(dir.resolve("client.pem"), "CERTIFICATE",
        sign(caName, ca, new X500Name("CN=calling-service"), client.getPublic(), false, null).getEncoded());
    clientKey = Pem.write(dir.resolve("client.key"), "PRIVATE KEY", client.getPrivate().getEncoded());
  }

  /** Generates the certificates into {@code dir}. */
  public static TestCertificates generate(Path dir) throws Exception {
    return new TestCertificates(dir);
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509CertificateHolder sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
      java.security.PublicKey subjectKey, boolean isCa, GeneralNames names) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
        BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(System.nanoTime() & 0xFFFF)),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, subjectKey);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (isCa) {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }
    if (names != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, names);
    }
    PrivateKey signingKey = issuerKeys.getPrivate();
    return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey));
  }
}
