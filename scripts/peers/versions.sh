# Pinned versions of the peers scripts/peers/ builds (sourced by the scripts, read by test helpers).
# grpc-go's xDS interop client and server: v1.64.1 is the last grpc-go release whose main module
# carries interop/xds/{client,server}. Later ones moved them into the nested module
# google.golang.org/grpc/interop/xds, which is not on the Go module proxy (404), so it cannot be
# built from a registry here (see scripts/peers/README.md).
GRPC_GO_INTEROP_VERSION=v1.64.1
# kube-apiserver from k8s.io/kubernetes; its staging modules are published as k8s.io/<name> v0.<minor>.<patch>.
# v1.37.1, not v1.37.2: the proxy has v1.37.2's go.mod but answers 403 for its zip.
KUBERNETES_VERSION=v1.37.1
# The etcd that Kubernetes v1.37 is built and tested against (its go.mod requires go.etcd.io/etcd/server/v3 v3.7.x).
ETCD_VERSION=v3.7.3
# istio's own sidecar agent (pilot-agent), run proxyless against tsiod. istio.io/istio tags no Go
# module releases (its versions are git tags without a go.mod-compatible major), so the proxy only has
# pseudo-versions of master; this one is the newest it serves (1.32 development, 2026-08-27).
ISTIO_VERSION=v0.0.0-20260827124520-eed52ebb66ad
