package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How the stand-in reaches an admission webhook, as the API server does: HTTPS to {@code
 * clientConfig.url}, or to {@code https://<name>.<namespace>.svc:<port><path>} for {@code
 * clientConfig.service}, the server certificate checked against {@code caBundle} (the JVM's trusted
 * roots when it is empty) and the URL's host name, presenting the client certificate configured for
 * that server, if any. One POST per connection; the whole call is bounded by the webhook's timeout.
 *
 * <p>Failures are {@link CallFailure}s whose messages read as Go's, e.g. {@code Post
 * "https://web.default.svc:443/validate?timeout=10s": dial tcp 127.0.0.1:4000: connect: connection
 * refused}, so the API server's error text comes out as a real cluster's.
 */
final class WebhookTransport {
  /** An HTTP answer. */
  record Response(int status, byte[] body) {}

  /** The call did not produce an HTTP answer; the message is the Go error text. */
  static final class CallFailure extends Exception {
    private static final long serialVersionUID = 1L;

    CallFailure(String message) {
      super(message);
    }
  }

  /** A client key and its certificate chain, leaf first. */
  private record ClientKey(PrivateKey key, List<X509Certificate> chain) {}

  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  private final Map<String, InetSocketAddress> services = new ConcurrentHashMap<>();
  private final Map<String, ClientKey> clientKeys = new ConcurrentHashMap<>();
  private final Map<List<Object>, SSLContext> contexts = new ConcurrentHashMap<>();

  /** Where the Service {@code namespace/name} is served (there is no cluster DNS). */
  void serviceAddress(String namespace, String name, InetSocketAddress address) {
    services.put(namespace + "/" + name, address);
  }

  /**
   * The client certificate for webhook servers called {@code serverName}, matched as the API server
   * matches its admission kubeconfig's user names: {@code host:port} (the port only when it is not
   * 443), {@code host}, {@code *.suffix}, then {@code *}.
   */
  void clientCertificate(String serverName, PrivateKey key, List<X509Certificate> chain) {
    clientKeys.put(serverName, new ClientKey(key, List.copyOf(chain)));
    contexts.clear();
  }

