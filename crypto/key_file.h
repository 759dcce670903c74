// Key files. A secret key file holds one line: "mbl-ed25519-secret-v1 <hex seed>"; it is created
// with mode 0600 and refused when group- or world-readable. A public key file holds one line:
// "mbl-ed25519-public-v1 <hex public key>". Both formats are in docs/formats.md.
#pragma once

#include <filesystem>

#include "base/status.h"
#include "crypto/ed25519.h"

namespace mbl::crypto {

// Fails with kAlreadyExists rather than overwrite an existing file.
Status WriteSecretKeyFile(const std::filesystem::path& path, const KeyPair& key_pair);
Status WritePublicKeyFile(const std::filesystem::path& path, const PublicKey& public_key);

// Refuses (kPermissionDenied, with a chmod hint) a file whose mode grants group or other access.
Result<KeyPair> ReadSecretKeyFile(const std::filesystem::path& path);
Result<PublicKey> ReadPublicKeyFile(const std::filesystem::path& path);

}  // namespace mbl::crypto
