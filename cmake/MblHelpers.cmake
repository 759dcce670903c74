# One helper per kind of target (in the manner of Abseil's absl_cc_library).
# Every library gets a namespaced alias mbl::<name>; warnings are errors everywhere.

set(MBL_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Werror)

function(mbl_apply_common target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE ${MBL_WARNINGS})
endfunction()

# mbl_cc_library(NAME name SRCS ... DEPS ... [PUBLIC_DEPS ...])
function(mbl_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  if(ARG_SRCS)
    add_library(mbl_${ARG_NAME} STATIC ${ARG_SRCS})
    mbl_apply_common(mbl_${ARG_NAME})
    target_include_directories(mbl_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    target_link_libraries(mbl_${ARG_NAME} PUBLIC ${ARG_DEPS})
  else()
    add_library(mbl_${ARG_NAME} INTERFACE)
    target_compile_features(mbl_${ARG_NAME} INTERFACE cxx_std_20)
    target_include_directories(mbl_${ARG_NAME} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    target_link_libraries(mbl_${ARG_NAME} INTERFACE ${ARG_DEPS})
  endif()
  add_library(mbl::${ARG_NAME} ALIAS mbl_${ARG_NAME})
endfunction()

# mbl_proto_library(NAME name PROTOS ...): generated code is compiled without our warning flags
# (it is not ours), and exposed as mbl::<name>.
function(mbl_proto_library)
  cmake_parse_arguments(ARG "" "NAME" "PROTOS;DEPS" ${ARGN})
  set(generated)
  foreach(proto ${ARG_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(cc ${PROJECT_BINARY_DIR}/${stem}.pb.cc)
    set(h ${PROJECT_BINARY_DIR}/${stem}.pb.h)
    add_custom_command(
      OUTPUT ${cc} ${h}
      COMMAND protobuf::protoc --cpp_out=${PROJECT_BINARY_DIR} -I ${PROJECT_SOURCE_DIR} ${abs}
      DEPENDS ${abs} protobuf::protoc
      COMMENT "protoc ${rel}" VERBATIM)
    list(APPEND generated ${cc})
  endforeach()
  add_library(mbl_${ARG_NAME} STATIC ${generated})
  target_compile_features(mbl_${ARG_NAME} PUBLIC cxx_std_20)
  target_include_directories(mbl_${ARG_NAME} PUBLIC ${PROJECT_BINARY_DIR})
  target_link_libraries(mbl_${ARG_NAME} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  add_library(mbl::${ARG_NAME} ALIAS mbl_${ARG_NAME})
endfunction()

# mbl_cc_binary(NAME name SRCS ... DEPS ...)
function(mbl_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  mbl_apply_common(${ARG_NAME})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
endfunction()

# mbl_cc_test(NAME name SRCS ... DEPS ... [LABELS ...] [TIMEOUT s]): one gtest binary, each TEST
# registered with ctest separately so failures name the rule they pin.
function(mbl_cc_test)
  if(NOT MBL_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  mbl_apply_common(${ARG_NAME})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS ${ARG_LABELS} TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()

# mbl_benchmark(NAME name SRCS ... DEPS ...): benchmarks are programs, never tests.
function(mbl_benchmark)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  mbl_cc_binary(NAME ${ARG_NAME} SRCS ${ARG_SRCS} DEPS ${ARG_DEPS})
endfunction()
