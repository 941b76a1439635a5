// An outside C++ program: the installed core's headers alone, no C ABI.
#include <clm/presets.hpp>

#include <iostream>

int main() try {
    clm::model_ptr sales = clm::load_preset("sales6");
    std::cout << sales->id() << " has " << sales->stage_count() << " stages\n";
    return 0;
} catch (const std::exception &e) {
    std::cerr << e.what() << "\n";
    return 1;
}
