package dev.grapevine.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** Builds the TLS contexts of a transport from its configuration (JDK provider). */
final class TlsContexts {
  private TlsContexts() {}

  /** The server context, or null if the configuration has no certificate. */
  static SslContext server(TransportConfig config) throws SSLException {
    if (!config.tlsEnabled()) {
      return null;
    }
    return SslContextBuilder.forServer(
            config.tlsCertificateChain().toFile(), config.tlsPrivateKey().toFile())
        .build();
  }

  /** The client context: the host name is verified against the certificate. */
  static SslContext client(TransportConfig config) throws SSLException {
    SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
    if (config.trustedCertificates() != null) {
      b.trustManager(config.trustedCertificates().toFile());
    }
    return b.build();
  }
}
