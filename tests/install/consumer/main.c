/* An outside program: checks the header and library versions agree and
   loads a preset model through the installed library. */
#include <clm/clm.h>
#include <stdio.h>

int main(void) {
    clm_model *m = NULL;
    if (clm_version_number() != CLM_VERSION_NUMBER) {
        fprintf(stderr, "header %d, library %d\n", CLM_VERSION_NUMBER, clm_version_number());
        return 1;
    }
    if (clm_model_preset(&m, "sales6") != CLM_OK) {
        fprintf(stderr, "%s\n", clm_last_error());
        return 1;
    }
    printf("version %s\n", clm_version_string());
    printf("sales6 has %u stages\n", (unsigned)clm_model_stage_count(m));
    clm_model_free(m);
    return 0;
}
