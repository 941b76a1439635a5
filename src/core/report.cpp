// report.cpp -- the management report (report/data.hpp, report/page.hpp)
// compiled once into clm::core; clm::core_header_only includes the same
// definitions from the headers instead (CLM_HEADER_ONLY).
#ifdef CLM_HEADER_ONLY
#error "src/core/ belongs to clm::core, which is not header-only"
#endif

#include <clm/report/data-inl.hpp>
#include <clm/report/page-inl.hpp>
