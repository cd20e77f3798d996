# shellcheck shell=bash
# Finding the JDK the course is written for. Sourced (not run) by the ipclab launcher and by both
# Gradescope scripts, so the three look in the same places and agree on the release.
#
# The release is written once, as the property ipclab.java.release of the parent pom. Maven reads
# it there (the compiler, and the toolchains plugin that picks a JDK by itself); these scripts read
# the same line, because they look for a JDK before anything is built.

# java_release ROOT: the release the course at ROOT is written for, e.g. 25.
java_release() {
  sed -n 's:.*<ipclab\.java\.release>\([0-9][0-9]*\)</ipclab\.java\.release>.*:\1:p' "$1/pom.xml" | head -1
}

# jdk_version DIR: the feature release of the JDK installed in DIR (25 for 25.0.1); nothing when
# DIR holds no JDK (a JRE has no javac, and the grader compiles the labs).
jdk_version() {
  local release="$1/release"
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

# The folders looked in, in order: IPCLAB_JAVA, JAVA_HOME, the java on the PATH, then where
# packages, IDEs, SDKMAN and Maven's toolchains put JDKs.
jdk_candidates() {
  [ -n "${IPCLAB_JAVA:-}" ] && echo "$IPCLAB_JAVA"
  [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME"
  if command -v java >/dev/null 2>&1; then
    dirname "$(dirname "$(readlink -f "$(command -v java)")")"
  fi
  local d
  for d in /usr/lib/jvm/* "$HOME"/.jdks/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.m2/jdks/* /opt/java/* /opt/*jdk*; do
    [ -d "$d" ] && echo "$d"
  done
  return 0
}

# find_jdk RELEASE: the home of the first JDK of that release among the candidates; fails when none is.
find_jdk() {
  local d
  while IFS= read -r d; do
    if [ "$(jdk_version "$d")" = "$1" ]; then
      echo "$d"
      return 0
    fi
  done < <(jdk_candidates)
  return 1
}

JDK_PLACES="IPCLAB_JAVA, JAVA_HOME, PATH, /usr/lib/jvm, ~/.jdks, ~/.sdkman, ~/.m2/jdks, /opt"
