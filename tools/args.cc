#include "tools/args.h"

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

Status Args::OnlyFlags(const std::set<std::string>& allowed) const {
  for (const auto& [flag, value] : flags_) {
    if (!allowed.contains(flag)) return InvalidArgument("unknown flag --" + flag);
  }
  return Status::Ok();
}

}  // namespace mbl::tools
