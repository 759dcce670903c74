#include "tools/payload_reader.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <span>

namespace mbl::tools {
namespace {

// Protobuf wire types the rule reads; 3 and 4 (groups) and 6, 7 are refused.
enum Wire : int { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

constexpr std::uint64_t kFieldNumberMax = (1u << 29) - 1;
constexpr std::uint32_t kRecordGenesis = 10;
constexpr std::uint32_t kRecordSystemExit = 27;
// The members of mbl.v1.Record's oneof `body` (chaincode/proto/records.proto).
constexpr std::uint32_t kRecordBodies[] = {10, 11, 12, 13, 14, 15, 16, 20, 21, 22,
                                           23, 24, 25, 26, 27, 28, 29, 30, 31};

struct Field {
  std::uint64_t number = 0;
  int wire = 0;
  std::uint64_t value = 0;  // varint
  std::string_view bytes;   // length-delimited, fixed32, fixed64
};

// A field the rule reads: its wire type, and whether it may appear more than once.
struct Known {
  std::uint32_t number;
  int wire;
  bool repeated;
};

Status Refuse(std::string_view what, const std::string& detail) {
  return InvalidArgument(std::string(what) + ": " + detail);
}

// At most 10 bytes; the tenth may only carry the 64th bit.
bool ReadVarint(std::string_view bytes, std::size_t& at, std::uint64_t& value) {
  value = 0;
  for (int i = 0; i < 10; ++i) {
    if (at >= bytes.size()) return false;
    const auto byte = static_cast<std::uint8_t>(bytes[at++]);
    if (i == 9 && byte > 1) return false;
    value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

Result<std::vector<Field>> ReadFields(std::string_view message, std::string_view what) {
  std::vector<Field> fields;
  std::size_t at = 0;
  while (at < message.size()) {
    std::uint64_t key = 0;
    if (!ReadVarint(message, at, key)) return Refuse(what, "a field key is truncated or too long");
    Field field;
    field.number = key >> 3;
    field.wire = static_cast<int>(key & 7);
    if (field.number == 0 || field.number > kFieldNumberMax) {
      return Refuse(what, "field number " + std::to_string(field.number) + " is out of range");
    }
    const std::string field_name = "field " + std::to_string(field.number);
    std::size_t length = 0;
    if (field.wire == kVarint) {
      if (!ReadVarint(message, at, field.value)) {
        return Refuse(what, field_name + ": varint truncated or too long");
      }
      fields.push_back(field);
      continue;
    }
    if (field.wire == kFixed64) {
      length = 8;
    } else if (field.wire == kFixed32) {
      length = 4;
    } else if (field.wire == kLengthDelimited) {
      std::uint64_t declared = 0;
      if (!ReadVarint(message, at, declared)) {
        return Refuse(what, field_name + ": length truncated or too long");
      }
      if (declared > message.size() - at) return Refuse(what, field_name + ": truncated");
      length = static_cast<std::size_t>(declared);
    } else {
      return Refuse(what, field_name + " has wire type " + std::to_string(field.wire) +
                              ", which this rule does not read (groups or invalid)");
    }
    if (length > message.size() - at) return Refuse(what, field_name + ": truncated");
    field.bytes = message.substr(at, length);
    at += length;
    fields.push_back(field);
  }
  return fields;
}

// Known fields must have their wire type, and a singular one may appear once only (Protobuf
// parsers would keep the last, or merge messages: the rule refuses rather than choose).
Status CheckKnown(const std::vector<Field>& fields, std::span<const Known> known,
                  std::string_view what) {
  std::set<std::uint64_t> seen;
  for (const Field& field : fields) {
    auto spec = std::find_if(known.begin(), known.end(),
                             [&](const Known& k) { return k.number == field.number; });
    if (spec == known.end()) continue;  // unknown to the rule: skipped, as Protobuf keeps it aside
    if (field.wire != spec->wire) {
      return Refuse(what, "field " + std::to_string(field.number) + " has wire type " +
                              std::to_string(field.wire) + " instead of " +
                              std::to_string(spec->wire));
    }
    if (!spec->repeated && !seen.insert(field.number).second) {
      return Refuse(what, "field " + std::to_string(field.number) + " appears more than once");
    }
  }
  return Status::Ok();
}

const Field* Find(const std::vector<Field>& fields, std::uint32_t number) {
  for (const Field& field : fields) {
    if (field.number == number) return &field;
  }
  return nullptr;
}

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool ValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint8_t low = 0x80, high = 0xbf;  // range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;
      if (c == 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if (k == 1 ? (next < low || next > high) : (next < 0x80 || next > 0xbf)) return false;
    }
    i += length;
  }
  return true;
}

// A proto3 string field: absent is "", present must be UTF-8.
Result<std::string> Text(const std::vector<Field>& fields, std::uint32_t number,
                         std::string_view what) {
  const Field* field = Find(fields, number);
  if (field == nullptr) return std::string();
  if (!ValidUtf8(field->bytes)) {
    return Refuse(what, "field " + std::to_string(number) + " is not UTF-8");
  }
  return std::string(field->bytes);
}

std::uint64_t Varint(const std::vector<Field>& fields, std::uint32_t number) {
  const Field* field = Find(fields, number);
  return field == nullptr ? 0 : field->value;
}

// 64 hex digits in either case; returned in lowercase.
Result<std::string> HexKey(const std::string& text, std::string_view what) {
  if (text.size() != 64 || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return Refuse(what, "'" + text + "' is not a key of 64 hex digits");
  }
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return lower;
}

struct RecordFields {
  std::vector<Field> fields;
  std::uint32_t body_number = 0;
  std::string_view body;
};

// mbl.v1.Record: version 1, and exactly one member of the oneof body.
Result<RecordFields> ReadRecord(std::string_view payload, std::string_view what) {
  RecordFields record;
  MBL_ASSIGN_OR_RETURN(record.fields, ReadFields(payload, what));
  std::vector<Known> known = {{1, kVarint, false},
                              {2, kLengthDelimited, false},
                              {3, kLengthDelimited, false},
                              {4, kVarint, false},
                              {5, kVarint, false}};
  for (std::uint32_t body : kRecordBodies) known.push_back({body, kLengthDelimited, false});
  MBL_RETURN_IF_ERROR(CheckKnown(record.fields, known, what));
  int bodies = 0;
  for (const Field& field : record.fields) {
    if (std::find(std::begin(kRecordBodies), std::end(kRecordBodies), field.number) ==
        std::end(kRecordBodies)) {
      continue;
    }
    ++bodies;
    record.body_number = static_cast<std::uint32_t>(field.number);
    record.body = field.bytes;
  }
  if (bodies != 1) {
    return Refuse(what, "the record has " + std::to_string(bodies) +
                            " bodies (members of its oneof); exactly one is needed");
  }
  if (Varint(record.fields, 1) != 1) return Refuse(what, "record version is not 1");
  return record;
}

Result<GenesisOrganization> ReadOrganization(std::string_view bytes) {
  constexpr std::string_view kWhat = "genesis organization";
  MBL_ASSIGN_OR_RETURN(std::vector<Field> fields, ReadFields(bytes, kWhat));
  constexpr Known kKnown[] = {
      {1, kLengthDelimited, false}, {2, kLengthDelimited, false}, {6, kLengthDelimited, true}};
  MBL_RETURN_IF_ERROR(CheckKnown(fields, kKnown, kWhat));
  GenesisOrganization organization;
  MBL_ASSIGN_OR_RETURN(organization.id, Text(fields, 1, kWhat));
  MBL_ASSIGN_OR_RETURN(organization.name, Text(fields, 2, kWhat));
  for (const Field& field : fields) {
    if (field.number != 6) continue;
    constexpr std::string_view kPerson = "genesis person";
    MBL_ASSIGN_OR_RETURN(std::vector<Field> person, ReadFields(field.bytes, kPerson));
    constexpr Known kPersonKnown[] = {{2, kLengthDelimited, false}};
    MBL_RETURN_IF_ERROR(CheckKnown(person, kPersonKnown, kPerson));
    MBL_ASSIGN_OR_RETURN(std::string key, Text(person, 2, kPerson));
    MBL_ASSIGN_OR_RETURN(key, HexKey(key, kPerson));
    organization.person_keys.push_back(std::move(key));
  }
  return organization;
}

}  // namespace

Result<GenesisView> ReadGenesisPayload(std::string_view payload) {
  MBL_ASSIGN_OR_RETURN(RecordFields record, ReadRecord(payload, "genesis record"));
  if (record.body_number != kRecordGenesis) {
    return Refuse("genesis record", "its body is not a genesis (field 10)");
  }
  if (const Field* chain = Find(record.fields, 2); chain != nullptr && !chain->bytes.empty()) {
    return Refuse("genesis record", "a genesis names no chain id");
  }
  constexpr std::string_view kWhat = "genesis";
  MBL_ASSIGN_OR_RETURN(std::vector<Field> fields, ReadFields(record.body, kWhat));
  constexpr Known kKnown[] = {{3, kLengthDelimited, true}, {4, kLengthDelimited, true}};
  MBL_RETURN_IF_ERROR(CheckKnown(fields, kKnown, kWhat));
  GenesisView view;
  std::set<std::string> organization_ids;
  std::set<std::string> distinct;
  for (const Field& field : fields) {
    if (field.number == 3) {
      MBL_ASSIGN_OR_RETURN(GenesisOrganization organization, ReadOrganization(field.bytes));
      if (!organization_ids.insert(organization.id).second) {
        return Refuse(kWhat, "organization '" + organization.id + "' is listed twice");
      }
      view.organizations.push_back(std::move(organization));
    } else if (field.number == 4) {
      constexpr std::string_view kValidator = "genesis validator";
      MBL_ASSIGN_OR_RETURN(std::vector<Field> validator, ReadFields(field.bytes, kValidator));
      constexpr Known kValidatorKnown[] = {{2, kLengthDelimited, false}};
      MBL_RETURN_IF_ERROR(CheckKnown(validator, kValidatorKnown, kValidator));
      MBL_ASSIGN_OR_RETURN(std::string key, Text(validator, 2, kValidator));
      MBL_ASSIGN_OR_RETURN(std::string lower, HexKey(key, kValidator));
      if (!distinct.insert(lower).second) {
        return Refuse(kValidator, "key " + lower + " is listed twice");
      }
    }
  }
  if (distinct.empty()) return Refuse(kWhat, "it names no validator");
  // The ledger stores keys in lower case and indexes validators in the order of its state keys.
  view.validators.assign(distinct.begin(), distinct.end());
  return view;
}

Result<ExitRecordView> ReadExitRecordPayload(std::string_view payload) {
  constexpr std::string_view kWhat = "exit record";
  MBL_ASSIGN_OR_RETURN(RecordFields record, ReadRecord(payload, kWhat));
  if (record.body_number != kRecordSystemExit) {
    return Refuse(kWhat, "its body is not a system exit (field 27, T13)");
  }
  ExitRecordView view;
  view.version = 1;
  if (const Field* chain = Find(record.fields, 2); chain != nullptr) {
    view.chain_id = std::string(chain->bytes);
  }
  MBL_ASSIGN_OR_RETURN(view.author_org, Text(record.fields, 3, kWhat));
  constexpr std::string_view kBody = "system exit";
  MBL_ASSIGN_OR_RETURN(std::vector<Field> fields, ReadFields(record.body, kBody));
  constexpr Known kKnown[] = {
      {1, kLengthDelimited, false}, {2, kLengthDelimited, false}, {3, kLengthDelimited, false},
      {4, kVarint, false},          {5, kLengthDelimited, false}, {6, kLengthDelimited, false},
      {7, kVarint, false},          {8, kVarint, false},          {9, kVarint, false}};
  MBL_RETURN_IF_ERROR(CheckKnown(fields, kKnown, kBody));
  MBL_ASSIGN_OR_RETURN(view.site_id, Text(fields, 1, kBody));
  MBL_ASSIGN_OR_RETURN(view.characteristic, Text(fields, 2, kBody));
  MBL_ASSIGN_OR_RETURN(view.product_group, Text(fields, 3, kBody));
  view.credit_grams = Varint(fields, 4);
  MBL_ASSIGN_OR_RETURN(view.product_description, Text(fields, 5, kBody));
  MBL_ASSIGN_OR_RETURN(view.product_batch, Text(fields, 6, kBody));
  const std::uint64_t scope = Varint(fields, 7);
  if (scope > 0x7fffffff) return Refuse(kBody, "scope is out of range");
  view.scope = static_cast<std::uint32_t>(scope);
  view.product_units = Varint(fields, 8);
  view.disclose_quantities = Varint(fields, 9) != 0;
  return view;
}

std::string_view ScopeName(std::uint32_t scope) {
  switch (scope) {
    case 1:
      return "product";
    case 2:
      return "part or component";
    case 3:
      return "packaging";
    default:
      return "";
  }
}

}  // namespace mbl::tools
