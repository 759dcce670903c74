#include "chaincode/stored_json.h"

#include <charconv>
#include <cstdlib>
#include <limits>

#include "base/check.h"
#include "crypto/encoding.h"

namespace mbl::chaincode {
namespace {

[[noreturn]] void CorruptEntry(std::string_view key, const std::string& problem) {
  const bool entry_is_as_this_chaincode_wrote_it = false;
  MBL_CHECK_MSG(entry_is_as_this_chaincode_wrote_it,
                "corrupt state entry " + std::string(key) + ": " + problem);
  std::abort();  // not reached: the check above aborts
}

template <typename Number>
Number ParseDecimal(std::string_view key, std::string_view digits) {
  Number number = 0;
  const char* end = digits.data() + digits.size();
  auto [stop, error] = std::from_chars(digits.data(), end, number);
  if (digits.empty() || error != std::errc() || stop != end) {
    CorruptEntry(key, "'" + std::string(digits) + "' is not a decimal number in range");
  }
  return number;
}

bool IsString(const nlohmann::json& value) { return value.is_string(); }
bool IsBool(const nlohmann::json& value) { return value.is_boolean(); }
bool IsObject(const nlohmann::json& value) { return value.is_object(); }
bool IsArray(const nlohmann::json& value) { return value.is_array(); }
// The parser holds every integer without a sign as unsigned.
bool IsUint(const nlohmann::json& value) { return value.is_number_unsigned(); }
bool IsInt(const nlohmann::json& value) {
  return value.is_number_integer() &&
         (!value.is_number_unsigned() ||
          value.get<std::uint64_t>() <=
              static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

nlohmann::json ParseStoredObject(std::string_view key, std::string_view value) {
  nlohmann::json json = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) CorruptEntry(key, "the value is not a JSON object");
  return json;
}

std::uint64_t ParseStoredUint(std::string_view key, std::string_view digits) {
  return ParseDecimal<std::uint64_t>(key, digits);
}

std::int64_t ParseStoredInt(std::string_view key, std::string_view digits) {
  return ParseDecimal<std::int64_t>(key, digits);
}

StoredFields::StoredFields(std::string_view key, const nlohmann::json& object, std::string path)
    : key_(key), object_(object), path_(std::move(path)) {
  if (!object_.is_object()) Corrupt((path_.empty() ? "the value" : path_) + " is not an object");
}

void StoredFields::Corrupt(const std::string& problem) const { CorruptEntry(key_, problem); }

std::string StoredFields::Path(std::string_view field) const {
  return path_.empty() ? std::string(field) : path_ + "." + std::string(field);
}

const nlohmann::json& StoredFields::Field(std::string_view field, IsKind is_kind,
                                          std::string_view kind) const {
  auto it = object_.find(field);
  if (it == object_.end() || !is_kind(*it)) {
    Corrupt(Path(field) + " is missing or not " + std::string(kind));
  }
  return *it;
}

bool StoredFields::Has(std::string_view field) const { return object_.contains(field); }

std::string StoredFields::String(std::string_view field) const {
  return Field(field, IsString, "a string").get<std::string>();
}

std::uint64_t StoredFields::Uint(std::string_view field) const {
  return Field(field, IsUint, "an unsigned integer").get<std::uint64_t>();
}

std::uint32_t StoredFields::Uint32(std::string_view field) const {
  const std::uint64_t value = Uint(field);
  if (value > std::numeric_limits<std::uint32_t>::max()) {
    Corrupt(Path(field) + " is " + std::to_string(value) + ", more than 32 bits hold");
  }
  return static_cast<std::uint32_t>(value);
}

std::int64_t StoredFields::Int(std::string_view field) const {
  return Field(field, IsInt, "a 64-bit integer").get<std::int64_t>();
}

bool StoredFields::Bool(std::string_view field) const {
  return Field(field, IsBool, "a boolean").get<bool>();
}

std::string StoredFields::Hex(std::string_view field) const {
  Result<std::string> bytes = crypto::FromHex(String(field));
  if (!bytes.ok()) Corrupt(Path(field) + " is not hex: " + bytes.status().message());
  return std::move(*bytes);
}

StoredFields StoredFields::Object(std::string_view field) const {
  return StoredFields(key_, Field(field, IsObject, "an object"), Path(field));
}

const nlohmann::json& StoredFields::Array(std::string_view field) const {
  return Field(field, IsArray, "an array");
}

std::vector<StoredFields> StoredFields::Objects(std::string_view field) const {
  const nlohmann::json& array = Array(field);
  std::vector<StoredFields> objects;
  objects.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    objects.emplace_back(key_, array[i], Path(field) + "[" + std::to_string(i) + "]");
  }
  return objects;
}

template <typename Value>
std::vector<Value> StoredFields::Elements(std::string_view field, IsKind is_kind,
                                          std::string_view kind) const {
  const nlohmann::json& array = Array(field);
  std::vector<Value> values;
  values.reserve(array.size());
  for (const nlohmann::json& element : array) {
    if (!is_kind(element)) {
      Corrupt(Path(field) + " holds an element that is not " + std::string(kind));
    }
    values.push_back(element.get<Value>());
  }
  return values;
}

std::vector<std::string> StoredFields::Strings(std::string_view field) const {
  return Elements<std::string>(field, IsString, "a string");
}

std::vector<std::int64_t> StoredFields::Ints(std::string_view field) const {
  return Elements<std::int64_t>(field, IsInt, "a 64-bit integer");
}

std::vector<std::uint64_t> StoredFields::Uints(std::string_view field) const {
  return Elements<std::uint64_t>(field, IsUint, "an unsigned integer");
}

StoredEntry::StoredEntry(std::string_view key, std::string_view value)
    : ParsedEntry{ParseStoredObject(key, value)}, StoredFields(key, parsed_) {}

}  // namespace mbl::chaincode
