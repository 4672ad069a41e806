package org.spireregistrar.kubernetes.testing;

import java.util.List;

/**
 * Who made a request, as {@code AdmissionReview.request.userInfo} carries it. The stand-in does not
 * authenticate: requests are the cluster admin's unless they impersonate ({@code Impersonate-User},
 * {@code Impersonate-Group}, as {@code kubectl --as} sends); the control loops act as their service
 * accounts.
 */
record UserInfo(String username, List<String> groups) {
  /** What a kubeadm or kind admin kubeconfig authenticates as. */
  static final UserInfo ADMIN =
      new UserInfo("kubernetes-admin", List.of("system:masters", "system:authenticated"));

  static final UserInfo GARBAGE_COLLECTOR = serviceAccount("generic-garbage-collector");

  static final UserInfo NAMESPACE_CONTROLLER = serviceAccount("namespace-controller");

  UserInfo {
    groups = List.copyOf(groups);
  }

  private static UserInfo serviceAccount(String name) {
    return new UserInfo(
        "system:serviceaccount:kube-system:" + name,
        List.of(
            "system:serviceaccounts",
            "system:serviceaccounts:kube-system",
            "system:authenticated"));
  }
}
