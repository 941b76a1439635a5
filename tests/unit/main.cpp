// The Catch2 test runner for the C++ core.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
