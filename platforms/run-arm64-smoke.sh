#!/usr/bin/env bash
# Linux arm64 smoke test under user-mode emulation, on a Linux x86_64 machine:
#   1. builds the CLI distribution for linux-arm64 (-Djavacpp.platform=linux-arm64) into
#      cli/target/lib-linux-arm64, beside the host's cli/target/lib, which it leaves alone;
#   2. runs `backplane devices` and a short conformance subset with an arm64 JDK under
#      qemu-aarch64, so TensorFlow's and OpenBLAS's linux-arm64 natives are really loaded.
#
# Needs (Debian/Ubuntu):  apt-get install qemu-user-static
#                         dpkg --add-architecture arm64 && apt-get update
#                         apt-get install openjdk-17-jdk-headless:arm64
# (multi-arch installs keep the amd64 and arm64 JDK at the same version, so this may upgrade
# the host's openjdk-17 too). On an arm64 machine it runs the arm64 JDK natively.
#
# Environment:
#   ARM64_JAVA_HOME   the arm64 JDK (default /usr/lib/jvm/java-17-openjdk-arm64)
#   SMOKE_CHECKS      conformance checks to run (default below; "all" for every check)
#   SMOKE_BACKENDS    backends to check (default accelerate,tf-java)
#   SMOKE_PROBE_TIMEOUT  backplane.probe.timeout (default 10m: under emulation the first probe
#                     unpacks and loads ~500 MB of TensorFlow natives, far past the 5s default)
#   SMOKE_MAVEN_ARGS  extra Maven arguments for the build, e.g. -o
#   SMOKE_SKIP_BUILD  1: reuse cli/target/lib-linux-arm64 from an earlier run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

lib="$root/cli/target/lib-linux-arm64"
arm_java_home="${ARM64_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-arm64}"
checks="${SMOKE_CHECKS:-forward/dense,forward/softmax,gradient/dense,optimizer/adam,model/reference}"
backends="${SMOKE_BACKENDS:-accelerate,tf-java}"

if [ ! -x "$arm_java_home/bin/java" ]; then
  echo "run-arm64-smoke: no arm64 JDK at $arm_java_home (apt-get install openjdk-17-jdk-headless:arm64, or set ARM64_JAVA_HOME)" >&2
  exit 2
fi
case "$(uname -m)" in
  aarch64|arm64) run=("$arm_java_home/bin/java") ;;
  *)
    qemu="$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)"
    if [ -z "$qemu" ]; then
      echo "run-arm64-smoke: no qemu-aarch64 (apt-get install qemu-user-static)" >&2
      exit 2
    fi
    # -L /: the arm64 loader and libraries come from the multi-arch root (/lib/aarch64-linux-gnu).
    run=("$qemu" -L / "$arm_java_home/bin/java")
    ;;
esac

if [ "${SMOKE_SKIP_BUILD:-0}" != 1 ]; then
  echo "== building the linux-arm64 distribution into ${lib#"$root"/}"
  # shellcheck disable=SC2086
  ./mvnw -q -DskipTests -Djavacpp.platform=linux-arm64 -Dbackplane.dist.lib="$lib" \
    ${SMOKE_MAVEN_ARGS:-} -pl cli -am package
fi
jar=$(ls "$root"/cli/target/backplane-cli-*.jar | grep -v -- '-tests.jar' | head -1)
natives=$(cd "$lib" && ls | grep -E -- '-(linux|macosx|windows)-[a-z0-9_]+\.jar$' | tr '\n' ' ')
echo "== natives in ${lib#"$root"/}: $natives"
if ls "$lib" | grep -E -- '-(linux-x86_64|macosx|windows)' >/dev/null; then
  echo "run-arm64-smoke: $lib holds natives of another platform" >&2
  exit 1
fi

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"
backplane() {
  "${run[@]}" --add-modules jdk.incubator.vector -Xshare:off \
    -Dbackplane.cache.dir="$root/cli/target/verdict-cache-arm64" \
    -Dbackplane.probe.timeout="${SMOKE_PROBE_TIMEOUT:-10m}" \
    -cp "$jar:$lib/*" dev.backplane.cli.Main "$@"
}

echo "== $("${run[@]}" -XshowSettings:properties -version 2>&1 | grep -E '^ *os.arch' | xargs)"
echo "== backplane devices"
time backplane devices
echo "== backplane conformance --backend $backends --check $checks"
if [ "$checks" = all ]; then
  time backplane conformance --backend "$backends"
else
  time backplane conformance --backend "$backends" --check "$checks"
fi
