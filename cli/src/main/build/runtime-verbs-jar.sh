#!/bin/sh
# Makes cli/target/oci-cli-runtime.jar, the jar the launcher starts the runtime's verbs from: the CLI's
# classes with a shorter Class-Path, oci-cli.jar's without the libraries in runtime-classpath-exclude.
# Those verbs start a process (ProcessBuilder looks up a System.Logger, and java.util.logging's
# ServiceLoader scan opens every jar on the class path: bcprov's 6,000 entries, zstd-jni's 6 MB,
# kotlin-stdlib...); with 11 jars instead of 22 a create costs ~20 ms less CPU. Runs in the package
# phase after oci-cli.jar and lib/; a failure leaves no jar (the launcher then uses oci-cli.jar).
# With a fourth argument it makes that jar instead, the same way (oci-cli-pull.jar, for `oci pull`:
# OkHttp starts java.util.logging too; pull-classpath-exclude).
# Usage: runtime-verbs-jar.sh JDK_BIN TARGET_DIR EXCLUDE_FILE [JAR_NAME]
jdk_bin=$1 target=$2 exclude=$3
out=$target/${4:-oci-cli-runtime.jar}
rm -f "$out" "$out.tmp"
tmp=$(mktemp -d) || exit 0
trap 'rm -rf "$tmp"' EXIT
fail() { echo "oci: no ${out##*/} ($1); its commands start from oci-cli.jar" >&2; rm -f "$out.tmp"; exit 0; }
(cd "$tmp" && "$jdk_bin/jar" --extract --file "$target/oci-cli.jar" META-INF/MANIFEST.MF) || fail "cannot read oci-cli.jar's manifest"
# the manifest's lines are wrapped at 72 bytes, a leading space continuing the previous one
tr -d '\r' < "$tmp/META-INF/MANIFEST.MF" | awk '
  /^ / { if (name) value = value substr($0, 2); next }
  { if (name) print name ": " value; name = ""; i = index($0, ": "); if (i) { name = substr($0, 1, i - 1); value = substr($0, i + 2) } }
  END { if (name) print name ": " value }' > "$tmp/attributes"
keep=
for entry in $(sed -n 's/^Class-Path: //p' "$tmp/attributes"); do
  file=${entry##*/} skip=
  while read -r prefix; do
    case $prefix in ''|'#'*) continue ;; esac
    case $file in "$prefix"*) skip=1 ;; esac
  done < "$exclude"
  [ -n "$skip" ] && continue
  [ -f "$target/$entry" ] || fail "$entry is not in $target"
  keep="$keep $entry"
done
[ -n "$keep" ] || fail "oci-cli.jar has no Class-Path"
grep -v '^Class-Path: \|^Manifest-Version: \|^Created-By: ' "$tmp/attributes" > "$tmp/manifest"
echo "Class-Path:$keep" >> "$tmp/manifest"
"$jdk_bin/jar" --create --file "$out.tmp" --manifest "$tmp/manifest" -C "$target/classes" . || fail "jar --create failed"
mv -f "$out.tmp" "$out"
