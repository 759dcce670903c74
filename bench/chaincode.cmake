mbl_benchmark(NAME bench_chaincode_apply SRCS chaincode_apply.cc DEPS mbl::chaincode mbl::test_support)
