// CURVE keys for authenticated, encrypted traffic between workers and servers
// (docs/security.md). Keys are Z85 text (40 characters) in czmq's ZPL certificate files: a
// public file "NAME" with `public-key = "..."`, and a secret file "NAME_secret" that adds
// `secret-key = "..."` and must be readable by its owner only (mode 600).
#pragma once

#include <set>
#include <string>

#include "paracel/export.hpp"

namespace paracel {

struct curve_pair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85; empty when read from a public certificate
};

// What a client needs: its own pair and the servers' public key.
struct curve_client_keys {
  curve_pair client;
  std::string server_public_key;
};

// Whether this libzmq was built with CURVE (Debian's is, through libsodium).
PARACEL_EXPORT bool curve_available();
// A fresh key pair; throws paracel::error when CURVE is not available.
PARACEL_EXPORT curve_pair make_curve_pair();
// Writes `path` (public) and `path`_secret (mode 600). Throws naming the file on failure.
PARACEL_EXPORT void write_certificate(const std::string& path, const curve_pair& keys);
// Reads a certificate: with `secret`, the secret file (refused unless only its owner can
// read it) and both keys; otherwise the public file. Throws paracel::error naming the file
// and what is wrong.
PARACEL_EXPORT curve_pair read_certificate(const std::string& path, bool secret);
// The public keys of every certificate in `folder` (files ending in _secret are skipped).
PARACEL_EXPORT std::set<std::string> read_allowlist(const std::string& folder);

}  // namespace paracel
