package org.spireregistrar.kubernetes;

import java.util.Locale;

/**
 * What {@code kubectl get pods -A -o json} and {@code -o yaml} write, for {@code n} pods of about
 * 3.7 KB (JSON) each: a {@code List} whose {@code items} come before its {@code kind}.
 */
final class KubectlOutput {
  private KubectlOutput() {}

  static String podsJson(int n) {
    StringBuilder b = new StringBuilder(n * 3800);
    b.append("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    for (int i = 0; i < n; i++) {
      b.append(
          String.format(
              Locale.ROOT,
              """
                      {
                          "apiVersion": "v1",
                          "kind": "Pod",
                          "metadata": {
                              "annotations": {
                                  "kubectl.kubernetes.io/restartedAt": "2024-01-01T00:00:00Z"
                              },
                              "creationTimestamp": "2024-01-01T00:00:00Z",
                              "labels": {
                                  "app": "app-%1$d",
                                  "pod-template-hash": "7d9f8c6b5"
                              },
                              "name": "app-%1$d-7d9f8c6b5-x%2$05d",
                              "namespace": "team-%3$d",
                              "ownerReferences": [
                                  {
                                      "apiVersion": "apps/v1",
                                      "blockOwnerDeletion": true,
                                      "controller": true,
                                      "kind": "ReplicaSet",
                                      "name": "app-%1$d-7d9f8c6b5",
                                      "uid": "5f1c7a1e-0000-4000-8000-%2$012d"
                                  }
                              ],
                              "resourceVersion": "%4$d",
                              "uid": "00000000-0000-4000-8000-%2$012d"
                          },
                          "spec": {
                              "containers": [
                                  {
                                      "image": "registry.example.com/app:1.2.3",
                                      "imagePullPolicy": "IfNotPresent",
                                      "name": "app",
                                      "ports": [
                                          {
                                              "containerPort": 8080,
                                              "protocol": "TCP"
                                          }
                                      ],
                                      "resources": {
                                          "requests": {
                                              "cpu": "100m",
                                              "memory": "128Mi"
                                          }
                                      },
                                      "volumeMounts": [
                                          {
                                              "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                              "name": "kube-api-access",
                                              "readOnly": true
                                          }
                                      ]
                                  }
                              ],
                              "dnsPolicy": "ClusterFirst",
                              "nodeName": "node-%5$03d",
                              "restartPolicy": "Always",
                              "schedulerName": "default-scheduler",
                              "serviceAccount": "sa-%1$d",
                              "serviceAccountName": "sa-%1$d",
                              "tolerations": [
                                  {
                                      "effect": "NoExecute",
                                      "key": "node.kubernetes.io/not-ready",
                                      "operator": "Exists",
                                      "tolerationSeconds": 300
                                  }
                              ]
                          },
                          "status": {
                              "conditions": [
                                  {
                                      "lastProbeTime": null,
                                      "lastTransitionTime": "2024-01-01T00:00:00Z",
                                      "status": "True",
                                      "type": "Ready"
                                  }
                              ],
                              "containerStatuses": [
                                  {
                                      "containerID": "containerd://%2$064d",
                                      "image": "registry.example.com/app:1.2.3",
                                      "imageID": "sha256:%2$064d",
                                      "name": "app",
                                      "ready": true,
                                      "restartCount": 0,
                                      "started": true,
                                      "state": {
                                          "running": {
                                              "startedAt": "2024-01-01T00:00:00Z"
                                          }
                                      }
                                  }
                              ],
                              "hostIP": "192.168.0.1",
                              "phase": "Running",
                              "podIP": "10.%6$d.%7$d.%8$d"
                          }
                      }""",
              i % 400,
              i,
              i % 40,
              1000 + i,
              i % 100,
              i / 65536 % 256,
              i / 256 % 256,
              i % 256));
      b.append(i < n - 1 ? ",\n" : "\n");
    }
    b.append(
        "    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n"
            + "    }\n}\n");
    return b.toString();
  }

  static String podsYaml(int n) {
    StringBuilder b = new StringBuilder(n * 2000);
    b.append("apiVersion: v1\nitems:\n");
    for (int i = 0; i < n; i++) {
      b.append(
          String.format(
              Locale.ROOT,
              """
              - apiVersion: v1
                kind: Pod
                metadata:
                  annotations:
                    kubectl.kubernetes.io/restartedAt: "2024-01-01T00:00:00Z"
                  creationTimestamp: "2024-01-01T00:00:00Z"
                  labels:
                    app: app-%1$d
                    pod-template-hash: 7d9f8c6b5
                  name: app-%1$d-7d9f8c6b5-x%2$05d
                  namespace: team-%3$d
                  ownerReferences:
                  - apiVersion: apps/v1
                    blockOwnerDeletion: true
                    controller: true
                    kind: ReplicaSet
                    name: app-%1$d-7d9f8c6b5
                    uid: 5f1c7a1e-0000-4000-8000-%2$012d
                  resourceVersion: "%4$d"
                  uid: 00000000-0000-4000-8000-%2$012d
                spec:
                  containers:
                  - image: registry.example.com/app:1.2.3
                    imagePullPolicy: IfNotPresent
                    name: app
                    ports:
                    - containerPort: 8080
                      protocol: TCP
                    resources:
                      requests:
                        cpu: 100m
                        memory: 128Mi
                    volumeMounts:
                    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
                      name: kube-api-access
                      readOnly: true
                  dnsPolicy: ClusterFirst
                  nodeName: node-%5$03d
                  restartPolicy: Always
                  serviceAccount: sa-%1$d
                  serviceAccountName: sa-%1$d
                status:
                  conditions:
                  - lastProbeTime: null
                    lastTransitionTime: "2024-01-01T00:00:00Z"
                    status: "True"
                    type: Ready
                  containerStatuses:
                  - containerID: containerd://%2$064d
                    image: registry.example.com/app:1.2.3
                    imageID: sha256:%2$064d
                    name: app
                    ready: true
                    restartCount: 0
                    started: true
                  hostIP: 192.168.0.1
                  phase: Running
                  podIP: 10.%6$d.%7$d.%8$d
              """,
              i % 400,
              i,
              i % 40,
              1000 + i,
              i % 100,
              i / 65536 % 256,
              i / 256 % 256,
              i % 256));
    }
    b.append("kind: List\nmetadata:\n  resourceVersion: \"\"\n");
    return b.toString();
  }
}
