#!/usr/bin/env bash
# Runs every test of the workspace on a fresh Debian machine (as root, with
# only the Rust toolchain and Python 3): installs the system packages the
# end-to-end tests drive for real and schemathesis, then formatting, lints
# and the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  chromium chromium-driver          # staff, admin and public pages (WebDriver)
  xvfb xdotool x11-apps x11-utils imagemagick # Bevy apps in a real X server
  mesa-vulkan-drivers libvulkan1    # software Vulkan (lavapipe) for Bevy
  socat                             # pseudo-terminal pairs for serial printers
  espeak-ng                         # Mandarin voice for the wall display
  fonts-wqy-microhei                # CJK font for the Bevy apps
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Schemathesis (PyPI), for tests/tests/it/schemathesis.rs: a pinned version
# in a virtual environment beside the build, made once and kept; the test
# finds it through LOBBY_SCHEMATHESIS.
schemathesis_version=4.32.5
venv="${CARGO_TARGET_DIR:-target}/schemathesis-$schemathesis_version"
if ! "$venv/bin/st" --version 2>/dev/null | grep -qF "$schemathesis_version"; then
  echo "installing schemathesis $schemathesis_version into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
LOBBY_SCHEMATHESIS="$(cd "$venv/bin" && pwd)/st"
export LOBBY_SCHEMATHESIS

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
