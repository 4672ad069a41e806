package org.spireregistrar.kubernetes;

import io.kubernetes.client.openapi.ApiException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure streaks of the informers' list and watch calls. client-java retries a failed list/watch
 * every second and, by default, logs an ERROR with a stack trace each time (7.8 KB/s with the API
 * server down); with this as the informer's exception handler there is one WARN line when a streak
 * starts, DEBUG lines while it lasts and one INFO line when it ends. {@link #problem()} tells
 * {@code /readyz} when a streak has lasted long enough that the caches can no longer be trusted.
 */
public final class WatchHealth {
  private static final Logger log = LoggerFactory.getLogger(WatchHealth.class);
  private static final int MAX_REASON = 300;

  /** A streak ends after this long without a failure (client-java retries every second). */
  static final Duration QUIET = Duration.ofSeconds(5);

  /** A streak this long makes the replica unready. */
  static final Duration UNHEALTHY_AFTER = Duration.ofSeconds(10);

  private record Streak(long startNanos, long lastNanos, int failures, String reason) {}

  private final Map<String, Streak> streaks = new ConcurrentHashMap<>();
  private final LongSupplier nanos;
  private volatile boolean stopping;

  /** With {@link System#nanoTime()}. */
  public WatchHealth() {
    this(System::nanoTime);
  }

  /** With a time source tests can drive. */
  public WatchHealth(LongSupplier nanos) {
    this.nanos = Objects.requireNonNull(nanos, "nanos");
  }

  /** The exception handler for the informer of {@code resource} ({@code pods}, {@code nodes}). */
  public <T> BiConsumer<Class<T>, Throwable> handler(String resource) {
    return (type, failure) -> failed(resource, failure);
  }

  /**
   * The informers are being stopped: the calls they have in flight fail as they are cut off. Those
   * failures are expected, so from now on they are logged at DEBUG and start no streak (they used
   * to print a WARN at every shutdown that caught a list or watch mid-call).
   */
  public void stopping() {
    stopping = true;
  }

  /** Records a failed list or watch of {@code resource}. */
  public void failed(String resource, Throwable failure) {
    String reason = describe(failure);
    if (stopping) {
      log.debug("Kubernetes list/watch of {} ended while stopping: {}", resource, reason);
      return;
    }
    long now = nanos.getAsLong();
    Streak before = streaks.get(resource);
    if (before == null) {
      streaks.put(resource, new Streak(now, now, 1, reason));
      log.warn("Kubernetes list/watch of {} failing, retrying: {}", resource, reason);
    } else {
      streaks.put(resource, new Streak(before.startNanos(), now, before.failures() + 1, reason));
      log.debug("Kubernetes list/watch of {} still failing: {}", resource, reason);
    }
  }

  /**
   * Ends the streaks that have been quiet for {@link #QUIET} (logging that each recovered), then
   * says whether one has lasted {@link #UNHEALTHY_AFTER} or more.
   *
   * @return why the watches are unhealthy, or empty
   */
  public Optional<String> problem() {
    long now = nanos.getAsLong();
    Optional<String> problem = Optional.empty();
    for (Map.Entry<String, Streak> e : streaks.entrySet()) {
      Streak s = e.getValue();
      if (now - s.lastNanos() >= QUIET.toNanos()) {
        if (streaks.remove(e.getKey(), s)) {
          log.info(
              "Kubernetes list/watch of {} recovered after {} failed attempts",
              e.getKey(),
              s.failures());
        }
      } else if (problem.isEmpty() && now - s.startNanos() >= UNHEALTHY_AFTER.toNanos()) {
        problem =
            Optional.of(
                "Kubernetes list/watch of "
                    + e.getKey()
                    + " failing for "
                    + Duration.ofNanos(now - s.startNanos()).toSeconds()
                    + " s: "
                    + s.reason());
      }
    }
    return problem;
  }

  /** One line: the exception and its root cause, with the API status code when there is one. */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text =
        failure instanceof ApiException api && api.getCode() > 0
            ? "HTTP " + api.getCode() + ": " + statusMessage(api.getResponseBody())
            : root.getClass().getSimpleName() + ": " + Objects.toString(root.getMessage(), "");
    text = text.replaceAll("\\s+", " ").strip();
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
  }

  private static final java.util.regex.Pattern MESSAGE =
      java.util.regex.Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** The {@code message} of a Kubernetes Status body, else the body itself. */
  private static String statusMessage(String body) {
    if (body == null) {
      return "";
    }
    java.util.regex.Matcher m = MESSAGE.matcher(body);
    return m.find() ? m.group(1) : body;
  }
}
