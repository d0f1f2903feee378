// Provides std::ios_base_library_init() for systems whose libstdc++ predates GCC 13.
// libLibTorchSharp.so needs exactly this one GLIBCXX_3.4.32 symbol; GCC 13 defines it to make
// sure the standard streams are initialised, which a static ios_base::Init object does too.
#include <ios>

namespace std {
__attribute__((visibility("default"))) void ios_base_library_init() {
  static ios_base::Init init;
}
}  // namespace std
