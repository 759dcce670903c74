mbl_benchmark(NAME bench_cluster SRCS cluster_throughput.cc
  DEPS mbl::node_http mbl::node_links mbl::node_core mbl::test_support)
mbl_benchmark(NAME bench_consensus SRCS consensus_throughput.cc
  DEPS mbl::node_http mbl::node_links mbl::node_core mbl::consensus)
mbl_benchmark(NAME bench_exit_lookup SRCS exit_lookup_load.cc
  DEPS mbl::tools_lib Boost::headers Threads::Threads)
