// Expected failures are values (DESIGN D7): every fallible function returns a Status or a
// Result<T>, both [[nodiscard]]. Broken invariants are not Statuses; they are MBL_CHECKs.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/check.h"

namespace mbl {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // malformed input: the caller must fix the request
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // duplicate (e.g. a record already committed)
  kPermissionDenied,    // authenticated, but lacks the role or right
  kUnauthenticated,     // bad or missing signature, unknown signer
  kFailedPrecondition,  // valid input that the current state refuses (a rule rejects it)
  kResourceExhausted,   // a limit was hit (queue full, body too large, disk full)
  kUnavailable,         // try again later (shutting down, not leader, peer unreachable)
  kDeadlineExceeded,    // a wait ran out of time
  kDataLoss,            // corruption detected on disk
  kInternal,            // an I/O or dependency error we could not classify
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Adds context in front of the message, keeping the code: "opening store: <message>".
  Status WithContext(std::string_view context) const;

  // Makes ignoring an error explicit and greppable (RocksDB's PermitUncheckedError).
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
inline Status DataLoss(std::string m) { return {Code::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// Result<T> holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    MBL_CHECK(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & {
    MBL_CHECK_MSG(ok(), status().ToString());
    return std::get<T>(state_);
  }
  const T& value() const& {
    MBL_CHECK_MSG(ok(), status().ToString());
    return std::get<T>(state_);
  }
  T&& value() && {
    MBL_CHECK_MSG(ok(), status().ToString());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace mbl

// Returns early with the Status of `expr` when it is not ok.
#define MBL_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::mbl::Status mbl_status_ = (expr);        \
    if (!mbl_status_.ok()) return mbl_status_; \
  } while (false)

#define MBL_CONCAT_INNER_(a, b) a##b
#define MBL_CONCAT_(a, b) MBL_CONCAT_INNER_(a, b)

// MBL_ASSIGN_OR_RETURN(auto x, Compute()); declares x from the value or returns the Status.
#define MBL_ASSIGN_OR_RETURN(lhs, expr) \
  MBL_ASSIGN_OR_RETURN_IMPL_(MBL_CONCAT_(mbl_result_, __LINE__), lhs, expr)
#define MBL_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                               \
  if (!result.ok()) return result.status();           \
  lhs = std::move(result).value()
