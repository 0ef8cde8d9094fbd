// Must compile with the services layer's include path: services may use the store.
#include "argon/store/sql.hpp"
