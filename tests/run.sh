#!/usr/bin/env bash
# Runs every test of the workspace on a fresh Debian machine (as root, with
# only the Rust toolchain): installs the system packages the end-to-end tests
# drive for real, then formatting, lints and the tests themselves.
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

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
