// clm.h must compile alone as C++ with -pedantic -Werror, with C linkage.
#include <clm/clm.h>

#include <type_traits>

static_assert(CLM_OK == 0, "CLM_OK is 0");
static_assert(std::is_same<decltype(&clm_last_error), const char *(*)()>::value, "C linkage signature");

int main() { return CLM_VERSION_NUMBER > 0 ? 0 : 1; }
