package dev.userservice.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for the gRPC port: the server's certificate chain and key (PEM), and, for mutual TLS, the
 * CA that client certificates must chain to (clients without one are refused).
 */
public record TlsSettings(Path certChainFile, Path privateKeyFile, Optional<Path> clientCaFile) {

  public TlsSettings {
    requireNonNull(certChainFile, "certChainFile");
    requireNonNull(privateKeyFile, "privateKeyFile");
    requireNonNull(clientCaFile, "clientCaFile");
  }
}