  /**
   * Reads the client certificates of an admission kubeconfig ({@code users[].name} and {@code
   * client-certificate-data}/{@code client-key-data}, or {@code client-certificate}/{@code
   * client-key} files relative to the kubeconfig). Keys must be PKCS#8 ({@code PRIVATE KEY}).
   *
   * @throws IllegalArgumentException naming the file and user when something cannot be read
   */
  void kubeconfig(Path file) {
    JsonNode config;
    try {
      config = Json.YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("kubeconfig " + file + ": " + e.getMessage(), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    for (JsonNode user : config.path("users")) {
      String name = user.path("name").asText("");
      JsonNode auth = user.path("user");
      String where = "kubeconfig " + file + ": user \"" + name + "\"";
      Optional<byte[]> cert = material(auth, "client-certificate", dir, where);
      Optional<byte[]> key = material(auth, "client-key", dir, where);
      if (cert.isEmpty() && key.isEmpty()) {
        continue; // e.g. a token user: nothing for TLS
      }
      if (cert.isEmpty() || key.isEmpty()) {
        throw new IllegalArgumentException(
            where + ": client-certificate and client-key must be given together");
      }
      clientCertificate(name, privateKey(key.get(), where), certificates(cert.get(), where));
    }
  }

  private static Optional<byte[]> material(JsonNode auth, String field, Path dir, String where) {
    String data = auth.path(field + "-data").asText("");
    if (!data.isEmpty()) {
      try {
        return Optional.of(Base64.getDecoder().decode(data));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + field + "-data is not base64", e);
      }
    }
    String path = auth.path(field).asText("");
    if (path.isEmpty()) {
      return Optional.empty();
    }
    Path p = dir == null ? Path.of(path) : dir.resolve(path);
    try {
      return Optional.of(Files.readAllBytes(p));
    } catch (IOException e) {
      throw new IllegalArgumentException(where + ": cannot read " + field + " " + p + ": " + e, e);
    }
  }

  /** The X.509 certificates in PEM text, in order. */
  static List<X509Certificate> certificates(byte[] pem, String where) {
    try {
      Collection<? extends java.security.cert.Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
      List<X509Certificate> out = new ArrayList<>();
      for (java.security.cert.Certificate c : certs) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new CertificateException("no certificate found");
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(where + ": no PEM certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(byte[] pem, String where) {
    Matcher m = PEM_BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new IllegalArgumentException(where + ": client-key holds no PEM block");
    }
    if (!m.group(1).equals("PRIVATE KEY")) {
      throw new IllegalArgumentException(
          where
              + ": client-key is a \""
              + m.group(1)
              + "\"; only PKCS#8 \"PRIVATE KEY\" keys are read (openssl pkcs8 -topk8 -nocrypt"
              + " converts one)");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(where + ": client-key is not an EC, RSA or Ed25519 key");
  }

  /**
   * POSTs a JSON body to the webhook a {@code clientConfig} names and reads the answer.
   *
   * @throws CallFailure when there is no HTTP answer within the timeout
   */
  Response post(JsonNode clientConfig, byte[] body, int timeoutSeconds) throws CallFailure {
    Endpoint endpoint = Endpoint.of(clientConfig, timeoutSeconds);
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    String post = "Post \"" + endpoint.url() + "\": ";
    InetSocketAddress address;
    if (endpoint.serviceKey() != null) {
      address = services.get(endpoint.serviceKey());
      if (address == null) {
        throw new CallFailure(post + "dial tcp: lookup " + endpoint.host() + ": no such host");
      }
    } else {
      try {
        address = new InetSocketAddress(InetAddress.getByName(endpoint.host()), endpoint.port());
      } catch (UnknownHostException e) {
        throw new CallFailure(post + "dial tcp: lookup " + endpoint.host() + ": no such host");
      }
    }
    SSLContext context = context(clientConfig.path("caBundle").asText(""), endpoint);
    String dial = "dial tcp " + address.getAddress().getHostAddress() + ":" + address.getPort();
    Socket raw = new Socket();
    try {
      raw.connect(address, remainingMillis(deadline));
    } catch (SocketTimeoutException e) {
      close(raw);
      throw new CallFailure(post + "context deadline exceeded");
    } catch (ConnectException e) {
      close(raw);
      throw new CallFailure(post + dial + ": connect: connection refused");
    } catch (IOException e) {
      close(raw);
      throw new CallFailure(post + dial + ": " + e.getMessage());
    }
    try {
      SSLSocket socket =
          (SSLSocket)
              context.getSocketFactory().createSocket(raw, endpoint.host(), endpoint.port(), true);
      SSLParameters params = socket.getSSLParameters();
      if (!isIpLiteral(endpoint.host())) {
        params.setServerNames(List.of(new SNIHostName(endpoint.host())));
      }
      socket.setSSLParameters(params);
      socket.setSoTimeout(remainingMillis(deadline));
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + endpoint.pathAndQuery()
              + " HTTP/1.1\r\nHost: "
              + endpoint.hostHeader()
              + "\r\nUser-Agent: kube-apiserver-admission\r\nAccept: application/json, */*\r\n"
              + "Content-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\nConnection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return read(socket, deadline);
    } catch (SocketTimeoutException e) {
      throw new CallFailure(post + "context deadline exceeded");
    } catch (SSLException e) {
      throw new CallFailure(post + tlsError(e));
    } catch (EOFException e) {
      throw new CallFailure(post + "EOF");
    } catch (IOException e) {
      throw new CallFailure(post + e.getMessage());
    } finally {
      // Closing the TCP socket, not the TLS one: a TLS close waits for the peer's close_notify,
      // which a webhook that timed out never sends.
      close(raw);
    }
  }

  private static Response read(SSLSocket socket, long deadline) throws IOException {
    InputStream in = socket.getInputStream();
    String statusLine = line(in, socket, deadline);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("malformed HTTP response \"" + statusLine + "\"");
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("malformed HTTP status code \"" + parts[1] + "\"", e);
    }
    long length = -1;
    boolean chunked = false;
    for (String header = line(in, socket, deadline);
        !header.isEmpty();
        header = line(in, socket, deadline)) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Long.parseLong(value);
      } else if (name.equals("transfer-encoding")
          && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      while (true) {
        String size = line(in, socket, deadline);
        int semicolon = size.indexOf(';');
        long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
          break;
        }
        copy(in, body, n, socket, deadline);
        line(in, socket, deadline);
      }
    } else if (length >= 0) {
      copy(in, body, length, socket, deadline);
    } else {
      byte[] buffer = new byte[8192];
      for (int n; (n = readSome(in, buffer, buffer.length, socket, deadline)) >= 0; ) {
        body.write(buffer, 0, n);
      }
    }
    return new Response(status, body.toByteArray());
  }

