package org.spireregistrar.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A Go {@code net.Listen("tcp", addr)} address, as {@code addr} and {@code metrics_addr} are
 * written: {@code host:port}, {@code :port} (every interface), {@code [v6]:port}; port 0 picks a
 * free port. The one {@code host:port} parser of the registrar.
 *
 * @param host a host name or address literal without brackets; empty means every interface
 * @param port 0 to 65535
 */
public record ListenAddress(String host, int port) {

  public ListenAddress {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid port");
    }
  }

  /**
   * Parses an address as Go's {@code net.SplitHostPort} and port lookup do.
   *
   * @throws IllegalArgumentException with Go's reason: {@code address <addr>: missing port in
   *     address}, {@code address <addr>: missing ']' in address}, {@code address <addr>: too many
   *     colons in address}, {@code unknown port} or {@code invalid port}
   */
  public static ListenAddress parse(String addr) {
    Objects.requireNonNull(addr, "addr");
    int colon = addr.lastIndexOf(':');
    if (colon < 0) {
      throw invalid(addr, "missing port in address");
    }
    String host = addr.substring(0, colon);
    String port = addr.substring(colon + 1);
    if (host.startsWith("[")) {
      if (!host.endsWith("]")) {
        throw invalid(addr, "missing ']' in address");
      }
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw invalid(addr, "too many colons in address");
    }
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unknown port");
    }
    return new ListenAddress(host, number);
  }

  /**
   * The socket address to bind; a host name is resolved now.
   *
   * @throws IllegalArgumentException {@code lookup <host>: no such host}
   */
  public InetSocketAddress socketAddress() {
    if (host.isEmpty()) {
      return new InetSocketAddress(port);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("lookup " + host + ": no such host", e);
    }
  }

  private static IllegalArgumentException invalid(String addr, String why) {
    return new IllegalArgumentException("address " + addr + ": " + why);
  }

  /** {@code host:port}, with brackets around an IPv6 literal. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
