/// @file build_mode.hpp
/// How the cold bulk of the C++ core is built: compiled once into the
/// `clm::core` library (the default), or header-only when `CLM_HEADER_ONLY`
/// is defined (the `clm::core_header_only` target defines it). A header
/// `x.hpp` declares; `x-inl.hpp` defines with `CLM_INLINE`; `x.hpp` includes
/// `x-inl.hpp` only in header-only mode, and a source of src/core/ includes
/// it otherwise (docs/conventions.md, "Built once").
#pragma once

#ifdef CLM_HEADER_ONLY
/// `inline` in header-only mode, so that every translation unit may define the function.
#define CLM_INLINE inline
#else
/// Empty when the core is compiled: the function is defined once, in src/core/.
#define CLM_INLINE
#endif
