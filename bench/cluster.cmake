mbl_benchmark(NAME bench_cluster SRCS cluster_throughput.cc
  DEPS mbl::node_http mbl::node_links mbl::node_core mbl::test_support)
mbl_benchmark(NAME bench_consensus SRCS consensus_throughput.cc
  DEPS mbl::node_http mbl::node_links mbl::node_core mbl::consensus)
mbl_benchmark(NAME bench_exit_lookup SRCS exit_lookup_load.cc
  DEPS mbl::tools_lib Boost::headers Threads::Threads)

# Real mbl-node processes made by the real `mbl net create` / `mbl net start` (docs/reliability.md).
mbl_benchmark(NAME bench_attack SRCS attack_cluster.cc DEPS mbl::http_attack mbl::tools_lib)
target_compile_definitions(bench_attack PRIVATE MBL_CLI_BINARY="$<TARGET_FILE:mbl>")
add_dependencies(bench_attack mbl-node mbl)
