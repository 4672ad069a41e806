package org.spireregistrar.cli;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.crd.CrdMode;
import org.spireregistrar.crd.CrdRegistrar;
import org.spireregistrar.crd.RegistrarNamespace;
import org.spireregistrar.kubernetes.KubernetesClients;
import org.spireregistrar.kubernetes.PermissionSelfCheck;
import org.spireregistrar.kubernetes.RequiredPermissions;
import org.spireregistrar.reconcile.ReconcileMode;
import org.spireregistrar.reconcile.SyncListener;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.webhook.WebhookMode;

/**
 * Runs the configured mode until the JVM is asked to stop (SIGTERM, SIGINT): the composition root
 * that creates the SPIRE store and the Kubernetes client and hands them to the mode.
 */
final class ModeRunner {
  private static final Logger log = LoggerFactory.getLogger(ModeRunner.class);

  private ModeRunner() {}

  /** Runs until shutdown; returns the exit code. */
  static int run(RegistrarConfig config) throws InterruptedException {
    return switch (config.mode()) {
      case RECONCILE -> runReconcile(config);
      case WEBHOOK -> runWebhook(config);
      case CRD -> runCrd(config);
    };
  }

  private static int runWebhook(RegistrarConfig config) throws InterruptedException {
    return serve(
        config,
        "draining admission requests in flight",
        store -> {
          WebhookMode mode = new WebhookMode(config, store);
          return new Running(mode::start, mode);
        });
  }

  private static int runReconcile(RegistrarConfig config) throws InterruptedException {
    log.info(
        "The k8s-workload-registrar is deprecated upstream; this is its Java successor."
            + " Consider spire-controller-manager for new deployments.");
    String namespace = KubernetesClients.ownNamespace();
    ApiClient client = checkedClient(config, namespace);
    return serve(
        config,
        "finishing the write in flight, releasing the lease",
        store -> {
          ReconcileMode mode =
              new ReconcileMode(
                  config, client, store, ReconcileMode.Runtime.of(namespace), SyncListener.NONE);
          return new Running(mode::start, mode);
        });
  }

  private static int runCrd(RegistrarConfig config) throws InterruptedException {
    // As upstream: the namespace is resolved (or start-up fails) even with the webhook off.
    String namespace = RegistrarNamespace.resolve();
    ApiClient client = checkedClient(config, namespace);
    return serve(
        config,
        "draining webhook requests, finishing the pass in flight, releasing the lease",
        store -> {
          CrdRegistrar registrar =
              new CrdRegistrar(
                  config, client, store, store.svidMinter(), CrdMode.Runtime.of(namespace));
          return new Running(registrar::start, registrar);
        });
  }

  /**
   * The Kubernetes client, once the API server has confirmed that it may make every request the
   * configured mode makes (before any informer starts): a missing permission ends start-up with one
   * line per permission. Webhook mode calls the Kubernetes API not at all, so it needs neither a
   * client nor the check.
   */
  private static ApiClient checkedClient(RegistrarConfig config, String namespace) {
    ApiClient client = KubernetesClients.create();
    PermissionSelfCheck.requireGranted(
        client,
        RequiredPermissions.forConfig(config),
        namespace,
        RequiredPermissions.rbacFile(config.mode()));
    return client;
  }

  /** A mode built on a SPIRE client: how to start it and how to stop it. */
  private record Running(Runnable start, AutoCloseable stop) {}

  /**
   * Connects to SPIRE, builds and starts the mode, and serves until a shutdown hook has stopped it
   * gracefully. The SPIRE client is closed if the mode cannot be built or started.
   */
  private static int serve(
      RegistrarConfig config, String stopping, Function<GrpcEntryStore, Running> build)
      throws InterruptedException {
    GrpcEntryStore store =
        GrpcEntryStore.connect(
            config.common().serverAddress(),
            config.common().agentSocketPath(),
            GrpcEntryStore.Options.DEFAULTS);
    Running mode;
    try {
      mode = build.apply(store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    AtomicBoolean started = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Shutting down: {}", stopping);
                  stopGracefully(mode.stop(), store, started.get());
                  stopped.countDown();
                },
                "shutdown"));
    try {
      mode.start().run();
      started.set(true);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    stopped.await();
    return 0;
  }

  /**
   * Closes the mode (finishing the write or the requests in flight), then the SPIRE client. A mode
   * still starting may be waiting on SPIRE (for its socket, or a retry): the client is closed first
   * so that the wait ends now. A mode that does not stop within {@link #GRACE} gets its SPIRE
   * client closed under it, which ends any call still waiting.
   */
  private static void stopGracefully(AutoCloseable mode, GrpcEntryStore store, boolean started) {
    if (!started) {
      store.close();
    }
    Thread closer =
        new Thread(
            () -> {
              try {
                mode.close();
              } catch (Exception e) {
                log.warn("Stopping the mode failed: {}", e.toString());
              }
            },
            "mode-close");
    closer.start();
    try {
      closer.join(GRACE.toMillis());
      store.close();
      closer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final Duration GRACE = Duration.ofSeconds(15);
}
