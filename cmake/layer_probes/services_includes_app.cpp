// Must NOT compile with the services layer's include path: the build enforces the layers
// (cmake/argon_modules.cmake), so an operation cannot include the app's wiring.
#include "argon/app/config.hpp"
