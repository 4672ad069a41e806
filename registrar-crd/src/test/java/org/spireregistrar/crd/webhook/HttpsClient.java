package org.spireregistrar.crd.webhook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTPS/1.1 request per connection, as the API server makes it: to {@code 127.0.0.1}, but
 * verifying the server's certificate against {@code hostname} (the Service's DNS name).
 */
final class HttpsClient {

  /** A response and the certificate the server presented. */
  record Reply(int status, String body, X509Certificate peer, String protocol) {}

  private final SSLContext context;
  private final InetSocketAddress server;
  private final String hostname;

  HttpsClient(SSLContext context, InetSocketAddress server, String hostname) {
    this.context = context;
    this.server = server;
    this.hostname = hostname;
  }

  /** Connects and completes the handshake, verifying {@code hostname}. */
  SSLSocket connect() throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5_000);
    SSLSocket socket =
        (SSLSocket)
            context.getSocketFactory().createSocket(plain, hostname, server.getPort(), true);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    parameters.setServerNames(List.of(new SNIHostName(hostname)));
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  Reply post(String path, byte[] body) throws IOException {
    return post(path, body, body.length);
  }

  /**
   * Announces a body of {@code contentLength} bytes but sends only {@code body}, then reads the
   * answer (for a server that answers before reading the body).
   */
  Reply post(String path, byte[] body, long contentLength) throws IOException {
    try (SSLSocket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: "
              + hostname
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + contentLength
              + "\r\nConnection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      String status = line(in);
      int length = -1;
      String l;
      while (!(l = line(in)).isEmpty()) {
        String lower = l.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(lower.substring("content-length:".length()).trim());
        }
      }
      byte[] bytes = length < 0 ? in.readAllBytes() : in.readNBytes(length);
      return new Reply(
          Integer.parseInt(status.split(" ")[1]),
          new String(bytes, StandardCharsets.UTF_8),
          (X509Certificate) socket.getSession().getPeerCertificates()[0],
          socket.getSession().getProtocol());
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      b.write(c);
    }
    String s = b.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }
}
