// The process's CPU time, for the "refused quickly" bounds of hostile-input tests.
//
// Calling rules: take cpu_seconds() before and after the work and bound the difference. Unlike
// wall time it does not grow when the machine is busy (ctest -j2, a build or a mutation run beside
// the suite), so such a bound fails on runaway work, not on load. Hangs are ctest's timeout's job.
#pragma once

#include <ctime>

namespace attn::test {

inline double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace attn::test
