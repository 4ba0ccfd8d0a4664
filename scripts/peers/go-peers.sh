#!/usr/bin/env bash
# Builds the Go peers from the Go module proxy into .peers/bin (git-ignored):
#   grpc-go-xds-client, grpc-go-xds-server  grpc-go's xDS interop client and server
#   etcd, kube-apiserver                    a real Kubernetes API server for the Kubernetes source
#   kubectl                                 the real client, for what users do (kubectl apply against the webhook)
#   pilot-agent                             istio's own sidecar agent, run proxyless against tsiod
# Each binary is built once per (peer, version, Go version) into a cache outside the clone
# ($TSIOD_PEERS_CACHE, default ~/.cache/tsiod-peers), so a fresh clone copies it instead of building.
# Wrapper modules are generated into the cache's work area; nothing third-party enters the repo.
# Usage: go-peers.sh [peer ...]   (default: all)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=versions.sh
source "$repo_root/scripts/peers/versions.sh"
bin_dir="$repo_root/.peers/bin"
cache_root="${TSIOD_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tsiod-peers}"
go_version="$(go env GOVERSION)"
mkdir -p "$bin_dir" "$cache_root"

log() { echo "peers: $*"; }

# install_cached NAME VERSION BUILD_FN: copies the cached binary into .peers/bin, building it first if absent.
install_cached() {
  local name="$1" version="$2" build_fn="$3"
  local cached="$cache_root/$name-$version-$go_version/$name"
  if [[ -x "$cached" ]]; then
    log "$name $version: cached ($cached)"
  else
    local work
    work="$(mktemp -d "$cache_root/build-$name.XXXXXX")"
    local started=$SECONDS
    log "$name $version: building with $go_version in $work"
    if ! "$build_fn" "$version" "$work" "$work/$name"; then
      log "$name $version: BUILD FAILED (work dir kept: $work)" >&2
      return 1
    fi
    mkdir -p "$(dirname "$cached")"
    mv "$work/$name" "$cached"
    rm -rf "$work"
    log "$name $version: built in $((SECONDS - started)) s"
  fi
  if ! cmp -s "$cached" "$bin_dir/$name"; then
    cp "$cached" "$bin_dir/$name.tmp" && mv "$bin_dir/$name.tmp" "$bin_dir/$name"
  fi
  echo "$version" >"$bin_dir/$name.version"
}

# go install of a main package at a version: the module proxy resolves it, no wrapper needed.
build_go_install() {
  local pkg="$1" version="$2" work="$3" out="$4"
  GOBIN="$work/gobin" go install "$pkg@$version"
  mv "$work/gobin/$(basename "$pkg")" "$out"
}
build_grpc_go_xds_client() { build_go_install google.golang.org/grpc/interop/xds/client "$@"; }
build_grpc_go_xds_server() { build_go_install google.golang.org/grpc/interop/xds/server "$@"; }

# etcd's own root module has replace directives, so `go install` refuses it; a two-line main
# around etcdmain (the package etcd's main calls) builds the same server.
build_etcd() {
  local version="$1" work="$2" out="$3"
  mkdir -p "$work/mod"
  cat >"$work/mod/go.mod" <<MOD
module tsiod.peers/etcd

go 1.26
MOD
  cat >"$work/mod/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$work/mod" && go get "go.etcd.io/etcd/server/v3@$version" && go mod tidy && CGO_ENABLED=0 go build -trimpath -o "$out" .)
}

