// partial.cpp -- mergeable partial results compiled once into clm::core:
// the partials of status, funnel, time in stage and forecast, and the
// partitioning of event logs by customer or account (docs/distributed.md);
// clm::core_header_only includes the same definitions from the headers.
#ifdef CLM_HEADER_ONLY
#error "src/core/ belongs to clm::core, which is not header-only"
#endif

#include <clm/partial/partials-inl.hpp>
#include <clm/partial/partition-inl.hpp>
