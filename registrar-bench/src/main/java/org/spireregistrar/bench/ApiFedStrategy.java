package org.spireregistrar.bench;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * A baseline model fed by {@link ModelInformers} from the API server ({@code --source api}) rather
 * than by the benchmark: as controller-runtime does, the model starts once every cache has synced.
 * Views handed to this strategy directly are ignored.
 */
final class ApiFedStrategy implements Strategy {
  private final Strategy model;
  private final ModelInformers informers;
  private final CountDownLatch synced = new CountDownLatch(1);
  private volatile boolean closed;
  private Thread starter;

  ApiFedStrategy(Strategy model, ApiClient client, boolean namespaces) {
    this.model = model;
    this.informers = new ModelInformers(client, model, namespaces);
  }

  /** The model inside. */
  Strategy model() {
    return model;
  }

  @Override
  public String id() {
    return model.id();
  }

  @Override
  public String title() {
    return model.title();
  }

  @Override
  public void podUpserted(Workload pod) {}

  @Override
  public void podDeleted(String namespace, String name) {}

  @Override
  public void nodeUpserted(NodeInfo node) {}

  @Override
  public void start() {
    informers.start();
    starter =
        new Thread(
            () -> {
              try {
                while (!closed && !informers.hasSynced()) {
                  Thread.sleep(5);
                }
              } catch (InterruptedException e) {
                return;
              }
              if (!closed) {
                model.start();
                synced.countDown();
              }
            },
            "bench-informer-sync");
    starter.setDaemon(true);
    starter.start();
  }

  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!synced.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    return model.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  @Override
  public boolean resyncOnce(Duration timeout) throws InterruptedException {
    return model.resyncOnce(timeout);
  }

  @Override
  public Duration resyncInterval() {
    return model.resyncInterval();
  }

  @Override
  public LatencyRecorder latencies() {
    return model.latencies();
  }

  @Override
  public void close() {
    closed = true;
    informers.close();
    if (starter != null) {
      starter.interrupt();
    }
    model.close();
  }
}
