package org.spireregistrar.webhook.server;

import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds a connector's open connections without letting connections that never send a request crowd
 * out the ones that do.
 *
 * <p>A connection is <em>pending</em> from its accept until the first byte of its first request
 * arrives: a TLS handshake in progress, or one finished with nothing sent yet. Pending connections
 * are closed {@code handshakeTimeout} after their accept (a deadline, not an idle timeout: bytes
 * trickling in do not extend it). Past {@code maxConnections} the connector keeps accepting and
 * closes the oldest pending connection for each one accepted, so a flood of connections that never
 * finish a handshake costs at most {@code maxConnections} file descriptors and a client that does
 * handshake is served. Only when every open connection has started a request (with client
 * certificates required: only authenticated clients get there) does the connector stop accepting,
 * until one closes; new clients then wait in the listen backlog (one connection may be accepted
 * past the limit, by an acceptor already waiting when accepting stopped).
 *
 * <p>Added to the connector as a bean: it hears of accepts ({@link SelectorManager.AcceptListener})
 * and of opened connections ({@link Connection.Listener}); {@link RequestTimeoutConnectionFactory}
 * reports first requests. Thread-safe; never closes a connection while holding its lock (closing
 * calls back into it).
 */
final class EvictingConnectionLimit implements SelectorManager.AcceptListener, Connection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

  private final AbstractConnector connector;
  private final int maxConnections;
  private final long handshakeTimeoutNanos;

  private final Object lock = new Object();

  /** Accepted and not closed (nor chosen to be closed), keyed by channel. */
  private final Set<Object> open = new HashSet<>();

  /** The pending subset of {@link #open}, oldest first. */
  private final LinkedHashMap<Object, Pending> pending = new LinkedHashMap<>();

  private Scheduler.Task sweep;
  private boolean accepting = true;
  private boolean limiting;
  private long closedAtLimit;

  private record Pending(EndPoint endPoint, long acceptedNanos) {}

  EvictingConnectionLimit(
      AbstractConnector connector, int maxConnections, long handshakeTimeoutMs) {
    this.connector = connector;
    this.maxConnections = maxConnections;
    this.handshakeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMs);
  }

  int maxConnections() {
    return maxConnections;
  }

  @Override
  public void onAccepting(SelectableChannel channel) {
    EndPoint victim = null;
    synchronized (lock) {
      open.add(channel);
      if (open.size() > maxConnections) {
        Pending oldest = oldestPendingLocked();
        if (oldest != null) {
          victim = oldest.endPoint();
          forgetLocked(oldest.endPoint().getTransport());
          closedAtLimit++;
        }
        // Otherwise every open connection has started a request: nothing to make room with. This
        // one was accepted before accepting stopped (the acceptor was already waiting in accept);
        // keep it rather than fail a client that may well be an API server.
        limitReachedLocked();
      }
      updateAcceptingLocked();
    }
    if (victim != null) {
      victim.close();
    }
  }

  @Override
  public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
    closed(channel);
  }

  @Override
  public void onClosed(SelectableChannel channel) {
    closed(channel);
  }

  private void closed(Object channel) {
    synchronized (lock) {
      forgetLocked(channel);
      if (limiting && open.size() <= maxConnections / 2) {
        limiting = false;
        LOG.info(
            "Connection limit cleared: {} connections open; {} closed to make room meanwhile",
            open.size(),
            closedAtLimit);
        closedAtLimit = 0;
      }
      updateAcceptingLocked();
    }
  }

  /** A network-level connection (the TLS one) opened: pending until its first request. */
  @Override
  public void onOpened(Connection connection) {
    EndPoint endPoint = connection.getEndPoint();
    if (endPoint instanceof EndPoint.Wrapper) {
      return; // the HTTP connection inside TLS: the same network connection
    }
    synchronized (lock) {
      Object channel = endPoint.getTransport();
      if (!open.contains(channel)) {
        return; // closed to make room before it got here
      }
      long now = System.nanoTime();
      pending.put(channel, new Pending(endPoint, now));
      scheduleSweepLocked(now + handshakeTimeoutNanos);
      updateAcceptingLocked();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    // Counted by onClosed(SelectableChannel).
  }

  /** The first byte of the first request arrived on {@code endPoint} (the network one). */
  void requestStarted(EndPoint endPoint) {
    synchronized (lock) {
      pending.remove(endPoint.getTransport());
      updateAcceptingLocked();
    }
  }

  private Pending oldestPendingLocked() {
    Iterator<Pending> it = pending.values().iterator();
    return it.hasNext() ? it.next() : null;
  }

  private void forgetLocked(Object channel) {
    open.remove(channel);
    pending.remove(channel);
  }

  /** Accepts while there is room, or a pending connection to make room with. */
  private void updateAcceptingLocked() {
    boolean wanted = open.size() < maxConnections || !pending.isEmpty();
    if (wanted != accepting) {
      accepting = wanted;
      connector.setAccepting(wanted);
      if (!wanted) {
        limitReachedLocked();
        LOG.debug("All {} open connections have started requests: not accepting", open.size());
      }
    }
  }

  /** Logged once until the number of open connections is back to half the limit. */
  private void limitReachedLocked() {
    if (!limiting) {
      limiting = true;
      LOG.warn(
          "Connection limit reached: {} connections open; closing the oldest that have not sent"
              + " a request, or else not accepting until one closes",
          maxConnections);
    }
  }

  private void scheduleSweepLocked(long dueNanos) {
    if (sweep != null) {
      return; // the outstanding sweep reschedules itself for what is left
    }
    long delay = Math.max(0, dueNanos - System.nanoTime());
    sweep = connector.getScheduler().schedule(this::sweep, delay, TimeUnit.NANOSECONDS);
  }

  /** Closes the pending connections whose deadline passed. */
  private void sweep() {
    List<EndPoint> expired = new ArrayList<>();
    synchronized (lock) {
      sweep = null;
      long now = System.nanoTime();
      Iterator<Map.Entry<Object, Pending>> it = pending.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Object, Pending> e = it.next();
        long due = e.getValue().acceptedNanos() + handshakeTimeoutNanos;
        if (due - now > 0) {
          scheduleSweepLocked(due); // oldest first: the rest are due later still
          break;
        }
        it.remove();
        open.remove(e.getKey());
        expired.add(e.getValue().endPoint());
      }
      updateAcceptingLocked();
    }
    if (!expired.isEmpty()) {
      LOG.debug(
          "Closing {} connections that sent no request within the handshake timeout",
          expired.size());
    }
    expired.forEach(EndPoint::close);
  }
}
