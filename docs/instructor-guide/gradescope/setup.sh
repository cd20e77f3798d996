#!/usr/bin/env bash
# ipc-lab on Gradescope: setup.sh
#
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu base image).
# It installs a Temurin JDK of the course's release (the parent pom's ipclab.java.release) from
# Adoptium's apt repository and Maven from Ubuntu's, builds
# the grader, and runs it once so that every Maven plugin and library a grading run needs is in
# the local repository: run_autograder then grades offline.
#
# The autograder zip holds, at its root: setup.sh, run_autograder, ipc-lab/ (the course tree as
# students get it, without solutions/) and, optionally, hidden/ (labNN/ipclab/labNN/*Test.java).
# See docs/instructor-guide/02-grading-a-class.md.
set -euo pipefail

AUTOGRADER=${AUTOGRADER:-/autograder}
COURSE=$AUTOGRADER/source/ipc-lab

# shellcheck source=../../../scripts/jdk.sh
. "$COURSE/scripts/jdk.sh" # java_release, find_jdk: the same search as the ipclab launcher's
RELEASE=$(java_release "$COURSE")
[ -n "$RELEASE" ] || { echo "setup.sh: no ipclab.java.release in $COURSE/pom.xml" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
if ! find_jdk "$RELEASE" >/dev/null || ! command -v mvn >/dev/null || ! command -v jq >/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends ca-certificates wget gpg jq
fi

if ! find_jdk "$RELEASE" >/dev/null; then
  # Adoptium's apt repository, as https://adoptium.net/installation/linux/ describes it.
  install -d -m 0755 /etc/apt/keyrings
  wget -qO- https://packages.adoptium.net/artifactory/api/gpg/key/public \
    | gpg --dearmor --yes -o /etc/apt/keyrings/adoptium.gpg
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  echo "deb [signed-by=/etc/apt/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb $codename main" \
    > /etc/apt/sources.list.d/adoptium.list
  apt-get update
  apt-get install -y --no-install-recommends "temurin-$RELEASE-jdk"
fi

if ! command -v mvn >/dev/null; then
  # Installed after the JDK, whose package provides the Java runtime Maven depends on,
  # so apt does not add a second, older JDK.
  apt-get install -y --no-install-recommends maven
fi

JAVA_HOME=$(find_jdk "$RELEASE") || { echo "setup.sh: no JDK $RELEASE after installing temurin-$RELEASE-jdk" >&2; exit 1; }
export JAVA_HOME # Maven itself runs on it too; the build selects it anyway (Maven toolchains)
java_version=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)
echo "setup.sh: JDK $JAVA_HOME ($java_version)"
mvn -v

cd "$COURSE"
# Build the grader (the labs are compiled by the grader itself, one by one, at grading time).
mvn -B -q -DskipTests -pl grader -am package

# Grade the untouched skeletons of the first lab once: the points do not matter, the run makes
# Maven fetch what only a test run needs (Surefire's JUnit Platform provider), so that
# run_autograder needs no network.
lab_folders=(labs/lab[0-9][0-9]-*)
first_lab=$(basename "${lab_folders[0]}")
mvn -B -q -pl grader test "-Dipclab.lab=$((10#${first_lab:3:2}))" >"$AUTOGRADER/setup-warm-up.log" 2>&1 || true
if [ ! -f grader/target/grade/results.json ]; then
  echo "setup.sh: the warm-up grading run wrote no report; its log:" >&2
  tail -40 "$AUTOGRADER/setup-warm-up.log" >&2
  exit 1
fi
rm -rf grader/target/grade grader/target/surefire-reports
echo "setup.sh: the grader is built and its dependencies are cached in ~/.m2"
