package org.spireregistrar.webhook.review;

import java.util.Objects;

/**
 * An AdmissionRequest's {@code kind}: the group, version and kind of the object under review
 * ({@code ""} group for the core API).
 */
public record GroupVersionKind(String group, String version, String kind) {

  /** {@code {group: "", version: "v1", kind: "Pod"}}. */
  public static final GroupVersionKind POD = new GroupVersionKind("", "v1", "Pod");

  public GroupVersionKind {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(kind, "kind");
  }

  /** As apimachinery prints it: {@code /v1, Kind=Pod}, {@code apps/v1, Kind=Deployment}. */
  @Override
  public String toString() {
    return group + "/" + version + ", Kind=" + kind;
  }
}
