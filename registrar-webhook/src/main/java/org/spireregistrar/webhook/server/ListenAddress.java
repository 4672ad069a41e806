package org.spireregistrar.webhook.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A Go {@code net.Listen("tcp", addr)} address: {@code host:port}, {@code :port} (every interface),
 * {@code [v6]:port}; port 0 picks a free port.
 */
record ListenAddress(String host, int port) {

  /**
   * @throws ServerStartException {@code unable to listen: listen tcp <addr>: address <addr>: <why>}
   */
  static ListenAddress parse(String addr) {
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
      throw new ServerStartException("unable to listen: listen tcp " + addr + ": unknown port");
    }
    if (number < 0 || number > 65535) {
      throw new ServerStartException("unable to listen: listen tcp " + addr + ": invalid port");
    }
    return new ListenAddress(host, number);
  }

  /**
   * The socket address to bind.
   *
   * @throws ServerStartException {@code unable to listen: listen tcp <addr>: lookup <host>: no such
   *     host}
   */
  InetSocketAddress socketAddress() {
    if (host.isEmpty()) {
      return new InetSocketAddress(port);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new ServerStartException(
          "unable to listen: listen tcp " + this + ": lookup " + host + ": no such host", e);
    }
  }

  private static ServerStartException invalid(String addr, String why) {
    return new ServerStartException(
        "unable to listen: listen tcp " + addr + ": address " + addr + ": " + why);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