# k8s.io/kubernetes requires its staging modules as v0.0.0 and replaces them with ./staging paths,
# which a dependent module cannot see; the wrapper replaces each with its published v0.<minor>.<patch>.
# build_kubernetes_command CMD VERSION WORK OUT builds k8s.io/kubernetes/cmd/CMD that way.
build_kubernetes_command() {
  local command="$1" version="$2" work="$3" out="$4"
  local staging_version="v0.${version#v1.}"
  mkdir -p "$work/mod"
  curl -fsS "https://proxy.golang.org/k8s.io/kubernetes/@v/$version.mod" -o "$work/kubernetes.mod" ||
    go mod download -json "k8s.io/kubernetes@$version" >/dev/null
  {
    echo "module tsiod.peers/$command"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $version"
    echo
    echo "replace ("
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$work/kubernetes.mod" | awk '{print $1}' | sort -u |
      while read -r staged; do
        # The sample-* staging modules are examples nothing depends on, and are not on the proxy.
        [[ "$staged" == k8s.io/sample-* ]] && continue
        echo "	$staged => $staged $staging_version"
      done
    echo ")"
  } >"$work/mod/go.mod"
  local ldflags="-X k8s.io/component-base/version.gitVersion=$version"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$version" | cut -d. -f2)"
  # `go get -tool pkg@version` would ask the proxy for a module named after the package, which it
  # answers 403 rather than 404; requiring the module and declaring the tool avoids that lookup.
  (cd "$work/mod" && go get "k8s.io/kubernetes@$version" && go mod edit -tool "k8s.io/kubernetes/cmd/$command" && go mod tidy &&
    CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out" "k8s.io/kubernetes/cmd/$command")
}
build_kube_apiserver() { build_kubernetes_command kube-apiserver "$@"; }
build_kubectl() { build_kubernetes_command kubectl "$@"; }

# istio.io/istio's pilot-agent, built as istio's Makefile builds it (AGENT_TAGS, version stamped through
# -ldflags -X) but from the module proxy: a wrapper module requires istio.io/istio and declares the
# command as a tool, so `go mod tidy` resolves exactly istio's own go.mod requirements.
build_pilot_agent() {
  local version="$1" work="$2" out="$3"
  mkdir -p "$work/mod"
  cat >"$work/mod/go.mod" <<MOD
module tsiod.peers/pilot-agent

go 1.26
MOD
  (cd "$work/mod" && go get "istio.io/istio@$version" && go mod edit -tool istio.io/istio/pilot/cmd/pilot-agent && go mod tidy) || return 1
  local istio_dir release revision ldflags
  istio_dir="$(cd "$work/mod" && go list -m -f '{{.Dir}}' istio.io/istio)"
  release="$(tr -d '[:space:]' <"$istio_dir/VERSION")-dev"
  revision="${version##*-}"
  ldflags="-X istio.io/istio/pkg/version.buildVersion=$release"
  ldflags+=" -X istio.io/istio/pkg/version.buildGitRevision=$revision"
  ldflags+=" -X istio.io/istio/pkg/version.buildStatus=Clean"
  ldflags+=" -X istio.io/istio/pkg/version.buildTag=$version"
  ldflags+=" -X istio.io/istio/pkg/version.buildOS=$(go env GOOS) -X istio.io/istio/pkg/version.buildArch=$(go env GOARCH)"
  (cd "$work/mod" && CGO_ENABLED=0 go build -trimpath -tags agent,disable_pgv,grpcnotrace,retrynotrace \
    -ldflags "$ldflags" -o "$out" istio.io/istio/pilot/cmd/pilot-agent)
}

peers=("$@")
[[ ${#peers[@]} -gt 0 ]] || peers=(grpc-go-xds-client grpc-go-xds-server etcd kube-apiserver kubectl pilot-agent)
for peer in "${peers[@]}"; do
  case "$peer" in
  grpc-go-xds-client) install_cached "$peer" "$GRPC_GO_INTEROP_VERSION" build_grpc_go_xds_client ;;
  grpc-go-xds-server) install_cached "$peer" "$GRPC_GO_INTEROP_VERSION" build_grpc_go_xds_server ;;
  etcd) install_cached "$peer" "$ETCD_VERSION" build_etcd ;;
  kube-apiserver) install_cached "$peer" "$KUBERNETES_VERSION" build_kube_apiserver ;;
  kubectl) install_cached "$peer" "$KUBERNETES_VERSION" build_kubectl ;;
  pilot-agent) install_cached "$peer" "$ISTIO_VERSION" build_pilot_agent ;;
  *) echo "peers: unknown peer $peer" >&2; exit 2 ;;
  esac
done
