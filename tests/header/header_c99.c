/* clm.h must compile alone as strict C99 (-std=c99 -pedantic -Werror). */
#include <clm/clm.h>

int main(void) {
    clm_status s = CLM_OK;
    return (int)s + (CLM_VERSION_NUMBER > 0 ? 0 : 1);
}