  private static String line(InputStream in, Socket socket, long deadline) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      socket.setSoTimeout(remainingMillis(deadline));
      int b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
  }

  private static void copy(
      InputStream in, ByteArrayOutputStream out, long n, Socket socket, long deadline)
      throws IOException {
    byte[] buffer = new byte[8192];
    while (n > 0) {
      int read = readSome(in, buffer, (int) Math.min(buffer.length, n), socket, deadline);
      if (read < 0) {
        throw new EOFException();
      }
      out.write(buffer, 0, read);
      n -= read;
    }
  }

  private static int readSome(InputStream in, byte[] buffer, int max, Socket socket, long deadline)
      throws IOException {
    socket.setSoTimeout(remainingMillis(deadline));
    return in.read(buffer, 0, max);
  }

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long ms = (deadline - System.nanoTime()) / 1_000_000;
    if (ms <= 0) {
      throw new SocketTimeoutException("deadline");
    }
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing was sent
    }
  }

  /** Go's text for a TLS failure. */
  private static String tlsError(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof VerificationFailure v) {
        return "tls: failed to verify certificate: " + v.getMessage();
      }
    }
    String message = String.valueOf(e.getMessage());
    String alert = "Received fatal alert: ";
    int at = message.indexOf(alert);
    if (at >= 0) {
      return "remote error: tls: " + message.substring(at + alert.length()).replace('_', ' ');
    }
    return "tls: " + message;
  }

  // ---------------------------------------------------------------- TLS

  private SSLContext context(String caBundle, Endpoint endpoint) throws CallFailure {
    Optional<ClientKey> clientKey = clientKeyFor(endpoint.authTarget());
    List<Object> cacheKey = Arrays.asList(caBundle, clientKey.orElse(null));
    SSLContext cached = contexts.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caBundle.isEmpty()) {
        tmf.init((KeyStore) null);
      } else {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        List<X509Certificate> cas;
        try {
          cas = certificates(Base64.getDecoder().decode(caBundle), "caBundle");
        } catch (IllegalArgumentException e) {
          throw new CallFailure(
              "Post \""
                  + endpoint.url()
                  + "\": x509: unable to load root certificates from caBundle");
        }
        for (int i = 0; i < cas.size(); i++) {
          trust.setCertificateEntry("ca-" + i, cas.get(i));
        }
        tmf.init(trust);
      }
      X509ExtendedTrustManager base = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          base = x;
        }
      }
      KeyManager[] keyManagers = null;
      if (clientKey.isPresent()) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client",
            clientKey.get().key(),
            new char[0],
            clientKey.get().chain().toArray(new X509Certificate[0]));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        keyManagers = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keyManagers,
          new TrustManager[] {new HostCheckingTrustManager(Objects.requireNonNull(base))},
          null);
      contexts.put(cacheKey, context);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for webhook calls: " + e, e);
    }
  }

  private Optional<ClientKey> clientKeyFor(String target) {
    if (clientKeys.isEmpty()) {
      return Optional.empty();
    }
    List<String> candidates = new ArrayList<>(nameAndSuffixes(target));
    if (target.endsWith(":443")) {
      candidates.addAll(nameAndSuffixes(target.substring(0, target.length() - 4)));
    }
    candidates.add("*");
    for (String candidate : candidates) {
      ClientKey key = clientKeys.get(candidate);
      if (key != null) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  private static List<String> nameAndSuffixes(String target) {
    List<String> out = new ArrayList<>();
    out.add(target);
    String[] steps = target.split("\\.");
    for (int i = 1; i < steps.length; i++) {
      out.add("*." + String.join(".", Arrays.asList(steps).subList(i, steps.length)));
    }
    return out;
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  /** A server-certificate check that failed; the message is Go's x509 error text. */
  private static final class VerificationFailure extends CertificateException {
    private static final long serialVersionUID = 1L;

    VerificationFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Checks the chain against the CA bundle, then the leaf against the host the call was made to
   * (DNS SANs, one-label wildcards, IP SANs), with Go's messages.
   */
  private static final class HostCheckingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager chains;

    HostCheckingTrustManager(X509ExtendedTrustManager chains) {
      this.chains = chains;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      String host = ((SSLSocket) socket).getHandshakeSession().getPeerHost();
      checkServerTrusted(chain, authType);
      checkHost(chain[0], host);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
      checkHost(chain[0], engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      try {
        chain[0].checkValidity();
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        throw new VerificationFailure(
            "x509: certificate has expired or is not yet valid: " + e.getMessage(), e);
      }
      try {
        chains.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        throw new VerificationFailure("x509: certificate signed by unknown authority", e);
      }
    }

    private static void checkHost(X509Certificate leaf, String host) throws CertificateException {
      List<String> dnsNames = new ArrayList<>();
      List<String> ips = new ArrayList<>();
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int kind = (Integer) san.get(0);
          if (kind == 2) {
            dnsNames.add(String.valueOf(san.get(1)));
          } else if (kind == 7) {
            ips.add(String.valueOf(san.get(1)));
          }
        }
      }
      if (isIpLiteral(host)) {
        String wanted = normaliseIp(host);
        for (String ip : ips) {
          if (normaliseIp(ip).equals(wanted)) {
            return;
          }
        }
        if (ips.isEmpty()) {
          throw new VerificationFailure(
              "x509: cannot validate certificate for "
                  + host
                  + " because it doesn't contain any IP SANs",
              null);
        }
        throw new VerificationFailure(
            "x509: certificate is valid for " + String.join(", ", ips) + ", not " + host, null);
      }
      String wanted = host.toLowerCase(Locale.ROOT);
      for (String name : dnsNames) {
        if (matchesHost(name.toLowerCase(Locale.ROOT), wanted)) {
          return;
        }
      }
      List<String> valid = new ArrayList<>(dnsNames);
      valid.addAll(ips);
      if (valid.isEmpty()) {
        throw new VerificationFailure(
            "x509: certificate is not valid for any names, but wanted to match " + host, null);
      }
      throw new VerificationFailure(
          "x509: certificate is valid for " + String.join(", ", valid) + ", not " + host, null);
    }

    private static boolean matchesHost(String pattern, String host) {
      if (pattern.startsWith("*.")) {
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(pattern.substring(1));
      }
      return pattern.equals(host);
    }

    private static String normaliseIp(String ip) {
      try {
        return InetAddress.getByName(ip).getHostAddress();
      } catch (UnknownHostException e) {
        return ip;
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return chains.getAcceptedIssuers();
    }
  }

  // ---------------------------------------------------------------- endpoints

  /**
   * Where a call goes.
   *
   * @param url as Go prints it in errors, with {@code ?timeout=<n>s}
   * @param host the name the certificate must carry (and SNI)
   * @param serviceKey {@code namespace/name} for a service, null for a URL
   * @param authTarget the name client certificates are looked up by
   */
  private record Endpoint(
      String url,
      String host,
      int port,
      String pathAndQuery,
      String hostHeader,
      String serviceKey,
      String authTarget) {

    static Endpoint of(JsonNode clientConfig, int timeoutSeconds) {
      String timeout = "timeout=" + timeoutSeconds + "s";
      if (clientConfig.hasNonNull("url")) {
        URI uri = URI.create(clientConfig.get("url").asText());
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        String path =
            uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? timeout : uri.getRawQuery() + "&" + timeout;
        String authority = uri.getRawAuthority();
        String url = "https://" + authority + path + "?" + query;
        return new Endpoint(url, host, port, path + "?" + query, authority, null, authority);
      }
      JsonNode service = clientConfig.path("service");
      String namespace = service.path("namespace").asText();
      String name = service.path("name").asText();
      int port = service.path("port").asInt(443);
      String path = service.path("path").asText("");
      if (path.isEmpty()) {
        path = "/";
      }
      String host = name + "." + namespace + ".svc";
      String authority = host + ":" + port;
      return new Endpoint(
          "https://" + authority + path + "?" + timeout,
          host,
          port,
          path + "?" + timeout,
          port == 443 ? host : authority,
          namespace + "/" + name,
          port == 443 ? host + ":443" : authority);
    }
  }
}
