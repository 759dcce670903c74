#include "crypto/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/encoding.h"

namespace mbl::crypto {
namespace {

constexpr std::string_view kSecretTag = "mbl-ed25519-secret-v1";
constexpr std::string_view kPublicTag = "mbl-ed25519-public-v1";
constexpr std::size_t kKeyFileBytesMax = 4096;

std::string ErrnoText() { return std::strerror(errno); }

// Creates `path` with `mode` and writes `content`; never replaces an existing file.
Status WriteNewFile(const std::filesystem::path& path, const std::string& content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return AlreadyExists("key file " + path.string() +
                           " already exists; refusing to overwrite a key (move it away first)");
    }
    return Internal("cannot create key file " + path.string() + ": " + ErrnoText());
  }
  // The umask may have removed bits but never adds any; fchmod pins the exact mode.
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t written = 0;
  while (ok && written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  std::string error = ok ? "" : ErrnoText();
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Internal("cannot write key file " + path.string() + ": " + error);
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open key file " + path.string());
  std::string content(kKeyFileBytesMax + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > kKeyFileBytesMax) {
    return InvalidArgument("key file " + path.string() + " is too large to be a key file");
  }
  return content;
}

// Parses "<tag> <hex>\n" and returns the hex part.
Result<std::string> ParseKeyLine(const std::string& content, std::string_view tag,
                                 const std::filesystem::path& path) {
  std::istringstream in(content);
  std::string found_tag, hex, extra;
  in >> found_tag >> hex >> extra;
  if (found_tag != tag || hex.empty() || !extra.empty()) {
    return InvalidArgument("key file " + path.string() + " is not of the form '" +
                           std::string(tag) + " <hex>' (see docs/formats.md)");
  }
  return hex;
}

}  // namespace

Status WriteSecretKeyFile(const std::filesystem::path& path, const KeyPair& key_pair) {
  std::string content = std::string(kSecretTag) + " " + ToHex(key_pair.secret_key.seed()) + "\n";
  Status status = WriteNewFile(path, content, 0600);
  sodium_memzero(content.data(), content.size());
  return status;
}

Status WritePublicKeyFile(const std::filesystem::path& path, const PublicKey& public_key) {
  return WriteNewFile(path, std::string(kPublicTag) + " " + ToHex(public_key) + "\n", 0644);
}

Result<KeyPair> ReadSecretKeyFile(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return NotFound("cannot read secret key file " + path.string() + ": " + ErrnoText());
  }
  if ((info.st_mode & 077) != 0) {
    return PermissionDenied("secret key file " + path.string() +
                            " is readable by group or others; refusing to use it. Fix with: "
                            "chmod 600 " +
                            path.string());
  }
  MBL_ASSIGN_OR_RETURN(std::string content, ReadSmallFile(path));
  auto hex = ParseKeyLine(content, kSecretTag, path);
  sodium_memzero(content.data(), content.size());
  if (!hex.ok()) return hex.status();
  auto seed = FixedFromHex<kSeedBytes>(*hex, "secret key file " + path.string());
  sodium_memzero(hex->data(), hex->size());
  if (!seed.ok()) return seed.status();
  KeyPair pair = KeyPair::FromSeed(*seed);
  sodium_memzero(seed->data(), seed->size());
  return pair;
}

Result<PublicKey> ReadPublicKeyFile(const std::filesystem::path& path) {
  MBL_ASSIGN_OR_RETURN(std::string content, ReadSmallFile(path));
  MBL_ASSIGN_OR_RETURN(std::string hex, ParseKeyLine(content, kPublicTag, path));
  return FixedFromHex<kPublicKeyBytes>(hex, "public key file " + path.string());
}

}  // namespace mbl::crypto
