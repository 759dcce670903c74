#include "tools/args.h"

#include <charconv>

namespace mbl::tools {

Result<Args> Args::Parse(int argc, char** argv, int first,
                         const std::set<std::string>& boolean_flags) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string word = argv[i];
    if (!word.starts_with("--")) {
      args.positional_.push_back(word);
      continue;
    }
    std::string name = word.substr(2);
    std::size_t equals = name.find('=');
    if (equals != std::string::npos) {
      args.flags_[name.substr(0, equals)] = name.substr(equals + 1);
    } else if (boolean_flags.contains(name)) {
      args.flags_[name] = "true";
    } else if (i + 1 < argc) {
      args.flags_[name] = argv[++i];
    } else {
      return InvalidArgument("flag --" + name + " needs a value");
    }
  }
  return args;
}

std::string Args::Get(const std::string& flag, const std::string& fallback) const {
  auto it = flags_.find(flag);
  return it == flags_.end() ? fallback : it->second;
}

Result<std::string> Args::Require(const std::string& flag) const {
  auto it = flags_.find(flag);
  if (it == flags_.end() || it->second.empty())
    return InvalidArgument("--" + flag + " is required");
  return it->second;
}

Result<std::uint64_t> Args::GetUint(const std::string& flag, std::uint64_t fallback,
                                    std::uint64_t minimum, std::uint64_t maximum) const {
  auto it = flags_.find(flag);
  if (it == flags_.end()) return fallback;
  const std::string& text = it->second;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < minimum ||
      value > maximum) {
    return InvalidArgument("--" + flag + " must be a whole number from " + std::to_string(minimum) +
                           " to " + std::to_string(maximum) + ", not '" + text + "'");
  }
  return value;
}

Status Args::OnlyFlags(const std::set<std::string>& allowed) const {
  for (const auto& [flag, value] : flags_) {
    if (!allowed.contains(flag)) return InvalidArgument("unknown flag --" + flag);
  }
  return Status::Ok();
}

}  // namespace mbl::tools
