mbl_benchmark(NAME bench_node_commit SRCS node_commit.cc
  DEPS mbl::node_http mbl::node_core mbl::tools_lib mbl::test_support)
