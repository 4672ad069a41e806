package org.spireregistrar.kubernetes;

import io.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.kubernetes.client.extended.leaderelection.LeaderElectionRecord;
import io.kubernetes.client.extended.leaderelection.LeaderElector;
import io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a {@code coordination.k8s.io} Lease (lease 15 s, renew deadline 10 s, retry 2
 * s by default). The callback hears {@code true} on gaining and {@code false} on losing the lease;
 * after a loss the elector campaigns again.
 */
public final class LeaseLeaderElection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseLeaderElection.class);

  /** Timing of the election. */
  public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final Timing DEFAULTS =
        new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  private final ApiClient client;
  private final String namespace;
  private final String name;
  private final String identity;
  private final Timing timing;
  private final Consumer<Boolean> leadership;
  private volatile boolean closed;
  private volatile LeaderElector elector;
  private Thread thread;

  public LeaseLeaderElection(
      ApiClient client,
      String namespace,
      String name,
      String identity,
      Timing timing,
      Consumer<Boolean> leadership) {
    this.client = Objects.requireNonNull(client);
    this.namespace = Objects.requireNonNull(namespace);
    this.name = Objects.requireNonNull(name);
    this.identity = Objects.requireNonNull(identity);
    this.timing = Objects.requireNonNull(timing);
    this.leadership = Objects.requireNonNull(leadership);
  }

  public String identity() {
    return identity;
  }

  /** Campaigns on a background thread until closed. */
  public void start() {
    thread =
        new Thread(
            () -> {
              while (!closed) {
                LeaderElector e =
                    new LeaderElector(
                        new LeaderElectionConfig(
                            new LeaseLock(namespace, name, identity, client),
                            timing.leaseDuration(),
                            timing.renewDeadline(),
                            timing.retryPeriod()));
                elector = e;
                e.run(
                    () -> {
                      log.info(
                          "Became leader (lease {}/{}, identity {})", namespace, name, identity);
                      leadership.accept(true);
                    },
                    () -> {
                      log.info("Lost leadership (lease {}/{})", namespace, name);
                      leadership.accept(false);
                    });
                e.close();
              }
            },
            "leader-election");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Stops campaigning and releases the lease if this replica holds it (holder cleared, duration 1
   * s), so a standby takes over at its next retry instead of waiting for the lease to expire.
   */
  @Override
  public void close() {
    closed = true;
    LeaderElector e = elector;
    if (e != null) {
      e.close();
    }
    if (thread != null) {
      try {
        thread.join(timing.renewDeadline().toMillis());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }
    release();
  }

  private void release() {
    LeaseLock lock = new LeaseLock(namespace, name, identity, client);
    try {
      LeaderElectionRecord current = lock.get();
      if (current != null && identity.equals(current.getHolderIdentity())) {
        Date now = new Date();
        boolean released =
            lock.update(
                new LeaderElectionRecord(
                    "", 1, current.getAcquireTime(), now, current.getLeaderTransitions()));
        log.info("Released lease {}/{}: {}", namespace, name, released ? "ok" : "conflict");
      }
    } catch (ApiException | RuntimeException ex) {
      log.warn("Could not release lease {}/{}: {}", namespace, name, ex.getMessage());
    }
  }
}
