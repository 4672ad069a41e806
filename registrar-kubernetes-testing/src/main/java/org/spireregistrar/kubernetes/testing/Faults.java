package org.spireregistrar.kubernetes.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Injected failures: the next n resource requests, or every request a predicate matches. */
final class Faults {
  private record Rule(Predicate<StandInRequest> matcher, int status) {}

  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private int failNextCount;
  private int failNextStatus;

  synchronized void failNext(int count, int status) {
    failNextCount = count;
    failNextStatus = status;
  }

  /** Adds a rule; closing the returned handle removes it. */
  AutoCloseable failRequests(Predicate<StandInRequest> matcher, int status) {
    Rule rule = new Rule(matcher, status);
    rules.add(rule);
    return () -> rules.remove(rule);
  }

  synchronized void clear() {
    failNextCount = 0;
    rules.clear();
  }

  /** The HTTP status to fail this request with, or 0 to serve it. */
  int statusFor(StandInRequest request) {
    if (!request.isResourceRequest()) {
      return 0;
    }
    synchronized (this) {
      if (failNextCount > 0) {
        failNextCount--;
        return failNextStatus;
      }
    }
    for (Rule rule : rules) {
      if (rule.matcher().test(request)) {
        return rule.status();
      }
    }
    return 0;
  }
}
